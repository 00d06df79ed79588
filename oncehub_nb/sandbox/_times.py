"""Time helpers: the sandbox clock and the API's ISO 8601 format (UTC, milliseconds, ``Z``).

The sandbox has a present of its own, the *anchor*: generated records are placed relative to
it (bookings before it are past, after it scheduled), and every time the sandbox writes
(``last_updated_time`` of a cancel, a webhook's signature time) comes from its clock. For users
the anchor is today, so scheduled bookings are in their future; tests and recordings set a fixed
anchor (argument, or ``ONCEHUB_SANDBOX_ANCHOR``) and the sandbox then behaves the same on any
day.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta

#: The environment variable that fixes the anchor (an ISO date or date-time, UTC if naive).
ANCHOR_ENV = "ONCEHUB_SANDBOX_ANCHOR"

#: The anchor of the recorded cassettes and of the test suite (``tests/conftest.py``).
FIXED_ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)


def iso(moment: datetime) -> str:
    """Format a datetime the way the API does: UTC with milliseconds and ``Z``.

    Example:
        >>> iso(datetime(2026, 5, 2, 21, 18, 19, 317000, tzinfo=UTC))
        '2026-05-02T21:18:19.317Z'
    """
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _to_anchor(value: datetime | date | str) -> datetime:
    if isinstance(value, str):
        parsed = parse_time(value)
        if parsed is None:
            raise ValueError(f"the sandbox anchor must be an ISO date or date-time, not {value!r}")
        return parsed
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class SandboxClock:
    """The sandbox's present: the anchor its data is placed around, and the time it stamps.

    Args:
        anchor: the present of the generated data (a date, a date-time or an ISO string). Default:
            ``ONCEHUB_SANDBOX_ANCHOR`` when set, else today at 00:00 UTC.
        clock: Unix time for the sandbox's writes. Default: the real time when the anchor is
            today's (the default); with an explicit anchor, the anchor plus the time since this
            clock was made, so the sandbox sees the same present whatever day it runs on.
        env: where to look for ``ONCEHUB_SANDBOX_ANCHOR`` (default ``os.environ``).

    Example:
        >>> fixed = SandboxClock("2026-06-01", clock=lambda: 1780272000.0)
        >>> iso(fixed.anchor), iso(fixed.now())
        ('2026-06-01T00:00:00.000Z', '2026-06-01T00:00:00.000Z')
        >>> today = SandboxClock(env={})  # no anchor anywhere: today, and the real time
        >>> (today.anchor.hour, today.anchor.minute) == (0, 0)
        True
    """

    def __init__(
        self,
        anchor: datetime | date | str | None = None,
        *,
        clock: Callable[[], float] | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        env = os.environ if env is None else env
        if anchor is None and env.get(ANCHOR_ENV, "").strip():
            anchor = env[ANCHOR_ENV].strip()
        if anchor is None:
            self.anchor = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
            self._clock = clock if clock is not None else time.time
        else:
            self.anchor = _to_anchor(anchor)
            if clock is None:
                start, base = time.monotonic(), self.anchor.timestamp()
                clock = lambda: base + (time.monotonic() - start)  # noqa: E731
            self._clock = clock

    def timestamp(self) -> float:
        """The sandbox's current Unix time.

        Example:
            >>> SandboxClock("2026-06-01", clock=lambda: 5.0).timestamp()
            5.0
        """
        return float(self._clock())

    def now(self) -> datetime:
        """The sandbox's current time, in UTC.

        Example:
            >>> SandboxClock("2026-06-01").now() >= datetime(2026, 6, 1, tzinfo=UTC)
            True
        """
        return datetime.fromtimestamp(self.timestamp(), UTC)

    def __repr__(self) -> str:
        return f"SandboxClock(anchor={iso(self.anchor)!r}, now={iso(self.now())!r})"


def parse_time(text: str) -> datetime | None:
    """Parse an ISO 8601 date or date-time; naive values are taken as UTC.

    Returns ``None`` when the text is not a valid date.

    Example:
        >>> parse_time("2026-01-02T03:04:05Z") == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        True
        >>> parse_time("2025-13-45") is None
        True
    """
    text = text.strip()
    if len(text) < 10 or not text[:4].isdigit():
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def shift(moment: datetime, *, days: float = 0, minutes: float = 0, seconds: float = 0) -> datetime:
    """Return ``moment`` moved by the given amounts.

    Example:
        >>> shift(FIXED_ANCHOR, days=1).day
        2
    """
    return moment + timedelta(days=days, minutes=minutes, seconds=seconds)

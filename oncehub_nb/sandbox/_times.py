"""Time helpers: the sandbox clock and the API's ISO 8601 format (UTC, milliseconds, ``Z``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

#: Every generated record is placed relative to this instant, never to the run day.
ANCHOR = datetime(2026, 6, 1, tzinfo=UTC)


def iso(moment: datetime) -> str:
    """Format a datetime the way the API does: UTC with milliseconds and ``Z``.

    Example:
        >>> iso(datetime(2026, 5, 2, 21, 18, 19, 317000, tzinfo=UTC))
        '2026-05-02T21:18:19.317Z'
    """
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def now() -> datetime:
    """Return the sandbox clock: the real current time in UTC.

    Example:
        >>> now().tzinfo is UTC
        True
    """
    return datetime.now(UTC)


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
        >>> shift(ANCHOR, days=1).day
        2
    """
    return moment + timedelta(days=days, minutes=minutes, seconds=seconds)

"""Settings: explicit arguments first, then ``ONCEHUB_*`` environment variables, then defaults.

The defaults are those of real OnceHub (``https://api.oncehub.com/v2``, 100 items a page, its
documented rate limits of 5 requests per second per account and 200 per 5 minutes per IP).

| Variable | Setting | Default |
|---|---|---|
| ``ONCEHUB_API_KEY`` | the API key (read by :meth:`OnceHub.from_env`) | none |
| ``ONCEHUB_API_BASE`` | ``api_base`` | ``https://api.oncehub.com/v2`` |
| ``ONCEHUB_RATE_LIMIT`` | ``rate_limit`` (``on``: OnceHub's limits / ``off``) | ``on`` |
| ``ONCEHUB_TIMEOUT`` | ``timeout`` in seconds | ``30`` |
| ``ONCEHUB_MAX_RETRIES`` | ``max_retries`` | ``5`` |
| ``ONCEHUB_MAX_WAIT`` | ``max_wait`` in seconds | ``600`` |
| ``ONCEHUB_PAGE_SIZE`` | ``page_size`` (1 to 100) | ``100`` |
| ``ONCEHUB_MAX_WALKS`` | ``max_walks`` (1 to 16; 1: every pull is one cursor walk) | ``4`` |

The rate limit is shared by every process on the machine (see ``oncehub_nb._http.limits``);
:func:`rate_limit_notices` lets a progress bar say when a request waits for it.

Example:
    >>> s = Settings.resolve(api_base="http://127.0.0.1:8080/v2", env={})
    >>> s.api_base, s.page_size, s.rate_limit, s.max_wait
    ('http://127.0.0.1:8080/v2', 100, ((5, 1.0), (200, 300.0)), 600.0)
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypedDict, Unpack

from oncehub_nb._errors import ConfigurationError
from oncehub_nb._version import __version__

__all__ = [
    "DEFAULT_API_BASE",
    "DEFAULT_RATE_LIMITS",
    "ClientSettings",
    "Settings",
    "notify_rate_limit",
    "rate_limit_notices",
]

DEFAULT_API_BASE = "https://api.oncehub.com/v2"
#: OnceHub's documented limits: (requests, window in seconds).
DEFAULT_RATE_LIMITS: tuple[tuple[int, float], ...] = ((5, 1.0), (200, 300.0))

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _parse_bool(name: str, raw: str) -> bool:
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigurationError(f"{name}={raw!r} is not understood: use 'on' or 'off'")


def _limit_pairs(rate_limit: Any) -> tuple[tuple[int, float], ...]:
    if rate_limit is True:
        return DEFAULT_RATE_LIMITS
    if rate_limit is False:
        return ()
    try:
        return tuple((int(n), float(window)) for n, window in rate_limit)
    except (TypeError, ValueError):
        raise ConfigurationError(
            f"rate_limit must be True, False or (requests, window seconds) pairs, "
            f"got {rate_limit!r}"
        ) from None


def _parse_number(name: str, raw: str, kind: type[int] | type[float]) -> Any:
    try:
        return kind(raw.strip())
    except ValueError:
        raise ConfigurationError(
            f"{name}={raw!r} is not a {'whole ' if kind is int else ''}number"
        ) from None


class ClientSettings(TypedDict, total=False):
    """The settings a client takes as keyword arguments (``OnceHub(timeout=60, ...)``).

    Each is a :class:`Settings` field (see there for what it means); mypy and IDEs check the
    names and types, and a wrong name at run time is a :class:`ConfigurationError`. ``None``
    means "not given": the ``ONCEHUB_*`` variable, else the default, applies.
    """

    api_base: str | None
    timeout: float | None
    max_retries: int | None
    max_wait: float | None
    backoff_base: float | None
    backoff_max: float | None
    page_size: int | None
    rate_limit: bool | Sequence[tuple[int, float]] | None
    max_walks: int | None
    user_agent: str | None
    max_response_bytes: int | None


@dataclasses.dataclass(frozen=True)
class Settings:
    """How the client talks to OnceHub. Build it with :meth:`resolve`.

    Attributes:
        api_base: the API root, ``https://api.oncehub.com/v2`` for real OnceHub.
        timeout: seconds one try of a request may take in all, connect to last byte.
        max_retries: retries of an idempotent request after a 5xx, a reset or a timeout.
        max_wait: the longest one API request may wait for the rate limit, in seconds: for a
            turn under the limits shared by this machine's processes, and after 429 answers
            (retried until then). ``0`` never waits: the first wait raises ``RateLimitError``.
        backoff_base: first retry delay in seconds; doubles each try ("equal jitter": a random
            wait between half the step and the step).
        backoff_max: the longest single wait between tries, in seconds.
        page_size: items requested per page (the API allows 1 to 100).
        rate_limit: the ``(requests, window seconds)`` pairs the client-side limiter keeps
            under: the first is counted per account (credential), the others per IP (this
            machine); ``()`` when it is off. Given as ``True`` (OnceHub's limits, the
            default), ``False`` (off) or the pairs.
        max_walks: the most slices one pull walks at once when the round trip, not the rate
            limit, holds it back (bookings, contacts and SMS notifications, sliced by
            ``creation_time``); 1 keeps every pull one cursor walk.
        user_agent: sent on every request.
        max_response_bytes: the largest body accepted (a page of 100 bookings is ~0.2 MB).

    Example:
        >>> Settings.resolve(env={"ONCEHUB_RATE_LIMIT": "off"}).rate_limit
        ()
        >>> Settings.resolve(rate_limit=[(2, 1)], env={}).rate_limit
        ((2, 1.0),)
    """

    api_base: str = DEFAULT_API_BASE
    timeout: float = 30.0
    max_retries: int = 5
    max_wait: float = 600.0
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    page_size: int = 100
    rate_limit: tuple[tuple[int, float], ...] = DEFAULT_RATE_LIMITS
    max_walks: int = 4
    user_agent: str = ""
    max_response_bytes: int = 32 * 1024 * 1024

    def __post_init__(self) -> None:
        base = self.api_base.rstrip("/") if isinstance(self.api_base, str) else ""
        # Only the shape here; where requests may go (https, or http to this machine only,
        # read by the parser that sends) is decided by the transport's one URL check.
        if not base.lower().startswith(("https://", "http://")):
            raise ConfigurationError(
                f"api_base / ONCEHUB_API_BASE must be an absolute URL such as "
                f"{DEFAULT_API_BASE!r}, got {self.api_base!r}"
            )
        if not 1 <= self.page_size <= 100:
            raise ConfigurationError(f"page_size must be 1 to 100, got {self.page_size}")
        if not math.isfinite(self.timeout) or self.timeout <= 0:  # "nan" passes "<= 0"
            raise ConfigurationError(f"timeout must be a positive number, got {self.timeout}")
        if self.max_response_bytes < 1:
            raise ConfigurationError("max_response_bytes must be at least 1")
        if not 1 <= self.max_walks <= 16:
            raise ConfigurationError(f"max_walks must be 1 to 16, got {self.max_walks}")
        if not math.isfinite(self.max_wait) or self.max_wait < 0:
            raise ConfigurationError(
                f"max_wait must be 0 or more seconds (ONCEHUB_MAX_WAIT), got {self.max_wait}"
            )
        if self.max_retries < 0:
            raise ConfigurationError(f"max_retries must be 0 or more, got {self.max_retries}")
        for pair in self.rate_limit:
            if len(pair) != 2 or pair[0] < 1 or pair[1] <= 0:
                raise ConfigurationError(
                    f"rate_limit must be True, False or (requests >= 1, window seconds > 0) "
                    f"pairs, got {pair!r}"
                )
        object.__setattr__(self, "api_base", base)
        if not self.user_agent:
            object.__setattr__(self, "user_agent", f"oncehub-nb/{__version__}")

    @classmethod
    def resolve(
        cls,
        *,
        env: Mapping[str, str] | None = None,
        **overrides: Unpack[ClientSettings],
    ) -> Settings:
        """Build settings: keyword arguments win, then ``ONCEHUB_*`` variables, then defaults.

        Args:
            env: the environment to read (``os.environ`` when ``None``).
            **overrides: any :class:`Settings` field; ``None`` values are ignored.

        Returns:
            Validated settings.

        Raises:
            ConfigurationError: an unknown argument or an invalid value, named in the message.

        Example:
            >>> Settings.resolve(timeout=5, env={"ONCEHUB_TIMEOUT": "60"}).timeout
            5
        """
        env = os.environ if env is None else env
        fields = {f.name for f in dataclasses.fields(cls)}
        unknown = set(overrides) - fields
        if unknown:
            raise ConfigurationError(
                f"unknown setting(s) {sorted(unknown)}; known: {sorted(fields)}"
            )
        values: dict[str, Any] = {}
        from_env: dict[str, tuple[str, Any]] = {
            "api_base": ("ONCEHUB_API_BASE", str),
            "rate_limit": ("ONCEHUB_RATE_LIMIT", bool),
            "timeout": ("ONCEHUB_TIMEOUT", float),
            "max_retries": ("ONCEHUB_MAX_RETRIES", int),
            "max_wait": ("ONCEHUB_MAX_WAIT", float),
            "page_size": ("ONCEHUB_PAGE_SIZE", int),
            "max_walks": ("ONCEHUB_MAX_WALKS", int),
        }
        for field, (var, kind) in from_env.items():
            raw = env.get(var)
            if raw is None or not raw.strip():
                continue
            if kind is bool:
                values[field] = _parse_bool(var, raw)
            elif kind is str:
                values[field] = raw.strip()
            else:
                values[field] = _parse_number(var, raw, kind)
        values.update({k: v for k, v in overrides.items() if v is not None})
        if "rate_limit" in values:
            values["rate_limit"] = _limit_pairs(values["rate_limit"])
        return cls(**values)


# -- rate-limit notices ---------------------------------------------------------------------
# A process-wide list, not a thread-local one: the budget is the machine's, and a pull's
# requests may run in other threads than the bar that shows them.
_listeners: list[Callable[[str | None], None]] = []
_listeners_lock = threading.Lock()


@contextlib.contextmanager
def rate_limit_notices(listener: Callable[[str | None], None]) -> Iterator[None]:
    """Tell ``listener`` about rate-limit waits while the ``with`` block runs.

    It is called with a short note (``"waiting for the rate limit"``) when a request of this
    process starts a noticeable wait for its turn or after a 429, and with ``None`` when a
    request goes through without one. It may be called from any thread.

    Args:
        listener: receives the note, or ``None`` to clear it.

    Yields:
        Nothing; the listener is removed when the block ends.

    Example:
        >>> notes = []
        >>> with rate_limit_notices(notes.append):
        ...     notify_rate_limit("waiting for the rate limit")
        >>> notify_rate_limit(None)
        >>> notes
        ['waiting for the rate limit']
    """
    with _listeners_lock:
        _listeners.append(listener)
    try:
        yield
    finally:
        with _listeners_lock:
            _listeners.remove(listener)


def notify_rate_limit(note: str | None) -> None:
    """Pass a rate-limit note (or ``None``: the wait is over) to every listener.

    Args:
        note: what the requests are waiting for, or ``None``.

    Example:
        >>> notify_rate_limit(None)  # nobody listens: nothing happens
    """
    with _listeners_lock:
        listeners = list(_listeners)
    for listener in listeners:
        listener(note)

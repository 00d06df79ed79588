"""What may be retried, and how long to wait: the policies of the one send path.

Example:
    >>> sorted(RETRY_STATUSES[Policy.TOKEN])
    [429, 503]
"""

from __future__ import annotations

import email.utils
import math
import time

import requests
from urllib3.exceptions import NameResolutionError, NewConnectionError

from oncehub_nb._http.credentials import Policy

__all__ = [
    "RETRY_STATUSES",
    "UNREACHABLE_TRIES",
    "is_unreachable",
    "retry_after_seconds",
    "root_cause",
]

RETRY_STATUSES = {
    Policy.READ: frozenset({429, 500, 502, 503, 504}),
    Policy.ACTION: frozenset({429}),
    Policy.TOKEN: frozenset({429, 503}),
}
#: Connection refused, no such host, TLS failure: nothing will change in a second. One retry
#: (a server restarting), then the error: an unreachable server fails in about a second.
UNREACHABLE_TRIES = 2
RETRY_AFTER_CAP = 120.0


def retry_after_seconds(response: requests.Response) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (a number or an HTTP date), capped at 120.

    Example:
        >>> r = requests.Response()
        >>> r.headers["Retry-After"] = "nan"
        >>> retry_after_seconds(r) is None
        True
    """
    raw = response.headers.get("Retry-After")
    if not raw:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
            seconds = when.timestamp() - time.time()
        except (ValueError, TypeError, OverflowError, IndexError):  # not an HTTP date either
            return None
    if not math.isfinite(seconds):  # "nan" would reach time.sleep() and raise there
        return None
    return min(max(seconds, 0.0), RETRY_AFTER_CAP)


def is_unreachable(exc: BaseException) -> bool:
    """The request never left: connection refused, no such host, a TLS or proxy failure."""
    if isinstance(exc, requests.exceptions.SSLError | requests.exceptions.ProxyError):
        return True
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return False  # a timeout: it keeps the bounded retries
    seen: BaseException | None = exc
    for _ in range(8):  # requests.ConnectionError -> MaxRetryError -> NewConnectionError ...
        if seen is None:
            return False
        if isinstance(seen, NewConnectionError | NameResolutionError):
            return True
        reason = getattr(seen, "reason", None)
        nested = seen.args[0] if seen.args and isinstance(seen.args[0], BaseException) else None
        seen = reason if isinstance(reason, BaseException) else nested
    return False


def root_cause(exc: BaseException) -> BaseException:
    """The innermost error, alone: shown as the one chained cause (no five-traceback chain)."""
    seen, root = exc, exc
    for _ in range(8):
        nxt = getattr(seen, "reason", None) or (seen.args[0] if seen.args else None)
        if not isinstance(nxt, BaseException):
            nxt = seen.__cause__ or seen.__context__
        if not isinstance(nxt, BaseException):
            break
        seen = root = nxt
    brief = type(root)(*root.args) if _rebuildable(root) else RuntimeError(str(root))
    brief.__suppress_context__ = True
    return brief


def _rebuildable(exc: BaseException) -> bool:
    try:
        type(exc)(*exc.args)
    except Exception:
        return False
    return True

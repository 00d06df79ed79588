"""What may be retried, and how long to wait: the policies of the one send path.

Example:
    >>> sorted(RETRY_STATUSES[Policy.TOKEN])
    [429, 503]
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import time
from collections.abc import Callable

import requests
from tenacity import RetryCallState
from urllib3.exceptions import NameResolutionError, NewConnectionError

from oncehub_nb._config import Settings
from oncehub_nb._http.credentials import Policy

__all__ = [
    "RETRY_STATUSES",
    "UNREACHABLE_TRIES",
    "backoff",
    "is_unreachable",
    "log_retry",
    "retry_after_seconds",
    "root_cause",
    "stop_rule",
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


def backoff(settings: Settings, state: RetryCallState) -> float:
    """Seconds before the next try: ``Retry-After`` when given, else exponential, "equal jitter".

    Example:
        >>> from tenacity import RetryCallState
        >>> state = RetryCallState(None, None, (), {})
        >>> state.attempt_number = 3
        >>> 1.0 <= backoff(Settings.resolve(env={}), state) <= 2.0
        True
    """
    outcome = state.outcome
    if outcome is not None and not outcome.failed:
        retry_after = retry_after_seconds(outcome.result())
        if retry_after is not None:
            return retry_after
    step = float(settings.backoff_base * 2 ** (state.attempt_number - 1))
    ceiling = min(settings.backoff_max, step)
    # "Equal jitter": at least half the exponential step, so storms still spread out.
    return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not security


def stop_rule(
    settings: Settings, *, limited: bool, deadline: float
) -> Callable[[RetryCallState], bool]:
    """When the send path gives up: the two bounds a request's retries have.

    A 429 answer to an API request (``limited``) is retried for as long as the waits stay
    within ``settings.max_wait`` (counted from ``deadline - max_wait``): a long pull waits for
    the rate limit rather than fails. Any other failure, and a 429 to a token endpoint, is
    retried at most ``settings.max_retries`` times.

    Args:
        settings: ``max_wait`` and ``max_retries``.
        limited: the request counts against the API's rate limits.
        deadline: the ``time.monotonic()`` by which a 429-retried request must be sent.

    Returns:
        A tenacity ``stop`` function.

    Example:
        >>> stop = stop_rule(Settings.resolve(env={}, max_retries=0), limited=True, deadline=0)
        >>> state = RetryCallState(None, None, (), {})
        >>> state.set_exception((OSError, OSError(), None))
        >>> stop(state)
        True
    """
    failures = [0]

    def stop(state: RetryCallState) -> bool:
        outcome = state.outcome
        if limited and outcome and not outcome.failed and outcome.result().status_code == 429:
            waits = state.idle_for + state.upcoming_sleep
            late = time.monotonic() + state.upcoming_sleep > deadline
            return waits > settings.max_wait or late
        failures[0] += 1
        return failures[0] > settings.max_retries

    return stop


def log_retry(
    log: logging.Logger,
    request: requests.PreparedRequest,
    state: RetryCallState,
    most: int,
    *,
    limited: bool = False,
) -> None:
    """Log one retry at INFO: what failed, which try, how long the wait (no query string)."""
    outcome = state.outcome
    if outcome is None:
        cause = "?"
    elif outcome.failed:
        cause = type(outcome.exception()).__name__
    else:
        cause = f"HTTP {outcome.result().status_code}"
    log.info(
        "%s %s: %s, retry %d (%s) in %.2f s",
        request.method,
        (request.path_url or "/").split("?", 1)[0],
        cause,
        state.attempt_number,
        "within max_wait" if limited and cause == "HTTP 429" else f"of at most {most}",
        state.next_action.sleep if state.next_action else 0.0,
    )

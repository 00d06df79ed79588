"""The client-side rate limiter: OnceHub's documented limits, one budget per API base.

pyrate-limiter's sliding-window log holds several rates at once (5 requests/s per account and
200 per 5 minutes per IP) and blocks until a permit is free, rather than code of our own.

Example:
    >>> shared_limiter("https://api.oncehub.com/v2", ((5, 1.0),)).__class__.__name__
    'Limiter'
"""

from __future__ import annotations

import threading

from pyrate_limiter import Limiter, Rate

__all__ = ["shared_limiter"]

# The server counts requests when they arrive, we count them when they leave: a slow first
# request (a new connection) and a fast later one can land closer together than they were
# sent. Each window is stretched by 3 % (30 ms of a 1 s window) to absorb that jitter, which
# keeps about 95 % of the allowed rate (bench/pull.py measures it).
_WINDOW_STRETCH = 1.03
# pyrate-limiter adds this to every blocking wait (its default is 50 ms); the stretch already
# gives the margin, and 50 ms on each wait would cost several percent of the rate.
_WAIT_BUFFER_MS = 5

_limiters: dict[tuple[str, tuple[tuple[int, float], ...]], Limiter] = {}
_limiters_lock = threading.Lock()


def shared_limiter(api_base: str, rate_limits: tuple[tuple[int, float], ...]) -> Limiter:
    """Return the process-wide limiter for one API base and set of limits.

    OnceHub counts requests per account and per IP, not per client object, so every client in
    a kernel that talks to the same API shares one budget.

    Args:
        api_base: the API root the limits apply to.
        rate_limits: ``(requests, window seconds)`` pairs.

    Returns:
        A thread-safe blocking limiter.

    Example:
        >>> a = shared_limiter("https://api.oncehub.com/v2", ((5, 1.0),))
        >>> a is shared_limiter("https://api.oncehub.com/v2", ((5, 1.0),))
        True
    """
    key = (api_base, rate_limits)
    with _limiters_lock:
        limiter = _limiters.get(key)
        if limiter is None:
            rates: list[Rate] = []
            for n, window in sorted(rate_limits, key=lambda pair: pair[1]):
                interval = max(1, round(window * 1000 * _WINDOW_STRETCH))
                if rates:  # pyrate-limiter wants each longer window no denser than the last
                    previous = rates[-1]
                    interval = max(interval, -(-previous.interval * n // previous.limit))
                rates.append(Rate(n, interval))
            limiter = Limiter(rates, buffer_ms=_WAIT_BUFFER_MS)
            _limiters[key] = limiter
        return limiter

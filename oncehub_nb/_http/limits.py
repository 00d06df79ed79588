"""The client-side rate limiter: one budget per account and per IP, shared on this machine.

OnceHub counts 5 requests/s per account and 200 per 5 minutes per IP address, whoever sends
them. So the limiter's state is not an object in one process: it is kept in shared budgets
(:mod:`.buckets`, pyrate-limiter's SQLite bucket with a file lock) that every thread and every
process on this machine draws from:

* the **account** budget (the first ``(requests, seconds)`` pair) is keyed by the API base and
  the credential's digest (:meth:`~.credentials.Credential.rate_limit_account`);
* the **IP** budget (the other pairs) is keyed by the API base alone: every credential used
  from this machine shares it.

A request takes a turn in the IP budget, then in the account budget, waiting (pyrate-limiter's
blocking acquire) as long as needed, up to the caller's timeout.

A 429 means the server's real budget is smaller than ours (other machines, other tools).
:meth:`SharedLimiter.slow_down` then, for every process,

* pauses until ``Retry-After`` when OnceHub sends one;
* takes a tenth of every window's budget away, given back one request at a time over the next
  window: the rate shrinks at once and recovers gradually. A further 429 takes another tenth.

If the cache folder cannot be written, the budgets are kept in the process (and a warning says
so): the limits still hold within it.

Example:
    >>> limiter = shared_limiter("https://api.oncehub.com/v2", ((5, 1.0), (200, 300.0)))
    >>> limiter.try_acquire("some-account")
    True
    >>> limiter is shared_limiter("https://api.oncehub.com/v2", ((5, 1.0), (200, 300.0)))
    True
"""

from __future__ import annotations

import logging
import math
import sqlite3
import threading
import time
import weakref
from collections.abc import Callable
from pathlib import Path

from pyrate_limiter import Limiter
from pyrate_limiter.limiter import SingleBucketFactory

from oncehub_nb._http.buckets import Rate, SharedBucket, budget_path, limits_folder

__all__ = ["NOTICE_AFTER", "SharedLimiter", "shared_limiter"]

log = logging.getLogger("oncehub_nb.http")

# The server counts requests when they arrive, we count them when they leave: a request that
# is slow to arrive lands closer to a later fast one than they were sent. A request held up
# between its turn and its send (the account's turn waited after the IP's, a garbage
# collection of this process, a busy machine) is dated when it leaves (leaving(), called as
# the pool hands it its connection; SharedBucket.redate). What is left, from the send to the
# server's count, is absorbed by widening each window by 25 ms: it is milliseconds whatever
# the window. On loopback (bench/arrival.py: 5 pulls of 6,000 bookings at 250 ms, 308
# requests) a request met the sandbox's limits a median 2.8 ms and at most 12.0 ms after the
# limiter let it go. So OnceHub's 1 s window gets 2.5 % (at most 97.6 % of 5 per second) and
# its 5-minute window the same 25 ms. A real network can delay a request more; a 429 then
# makes slow_down() slow every process down.
_WINDOW_MARGIN_MS = 25
# pyrate-limiter adds this to every blocking wait (its default is 50 ms). A request is dated
# when it is let through, so the extra sleep is not safety: it is lost from the rate.
_WAIT_BUFFER_MS = 1
#: Part of every window's budget a 429 takes away for one window.
SHRINK = 0.1
#: A wait longer than this is announced (``notify``): a progress bar says so.
NOTICE_AFTER = 1.0
_TIDY_EVERY = 60.0

Pairs = tuple[tuple[int, float], ...]


def _rates(pairs: Pairs) -> list[Rate]:
    rates: list[Rate] = []
    for n, window in sorted(pairs, key=lambda pair: (pair[1], -pair[0])):
        interval = round(window * 1000 + _WINDOW_MARGIN_MS)
        while rates and n <= rates[-1].limit:
            rates.pop()  # a longer window with no more requests: the shorter adds nothing
        if rates:  # pyrate-limiter wants each longer window longer and no denser
            previous = rates[-1]
            if interval <= previous.interval:
                continue  # the same window with more requests: the first one holds
            interval = max(interval, -(-previous.interval * n // previous.limit))
        rates.append(Rate(n, interval))
    return rates


class _Budget:
    """One shared bucket and the pyrate-limiter ``Limiter`` that waits on it."""

    def __init__(self, path: Path | None, rates: list[Rate]) -> None:
        try:
            self.bucket = SharedBucket.open(path, rates)
        except (OSError, sqlite3.Error) as exc:
            log.warning(
                "The rate-limit budget cannot be shared with other processes (%s: %s); "
                "this process keeps its own. Set ONCEHUB_CACHE_DIR to a folder you can write.",
                type(exc).__name__,
                exc,
            )
            self.bucket = SharedBucket.open(None, rates)
        # No background leak thread: turns tidy the file themselves (see _tidy).
        self.limiter = Limiter(
            SingleBucketFactory(self.bucket, schedule_leak=False), buffer_ms=_WAIT_BUFFER_MS
        )
        self._tidied = time.monotonic()

    def take(self, blocking: bool, deadline: float | None, notify: Callable[[], None]) -> bool:
        if time.monotonic() - self._tidied > _TIDY_EVERY:
            self._tidied = time.monotonic()
            self.bucket.tidy()
        if not blocking:
            return bool(self.limiter.try_acquire("request", blocking=False))
        # A first, quiet try; a longer wait is announced before it starts.
        quiet = NOTICE_AFTER if deadline is None else min(NOTICE_AFTER, _left(deadline))
        if self.limiter.try_acquire("request", timeout=quiet):
            return True
        notify()
        rest = -1 if deadline is None else _left(deadline)
        return bool(self.limiter.try_acquire("request", timeout=rest))

    def at_limit(self) -> bool:
        """Whether this budget's shortest window was (about) full: it sent its limit lately."""
        rate = self.bucket.rates[0]
        start = self.bucket.now() - 2 * rate.interval
        return self.bucket.count_since(start, sent_only=True) >= rate.limit

    def pause(self, seconds: float) -> None:
        """Nobody's turn for ``seconds`` (at most each window's length)."""
        now = self.bucket.now()
        unseen: list[int] = []
        for rate in self.bucket.rates:
            pause = min(round(seconds * 1000), rate.interval)
            unseen += [now + pause - rate.interval] * rate.limit
        self.bucket.record_unseen(unseen)

    def shrink(self) -> None:
        """A tenth of each window's budget, given back one request at a time over the window."""
        now = self.bucket.now()
        unseen: list[int] = []
        for rate in self.bucket.rates:
            k = math.ceil(rate.limit * SHRINK)
            unseen += [now - rate.interval + (i + 1) * rate.interval // (k + 1) for i in range(k)]
        self.bucket.record_unseen(unseen)

    def close(self) -> None:
        self.bucket.close()


def _left(deadline: float) -> float:
    return max(0.0, deadline - time.monotonic())


class SharedLimiter:
    """The rate limits of one API base, shared by every thread and process of this machine.

    Args:
        api_base: the API root the limits apply to.
        rate_limits: ``(requests, window seconds)`` pairs: the first per account, the others
            per IP.
        folder: where the budgets are kept (``None``: in this process only).

    Example:
        >>> limiter = SharedLimiter("https://x.example/v2", ((5, 1.0),), folder=None)
        >>> [limiter.try_acquire("a", blocking=False) for _ in range(6)].count(True)
        5
        >>> limiter.close()
    """

    def __init__(self, api_base: str, rate_limits: Pairs, *, folder: Path | None) -> None:
        self.api_base = api_base
        self.folder = folder
        self._account_rates = _rates(rate_limits[:1])
        ip_rates = _rates(rate_limits[1:])
        self._ip = _Budget(self._path("ip", api_base), ip_rates) if ip_rates else None
        self._accounts: dict[str, _Budget] = {}
        self._lock = threading.Lock()
        weakref.finalize(self, _close_all, self._accounts, self._ip)

    def _path(self, kind: str, *parts: str) -> Path | None:
        return None if self.folder is None else budget_path(self.folder, kind, *parts)

    def _budgets(self, name: str) -> list[_Budget]:
        with self._lock:
            account = self._accounts.get(name)
            if account is None and self._account_rates:
                account = _Budget(self._path("account", self.api_base, name), self._account_rates)
                self._accounts[name] = account
        return [b for b in (self._ip, account) if b is not None]

    def buckets(self, name: str = "oncehub") -> list[SharedBucket]:
        """The budgets a request of account ``name`` draws from: the IP's, then the account's.

        Args:
            name: the account.

        Returns:
            The shared buckets (to look into: ``count_since`` ...).
        """
        return [budget.bucket for budget in self._budgets(name)]

    def try_acquire(
        self,
        name: str = "oncehub",
        *,
        weight: int = 1,
        blocking: bool = True,
        timeout: float = -1,
        notify: Callable[[], None] = lambda: None,
    ) -> bool:
        """Take a turn for one request of account ``name`` (pyrate-limiter's signature).

        Args:
            name: the account (a digest, never a credential).
            weight: requests (only 1 is used).
            blocking: wait for a turn; ``False`` answers at once.
            timeout: the longest wait in seconds; ``-1`` waits as long as it takes.
            notify: called once if the wait is longer than :data:`NOTICE_AFTER`.

        Returns:
            Whether a turn was taken (``False``: none within ``timeout``).
        """
        if weight != 1:
            raise ValueError("one request at a time")
        deadline = None if timeout == -1 else time.monotonic() + timeout
        noticed = [False]

        def once() -> None:
            if not noticed[0]:
                noticed[0] = True
                notify()

        # IP first: its wait can be long, and the account's turn must be fresh when sent.
        taken: list[_Budget] = []
        for budget in self._budgets(name):
            if not budget.take(blocking, deadline, once):
                for earlier in taken:  # not sent: the turns already taken go back
                    earlier.bucket.give_back()
                return False
            taken.append(budget)
        return True

    def leaving(self, name: str = "oncehub") -> None:
        """The request this thread just took a turn for leaves now (see ``SharedBucket.redate``).

        Args:
            name: the account the turn was taken for.
        """
        for budget in self._budgets(name):
            budget.bucket.redate()

    def slow_down(self, name: str = "oncehub", *, retry_after: float | None = None) -> None:
        """Act on a 429 for account ``name``, for every process of this machine.

        OnceHub's 429 does not say which limit it was. When this account sent its per-second
        limit lately, it was that one (a request that was slow to arrive): the account pauses
        for one window. Otherwise the server counted requests this machine did not send: the
        IP budget shrinks by a tenth and recovers over its window (:data:`SHRINK`). A
        ``Retry-After`` pauses every budget until then, too.

        Args:
            name: the account the refused request was sent for.
            retry_after: the seconds OnceHub asked to wait, if it said.
        """
        budgets = self._budgets(name)
        account = self._accounts.get(name)
        edge = account is not None and account.at_limit()
        if retry_after:
            for budget in budgets:
                budget.pause(retry_after)
        if account is not None and edge:
            account.pause(account.bucket.rates[0].interval / 1000)
        elif budgets:
            budgets[0].shrink()  # the IP budget when there is one

    def close(self) -> None:
        """Close the budgets' files (the state stays in them for the other processes)."""
        _close_all(self._accounts, self._ip)


def _close_all(accounts: dict[str, _Budget], ip: _Budget | None) -> None:
    for budget in [*accounts.values(), *([ip] if ip else [])]:
        budget.close()


_limiters: weakref.WeakValueDictionary[tuple[str, Pairs, Path | None], SharedLimiter] = (
    weakref.WeakValueDictionary()
)
_limiters_lock = threading.Lock()


def shared_limiter(api_base: str, rate_limits: Pairs) -> SharedLimiter:
    """Return this process's limiter for one API base and set of limits.

    Clients of one kernel that talk to the same API share it, and its budgets are shared with
    every other process of this machine through the cache folder (:func:`.limits_folder`).

    Args:
        api_base: the API root the limits apply to.
        rate_limits: ``(requests, window seconds)`` pairs; the first per account.

    Returns:
        A thread-safe blocking limiter: ``try_acquire(account, blocking=True)``.

    Example:
        >>> a = shared_limiter("https://api.oncehub.com/v2", ((5, 1.0),))
        >>> a is shared_limiter("https://api.oncehub.com/v2", ((5, 1.0),))
        True
    """
    key = (api_base, rate_limits, limits_folder())
    with _limiters_lock:
        limiter = _limiters.get(key)
        if limiter is None:
            limiter = SharedLimiter(api_base, rate_limits, folder=key[2])
            _limiters[key] = limiter
        return limiter

"""Rate-limit budgets that every process on this machine shares: pyrate-limiter's SQLite bucket.

Each budget is one small SQLite file (one row per request in its window) in the cache folder,
``ONCEHUB_CACHE_DIR`` or the platform's (``platformdirs``), under ``rate-limits/``. Its name is a
digest of what the budget belongs to (the API base, and for an account budget the credential's
own digest), so the file holds no credential and no address: only request times. pyrate-limiter
takes a file lock (``filelock``) around each check-and-record; the lock is the operating
system's, so a process that crashes, even while holding it, leaves nothing that blocks the
others, and the requests it made still count, as they do at the server.

:class:`SharedBucket` changes three things of pyrate-limiter's :class:`SQLiteBucket`:

* a request is dated by the clock when it is let through, not by pyrate-limiter's planned
  wake-up time (a busy machine oversleeps, and a request dated before it left frees its slot
  before the server does: a 429);
* times in the future (the wall clock was set back) are dropped when they would block: a clock
  change must not stop every process until the clock catches up;
* :meth:`SharedBucket.record_unseen` counts requests the server saw but no process here sent
  (a 429 reveals them), which is how the limiter slows everyone down and recovers gradually;
* :meth:`SharedBucket.redate` moves a turn to when its request really left, when something
  (a garbage collection, a busy machine) held it up after it was let through.

The times are wall-clock milliseconds (pyrate-limiter's choice for this bucket): they mean the
same in every process, also in a test run whose clock is shifted for all of them.

Example:
    >>> bucket = SharedBucket.open(None, [Rate(5, 1000)])  # None: this process only
    >>> bucket.put(RateItem("request", bucket.now()))
    True
    >>> bucket.count()
    1
    >>> bucket.close()
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
from pathlib import Path

from pyrate_limiter import Rate, RateItem, SQLiteBucket
from pyrate_limiter.buckets.sqlite_bucket import Queries

__all__ = ["REDATE_FROM_MS", "Rate", "RateItem", "SharedBucket", "budget_path", "limits_folder"]

log = logging.getLogger("oncehub_nb.http")

#: A stored time this far ahead of the clock can only come from a clock that was set back.
CLOCK_SLACK_MS = 1000
_TABLE = "requests"


def limits_folder() -> Path:
    """The folder of the shared budgets: ``$ONCEHUB_CACHE_DIR/rate-limits`` or the platform's.

    Returns:
        The folder (not created here).

    Example:
        >>> import os
        >>> limits_folder().name
        'rate-limits'
    """
    override = os.environ.get("ONCEHUB_CACHE_DIR", "").strip()
    if override:
        return Path(override).expanduser() / "rate-limits"
    import platformdirs

    return Path(platformdirs.user_cache_dir("oncehub-nb", appauthor=False)) / "rate-limits"


def budget_path(folder: Path, kind: str, *parts: str) -> Path:
    """The file of one budget: ``<kind>-<digest of parts>.sqlite`` (no part appears in it).

    Args:
        folder: the budgets' folder.
        kind: ``"ip"`` or ``"account"``.
        *parts: what the budget belongs to (the API base, an account's digest).

    Returns:
        The path.

    Example:
        >>> budget_path(Path("/c"), "ip", "https://api.oncehub.com/v2").name
        'ip-9635a40bd021bc5e88d4603d.sqlite'
    """
    digest = hashlib.blake2b("\0".join(parts).encode(), digest_size=12, person=b"oncehub-nb")
    return folder / f"{kind}-{digest.hexdigest()}.sqlite"


#: Per thread: the last turn each bucket admitted, ``{bucket id: (item name, timestamp)}``.
_last_put = threading.local()
#: A turn whose request leaves this many milliseconds or more after it was let through is
#: moved to the time it leaves (:meth:`SharedBucket.redate`); sooner, the write is not worth it.
REDATE_FROM_MS = 3


def _stamps() -> dict[int, tuple[str, int]]:
    stamps: dict[int, tuple[str, int]] | None = getattr(_last_put, "stamps", None)
    if stamps is None:
        stamps = _last_put.stamps = {}
    return stamps


class SharedBucket(SQLiteBucket):
    """pyrate-limiter's SQLite bucket with admission times, clock-change repair and unseen requests.

    Build it with :meth:`open`. All methods are safe from any thread and any process.
    """

    @classmethod
    def open(cls, path: Path | None, rates: list[Rate]) -> SharedBucket:
        """Open (creating if needed) the budget at ``path``; ``None`` keeps it in this process.

        Args:
            path: the SQLite file, or ``None`` for an in-memory budget (no file lock).
            rates: the limits, shortest window first.

        Returns:
            The bucket.

        Raises:
            OSError: the folder cannot be made.
            sqlite3.Error: the file cannot be opened.
        """
        if path is None:
            bucket = cls.init_from_file(rates, table=_TABLE, db_path=":memory:")
        else:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            bucket = cls.init_from_file(rates, table=_TABLE, db_path=str(path), use_file_lock=True)
        assert isinstance(bucket, SharedBucket)
        return bucket

    def put(self, item: RateItem) -> bool:
        """Record ``item`` if every rate has room; dated now (see the module docstring).

        Args:
            item: the request (its ``timestamp`` is set to the clock's now).

        Returns:
            Whether it was let through.
        """
        with self.lock:
            item.timestamp = self.now()
            if super().put(item):
                _stamps()[id(self)] = (item.name, item.timestamp)
                return True
            # Only a time in the future can make a wait longer than the window it is in.
            longest = max(rate.interval for rate in self.rates)
            wait = self.waiting(item)
            assert isinstance(wait, int)  # a sync bucket
            if wait <= longest + CLOCK_SLACK_MS or not self._drop_future(item):
                return False
            return bool(super().put(item))

    def give_back(self) -> None:
        """Undo this thread's last admitted turn on this bucket (its request will not be sent).

        A request draws from two budgets, the IP's then the account's; when the account has no
        turn in time, the IP's turn it already took goes back, or refused requests would spend
        the IP budget (and every process's) for nothing.
        """
        stamp = _stamps().pop(id(self), None)
        if stamp is None:
            return
        with self.lock:
            self.conn.execute(
                f"DELETE FROM '{self.table}' WHERE rowid = (SELECT rowid FROM '{self.table}'"  # noqa: S608 - ours
                " WHERE name = ? AND item_timestamp = ? LIMIT 1)",
                stamp,
            ).close()
            self.conn.commit()

    def redate(self) -> bool:
        """Date this thread's last admitted turn on this bucket now: its request leaves now.

        The server counts a request when it arrives. A request held up after its turn (a
        garbage collection of this process, a busy machine: tens of milliseconds) would
        otherwise count here earlier than there, and the requests after it could follow it
        closer than the window allows. Called just before the request is sent; a turn less
        than :data:`REDATE_FROM_MS` old is left as it is.

        Returns:
            Whether the turn was moved.
        """
        stamp = _stamps().pop(id(self), None)
        if stamp is None or self.now() - stamp[1] < REDATE_FROM_MS:
            return False
        with self.lock:  # the time is read once the lock is ours: waiting for it is leaving late
            now = self.now()
            self.conn.execute(
                f"UPDATE '{self.table}' SET item_timestamp = ? WHERE rowid = (SELECT rowid"  # noqa: S608 - ours
                f" FROM '{self.table}' WHERE name = ? AND item_timestamp = ? LIMIT 1)",
                (now, *stamp),
            ).close()
            self.conn.commit()
        return True

    def now(self) -> int:
        """Wall-clock milliseconds: pyrate-limiter's clock for this bucket, typed."""
        return int(super().now())  # type: ignore[no-untyped-call]

    def close(self) -> None:
        """Close the SQLite connection (the file and its rows stay for the other processes)."""
        super().close()  # type: ignore[no-untyped-call]

    def _drop_future(self, item: RateItem) -> bool:
        cursor = self.conn.execute(
            f"DELETE FROM '{self.table}' WHERE item_timestamp > ?",  # noqa: S608 - our table name
            (item.timestamp + CLOCK_SLACK_MS,),
        )
        self.conn.commit()
        dropped = cursor.rowcount
        cursor.close()
        if dropped:
            log.warning(
                "The clock was set back: %d request time(s) in the future were dropped from "
                "the shared rate-limit budget",
                dropped,
            )
        return dropped > 0

    def record_unseen(self, timestamps: list[int]) -> None:
        """Count requests nobody here sent, at the given times (milliseconds, wall clock).

        A 429 means the server counted more than this machine sent (other machines, other
        tools). Each recorded time takes a slot until it leaves its window, for every process.

        Args:
            timestamps: one per unseen request; in the past, so they leave the window in time.
        """
        if not timestamps:
            return
        with self.lock:
            # pyrate-limiter's own insert, so the rows are exactly the bucket's.
            self.conn.executemany(
                Queries.PUT_ITEM.format(table=self.table), [("unseen", t) for t in timestamps]
            ).close()
            self.conn.commit()

    def count_since(self, start: int, *, sent_only: bool = False) -> int:
        """Rows recorded at ``start`` (milliseconds) or later; only sent requests if asked."""
        where = "item_timestamp >= ?" + (" AND name != 'unseen'" if sent_only else "")
        with self.lock:
            cursor = self.conn.execute(
                f"SELECT COUNT(*) FROM '{self.table}' WHERE {where}",  # noqa: S608 - ours
                (start,),
            )
            (count,) = cursor.fetchone()
            cursor.close()
            return int(count)

    def tidy(self) -> None:
        """Delete the rows that have left every window (pyrate-limiter's leak)."""
        try:
            self.leak(self.now())
        except sqlite3.Error as exc:  # a busy disk must not fail a request
            log.debug("rate-limit budget not tidied: %s", exc)

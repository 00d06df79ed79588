"""Several listings one after another, as one (one walk per booking status).

Example:
    >>> ChainedPaginator([]).cursor is None
    True
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol

from oncehub_nb._errors import ConfigurationError

__all__ = ["ChainWalk", "ChainedPaginator", "StartedWalk"]

Record = dict[str, Any]


class StartedWalk(Protocol):
    """A walk as a chain drives it (:class:`~.pages.Walk` and ``SlicedWalk`` are)."""

    cursor: str | None
    pages_fetched: int
    items_returned: int

    def __iter__(self) -> Iterator[Record]:
        """The records."""

    def __next__(self) -> Record:
        """The next record."""


class Listing(Protocol):
    """One listing of the chain: iterating it starts a walk."""

    def __iter__(self) -> StartedWalk:
        """A new walk."""


class ChainWalk(Iterator[Record]):
    """One pass over a :class:`ChainedPaginator`: its walks one after another."""

    def __init__(self, chain: ChainedPaginator) -> None:
        self._chain = chain
        self._index, self._after = chain.start_index, chain.start_after
        self.max_items = chain.max_items
        self.items_returned = 0
        self._done_pages = 0
        self._current: StartedWalk | None = None
        self._records = self._run()

    def __next__(self) -> Record:
        return next(self._records)

    @property
    def cursor(self) -> str | None:
        """``"<label>:<last id>"``: where to resume (``None`` when there is nothing to walk)."""
        walks = self._chain.walks
        if not walks:
            return None
        index = min(self._index, len(walks) - 1)
        last = self._current.cursor if self._current is not None else self._after
        return f"{walks[index][0]}:{last or ''}"

    @property
    def pages_fetched(self) -> int:
        """List requests made, over every walk."""
        current = self._current.pages_fetched if self._current is not None else 0
        return self._done_pages + current

    @property
    def walks_at_once(self) -> int:
        """The walks the current listing runs now (1: one cursor, in the iterating thread)."""
        return int(getattr(self._current, "walking", 1))

    def _run(self) -> Iterator[Record]:
        walks = self._chain.walks
        while self._index < len(walks):
            left = None if self.max_items is None else self.max_items - self.items_returned
            if left is not None and left <= 0:
                return
            self._current = iter(walks[self._index][1](self._after, left))
            for record in self._current:
                self.items_returned += 1
                yield record
            if left is not None and self._current.items_returned >= left:
                return  # stopped by max_items: the cursor stays inside this walk
            if self._index + 1 < len(walks):
                self._done_pages += self._current.pages_fetched
                self._current, self._after = None, None
                self._index += 1
            else:
                return


class ChainedPaginator:
    """Several listings one after another, as one: e.g. one walk per booking status.

    The API filters on one value at a time, so a list of values becomes one walk per value. The
    chain's :attr:`cursor` is ``"<label>:<id>"`` (the walk, and the last id handed out in it);
    pass it back as ``after=`` to resume. Like :class:`Paginator`, it can be iterated again.

    Args:
        walks: ``(label, start)`` pairs; ``start(after, max_items)`` builds that listing.
        after: a chain cursor to resume from.
        max_items: stop after this many records in all.

    Raises:
        ConfigurationError: ``after`` is not a cursor of this chain.

    Example:
        >>> from oncehub_nb._http.pagination import Paginator
        >>> chain = ChainedPaginator(
        ...     [(s, lambda a, m, s=s: Paginator(transport, "/bookings", {"status": s}, after=a,
        ...       max_items=m)) for s in ("scheduled", "canceled")])
        >>> len(list(chain)), chain.pages_fetched, chain.cursor
        (20, 2, 'canceled:BKNG-TA39D2HU64MU')
    """

    def __init__(
        self,
        walks: Sequence[tuple[str, Callable[[str | None, int | None], Listing]]],
        *,
        after: str | None = None,
        max_items: int | None = None,
    ) -> None:
        self.walks = list(walks)
        labels = [label for label, _ in self.walks]
        self.start_index, self.start_after = 0, None
        if after:
            label, sep, last_id = after.partition(":")
            if not sep or label not in labels:
                raise ConfigurationError(
                    f"after={after!r} is not a cursor of this multi-value walk; expected "
                    f"'<value>:<id>' with a value among {', '.join(labels)}"
                )
            self.start_index, self.start_after = labels.index(label), last_id or None
        self.after = after
        self.max_items = max_items
        self.last_walk: ChainWalk | None = None

    def __iter__(self) -> ChainWalk:
        self.last_walk = ChainWalk(self)
        return self.last_walk

    @property
    def cursor(self) -> str | None:
        """Where the latest walk stopped (``after=`` resumes it)."""
        if self.last_walk is not None:
            return self.last_walk.cursor
        return ChainWalk(self).cursor

    @property
    def pages_fetched(self) -> int:
        """List requests the latest walk made."""
        return self.last_walk.pages_fetched if self.last_walk is not None else 0

    @property
    def walks_at_once(self) -> int:
        """The walks the latest pass runs now (1: one cursor, in the iterating thread)."""
        return self.last_walk.walks_at_once if self.last_walk is not None else 1

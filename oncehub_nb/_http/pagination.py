"""Cursor walking for OnceHub list endpoints.

OnceHub pages with ``limit`` (1 to 100, default 10) and ``after=<id of the last object>``. The
``Link`` header it sends may drop the caller's filters, so it is never followed: each page is the
original request again, with the same filters and a new ``after``. The walk stops on an empty
page, on ``has_more: false``, or (for endpoints without ``has_more``) on a short page.

Example:
    >>> pages = Paginator(transport, "/bookings", {"status": "scheduled"})  # doctest: +SKIP
    >>> for booking in pages:  # doctest: +SKIP
    ...     print(booking["id"])
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

from oncehub_nb._errors import APIStatusError, ConfigurationError
from oncehub_nb._http.transport import Transport

__all__ = ["ChainedPaginator", "Page", "Paginator"]

log = logging.getLogger(__name__)


class Page:
    """One page of a list response.

    Attributes:
        data: the records on this page.
        has_more: the API's ``has_more`` (``None`` when the endpoint does not send it).
        request_id: the page's ``Request-Id``.

    Example:
        >>> Page([{"id": "BKNG-1"}], has_more=False, request_id=None).last_id
        'BKNG-1'
    """

    __slots__ = ("data", "has_more", "request_id")

    def __init__(
        self, data: list[dict[str, Any]], *, has_more: bool | None, request_id: str | None
    ) -> None:
        self.data = data
        self.has_more = has_more
        self.request_id = request_id

    @property
    def last_id(self) -> str | None:
        """The id of the last record, the cursor for the next page."""
        if not self.data:
            return None
        last = self.data[-1].get("id")
        return last if isinstance(last, str) else None


class Paginator:
    """A lazy iterator over every record of a list endpoint; pages are fetched on demand.

    Args:
        transport: the transport that sends the requests.
        path: the list path, e.g. ``/bookings``.
        params: the caller's filters in the API's string form, sent on every page.
        page_size: ``limit`` per page (default: the settings' page size, 100).
        after: start after this id (resume from a cursor).
        max_items: stop after this many records.

    Attributes:
        cursor: the id of the last record handed out: pass it as ``after=`` to resume.
        pages_fetched: how many list requests were made.

    Example:
        >>> it = Paginator(transport, "/bookings", {}, max_items=5)  # doctest: +SKIP
        >>> len(list(it))  # doctest: +SKIP
        5
    """

    def __init__(
        self,
        transport: Transport,
        path: str,
        params: Mapping[str, str] | None = None,
        *,
        page_size: int | None = None,
        after: str | None = None,
        max_items: int | None = None,
    ) -> None:
        self._transport = transport
        self._path = path
        self._params = dict(params or {})
        for reserved in ("after", "before", "limit"):
            self._params.pop(reserved, None)
        self._page_size = page_size or transport.settings.page_size
        self.cursor = after
        self.max_items = max_items
        self.pages_fetched = 0
        self.items_returned = 0
        self._iterator: Iterator[dict[str, Any]] | None = None

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self

    def __next__(self) -> dict[str, Any]:
        if self._iterator is None:
            self._iterator = self._walk()
        return next(self._iterator)

    def fetch_page(self, after: str | None) -> Page:
        """Fetch one page after a cursor.

        Args:
            after: the id to start after, or ``None`` for the first page.

        Returns:
            The page.

        Raises:
            APIStatusError: the body is not a list envelope.
        """
        params = dict(self._params)
        params["limit"] = str(self._page_size)
        if after:
            params["after"] = after
        response = self._transport.request("GET", self._path, params=params)
        self.pages_fetched += 1
        request_id = response.headers.get("Request-Id")
        try:
            body = response.json()
        except (ValueError, RecursionError):  # RecursionError: absurdly deep JSON
            body = None
        if isinstance(body, list):  # endpoints that answer a bare array
            return Page(_records(body), has_more=False, request_id=request_id)
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise APIStatusError(
                response.status_code,
                None,
                f"OnceHub answered GET {self._path} with something that is not a list",
                None,
                request_id,
            )
        has_more = body.get("has_more")
        return Page(
            _records(body["data"]),
            has_more=has_more if isinstance(has_more, bool) else None,
            request_id=request_id,
        )

    def _walk(self) -> Iterator[dict[str, Any]]:
        seen_cursors: set[str] = set()
        while True:
            if self.max_items is not None and self.items_returned >= self.max_items:
                return
            page = self.fetch_page(self.cursor)
            if page.last_id is not None:
                # A server (or a cache in between) that ignores ``after`` would send the same
                # page forever: stop before handing out a record twice.
                if page.last_id in seen_cursors or page.last_id == self.cursor:
                    raise APIStatusError(
                        200,
                        None,
                        f"OnceHub answered GET {self._path} after={self.cursor} with a page that "
                        "was already received: the cursor does not advance, so the walk stops",
                        None,
                        page.request_id,
                    )
                seen_cursors.add(page.last_id)
            for record in page.data:
                if self.max_items is not None and self.items_returned >= self.max_items:
                    return
                self.items_returned += 1
                record_id = record.get("id")
                if isinstance(record_id, str):
                    self.cursor = record_id
                yield record
            if not page.data or page.has_more is False or page.last_id is None:
                return
            if page.has_more is None and len(page.data) < self._page_size:
                return


def _records(items: list[Any]) -> list[dict[str, Any]]:
    return [item for item in items if isinstance(item, dict)]


class ChainedPaginator:
    """Several walks one after another, as one iterator: e.g. one walk per booking status.

    The API filters on one value at a time, so a list of values becomes one walk per value. The
    chain's :attr:`cursor` is ``"<label>:<id>"`` (the walk, and the last id handed out in it);
    pass it back as ``after=`` to resume.

    Args:
        walks: ``(label, start)`` pairs; ``start(after, max_items)`` builds that walk.
        after: a chain cursor to resume from.
        max_items: stop after this many records in all.

    Raises:
        ConfigurationError: ``after`` is not a cursor of this chain.

    Example:
        >>> chain = ChainedPaginator(  # doctest: +SKIP
        ...     [(s, lambda a, m, s=s: Paginator(t, "/bookings", {"status": s}, after=a,
        ...       max_items=m)) for s in ("scheduled", "canceled")])
    """

    def __init__(
        self,
        walks: Sequence[tuple[str, Callable[[str | None, int | None], Paginator]]],
        *,
        after: str | None = None,
        max_items: int | None = None,
    ) -> None:
        self._walks = list(walks)
        labels = [label for label, _ in self._walks]
        self._index, self._after = 0, None
        if after:
            label, sep, last_id = after.partition(":")
            if not sep or label not in labels:
                raise ConfigurationError(
                    f"after={after!r} is not a cursor of this multi-value walk; expected "
                    f"'<value>:<id>' with a value among {', '.join(labels)}"
                )
            self._index, self._after = labels.index(label), last_id or None
        self.max_items = max_items
        self.items_returned = 0
        self._done_pages = 0
        self._current: Paginator | None = None
        self._iterator: Iterator[dict[str, Any]] | None = None

    @property
    def cursor(self) -> str | None:
        """``"<label>:<last id>"``: where to resume (``None`` when there is nothing to walk)."""
        if not self._walks:
            return None
        index = min(self._index, len(self._walks) - 1)
        last = self._current.cursor if self._current is not None else self._after
        return f"{self._walks[index][0]}:{last or ''}"

    @property
    def pages_fetched(self) -> int:
        """How many list requests were made, over every walk."""
        current = self._current.pages_fetched if self._current is not None else 0
        return self._done_pages + current

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self

    def __next__(self) -> dict[str, Any]:
        if self._iterator is None:
            self._iterator = self._walk()
        return next(self._iterator)

    def _walk(self) -> Iterator[dict[str, Any]]:
        while self._index < len(self._walks):
            left = None if self.max_items is None else self.max_items - self.items_returned
            if left is not None and left <= 0:
                return
            self._current = self._walks[self._index][1](self._after, left)
            for record in self._current:
                self.items_returned += 1
                yield record
            if left is not None and self._current.items_returned >= left:
                return  # stopped by max_items: the cursor stays inside this walk
            if self._index + 1 < len(self._walks):
                self._done_pages += self._current.pages_fetched
                self._current, self._after = None, None
                self._index += 1
            else:
                return

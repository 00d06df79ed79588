"""Cursor walking for OnceHub list endpoints: re-iterable listings that fetch pages on demand.

OnceHub pages with ``limit`` (1 to 100, default 10) and ``after=<id of the last object>``. The
``Link`` header it sends may drop the caller's filters, so it is never followed: each page is the
original request again, with the same filters and a new ``after``. A walk stops on an empty
page, on ``has_more: false``, or (for endpoints without ``has_more``) on a short page.

``hub.bookings.list()`` returns a :class:`Paginator`, openai-python's pattern: iterating it
starts a new walk each time (so a second ``for`` loop gives the same bookings again, fetched
again), :meth:`Paginator.pages` yields whole pages, and ``cursor`` / ``pages_fetched`` report on
the latest walk (``after=listing.cursor`` resumes where it stopped).

Example:
    >>> pages = Paginator(transport, "/bookings", {"status": "scheduled"}, page_size=4)
    >>> for booking in pages:
    ...     print(booking["id"])
    BKNG-H60DZO03KD8P
    BKNG-LR6FYVQU5H5M
    ...
    BKNG-O7KHY7CAUIPH
    >>> pages.pages_fetched, pages.cursor
    (3, 'BKNG-O7KHY7CAUIPH')
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import requests

from oncehub_nb._errors import ConfigurationError, decode_json, invalid_response
from oncehub_nb._http.transport import Transport

__all__ = ["ChainedPaginator", "Page", "Paginator", "Walk"]

log = logging.getLogger(__name__)

Record = dict[str, Any]


class Page:
    """One page of a list response.

    Attributes:
        data: the records on this page.
        has_more: the API's ``has_more`` (``None`` when the endpoint does not send it).
        request_id: the page's ``Request-Id``.
        response: the HTTP response it came in.

    Example:
        >>> Page([{"id": "BKNG-1"}], has_more=False, request_id=None).last_id
        'BKNG-1'
    """

    __slots__ = ("data", "has_more", "request_id", "response")

    def __init__(
        self,
        data: list[Record],
        *,
        has_more: bool | None,
        request_id: str | None,
        response: requests.Response | None = None,
    ) -> None:
        self.data = data
        self.has_more = has_more
        self.request_id = request_id
        self.response = response

    @property
    def last_id(self) -> str | None:
        """The id of the last record, the cursor for the next page."""
        if not self.data:
            return None
        last = self.data[-1].get("id")
        return last if isinstance(last, str) else None


class Walk(Iterator[Record]):
    """One pass over a listing: records one by one, pages fetched as needed.

    Attributes:
        cursor: the id of the last record handed out (``after=`` resumes after it).
        pages_fetched: list requests made by this walk.
        items_returned: records handed out.
        max_items: the most this walk hands out (``None``: all).
    """

    def __init__(self, listing: Paginator) -> None:
        self.max_items = listing.max_items
        self.cursor = listing.after
        self.pages_fetched = 0
        self.items_returned = 0
        self._listing = listing
        self._records = self._run()

    def __next__(self) -> Record:
        return next(self._records)

    def pages(self) -> Iterator[Page]:
        """The walk's pages, each with its records (``max_items`` still applies)."""
        for page in self._fetch():
            self.items_returned += len(page.data)
            self.cursor = _last_id(page.data) or self.cursor
            yield page

    def _run(self) -> Iterator[Record]:
        for page in self._fetch():
            for record in page.data:
                self.items_returned += 1
                record_id = record.get("id")
                if isinstance(record_id, str):
                    self.cursor = record_id
                yield record

    def _fetch(self) -> Iterator[Page]:
        seen: set[str] = set()
        after, given = self.cursor, 0
        while self.max_items is None or given < self.max_items:
            page = self._listing.fetch_page(after)
            self.pages_fetched += 1
            last = page.last_id
            if last is not None:
                # A server (or a cache in between) that ignores ``after`` would send the same
                # page forever: stop before handing out a record twice.
                if last in seen or last == after:
                    raise _repeated(page, self._listing.path, after)
                seen.add(last)
            full = len(page.data)
            if self.max_items is not None:
                page.data = page.data[: self.max_items - given]
            given += len(page.data)
            yield page
            if not full or page.has_more is False or last is None:
                return
            if page.has_more is None and full < self._listing.page_size:
                return
            after = last


def _last_id(records: list[Record]) -> str | None:
    for record in reversed(records):
        if isinstance(record.get("id"), str):
            return str(record["id"])
    return None


def _repeated(page: Page, path: str, cursor: str | None) -> Exception:
    message = (
        f"OnceHub answered GET {path} after={cursor} with a page that was already received: the "
        "cursor does not advance, so the walk stops"
    )
    if page.response is None:
        return ConfigurationError(message)
    return invalid_response(page.response, message)


class Paginator:
    """A re-iterable listing of a list endpoint; each iteration is a new :class:`Walk`.

    Args:
        transport: the transport that sends the requests.
        path: the list path, e.g. ``/bookings``.
        params: the caller's filters in the API's string form, sent on every page.
        page_size: ``limit`` per page (default: the settings' page size, 100).
        after: start after this id (resume from a cursor).
        max_items: stop after this many records.

    Attributes:
        last_walk: the latest walk (``None`` before the first iteration).

    Example:
        >>> it = Paginator(transport, "/bookings", {}, max_items=5)
        >>> len(list(it)), len(list(it))
        (5, 5)
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
        self.transport = transport
        self.path = path
        self.params = {
            k: v for k, v in (params or {}).items() if k not in ("after", "before", "limit")
        }
        self.page_size = page_size or transport.settings.page_size
        self.after = after
        self.max_items = max_items
        self.last_walk: Walk | None = None

    def __iter__(self) -> Walk:
        self.last_walk = Walk(self)
        return self.last_walk

    def pages(self) -> Iterator[Page]:
        """A new walk, page by page (openai-python's ``iter_pages``).

        Example:
            >>> [len(p.data) for p in Paginator(transport, "/bookings", page_size=25).pages()]
            [25, 25, 10]
        """
        self.last_walk = Walk(self)
        return self.last_walk.pages()

    iter_pages = pages

    @property
    def cursor(self) -> str | None:
        """Where the latest walk stopped: pass it as ``after=`` to resume."""
        return self.last_walk.cursor if self.last_walk is not None else self.after

    @property
    def pages_fetched(self) -> int:
        """List requests the latest walk made."""
        return self.last_walk.pages_fetched if self.last_walk is not None else 0

    def fetch_page(self, after: str | None) -> Page:
        """Fetch one page after a cursor.

        Args:
            after: the id to start after, or ``None`` for the first page.

        Returns:
            The page.

        Raises:
            APIResponseValidationError: the body is not a list envelope.
        """
        params = dict(self.params)
        params["limit"] = str(self.page_size)
        if after:
            params["after"] = after
        response = self.transport.request("GET", self.path, params=params)
        request_id = response.headers.get("Request-Id")
        try:
            body = decode_json(response)
        except ValueError:
            body = None
        if isinstance(body, list):  # endpoints that answer a bare array
            return Page(_records(body), has_more=False, request_id=request_id, response=response)
        if not isinstance(body, dict) or not isinstance(body.get("data"), list):
            raise invalid_response(
                response, f"OnceHub answered GET {self.path} with something that is not a list"
            )
        has_more = body.get("has_more")
        return Page(
            _records(body["data"]),
            has_more=has_more if isinstance(has_more, bool) else None,
            request_id=request_id,
            response=response,
        )


def _records(items: list[Any]) -> list[Record]:
    return [item for item in items if isinstance(item, dict)]


class ChainWalk(Iterator[Record]):
    """One pass over a :class:`ChainedPaginator`: its walks one after another."""

    def __init__(self, chain: ChainedPaginator) -> None:
        self._chain = chain
        self._index, self._after = chain.start_index, chain.start_after
        self.max_items = chain.max_items
        self.items_returned = 0
        self._done_pages = 0
        self._current: Walk | None = None
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
        >>> chain = ChainedPaginator(
        ...     [(s, lambda a, m, s=s: Paginator(transport, "/bookings", {"status": s}, after=a,
        ...       max_items=m)) for s in ("scheduled", "canceled")])
        >>> len(list(chain)), chain.pages_fetched, chain.cursor
        (20, 2, 'canceled:BKNG-TA39D2HU64MU')
    """

    def __init__(
        self,
        walks: Sequence[tuple[str, Callable[[str | None, int | None], Paginator]]],
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

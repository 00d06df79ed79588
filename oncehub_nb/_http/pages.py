"""One cursor walk: pages of a list endpoint, fetched in order, and the records in them.

A walk asks for a page, then for the page after its last id, with the same filters each time,
and stops on an empty page, on ``has_more: false``, or (for endpoints without ``has_more``) on
a short page. A server that sends the same page again stops it with an error, not a loop.

Example:
    >>> Page([{"id": "BKNG-1"}], has_more=False, request_id=None).ends(100)
    True
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Protocol

import requests

from oncehub_nb._errors import ConfigurationError, invalid_response

__all__ = ["Page", "PageSource", "Walk", "repeated"]

Record = dict[str, Any]


class PageSource(Protocol):
    """What a walk needs of a listing (:class:`~.pagination.Paginator` is one)."""

    path: str
    page_size: int
    after: str | None
    max_items: int | None

    def fetch_page(self, after: str | None, *, bounds: Mapping[str, str] | None = None) -> Page:
        """Fetch the page after ``after`` (with ``bounds`` replacing some parameters)."""


class Page:
    """One page of a list response.

    Attributes:
        data: the records on this page.
        has_more: the API's ``has_more`` (``None`` when the endpoint does not send it).
        request_id: the page's ``Request-Id``.
        response: the HTTP response it came in.
        seconds: from the request sent to the records decoded (rate-limit waits left out).

    Example:
        >>> Page([{"id": "BKNG-1"}], has_more=False, request_id=None).last_id
        'BKNG-1'
    """

    __slots__ = ("data", "has_more", "request_id", "response", "seconds")

    def __init__(
        self,
        data: list[Record],
        *,
        has_more: bool | None,
        request_id: str | None,
        response: requests.Response | None = None,
        seconds: float = 0.0,
    ) -> None:
        self.data = data
        self.has_more = has_more
        self.request_id = request_id
        self.response = response
        self.seconds = seconds

    def ends(self, page_size: int) -> bool:
        """Is this the walk's last page (empty, ``has_more: false``, or short without it)?"""
        if not self.data or self.has_more is False or self.last_id is None:
            return True
        return self.has_more is None and len(self.data) < page_size

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

    def __init__(
        self,
        listing: PageSource,
        *,
        after: str | None = None,
        max_items: int | None = None,
        resumed: bool = False,
    ) -> None:
        self.max_items = max_items if resumed else listing.max_items
        self.cursor = after if resumed else listing.after
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
                    raise repeated(page, self._listing.path, after)
                seen.add(last)
            ended = page.ends(self._listing.page_size)
            if self.max_items is not None:
                page.data = page.data[: self.max_items - given]
            given += len(page.data)
            yield page
            if ended:
                return
            after = last


def _last_id(records: list[Record]) -> str | None:
    for record in reversed(records):
        if isinstance(record.get("id"), str):
            return str(record["id"])
    return None


def repeated(page: Page, path: str, cursor: str | None) -> Exception:
    """The error for a page that was already received (the cursor does not advance)."""
    message = (
        f"OnceHub answered GET {path} after={cursor} with a page that was already received: the "
        "cursor does not advance, so the walk stops"
    )
    if page.response is None:
        return ConfigurationError(message)
    return invalid_response(page.response, message)

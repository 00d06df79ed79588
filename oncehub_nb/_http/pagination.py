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

import time
from collections.abc import Iterator, Mapping
from typing import Any

from oncehub_nb._errors import decode_json, invalid_response
from oncehub_nb._http.chain import ChainedPaginator
from oncehub_nb._http.pages import Page, Walk
from oncehub_nb._http.parallel import SlicedWalk
from oncehub_nb._http.transport import Transport

__all__ = ["ChainedPaginator", "Page", "Paginator", "SlicedWalk", "Walk"]

Record = dict[str, Any]


class Paginator:
    """A re-iterable listing of a list endpoint; each iteration is a new :class:`Walk`.

    Args:
        transport: the transport that sends the requests.
        path: the list path, e.g. ``/bookings``.
        params: the caller's filters in the API's string form, sent on every page.
        page_size: ``limit`` per page (default: the settings' page size, 100).
        after: start after this id (resume from a cursor).
        max_items: stop after this many records.
        slice_by: a time field the listing is ordered by, newest first, that never changes
            (``creation_time``): a pull held back by latency then walks disjoint slices of it
            at once (:mod:`.parallel`), with exactly the single walk's result.

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
        slice_by: str | None = None,
    ) -> None:
        self.transport = transport
        self.path = path
        self.slice_by = slice_by
        self.params = {
            k: v for k, v in (params or {}).items() if k not in ("after", "before", "limit")
        }
        self.page_size = page_size or transport.settings.page_size
        self.after = after
        self.max_items = max_items
        self.last_walk: Walk | SlicedWalk | None = None

    def __iter__(self) -> Walk | SlicedWalk:
        settings = self.transport.settings
        # Slices fill the limiter's budget: without the limiter there is no budget to fill.
        if self.slice_by and settings.rate_limit and settings.max_walks > 1:
            self.last_walk = SlicedWalk(self, self.slice_by, settings)
        else:
            self.last_walk = Walk(self)
        return self.last_walk

    def pages(self) -> Iterator[Page]:
        """A new walk, page by page (openai-python's ``iter_pages``): always one cursor.

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
    def walks_at_once(self) -> int:
        """The walks the latest walk runs now (1: one cursor, in the iterating thread)."""
        return self.last_walk.walking if isinstance(self.last_walk, SlicedWalk) else 1

    @property
    def pages_fetched(self) -> int:
        """List requests the latest walk made."""
        return self.last_walk.pages_fetched if self.last_walk is not None else 0

    def fetch_page(self, after: str | None, *, bounds: Mapping[str, str] | None = None) -> Page:
        """Fetch one page after a cursor.

        Args:
            after: the id to start after, or ``None`` for the first page.
            bounds: parameters that replace the caller's (a slice's time bounds).

        Returns:
            The page.

        Raises:
            APIResponseValidationError: the body is not a list envelope.
        """
        params = {**self.params, **(bounds or {})}
        params["limit"] = str(self.page_size)
        if after:
            params["after"] = after
        response = self.transport.request("GET", self.path, params=params)
        received = time.perf_counter()
        request_id = response.headers.get("Request-Id")
        try:
            body = decode_json(response)
        except ValueError:
            body = None
        seconds = response.elapsed.total_seconds() + time.perf_counter() - received
        if isinstance(body, list):  # endpoints that answer a bare array
            return Page(
                _records(body),
                has_more=False,
                request_id=request_id,
                response=response,
                seconds=seconds,
            )
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
            seconds=seconds,
        )


def _records(items: list[Any]) -> list[Record]:
    return [item for item in items if isinstance(item, dict)]

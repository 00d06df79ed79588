"""Booking pages (Booking Pages product): list with filters, get, and a typed DataFrame.

Example:
    >>> hub.booking_pages.to_frame(master_page="MP-0123456789")  # doctest: +SKIP
"""

from __future__ import annotations

from oncehub_nb._http.pagination import Paginator
from oncehub_nb.frames.build import Column
from oncehub_nb.resources._base import FilterSpec, Resource

__all__ = ["BOOKING_PAGE_COLUMNS", "BookingPages"]

BOOKING_PAGE_COLUMNS: tuple[Column, ...] = (
    Column("id", "string"),
    Column("name", "string"),
    Column("label", "string"),
    Column("url", "string"),
    Column("active", "boolean"),
    Column("timezone", "string"),
)


class BookingPages(Resource):
    """``/booking-pages``: the classic product's personal and shared booking pages.

    Example:
        >>> [p["label"] for p in hub.booking_pages.list(user="USR-0123456789")]  # doctest: +SKIP
    """

    path = "/booking-pages"
    columns = BOOKING_PAGE_COLUMNS
    filters = (
        FilterSpec("master_page", "master_page", "id"),
        FilterSpec("event_type", "event_type", "id"),
        FilterSpec("user", "user", "id"),
    )

    def list(
        self,
        *,
        master_page: str | None = None,
        event_type: str | None = None,
        user: str | None = None,
        after: str | None = None,
        max_items: int | None = None,
    ) -> Paginator:
        """Iterate over booking pages.

        Args:
            master_page: a master page id (``MP-…``): the pages it groups.
            event_type: an event type id (``ET-…``): the pages offering it.
            user: a user id (``USR-…``): that user's pages.
            after: resume after this page id.
            max_items: stop after this many pages.

        Returns:
            A lazy iterator of booking page dicts.

        Raises:
            ConfigurationError: a filter is not a non-empty string.

        Example:
            >>> next(hub.booking_pages.list())["url"]  # doctest: +SKIP
        """
        filters = {"master_page": master_page, "event_type": event_type, "user": user}
        return self._list(filters, after=after, max_items=max_items)

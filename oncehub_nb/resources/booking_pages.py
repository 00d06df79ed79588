"""Booking pages (Booking Pages product): list with filters, get, and a typed DataFrame.

Example:
    >>> hub.booking_pages.to_frame(master_page="MP-RX2DX621RG")[["id", "label"]]
                  id           label
    0  BP-S7P53HJKIV  williamjohnson
    1  BP-51V1FFWECY   thomasjohnson
"""

from __future__ import annotations

from typing import Annotated, TypedDict

from oncehub_nb.frames.build import Column
from oncehub_nb.resources._base import Resource
from oncehub_nb.resources._filters import Filter

__all__ = ["BOOKING_PAGE_COLUMNS", "BookingPages"]

BOOKING_PAGE_COLUMNS: tuple[Column, ...] = (
    Column("id", "string"),
    Column("name", "string"),
    Column("label", "string"),
    Column("url", "string"),
    Column("active", "boolean"),
    Column("timezone", "string"),
)


class BookingPageFilters(TypedDict, total=False):
    """The filters of ``/booking-pages``."""

    master_page: Annotated[str, Filter("master_page", "a master page id (``MP-…``): its pages.")]
    event_type: Annotated[
        str, Filter("event_type", "an event type id (``ET-…``): pages offering it.")
    ]
    user: Annotated[str, Filter("user", "a user id (``USR-…``): that user's pages.")]


class BookingPages(Resource):
    """``/booking-pages``: the classic product's personal and shared booking pages.

    Example:
        >>> [p["label"] for p in hub.booking_pages.list(user="USR-VUQ48RXCZX")]
        ['hollybrown']
    """

    path = "/booking-pages"
    filters_type = BookingPageFilters
    noun, attribute, id_prefix = "booking pages", "booking_pages", "BP-"
    columns = BOOKING_PAGE_COLUMNS

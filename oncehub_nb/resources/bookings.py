"""Bookings: list, get, and a typed DataFrame.

Example:
    >>> hub = OnceHub.from_env()  # doctest: +SKIP
    >>> frame = hub.bookings.to_frame(status="scheduled")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .._frames import Column, records_to_frame
from .._pagination import Paginator
from ._base import FilterSpec, Resource

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BOOKING_COLUMNS", "BOOKING_STATUSES", "Bookings"]

#: The statuses the API documents (v2, lower case).
BOOKING_STATUSES = ("requested", "scheduled", "rescheduled", "completed", "canceled", "no_show")

TimeLike = dt.datetime | dt.date | str

BOOKING_COLUMNS: tuple[Column, ...] = (
    Column("id", "string"),
    Column("tracking_id", "string"),
    Column("subject", "string"),
    Column("status", "category", choices=BOOKING_STATUSES),
    Column("in_trash", "boolean"),
    Column("creation_time", "datetime"),
    Column("starting_time", "datetime"),
    Column("last_updated_time", "datetime"),
    Column("duration_minutes", "Int64"),
    Column("customer_timezone", "string"),
    Column("owner_id", "string", source=("owner",), id_of=True),
    Column("contact_id", "string", source=("contact",), id_of=True),
    Column("booking_page_id", "string", source=("booking_page",), id_of=True),
    Column("master_page_id", "string", source=("master_page",), id_of=True),
    Column("event_type_id", "string", source=("event_type",), id_of=True),
    Column("booking_calendar_id", "string", source=("booking_calendar",), id_of=True),
    Column("conversation_id", "string", source=("conversation",), id_of=True),
    Column("attendees", "list"),
    Column("form_submission.name", "string"),
    Column("form_submission.email", "string"),
    Column("form_submission.company", "string"),
    Column("location_description", "string"),
    Column("virtual_conferencing.join_url", "string"),
    Column("rescheduled_booking_id", "string"),
    Column("cancel_reschedule_information.reason", "string"),
    Column("cancel_reschedule_information.actioned_by", "category", choices=("user", "customer")),
    Column("external_calendar.type", "category"),
    Column("payment_information.amount_charged", "Int64"),
    Column("payment_information.currency", "category"),
    Column("utm_params.source", "string"),
    Column("utm_params.medium", "string"),
    Column("utm_params.campaign", "string"),
)


class Bookings(Resource):
    """``/bookings``: every booking of the account, newest first.

    Example:
        >>> for booking in hub.bookings.list(status="canceled", max_items=3):  # doctest: +SKIP
        ...     print(booking["id"], booking["starting_time"])
    """

    path = "/bookings"
    expandable = ("owner", "booking_page", "master_page", "event_type", "contact", "conversation")
    filters = (
        FilterSpec("status", "status", "choice", BOOKING_STATUSES),
        FilterSpec("owner", "owner", "id"),
        FilterSpec("contact", "contact", "id"),
        FilterSpec("booking_page", "booking_page", "id"),
        FilterSpec("master_page", "master_page", "id"),
        FilterSpec("event_type", "event_type", "id"),
        FilterSpec("booking_calendar", "booking_calendar", "id"),
        FilterSpec("host", "host", "id"),
        FilterSpec("created_after", "creation_time.gt", "time"),
        FilterSpec("created_before", "creation_time.lt", "time"),
        FilterSpec("starting_after", "starting_time.gt", "time"),
        FilterSpec("starting_before", "starting_time.lt", "time"),
        FilterSpec("updated_after", "last_updated_time.gt", "time"),
        FilterSpec("updated_before", "last_updated_time.lt", "time"),
    )

    def list(
        self,
        *,
        status: str | None = None,
        owner: str | None = None,
        contact: str | None = None,
        booking_page: str | None = None,
        master_page: str | None = None,
        event_type: str | None = None,
        booking_calendar: str | None = None,
        host: str | None = None,
        created_after: TimeLike | None = None,
        created_before: TimeLike | None = None,
        starting_after: TimeLike | None = None,
        starting_before: TimeLike | None = None,
        updated_after: TimeLike | None = None,
        updated_before: TimeLike | None = None,
        expand: str | Iterable[str] | None = None,
        after: str | None = None,
        max_items: int | None = None,
    ) -> Paginator:
        """Iterate over bookings, fetching pages of 100 on demand.

        Times may be ``datetime`` (naive means UTC), ``date`` or ISO 8601 strings; they are
        sent as ISO 8601 UTC with ``Z``. Every filter is re-sent on every page.

        Args:
            status: one of ``requested``, ``scheduled``, ``rescheduled``, ``completed``,
                ``canceled``, ``no_show``.
            owner: a user id (``USR-…``): bookings that user owns.
            contact: a contact id (``CTC-…``).
            booking_page: a booking page id (Booking Pages product).
            master_page: a master page id (Booking Pages product).
            event_type: an event type id (Booking Pages product).
            booking_calendar: a booking calendar id (Booking Calendars product).
            host: a user id hosting or co-hosting (Booking Calendars product).
            created_after: created strictly after this time.
            created_before: created strictly before this time.
            starting_after: starting strictly after this time.
            starting_before: starting strictly before this time.
            updated_after: last updated strictly after this time.
            updated_before: last updated strictly before this time.
            expand: fields to return as whole objects (``"owner"`` or a list).
            after: resume after this booking id (a previous pull's ``cursor``).
            max_items: stop after this many bookings.

        Returns:
            A lazy iterator of booking dicts; its ``cursor`` is the last id handed out.

        Raises:
            ConfigurationError: a filter value is wrong (before any request is sent).

        Example:
            >>> pages = hub.bookings.list(starting_after="2026-01-01")  # doctest: +SKIP
            >>> next(pages)["id"]  # doctest: +SKIP
            'BKNG-…'
        """
        filters = {
            "status": status,
            "owner": owner,
            "contact": contact,
            "booking_page": booking_page,
            "master_page": master_page,
            "event_type": event_type,
            "booking_calendar": booking_calendar,
            "host": host,
            "created_after": created_after,
            "created_before": created_before,
            "starting_after": starting_after,
            "starting_before": starting_before,
            "updated_after": updated_after,
            "updated_before": updated_before,
        }
        return self._list(filters, expand=expand, after=after, max_items=max_items)

    def to_frame(self, *, tz: str | None = None, **filters: Any) -> pd.DataFrame:
        """Pull bookings into a typed DataFrame (same columns and dtypes when empty).

        Args:
            tz: show times in this IANA zone (default UTC).
            **filters: any argument of :meth:`list`.

        Returns:
            One row per booking; related objects as ``*_id`` columns.

        Example:
            >>> frame = hub.bookings.to_frame(status="completed")  # doctest: +SKIP
            >>> frame["starting_time"].dtype  # doctest: +SKIP
            datetime64[us, UTC]
        """
        return records_to_frame(self.list(**filters), BOOKING_COLUMNS, tz=tz)

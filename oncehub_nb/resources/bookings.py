"""Bookings: list (one status or several), get, a typed DataFrame, actions and sync.

Example:
    >>> hub = OnceHub.from_env()  # reads ONCEHUB_API_KEY (here ONCEHUB_API_BASE too)
    >>> frame = hub.bookings.to_frame(status=["scheduled", "rescheduled"])
    >>> unpaid = frame[frame["payment_information.amount_charged"].isna()]
    >>> hub.bookings.cancel(unpaid["id"].iloc[0], reason="Host is ill")["status"]
    'canceled'
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, ClassVar

from oncehub_nb._errors import ConfigurationError
from oncehub_nb._http.pagination import ChainedPaginator
from oncehub_nb.frames.build import Column
from oncehub_nb.resources._base import Listing, Resource
from oncehub_nb.resources._filters import (
    CreatedFilters,
    Filter,
    TimeLike,
    UpdatedFilters,
    check_choice,
    check_text,
)
from oncehub_nb.resources.booking_pages import BOOKING_PAGE_COLUMNS
from oncehub_nb.resources.contacts import CONTACT_COLUMNS
from oncehub_nb.resources.event_types import EVENT_TYPE_COLUMNS
from oncehub_nb.resources.master_pages import MASTER_PAGE_COLUMNS
from oncehub_nb.resources.users import USER_COLUMNS

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["BOOKING_COLUMNS", "BOOKING_STATUSES", "CONFERENCING", "BookingFilters", "Bookings"]

#: The statuses the API documents (v2, lower case).
BOOKING_STATUSES = ("requested", "scheduled", "rescheduled", "completed", "canceled", "no_show")

#: Video conferencing a reassigned booking can move to (``reassign(location=...)``).
CONFERENCING = ("google_meet", "microsoft_teams", "webex", "gotomeeting", "zoom")

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
    Column("master_page_id", "string", source=("master_page",), id_of=True, nullable=True),
    Column("event_type_id", "string", source=("event_type",), id_of=True, nullable=True),
    Column("booking_calendar_id", "string", source=("booking_calendar",), id_of=True),
    Column("conversation_id", "string", source=("conversation",), id_of=True, nullable=True),
    Column("attendees", "list"),
    Column("form_submission.name", "string"),
    Column("form_submission.email", "string"),
    Column("form_submission.company", "string", nullable=True),
    Column("form_submission.phone", "string", nullable=True),
    Column("form_submission.mobile_phone", "string"),
    Column("form_submission.note", "string"),
    Column("form_submission.guests", "list"),
    Column("form_submission.custom_fields", "list", items=("name", "value")),
    Column("location_description", "string"),
    Column("virtual_conferencing.join_url", "string"),
    Column("rescheduled_booking_id", "string"),
    Column("cancel_reschedule_information.reason", "string"),
    Column("cancel_reschedule_information.actioned_by", "category", choices=("user", "customer")),
    Column("cancel_reschedule_information.user_id", "string"),
    Column("external_calendar.type", "category"),
    Column("external_calendar.name", "string"),
    Column("external_calendar.id", "string"),
    Column("external_calendar.event_id", "string"),
    Column("payment_information.amount_charged", "Int64", nullable=True),
    Column("payment_information.currency", "category", nullable=True),
    Column("payment_information.transaction_id", "string", nullable=True),
    Column("utm_params.source", "string", nullable=True),
    Column("utm_params.medium", "string", nullable=True),
    Column("utm_params.campaign", "string", nullable=True),
    Column("utm_params.term", "string", nullable=True),
    Column("utm_params.content", "string", nullable=True),
    Column("ics_url", "string"),
    Column("cancel_url", "string"),
    Column("reschedule_url", "string"),
    Column("cancel_reschedule_url", "string"),
    Column("custom_fields", "list", items=("name", "value")),
)

#: What an expanded conversation adds as ``conversation.*`` columns.
CONVERSATION_COLUMNS: tuple[Column, ...] = (
    Column("status", "category", choices=("started", "closed", "abandoned")),
    Column("initiated_by", "category", choices=("bot", "contact")),
    Column("creation_time", "datetime"),
    Column("last_updated_time", "datetime"),
    Column("contact_id", "string", source=("contact",), id_of=True),
)


class BookingFilters(CreatedFilters, UpdatedFilters, total=False):
    """The filters of ``/bookings`` (declared once: see :mod:`oncehub_nb.resources._filters`)."""

    status: Annotated[
        str | Sequence[str],
        Filter(
            "status",
            "one of requested, scheduled, rescheduled, completed, canceled, no_show; or a "
            "list of them (walked one status after the other; the cursor is then "
            "``<status>:<id>``).",
            choices=BOOKING_STATUSES,
        ),
    ]
    owner: Annotated[str, Filter("owner", "a user id (``USR-…``): bookings that user owns.")]
    contact: Annotated[str, Filter("contact", "a contact id (``CTC-…``).")]
    booking_page: Annotated[str, Filter("booking_page", "a booking page id (Booking Pages).")]
    master_page: Annotated[str, Filter("master_page", "a master page id (Booking Pages).")]
    event_type: Annotated[str, Filter("event_type", "an event type id (Booking Pages).")]
    booking_calendar: Annotated[
        str, Filter("booking_calendar", "a booking calendar id (Booking Calendars).")
    ]
    host: Annotated[str, Filter("host", "a user id hosting or co-hosting (Booking Calendars).")]
    starting_after: Annotated[TimeLike, Filter("starting_time.gt", "starting strictly after this.")]
    starting_before: Annotated[
        TimeLike, Filter("starting_time.lt", "starting strictly before this.")
    ]


class Bookings(Resource):
    """``/bookings``: every booking of the account, newest first.

    Example:
        >>> for booking in hub.bookings.list(status="completed", max_items=3):
        ...     print(booking["id"], booking["starting_time"])
        BKNG-MFS5F0GLBKN8 2026-05-08T14:00:00.000Z
        BKNG-DK3OM4QWW57G 2026-04-27T00:45:00.000Z
        BKNG-2BWKJE24BNFF 2026-04-28T14:30:00.000Z
    """

    path = "/bookings"
    columns = BOOKING_COLUMNS
    expandable = ("owner", "booking_page", "master_page", "event_type", "contact", "conversation")
    expansions: ClassVar[Mapping[str, tuple[Column, ...]]] = {
        "owner": USER_COLUMNS,
        "booking_page": BOOKING_PAGE_COLUMNS,
        "master_page": MASTER_PAGE_COLUMNS,
        "event_type": EVENT_TYPE_COLUMNS,
        "contact": CONTACT_COLUMNS,
        "conversation": CONVERSATION_COLUMNS,
    }
    filters_type = BookingFilters
    slice_by = "creation_time"
    noun, attribute, id_prefix = "bookings", "bookings", "BKNG-"

    def _listing(
        self,
        filters: Mapping[str, object],
        *,
        expand: str | Iterable[str] | None,
        after: str | None,
        max_items: int | None,
    ) -> Listing:
        """One walk; or, for a list of statuses, one walk per status, chained.

        The API filters on one status at a time, so ``status=[...]`` is walked once per status,
        in the order given; the cursor is then ``"<status>:<id>"`` and resumes with the same
        list.
        """
        status = filters.get("status")
        if status is None or isinstance(status, str):
            return self._list(filters, expand=expand, after=after, max_items=max_items)
        if not isinstance(status, Sequence) or not status:
            raise ConfigurationError(f"status takes a status or a list of them, got {status!r}")
        statuses = [check_choice("status", s, BOOKING_STATUSES) for s in dict.fromkeys(status)]
        others = {k: v for k, v in filters.items() if k != "status"}
        # Every other argument is checked now, before any request (the walks start lazily).
        self._list({**others, "status": statuses[0]}, expand=expand, max_items=max_items)

        def walk(value: str) -> Any:
            return lambda cursor, left: self._list(
                {**others, "status": value}, expand=expand, after=cursor, max_items=left
            )

        return ChainedPaginator(
            [(value, walk(value)) for value in statuses], after=after, max_items=max_items
        )

    def _act(self, booking_id: str, action: str, body: dict[str, Any] | None) -> dict[str, Any]:
        return self._send_object("POST", self._object_path(booking_id, action), body=body)

    def cancel(
        self, booking_id: str, *, reason: str | None = None, notify: bool = True
    ) -> dict[str, Any]:
        """Cancel a booking.

        Args:
            booking_id: the booking (``BKNG-…``).
            reason: the cancellation reason shown to the customer.
            notify: email the customer about the cancellation.

        Returns:
            The booking, now ``canceled``.

        Raises:
            ConflictError: the booking cannot be canceled (e.g. already canceled).
            UnprocessableError: paid bookings cannot be canceled through the API.

        Example:
            >>> booking = hub.bookings.cancel("BKNG-C6UGYJINSYC0", reason="Host is ill")
            >>> booking["status"], booking["cancel_reschedule_information"]["reason"]
            ('canceled', 'Host is ill')
            >>> hub.bookings.cancel("BKNG-H60DZO03KD8P")  # a paid one
            Traceback (most recent call last):
            ...
            oncehub_nb...UnprocessableError: Paid bookings cannot be canceled ... (HTTP 422, ...)
        """
        if not isinstance(notify, bool):
            raise ConfigurationError(f"notify takes True or False, got {notify!r}")
        body = {
            "cancellation_reason": None if reason is None else check_text("reason", reason),
            "send_cancellation_email": notify,
        }
        return self._act(booking_id, "cancel", body)

    def request_reschedule(self, booking_id: str, *, reason: str | None = None) -> dict[str, Any]:
        """Cancel a booking and ask the customer to book another time.

        Args:
            booking_id: the booking (``BKNG-…``).
            reason: why, shown to the customer.

        Returns:
            The booking after the request.

        Raises:
            ConflictError: the booking's status does not allow it.
            UnprocessableError: paid bookings cannot be rescheduled through the API.

        Example:
            >>> hub.bookings.request_reschedule("BKNG-OK7AY11U63XB", reason="Host is ill")["status"]
            'canceled'
        """
        body = {"reschedule_reason": None if reason is None else check_text("reason", reason)}
        return self._act(booking_id, "request-reschedule", body)

    def reassign(
        self, booking_id: str, *, new_host: str, location: str | None = None
    ) -> dict[str, Any]:
        """Give a booking-calendar booking to another user (Route plan and above).

        Args:
            booking_id: the booking (``BKNG-…``).
            new_host: the user (``USR-…``) who takes it.
            location: move the meeting to this video conferencing (:data:`CONFERENCING`).

        Returns:
            The reassigned booking.

        Raises:
            NotFoundError: no such booking or user.
            ConflictError: e.g. the user is inactive or already the host.

        Example:
            >>> hub.bookings.reassign("BKNG-PUMHDLQ86598", new_host="USR-VUQ48RXCZX")["owner"]
            'USR-VUQ48RXCZX'
        """
        body: dict[str, Any] = {"new_host": check_text("new_host", new_host)}
        if location is not None:
            body["location"] = {
                "type": "virtual",
                "value": check_choice("location", location, CONFERENCING),
            }
        return self._act(booking_id, "reassign", body)

    def mark_no_show(self, booking_id: str) -> dict[str, Any]:
        """Mark that the customer did not attend a past booking.

        Args:
            booking_id: the booking (``BKNG-…``).

        Returns:
            The booking, now ``no_show``.

        Raises:
            ConflictError: the booking is in the future or its status does not allow it.

        Example:
            >>> hub.bookings.mark_no_show("BKNG-HCSX1IDKDGUY")["status"]
            'no_show'
        """
        return self._act(booking_id, "no-show", None)

    def sync(
        self,
        path: str | os.PathLike[str],
        *,
        table: str | None = None,
        overlap: dt.timedelta | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """Keep a local copy of every booking up to date (Parquet or DuckDB); return it.

        The first call pulls everything. Later calls fetch only bookings updated since the
        newest ``last_updated_time`` stored (minus ``overlap``) and upsert them by ``id``. The
        suffix picks the store: ``.duckdb`` keeps a typed table (``table=``, default
        ``bookings``; see :mod:`oncehub_nb.frames.database`), any other path a Parquet file
        (see :func:`oncehub_nb.frames.sync.sync_bookings`).

        Args:
            path: the Parquet or DuckDB file (created when absent).
            table: the DuckDB table's name (DuckDB only).
            overlap: how far before the newest stored update to ask again: default 5 minutes
                for Parquet (as it always was), none for DuckDB (so that nothing changed costs
                one request, whatever the number of bookings updated at the newest moment).
            progress: the progress bar (see :meth:`to_frame`).

        Returns:
            Every booking, as :meth:`to_frame` would return it.

        Raises:
            ConfigurationError: the file holds another API base's data, or is not a sync file.
            PullInterrupted: the pull stopped early; what arrived is already saved.

        Example:
            >>> frame = hub.bookings.sync("bookings.parquet", progress=False)
            >>> len(frame), frame["id"].is_unique
            (60, True)
            >>> table = hub.bookings.sync("crm.duckdb", table="bookings", progress=False)
            >>> len(table) == len(frame)
            True
        """
        from oncehub_nb.frames.database import DATABASE_SUFFIXES
        from oncehub_nb.frames.sync import sync_bookings

        if Path(path).suffix.lower() in DATABASE_SUFFIXES:
            return super().sync(path, table=table, overlap=overlap, progress=progress)
        if table is not None:
            raise ConfigurationError("table= is for a .duckdb file; a Parquet file holds one table")
        since = dt.timedelta(minutes=5) if overlap is None else overlap
        return sync_bookings(self, path, overlap=since, progress=progress)

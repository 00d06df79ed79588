"""Booking calendars (Booking Calendars product): list, get, time slots, scheduling, links.

Example:
    >>> slots = hub.booking_calendars.time_slots("BKC-ZNSK8E7I5D")
    >>> slots[0]
    {'start_time': '2026-06-01T09:00:00.000Z', 'locations': [{'type': 'virtual', ...}]}
    >>> hub.booking_calendars.schedule("BKC-ZNSK8E7I5D",
    ...     start=slots[0]["start_time"],
    ...     guest_time_zone="Europe/Paris", name="Ann Lee", email="ann@example.com")
    {'id': 'BKNG-...'}
"""

from __future__ import annotations

import builtins
import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, TypedDict

from oncehub_nb._errors import ConfigurationError
from oncehub_nb.frames.build import Column
from oncehub_nb.resources._base import Resource, to_api_time
from oncehub_nb.resources._filters import Filter, TimeLike, check_choice, check_text

__all__ = ["BOOKING_CALENDAR_COLUMNS", "LOCATION_TYPES", "BookingCalendars"]

#: Where a scheduled meeting takes place (``schedule(location_type=...)``).
LOCATION_TYPES = ("physical", "virtual", "virtual_static", "guest_phone")

BOOKING_CALENDAR_COLUMNS: tuple[Column, ...] = (
    Column("id", "string"),
    Column("host_id", "string", source=("host",), id_of=True),
    Column("name", "string"),
    Column("subject", "string"),
    Column("url", "string"),
    Column("published", "boolean"),
    Column("duration_minutes", "Int64"),
)


def _moment(api_time: str) -> dt.datetime:
    return dt.datetime.fromisoformat(api_time.replace("Z", "+00:00"))


class BookingCalendarFilters(TypedDict, total=False):
    """The filters of ``/booking-calendars``."""

    host: Annotated[str, Filter("host", "a user or team id: the calendars it hosts.")]


class BookingCalendars(Resource):
    """``/booking-calendars``: the newer product's calendars, hosted by a user or a team.

    Example:
        >>> hub.booking_calendars.to_frame(host="TM-UOOROG9PDV")[["id", "name", "published"]]
                       id            name  published
        0  BKC-ZNSK8E7I5D  Support clinic       True
    """

    path = "/booking-calendars"
    filters_type = BookingCalendarFilters
    noun, attribute, id_prefix = "booking calendars", "booking_calendars", "BKC-"
    columns = BOOKING_CALENDAR_COLUMNS

    def time_slots(
        self, calendar_id: str, *, start: TimeLike | None = None, end: TimeLike | None = None
    ) -> builtins.list[dict[str, Any]]:
        """Free slots of a published calendar (OnceHub: at most 30 days per call).

        Args:
            calendar_id: the calendar (``BKC-…``).
            start: from this time (default: now).
            end: until this time (default: a week after ``start``).

        Returns:
            ``[{"start_time": "...Z", "locations": [...]}, ...]``.

        Raises:
            ConfigurationError: a time is not a date or time, or ``end`` is not after ``start``.
            UnprocessableError: the calendar is not published.

        Example:
            >>> hub.booking_calendars.time_slots("BKC-XNJEQ0D5FY",
            ...     start="2026-06-08", end="2026-06-15")[0]["start_time"]
            '2026-06-08T09:00:00.000Z'
        """
        params: dict[str, str] = {}
        if start is not None:
            params["start_time"] = to_api_time(start, argument="start")
        if end is not None:
            params["end_time"] = to_api_time(end, argument="end")
        if (
            start is not None
            and end is not None
            and _moment(params["end_time"]) <= _moment(params["start_time"])
        ):  # compared as times: as text, "…00.500Z" sorts before "…00Z"
            raise ConfigurationError(f"end={end!r} must be after start={start!r}")
        path = self._object_path(calendar_id, "time-slots")
        slots = self.transport.request_json("GET", path, params=params or None, expect=list)
        return [slot for slot in slots if isinstance(slot, dict)]

    def schedule(
        self,
        calendar_id: str,
        *,
        start: TimeLike,
        guest_time_zone: str,
        name: str,
        email: str,
        phone: str | None = None,
        location_type: str | None = None,
        location_value: str | None = None,
        form_fields: Mapping[str, str | builtins.list[str]] | None = None,
    ) -> dict[str, Any]:
        """Book a meeting on a calendar, as a guest would.

        Args:
            calendar_id: the calendar (``BKC-…``).
            start: the slot's start (one of :meth:`time_slots`).
            guest_time_zone: the guest's IANA time zone.
            name: the guest's name.
            email: the guest's email.
            phone: the guest's phone.
            location_type: ``physical``, ``virtual`` (the default), ``virtual_static`` or
                ``guest_phone``.
            location_value: an address id, a conferencing name, or an E.164 phone.
            form_fields: answers to the calendar's other form fields, by mapped name.

        Returns:
            ``{"id": "BKNG-…"}``: the new booking's id.

        Raises:
            ConfigurationError: a wrong argument (before any request).
            BadRequestError: e.g. the slot is no longer free.

        Example:
            >>> hub.booking_calendars.schedule("BKC-OOLYPHKE17",
            ...     start="2026-06-09T16:00:00Z", guest_time_zone="Europe/Paris",
            ...     name="Ann Lee", email="ann@example.com")
            {'id': 'BKNG-...'}
        """
        form: dict[str, Any] = {
            "name": check_text("name", name),
            "email": check_text("email", email),
        }
        if phone is not None:
            form["phone"] = check_text("phone", phone)
        for key, answer in (form_fields or {}).items():
            if key in form:
                raise ConfigurationError(f"form_fields[{key!r}]: pass {key}= instead")
            form[key] = answer
        body: dict[str, Any] = {
            "start_time": to_api_time(start, argument="start"),
            "guest_time_zone": check_text("guest_time_zone", guest_time_zone),
            "booking_form": form,
        }
        if location_type is not None:
            kind = check_choice("location_type", location_type, LOCATION_TYPES)
            body["location"] = {"type": kind, "value": location_value}
        elif location_value is not None:
            raise ConfigurationError("location_value needs location_type")
        return self._send_object("POST", self._object_path(calendar_id, "schedule"), body=body)

    def one_time_link(
        self,
        calendar_id: str,
        *,
        hide_url_params: bool | None = None,
        booking_form: Mapping[str, Any] | None = None,
        utm_params: Mapping[str, str] | None = None,
    ) -> dict[str, Any]:
        """Create a single-use link to a published calendar (deleted after 90 days unused).

        Args:
            calendar_id: the calendar (``BKC-…``).
            hide_url_params: hide prefilled values from the link's URL.
            booking_form: values to prefill (``{"name": ..., "email": ...}``).
            utm_params: ``source``, ``medium``, ``campaign``, ``term``, ``content``.

        Returns:
            ``{"id", "url", "creation_time"}``.

        Raises:
            BadRequestError: the calendar is not published.

        Example:
            >>> hub.booking_calendars.one_time_link("BKC-ZNSK8E7I5D")["url"]
            'https://oncehub.com/...'
        """
        if hide_url_params is not None and not isinstance(hide_url_params, bool):
            raise ConfigurationError(
                f"hide_url_params takes True or False, got {hide_url_params!r}"
            )
        body = {
            "hide_url_params": hide_url_params,
            "booking_form": None if booking_form is None else dict(booking_form),
            "utm_params": None if utm_params is None else dict(utm_params),
        }
        path = self._object_path(calendar_id, "one-time-links")
        return self._send_object("POST", path, body=body)

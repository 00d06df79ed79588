"""Departures of real OnceHub from its published spec that are already documented.

A finding listed here is reported as *known*, with the note and where the departure is
documented, so that on day one a user sees at once what is new. Everything else is *new*:
worth a look, and worth a bug report (the report file is safe to attach).

The sources are those of the project's reference notes: ``LIVE1`` is a booking list captured
from a real account (only its shape is used), the FAQ is OnceHub's developer FAQ ("Fields with
no values will appear as ``null``"), and the notes on the two products (Booking Calendars and
Booking Pages: a booking carries one product's fields, the other's are ``null``).

Example:
    >>> from oncehub_nb.doctor._checks import Finding
    >>> finding = Finding("/bookings", "unexpected-null", "virtual_conferencing", "object",
    ...                   "null", 3)
    >>> known_note(finding).startswith("null for in-person bookings")
    True
"""

from __future__ import annotations

from oncehub_nb.doctor._checks import Finding

__all__ = ["KNOWN", "known_note"]

_OTHER_PRODUCT = (
    "null on bookings of the other product: a booking carries the fields of one product "
    "(Booking Calendars or Booking Pages) and the other's are null (real booking lists)"
)
_REAL_DATA = "null in real booking lists, where the spec says string"

#: (endpoint, kind, field) -> what is known about it, and its source.
KNOWN: dict[tuple[str, str, str], str] = {
    ("/bookings", "unexpected-null", "booking_calendar"): _OTHER_PRODUCT,
    ("/bookings", "unexpected-null", "cancel_url"): _OTHER_PRODUCT,
    ("/bookings", "unexpected-null", "reschedule_url"): _OTHER_PRODUCT,
    ("/bookings", "unexpected-null", "ics_url"): _OTHER_PRODUCT,
    ("/bookings", "unexpected-null", "booking_page"): _OTHER_PRODUCT,
    ("/bookings", "unexpected-null", "form_submission"): (
        "null on some Booking Calendars bookings (real booking lists)"
    ),
    ("/bookings", "unexpected-null", "virtual_conferencing"): (
        "null for in-person bookings (real booking lists)"
    ),
    ("/bookings", "unexpected-null", "cancel_reschedule_information"): (
        "null when the booking was never canceled or rescheduled (real booking lists)"
    ),
    ("/bookings", "unexpected-null", "location_description"): _REAL_DATA,
    ("/bookings", "unexpected-null", "rescheduled_booking_id"): _REAL_DATA,
    ("/bookings", "unexpected-null", "form_submission.mobile_phone"): _REAL_DATA,
    ("/bookings", "unexpected-null", "form_submission.note"): _REAL_DATA,
    ("/bookings", "unexpected-null", "external_calendar.id"): _REAL_DATA,
    ("/bookings", "unexpected-null", "external_calendar.event_id"): _REAL_DATA,
    ("/bookings", "unexpected-null", "cancel_reschedule_information.user_id"): (
        "null when the customer acted (no user did): OnceHub's FAQ says fields with no value "
        "appear as null; not yet seen in a captured real list"
    ),
}


def known_note(finding: Finding) -> str | None:
    """The note of a documented departure, or ``None`` for a new finding.

    Args:
        finding: a finding of the probe.

    Returns:
        What is known about it, and where it is documented.
    """
    return KNOWN.get((finding.endpoint, finding.kind, finding.field))

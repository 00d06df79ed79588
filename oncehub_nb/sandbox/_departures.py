"""Where the sandbox departs from OnceHub's official spec, why, and the two output profiles.

* ``live`` (the default) answers the way real OnceHub data looks: ``null`` where the spec says
  string or object, among others. Each such difference is a :class:`Departure` below, with the
  source that shows it.
* ``spec`` answers only what the official spec allows: a field whose live value would be a
  ``null`` the spec does not allow is left out (the spec marks no booking field required).

Requests are read the same way in both profiles (the ``request`` departures: what clients such
as this SDK send must work against either).

:func:`live_spec` applies the departures to a copy of the official spec, so a contract test (or
a fuzzer) can check the ``live`` profile against "the spec plus the documented departures".

Example:
    >>> conform({"object": "booking", "id": "BKNG-1", "ics_url": None, "subject": "Demo"})
    {'object': 'booking', 'id': 'BKNG-1', 'subject': 'Demo'}
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

PROFILES = ("live", "spec")
"""The sandbox's output profiles: ``"live"`` (the default) and ``"spec"``."""

Spec = dict[str, Any]

_NOTES = "API notes §4.1 (a booking captured from a live account, LIVE1)"
_FAQ = "OnceHub developer FAQ: fields with no value appear as null"


@dataclass(frozen=True)
class Departure:
    """One documented difference between the sandbox and the official spec.

    Example:
        >>> DEPARTURES[0].kind, DEPARTURES[0].where
        ('response', 'Booking.virtual_conferencing')
    """

    name: str
    kind: str  # "response" (live profile only), "request" (both), "sandbox" (an extension)
    where: str
    spec_says: str
    sandbox_does: str
    source: str
    #: For ``response`` departures: the object type and the path of the nullable field.
    object: str | None = None
    path: tuple[str, ...] = ()
    #: Makes the official spec (a dict) say what the sandbox does.
    apply: Callable[[Spec], None] | None = None


def _schema(spec: Spec, component: str, path: tuple[str, ...]) -> dict[str, Any]:
    node: dict[str, Any] = spec["components"]["schemas"][component]
    for name in path:
        node = node["properties"][name]
    return node


def _allow_null(component: str, *path: str) -> Callable[[Spec], None]:
    def apply(spec: Spec) -> None:
        node = _schema(spec, component, path)
        if "oneOf" in node:
            if {"type": "null"} not in node["oneOf"]:
                node["oneOf"].append({"type": "null"})
        elif isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]

    return apply


def _null(field: str, source: str = _NOTES, *, under: tuple[str, ...] = ()) -> Departure:
    path = (*under, field)
    dotted = ".".join(path)
    return Departure(
        name=f"null-booking-{dotted.replace('.', '-').replace('_', '-')}",
        kind="response",
        where=f"Booking.{dotted}",
        spec_says="a string or object, never null",
        sandbox_does="null when there is no value",
        source=source,
        object="booking",
        path=path,
        apply=_allow_null("BookingBase", *path),
    )


def _utm_nulls(spec: Spec) -> None:
    # Only the booking's copy: UtmParams is also the body of one-time links, where the spec's
    # strings hold (a request is read the same way in both profiles).
    schemas = spec["components"]["schemas"]
    utm = copy.deepcopy(schemas["UtmParams"])
    for prop in utm["properties"].values():
        prop["type"] = [prop["type"], "null"]
    choices = schemas["Booking"]["allOf"][1]["properties"]["utm_params"]["oneOf"]
    choices[:] = [utm if c.get("$ref", "").endswith("/UtmParams") else c for c in choices]


_DATE_TIME = {"format": "date-time"}


def _contact_email(spec: Spec) -> None:
    # Answers only: POST /contacts keeps the spec's own (strict) copy of Contact as its body.
    body = spec["paths"]["/contacts"]["post"]["requestBody"]["content"]["application/json"]
    strict = copy.deepcopy(spec["components"]["schemas"]["Contact"])
    body["schema"]["allOf"] = [
        strict if part.get("$ref", "").endswith("/Contact") else part
        for part in body["schema"]["allOf"]
    ]
    _allow_null("Contact", "email")(spec)


def _time_filters(spec: Spec) -> None:
    for path in ("/bookings", "/contacts"):
        for param in spec["paths"][path]["get"]["parameters"]:
            schema = param.get("schema", {})
            if schema.get("format") == "date":
                param["schema"] = {
                    "type": "string",
                    "anyOf": [{"format": "date"}, {"format": "date-time"}],
                }


def _webhook_fields(spec: Spec) -> None:
    body = spec["paths"]["/webhooks"]["post"]["requestBody"]["content"]["application/json"]
    body["schema"]["required"] = ["name", "url", "events"]


def _master_pages_limit(spec: Spec) -> None:
    parameters = spec["paths"]["/master-pages"]["get"]["parameters"]
    for param in parameters:
        if param.get("name") == "limit":
            param["schema"] = {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}


_BOOKING_NULLS = (
    "virtual_conferencing", "location_description", "rescheduled_booking_id",
    "cancel_reschedule_information", "form_submission", "booking_page", "booking_calendar",
    "cancel_url", "reschedule_url", "ics_url",
)  # fmt: skip

DEPARTURES: tuple[Departure, ...] = (
    *(_null(name, f"{_NOTES}; {_FAQ}") for name in _BOOKING_NULLS),
    _null("mobile_phone", under=("form_submission",)),
    _null("note", under=("form_submission",)),
    _null(
        "user_id",
        "API notes §4.1: null when the customer, not a user, acted",
        under=("cancel_reschedule_information",),
    ),
    Departure(
        name="null-utm-params-values",
        kind="response",
        where="Booking.utm_params.*",
        spec_says="strings",
        sandbox_does="null for a UTM value that was not set",
        source=f"{_NOTES}: utm_params values may be null",
        object="booking",
        path=("utm_params", "*"),
        apply=_utm_nulls,
    ),
    Departure(
        name="null-contact-email",
        kind="response",
        where="Contact.email",
        spec_says="a string, never null",
        sandbox_does="null for a contact created with a mobile phone only",
        source="API notes §2 and §4.2: POST /contacts needs an email or a mobile_phone",
        object="contact",
        path=("email",),
        apply=_contact_email,
    ),
    Departure(
        name="request-time-filters",
        kind="request",
        where="GET /bookings, GET /contacts: *_time.gt / *_time.lt",
        spec_says="format: date",
        sandbox_does="takes a date or a date-time",
        source="API notes §3: the shared parameter definitions, the SMS filters, the docs' "
        "prose and every client send ISO 8601 date-times",
        apply=_time_filters,
    ),
    Departure(
        name="request-webhook-fields",
        kind="request",
        where="POST /webhooks: name, url, events",
        spec_says="no field required",
        sandbox_does="all three required (400 with param when one is missing)",
        source="API notes §6: a webhook subscribes a URL to events under a unique name",
        apply=_webhook_fields,
    ),
    Departure(
        name="request-master-pages-limit",
        kind="request",
        where="GET /master-pages: limit",
        spec_says='a string, default "10"',
        sandbox_does="the shared integer 1 to 100 (400 otherwise)",
        source="API notes §3 (pagination: limit 1 to 100 on every list)",
        apply=_master_pages_limit,
    ),
    Departure(
        name="request-expand-one",
        kind="request",
        where="GET /bookings/{id}: expand",
        spec_says="no query parameter",
        sandbox_does="expand=owner,contact,... as on lists (without data.)",
        source="OnceHub docs, Expanding responses: ?expand works on single objects",
    ),
    Departure(
        name="sandbox-sms-get-one",
        kind="sandbox",
        where="GET /notifications/sms/{id}",
        spec_says="no such operation",
        sandbox_does="answers one notification, so that the SDK's get() works on every resource",
        source="the sandbox only (real OnceHub may answer 404)",
    ),
)
"""Every documented difference between the sandbox and OnceHub's official spec.

``response`` departures are what the ``live`` profile answers and the ``spec`` profile does not;
``request`` departures apply in both profiles; ``sandbox`` ones are extensions of the sandbox.
"""


def _drop_null(node: Any, path: tuple[str, ...]) -> Any:
    """A copy of ``node`` without the ``null`` found at ``path`` (``*``: every key)."""
    if not isinstance(node, dict) or not path:
        return node
    head, rest = path[0], path[1:]
    out = dict(node)
    for key in list(out) if head == "*" else [head]:
        if key not in out:
            continue
        if not rest:
            if out[key] is None:
                del out[key]
        else:
            out[key] = _drop_null(out[key], rest)
    return out


_PATHS: dict[str, list[tuple[str, ...]]] = {}
for _departure in DEPARTURES:
    if _departure.object is not None:
        _PATHS.setdefault(_departure.object, []).append(_departure.path)


def conform(body: Any) -> Any:
    """``body`` as the ``spec`` profile answers it: every ``response`` departure undone.

    Nested objects and lists are walked; the input is not changed.

    Example:
        >>> conform([{"object": "booking", "form_submission": {"note": None, "name": "Al"}}])
        [{'object': 'booking', 'form_submission': {'name': 'Al'}}]
    """
    if isinstance(body, list):
        return [conform(item) for item in body]
    if not isinstance(body, dict):
        return body
    out = {key: conform(value) for key, value in body.items()}
    for path in _PATHS.get(str(out.get("object")), []):
        out = _drop_null(out, path)
    return out


def live_spec(spec: Spec) -> Spec:
    """A copy of OnceHub's official spec with every departure applied ("spec plus departures").

    Validate the ``live`` profile against it; the ``spec`` profile against the spec itself.

    Example:
        >>> tiny = {"components": {"schemas": {"BookingBase": {"properties": {}}}}}
        >>> live_spec(tiny) is tiny
        False
    """
    out = copy.deepcopy(spec)
    for departure in DEPARTURES:
        if departure.apply is None:
            continue
        try:
            departure.apply(out)
        except KeyError:  # a spec without that part (another version, or a test's excerpt)
            continue
    return out


def check_profile(profile: str) -> str:
    """Return ``profile`` if it is one of :data:`PROFILES`, else raise ``ValueError``.

    Example:
        >>> check_profile("spec")
        'spec'
    """
    if profile not in PROFILES:
        raise ValueError(f"profile must be one of {', '.join(PROFILES)}, not {profile!r}")
    return profile

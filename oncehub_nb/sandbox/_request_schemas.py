"""What each API operation accepts: query parameters and JSON body, as JSON Schema.

Written in our code from the facts of OnceHub's official OpenAPI spec (names, types, enums,
formats, required fields), which is not copied into this repository. Where live OnceHub accepts
something else, the schema follows the live API and the difference is listed in
:data:`oncehub_nb.sandbox.DEPARTURES` (kind ``request``). ``tests/test_request_schemas.py``
checks these schemas against the spec, departures included, whenever the spec is at hand.

Semantics a schema cannot say (an id that names nothing, a state that forbids an action, two
parameters that exclude each other) stay in the routes.

Example:
    >>> OPERATIONS["POST /v2/contacts"].body["required"]
    ['first_name', 'last_name']
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Schema = dict[str, Any]

STRING: Schema = {"type": "string"}
BOOLEAN: Schema = {"type": "boolean"}
INTEGER: Schema = {"type": "integer"}
STRINGS: Schema = {"type": "array", "items": STRING}


def nullable(schema: Schema) -> Schema:
    """``schema`` or ``null``.

    Example:
        >>> nullable(STRING)
        {'type': ['string', 'null']}
    """
    return {**schema, "type": [schema["type"], "null"]}


def one_of(*values: str) -> Schema:
    """A string from ``values``.

    Example:
        >>> one_of("a", "b")
        {'type': 'string', 'enum': ['a', 'b']}
    """
    return {"type": "string", "enum": list(values)}


def obj(properties: dict[str, Schema], *required: str) -> Schema:
    """An object with these properties (others allowed), ``required`` ones present.

    Example:
        >>> obj({"a": STRING}, "a")["required"]
        ['a']
    """
    schema: Schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


def array(items: Schema) -> Schema:
    """An array of ``items``.

    Example:
        >>> array(INTEGER)
        {'type': 'array', 'items': {'type': 'integer'}}
    """
    return {"type": "array", "items": items}


DATE_TIME: Schema = {"type": "string", "format": "date-time"}
#: Live departure ``request-time-filters``: the spec says ``format: date``; date-times work.
DATE_OR_TIME: Schema = {"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}]}
LIMIT: Schema = {"type": "integer", "minimum": 1, "maximum": 100, "default": 10}
PAGING: dict[str, Schema] = {"before": STRING, "after": STRING, "limit": LIMIT}


def time_filters(*fields: str, schema: Schema = DATE_OR_TIME) -> dict[str, Schema]:
    """``<field>.gt`` and ``<field>.lt`` for each field.

    Example:
        >>> sorted(time_filters("creation_time"))
        ['creation_time.gt', 'creation_time.lt']
    """
    return {f"{name}.{op}": schema for name in fields for op in ("gt", "lt")}


@dataclass(frozen=True)
class Operation:
    """The query parameters and JSON body one operation accepts.

    Example:
        >>> Operation(query={"limit": LIMIT}).body is None
        True
    """

    query: dict[str, Schema] = field(default_factory=dict)
    body: Schema | None = None
    #: The spec says the body is required (an empty body is then ``{}``, checked as such).
    body_required: bool = False


def _listing(**filters: Schema) -> Operation:
    return Operation(query={**filters, **PAGING})


_UTM = obj(dict.fromkeys(("source", "medium", "campaign", "term", "content"), STRING))
# Other booking-form fields are the calendar's mapped fields: a text or a list of texts.
# string_custom_field and array_custom_field are the spec's own examples of such fields.
_FORM_FIELDS = {"name": STRING, "email": STRING, "phone": STRING}
_FORM_FIELDS |= {"string_custom_field": STRING, "array_custom_field": STRINGS}
_BOOKING_FORM = {**obj(_FORM_FIELDS), "additionalProperties": {"anyOf": [STRING, STRINGS]}}
_CONTACT_TEXT = (
    "city", "company_size", "company", "country", "job_title", "mobile_phone", "phone",
    "post_code", "salutation", "state", "street_address",
)  # fmt: skip
_ANY = {"type": ["string", "number", "boolean", "array", "object", "null"]}
_CUSTOM_FIELDS = array(obj({"name": STRING, "value": _ANY}))
_STATUSES = ("Qualified", "Sales qualified", "Marketing qualified", "Disqualified")
_ROLES = one_of("Administrator", "Member", "Team Manager")
_LOCATION = obj({"type": STRING, "id": STRING, "value": STRING}, "type")
_HOURS = array(obj({"start_time": STRING, "end_time": STRING, "locations": array(_LOCATION)},
                   "start_time", "end_time", "locations"))  # fmt: skip

_CONTACT = obj(
    {
        "owner": STRING,
        "status": {"type": ["string", "null"], "enum": [*_STATUSES, None]},
        **{name: nullable(STRING) for name in _CONTACT_TEXT},
        "email": STRING,
        "employees": INTEGER,
        "first_name": nullable(STRING),
        "last_name": nullable(STRING),
        "has_consent": BOOLEAN,
        "terms_of_sevice": BOOLEAN,  # sic: the spec's spelling
        "timezone": STRING,
        "custom_fields": _CUSTOM_FIELDS,
    },
    "first_name",
    "last_name",
)
_CONTACT_UPDATE = obj(
    {
        "first_name": STRING,
        "last_name": STRING,
        "owner": STRING,
        "status": one_of(*_STATUSES),
        **{name: STRING for name in _CONTACT_TEXT if name != "mobile_phone"},
        "employees": INTEGER,
        "has_consent": BOOLEAN,
        "terms_of_sevice": BOOLEAN,
        "timezone": STRING,
        "custom_fields": _CUSTOM_FIELDS,
    }
)

_BOOKING_FILTERS = (
    "status", "owner", "contact", "booking_page", "master_page", "event_type", "expand",
)  # fmt: skip
_REASSIGN_LOCATION = obj({"type": one_of("virtual"), "value": STRING}, "type", "value")
_USER_UPDATE = obj(
    {"first_name": STRING, "last_name": STRING, "role_name": _ROLES, "teams": STRINGS}
)
_NAME_EMAIL = obj({"name": STRING, "email": STRING}, "name", "email")
_DAY = obj({"day": STRING, "working_hours": _HOURS}, "day", "working_hours")
_OVERRIDE = obj({"date": STRING, "working_hours": _HOURS}, "working_hours")

#: Every operation, keyed like the sandbox's statistics: ``"METHOD /v2/path/{id}"``.
OPERATIONS: dict[str, Operation] = {
    "GET /v2/test": Operation(),
    "GET /v2/bookings": _listing(
        **dict.fromkeys(_BOOKING_FILTERS, STRING),
        **time_filters("creation_time", "starting_time", "last_updated_time"),
        booking_calendar={**STRING, "default": ""},
        host={**STRING, "default": ""},
    ),
    # Live departure ``request-expand-one``: expand works on single objects too.
    "GET /v2/bookings/{id}": Operation(query={"expand": STRING}),
    "POST /v2/bookings/{id}/cancel": Operation(
        body=obj({"cancellation_reason": STRING, "send_cancellation_email": BOOLEAN})
    ),
    "POST /v2/bookings/{id}/request-reschedule": Operation(body=obj({"reschedule_reason": STRING})),
    "POST /v2/bookings/{id}/reassign": Operation(
        body=obj({"new_host": STRING, "location": _REASSIGN_LOCATION}, "new_host"),
        body_required=True,
    ),
    "POST /v2/bookings/{id}/no-show": Operation(),
    "GET /v2/booking-calendars": _listing(host=STRING),
    "GET /v2/booking-calendars/{id}": Operation(),
    "GET /v2/booking-calendars/{id}/time-slots": Operation(
        # The spec also declares default "" for both, which its own format refuses: an empty
        # value is refused as not a date-time (tests/fuzz/allow-list.toml says why).
        query={"start_time": DATE_TIME, "end_time": DATE_TIME}
    ),
    "POST /v2/booking-calendars/{id}/schedule": Operation(
        body=obj(
            {
                "start_time": DATE_TIME,
                "guest_time_zone": STRING,
                "booking_form": {"allOf": [_BOOKING_FORM, _NAME_EMAIL]},
                "location": obj(
                    {
                        "type": one_of("physical", "virtual", "virtual_static", "guest_phone"),
                        "value": nullable(STRING),
                    }
                ),
            },
            "start_time",
            "guest_time_zone",
            "booking_form",
        )
    ),
    "POST /v2/booking-calendars/{id}/one-time-links": Operation(
        body=obj({"hide_url_params": BOOLEAN, "booking_form": _BOOKING_FORM, "utm_params": _UTM})
    ),
    "GET /v2/booking-pages": _listing(master_page=STRING, event_type=STRING, user=STRING),
    "GET /v2/booking-pages/{id}": Operation(),
    "GET /v2/event-types": _listing(),
    "GET /v2/event-types/{id}": Operation(),
    # Live departure ``request-master-pages-limit``: limit is the shared integer 1..100.
    "GET /v2/master-pages": _listing(),
    "GET /v2/master-pages/{id}": Operation(),
    "POST /v2/master-pages/{id}/one-time-links": Operation(),
    "GET /v2/notifications/sms": _listing(
        **time_filters("creation_time", schema=DATE_TIME),
        recipient=STRING,
        recipient_type=one_of("contact", "user"),
        expand=STRING,
    ),
    # Not in the spec (departure ``sandbox-sms-get-one``): served because the SDK's
    # ``sms_notifications`` resource has ``get()`` like every other resource.
    "GET /v2/notifications/sms/{id}": Operation(),
    "GET /v2/users": _listing(email={"type": "string", "format": "email"}),
    "POST /v2/users": Operation(
        body=obj(
            {
                "email": {"type": "string", "format": "email"},
                "first_name": STRING,
                "last_name": STRING,
                "role_name": _ROLES,
                "teams": STRINGS,
            },
            "email",
            "first_name",
            "last_name",
        ),
        body_required=True,
    ),
    "GET /v2/users/{id}": Operation(),
    "PATCH /v2/users/{id}": Operation(
        body=_USER_UPDATE,
        body_required=True,
    ),
    "DELETE /v2/users/{id}": Operation(),
    "GET /v2/users/{id}/scheduling-availability": Operation(),
    "PATCH /v2/users/{id}/scheduling-availability": Operation(
        body=obj(
            {
                "weekly": array(_DAY),
                "overrides": array(_OVERRIDE),
            }
        )
    ),
    "GET /v2/teams": _listing(user=STRING),
    "GET /v2/teams/{id}": Operation(),
    "GET /v2/contacts": _listing(
        email=STRING, **time_filters("creation_time", "last_updated_time")
    ),
    "POST /v2/contacts": Operation(body=_CONTACT, body_required=True),
    "GET /v2/contacts/{id}": Operation(),
    "PATCH /v2/contacts/{id}": Operation(body=_CONTACT_UPDATE, body_required=True),
    "DELETE /v2/contacts/{id}": Operation(),
    # Live departure ``request-webhook-fields``: name, url and events are required.
    "POST /v2/webhooks": Operation(
        body=obj({"url": STRING, "name": STRING, "events": STRINGS}, "name", "url", "events")
    ),
    "GET /v2/webhooks": _listing(),
    "GET /v2/webhooks/{id}": Operation(),
    "DELETE /v2/webhooks/{id}": Operation(),
}

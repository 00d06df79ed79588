"""Read-only API routes: ``GET /v2/test`` and list + get for every resource."""

from __future__ import annotations

import copy

from flask import Flask, Response, g, request

from oncehub_nb.sandbox._dataset import Dataset, Record
from oncehub_nb.sandbox._errors import bad_request, not_found
from oncehub_nb.sandbox._http import ok, query_args
from oncehub_nb.sandbox._listing import (
    ListSpec,
    equals,
    expand,
    paginate,
    parse_expand,
)
from oncehub_nb.sandbox._state import SandboxState

BOOKING_EXPANDABLE = {
    "owner",
    "contact",
    "booking_page",
    "master_page",
    "event_type",
    "conversation",
}

#: Collection -> the noun used in "No such <noun>: '<id>'" messages.
NOUNS: dict[str, str] = {
    "bookings": "booking",
    "booking-calendars": "booking calendar",
    "booking-pages": "booking page",
    "event-types": "event type",
    "master-pages": "master page",
    "users": "user",
    "teams": "team",
    "contacts": "contact",
    "webhooks": "webhook",
    "notifications/sms": "notification",
}


def list_specs(data: Dataset) -> list[ListSpec]:
    """Describe every list endpoint: its filters, time filters and expandable fields.

    Example:
        >>> from oncehub_nb.sandbox._dataset import Dataset
        >>> [s.collection for s in list_specs(Dataset(account_email="a@b.c"))][:2]
        ['bookings', 'booking-calendars']
    """

    def page_link(attribute: str) -> object:
        def check(record: Record, value: str) -> bool:
            links = data.page_links.get(record["id"])
            if links is None:
                return False
            current = getattr(links, attribute)
            return value in current if isinstance(current, list) else current == value

        return check

    def team_has_user(record: Record, value: str) -> bool:
        user = data.collections["users"].get(value)
        return user is not None and record["id"] in user["teams"]

    def recipient_type(record: Record, value: str) -> bool:
        if value not in ("contact", "user"):
            raise bad_request(f"Invalid recipient_type: {value}", "recipient_type")
        return bool(record["recipient_type"] == value)

    booking_filters = {
        name: equals(name)
        for name in [
            "status",
            "owner",
            "contact",
            "booking_page",
            "master_page",
            "event_type",
            "booking_calendar",
        ]
    }
    booking_filters["host"] = equals("owner")
    return [
        ListSpec(
            "bookings",
            booking_filters,
            ["creation_time", "starting_time", "last_updated_time"],
            BOOKING_EXPANDABLE,
        ),
        ListSpec("booking-calendars", {"host": equals("host")}),
        ListSpec(
            "booking-pages",
            {
                "master_page": page_link("master_page"),  # type: ignore[dict-item]
                "event_type": page_link("event_types"),  # type: ignore[dict-item]
                "user": page_link("user"),  # type: ignore[dict-item]
            },
        ),
        ListSpec("event-types"),
        ListSpec("master-pages"),
        ListSpec("users", {"email": lambda r, v: str(r["email"]).lower() == v.lower()}),
        ListSpec("teams", {"user": team_has_user}),
        ListSpec(
            "contacts",
            {"email": lambda r, v: str(r["email"]).lower() == v.lower()},
            ["creation_time", "last_updated_time"],
        ),
        ListSpec("webhooks"),
        ListSpec(
            "notifications/sms",
            {"recipient": equals("recipient"), "recipient_type": recipient_type},
            ["creation_time"],
            {"recipient"},
        ),
    ]


def get_record(state: SandboxState, collection: str, object_id: str) -> Record:
    """Return a copy of a live record, or raise 404 (deleted records count as missing).

    Example:
        >>> state = SandboxState(bookings=0)
        >>> get_record(state, "bookings", "BKNG-X")
        Traceback (most recent call last):
        ...
        oncehub_nb.sandbox._errors.ApiError: No such booking: 'BKNG-X'
    """
    record = state.data.collections[collection].get(object_id)
    if record is None or object_id in state.data.deleted:
        raise not_found(NOUNS[collection], object_id)
    return record


def register_read_routes(app: Flask, state: SandboxState) -> None:
    """Add the read routes to ``app``.

    Example:
        >>> app = Flask(__name__)
        >>> register_read_routes(app, SandboxState(bookings=1))
        >>> any(r.rule == "/v2/bookings" for r in app.url_map.iter_rules())
        True
    """

    @app.get("/v2/test")
    def validate_key() -> Response:
        return ok({"message": f"The API key is valid for account: {g.account.email}"})

    for spec in list_specs(state.data):
        _register_collection(app, state, spec)


def _register_collection(app: Flask, state: SandboxState, spec: ListSpec) -> None:
    endpoint = spec.collection.replace("/", "_").replace("-", "_")

    def list_view() -> Response:
        with state.lock:
            page, limit = paginate(state.data, spec, query_args())
        response = ok(page.body())
        link = page.link_header(request.base_url, limit)
        if link is not None:
            response.headers["Link"] = link
        return response

    def get_view(id: str) -> Response:
        names = parse_expand(request.args.get("expand"), spec.expandable, in_list=False)
        with state.lock:
            record = state.data.collections[spec.collection].get(id)
            if record is None:
                raise not_found(NOUNS[spec.collection], id)
            if id in state.data.deleted:
                return ok({"id": id, "object": record["object"], "deleted": True})
            return ok(expand(state.data, copy.deepcopy(record), names))

    app.add_url_rule(f"/v2/{spec.collection}", f"list_{endpoint}", list_view, methods=["GET"])
    app.add_url_rule(f"/v2/{spec.collection}/<id>", f"get_{endpoint}", get_view, methods=["GET"])

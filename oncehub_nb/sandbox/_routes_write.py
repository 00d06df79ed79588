"""Write routes: contacts, users (and their availability) and webhooks."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, Response

from oncehub_nb._http.urls import is_loopback_host
from oncehub_nb.sandbox._availability import update_availability
from oncehub_nb.sandbox._dataset import Record, new_id
from oncehub_nb.sandbox._errors import ApiError, bad_request, not_found
from oncehub_nb.sandbox._http import json_body, ok
from oncehub_nb.sandbox._routes_read import get_record
from oncehub_nb.sandbox._state import SandboxState
from oncehub_nb.sandbox._times import iso

_CONTACT_STRINGS = {
    "first_name", "last_name", "salutation", "job_title", "company", "company_size", "phone",
    "mobile_phone", "street_address", "city", "state", "post_code", "country", "timezone",
    "email", "owner",
}  # fmt: skip
WEBHOOK_EVENTS = {
    "booking", "booking.scheduled", "booking.rescheduled", "booking.reassigned",
    "booking.canceled_then_rescheduled", "booking.canceled_reschedule_requested",
    "booking.canceled", "booking.completed", "booking.no_show", "conversation",
    "conversation.started", "conversation.closed", "conversation.abandoned",
}  # fmt: skip


def _check_contact_fields(state: SandboxState, body: dict[str, Any]) -> None:
    """What the request schema cannot say (types were checked at the door)."""
    allowed = _CONTACT_STRINGS | {"status", "employees", "has_consent", "terms_of_sevice"}
    unsupported = sorted(set(body) - allowed - {"custom_fields"})
    if unsupported:
        raise bad_request(f"Unsupported fields: {', '.join(unsupported)}", unsupported[0])
    owner = body.get("owner")
    if owner is not None and owner not in state.data.collections["users"]:
        raise bad_request(f"No such user: '{owner}'", "owner")


def _merge_custom_fields(current: list[Record], updates: list[Record]) -> list[Record]:
    merged = {f["name"]: f for f in current}
    for item in updates:
        if item.get("name"):  # the spec allows a field without a name; there is none to set
            merged[item["name"]] = {"name": item["name"], "value": item.get("value")}
    return list(merged.values())


def _deleted(state: SandboxState, collection: str, object_id: str) -> Response:
    get_record(state, collection, object_id)
    state.data.deleted.add(object_id)
    return ok({"id": object_id, "deleted": True})


def register_write_routes(app: Flask, state: SandboxState) -> None:
    """Add the contact, user and webhook write routes to ``app``.

    Example:
        >>> app = Flask(__name__)
        >>> register_write_routes(app, SandboxState(bookings=1))
        >>> any(r.rule == "/v2/webhooks" for r in app.url_map.iter_rules())
        True
    """
    data = state.data

    @app.post("/v2/contacts")
    def create_contact() -> Response:
        body = json_body()
        for name in ("first_name", "last_name"):
            if not body.get(name):
                raise bad_request(f"Missing required field: {name}", name)
        if not body.get("email") and not body.get("mobile_phone"):
            raise bad_request("Either email or mobile_phone is required", "email")
        with state.lock:
            _check_contact_fields(state, body)
            for other in data.live("contacts"):
                for key in ("email", "mobile_phone"):
                    if body.get(key) and other.get(key) == body[key]:
                        raise ApiError(409, f"Contact already exists: '{body[key]}'", param=key)
            stamp = iso(state.clock.now())
            record: Record = {
                "object": "contact",
                "id": new_id(state.rng, "CTC", 14, data.used_ids),
                "creation_time": stamp,
                "last_updated_time": stamp,
                "last_interacted_time": None,
                "owner": body.get("owner") or next(iter(data.collections["users"])),
                "status": body.get("status"),
            }
            for name in sorted(_CONTACT_STRINGS - {"owner"}):
                record[name] = body.get(name)
            record["timezone"] = body.get("timezone") or "America/New_York"
            record["employees"] = body.get("employees", 0)
            record["has_consent"] = body.get("has_consent", False)
            record["terms_of_sevice"] = body.get("terms_of_sevice", False)
            record["custom_fields"] = _merge_custom_fields([], body.get("custom_fields", []))
            return ok(data.add("contacts", record), 201)

    @app.patch("/v2/contacts/<id>")
    def update_contact(id: str) -> Response:
        body = json_body()
        with state.lock:
            record = get_record(state, "contacts", id)
            if not body:
                raise bad_request("Provide at least one field to update.")
            for key in ("email", "mobile_phone"):
                if key in body:
                    raise bad_request(f"{key} cannot be updated", key)
            _check_contact_fields(state, body)
            for name, value in body.items():
                if name == "custom_fields":
                    record[name] = _merge_custom_fields(record[name], value)
                else:
                    record[name] = value
            record["last_updated_time"] = iso(state.clock.now())
            return ok(record)

    @app.delete("/v2/contacts/<id>")
    def delete_contact(id: str) -> Response:
        with state.lock:
            return _deleted(state, "contacts", id)

    @app.post("/v2/users")
    def create_user() -> Response:
        body = json_body()
        unsupported = sorted(set(body) - {"email", "first_name", "last_name", "role_name", "teams"})
        if unsupported:
            raise bad_request(f"Unsupported fields: {', '.join(unsupported)}", unsupported[0])
        for name in ("email", "first_name", "last_name"):
            if not body[name].strip():
                raise bad_request(f"Missing required field: {name}", name)
        with state.lock:
            if any(u["email"].lower() == body["email"].lower() for u in data.live("users")):
                raise bad_request("Email already exists", "email")
            _check_user_update(state, body)
            record: Record = {
                "object": "user",
                "id": new_id(state.rng, "USR", 10, data.used_ids),
                "first_name": body["first_name"],
                "last_name": body["last_name"],
                "email": body["email"],
                "status": "invited",
                "role_name": body.get("role_name", "Member"),
                "timezone": "America/New_York",
                "teams": sorted(body.get("teams", [])),
            }
            from oncehub_nb.sandbox._data import default_availability

            data.availability[record["id"]] = default_availability(record["timezone"])
            return ok(data.add("users", record))

    @app.patch("/v2/users/<id>")
    def update_user(id: str) -> Response:
        body = json_body()
        with state.lock:
            record = data.collections["users"].get(id)
            if record is None:
                raise not_found("user", id)
            if id in data.deleted:
                raise ApiError(410, f"User '{id}' has been deleted.", param="id")
            if record["role_name"] == "Account Owner":
                raise ApiError(403, "The Account Owner cannot be updated through the API.")
            unsupported = sorted(set(body) - {"first_name", "last_name", "role_name", "teams"})
            if unsupported:
                raise bad_request(f"Unsupported fields: {', '.join(unsupported)}", unsupported[0])
            if not body:
                raise bad_request("Provide at least one field to update.")
            _check_user_update(state, body)
            for name, value in body.items():
                record[name] = sorted(value) if name == "teams" else value
            return ok(record)

    @app.delete("/v2/users/<id>")
    def delete_user(id: str) -> Response:
        with state.lock:
            if get_record(state, "users", id)["role_name"] == "Account Owner":
                raise ApiError(403, "The Account Owner cannot be deleted.")
            return _deleted(state, "users", id)

    @app.get("/v2/users/<id>/scheduling-availability")
    def get_availability(id: str) -> Response:
        with state.lock:
            get_record(state, "users", id)
            return ok(data.availability[id])

    @app.patch("/v2/users/<id>/scheduling-availability")
    def patch_availability(id: str) -> Response:
        body = json_body()
        with state.lock:
            get_record(state, "users", id)
            data.availability[id] = update_availability(data.availability[id], body)
            return ok(data.availability[id])

    @app.post("/v2/webhooks")
    def create_webhook() -> Response:
        body = json_body()
        _check_webhook(body)
        with state.lock:
            if any(w["name"] == body["name"] for w in data.live("webhooks")):
                raise ApiError(
                    409, f"A webhook named '{body['name']}' already exists.", param="name"
                )
            record: Record = {
                "object": "webhook",
                "id": new_id(state.rng, "WHK", 10, data.used_ids),
                "api_version": "v2",
                "name": body["name"],
                "url": body["url"],
                "events": list(body["events"]),
                "creation_time": iso(state.clock.now()),
            }
            secret = secrets.token_hex(32)
            data.webhook_secrets[record["id"]] = secret
            data.add("webhooks", record)
            return ok({**record, "secret": secret})

    @app.delete("/v2/webhooks/<id>")
    def delete_webhook(id: str) -> Response:
        with state.lock:
            return _deleted(state, "webhooks", id)


def _check_user_update(state: SandboxState, body: dict[str, Any]) -> None:
    for name in ("first_name", "last_name"):
        if name in body and not body[name].strip():
            raise bad_request(f"Invalid {name}", name)
    for team in body.get("teams", []):
        if team not in state.data.collections["teams"] or team in state.data.deleted:
            raise bad_request(f"No such team: '{team}'", "teams")


def _check_webhook(body: dict[str, Any]) -> None:
    for name in ("name", "url"):
        if not body[name].strip():
            raise bad_request(f"Missing required field: {name}", name)
    parts = urlsplit(body["url"])
    secure = parts.scheme == "https" and bool(parts.hostname)
    local = parts.scheme == "http" and is_loopback_host(parts.hostname or "")
    if not (secure or local):
        raise bad_request("The webhook url must be a valid https URL.", "url")
    if not body["events"]:
        raise bad_request("Subscribe to at least one event.", "events")
    for event in body["events"]:
        if event not in WEBHOOK_EVENTS:
            raise bad_request(f"Invalid event: {event}", "events")

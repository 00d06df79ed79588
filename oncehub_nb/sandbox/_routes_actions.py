"""Booking actions and the booking-calendar / master-page routes that create things."""

from __future__ import annotations

import copy
import secrets
import string
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, Response

from oncehub_nb.sandbox._bookings import calendar_fields
from oncehub_nb.sandbox._dataset import Dataset, Record, new_id
from oncehub_nb.sandbox._errors import ApiError, bad_request
from oncehub_nb.sandbox._http import json_body, ok, query_args
from oncehub_nb.sandbox._routes_read import get_record
from oncehub_nb.sandbox._state import SandboxState
from oncehub_nb.sandbox._times import iso, parse_time
from oncehub_nb.sandbox._webhook_delivery import deliver_event

_ACTIVE = {"scheduled", "rescheduled", "requested"}
_VC = {"google_meet", "microsoft_teams", "webex", "gotomeeting", "zoom"}


def _cancellable(booking: Record, verb: str) -> None:
    if booking["status"] not in _ACTIVE:
        raise ApiError(409, f"Booking cannot be {verb}")
    if booking.get("payment_information"):
        raise ApiError(422, f"Paid bookings cannot be {verb} through this endpoint.")


def time_slots(
    data: Dataset, calendar: Record, start: datetime, end: datetime, *, now: datetime
) -> list[Record]:
    """Free slots of ``calendar`` in ``[start, end)``: weekdays 09:00-17:00 UTC, after ``now``.

    Example:
        >>> from oncehub_nb.sandbox._data import generate
        >>> ds = generate(bookings=0, seed=0)
        >>> cal = next(iter(ds.collections["booking-calendars"].values()))
        >>> now = ds.anchor
        >>> slots = time_slots(ds, cal, now, now + timedelta(days=7), now=now)
        >>> sorted(slots[0])
        ['locations', 'start_time']
    """
    step = timedelta(minutes=int(calendar["duration_minutes"]))
    taken = {
        b["starting_time"]
        for b in data.collections["bookings"].values()
        if b["booking_calendar"] == calendar["id"] and b["status"] in _ACTIVE
    }
    locations = data.calendars[calendar["id"]].locations
    earliest = max(start, now)
    slots: list[Record] = []
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    while day < end:
        if day.weekday() < 5:
            moment, closing = day.replace(hour=9), day.replace(hour=17)
            while moment + step <= closing:
                stamp = iso(moment)
                if start <= moment < end and moment >= earliest and stamp not in taken:
                    slots.append({"start_time": stamp, "locations": [dict(x) for x in locations]})
                moment += step
        day += timedelta(days=1)
    return slots


def _slot_range(query: dict[str, str], now: datetime) -> tuple[datetime, datetime]:
    start, end = now, None
    for name in ("start_time", "end_time"):
        raw = query.get(name)
        if raw is not None:
            moment = parse_time(raw)
            if moment is None:
                raise bad_request(f"Invalid date: {raw}", name)
            if name == "start_time":
                start = moment
            else:
                end = moment
    end = end or start + timedelta(days=7)
    if end <= start:
        raise bad_request("End time must be after the start time.", "end_time")
    if end - start > timedelta(days=30):
        raise bad_request("The time range cannot be longer than 30 days.", "end_time")
    return start, end


def _published(calendar: Record, status: int) -> None:
    if not calendar["published"]:
        raise ApiError(status, "This booking calendar is not published.", param="id")


def _seated(data: Dataset, calendar: Record) -> None:
    """402 when the calendar's host (a user) has no seat assigned (time slots, scheduling)."""
    if calendar["host"] in data.seatless:
        raise ApiError(402, "The host of this booking calendar has no seat assigned.", param="id")


#: Unused one-time links are deleted after this long (OnceHub's docs: 90 days).
LINK_LIFETIME = timedelta(days=90)


def _store_link(state: SandboxState, source: str, url: str, token: str, body: Record) -> Record:
    now = state.clock.now()
    links = state.data.one_time_links
    oldest = iso(now - LINK_LIFETIME)
    for stale in [key for key, link in links.items() if link["creation_time"] < oldest]:
        del links[stale]
    link = {"id": token, "url": url, "creation_time": iso(now)}
    links[token] = {**link, "source": source, "used": False, **copy.deepcopy(body)}
    return link


def _token(length: int) -> str:
    return "".join(secrets.choice(string.ascii_uppercase + string.digits) for _ in range(length))


def register_action_routes(app: Flask, state: SandboxState) -> None:
    """Add booking actions, time slots, scheduling and one-time links to ``app``.

    Example:
        >>> app = Flask(__name__)
        >>> register_action_routes(app, SandboxState(bookings=1))
        >>> any(r.rule.endswith("/no-show") for r in app.url_map.iter_rules())
        True
    """
    data = state.data

    def touched(booking: Record, event: str) -> Response:
        booking["last_updated_time"] = iso(state.clock.now())
        deliver_event(state, event, booking)
        return ok(booking)

    # The booking actions ignore fields they do not know (the spec allows any), as OnceHub's
    # docs describe "Unsupported fields" answers only for users and contacts.

    def cancel_by_user(id: str, reason_field: str, action: str) -> Response:
        """Cancel (or cancel asking to reschedule): both end ``canceled``, with the reason."""
        body = json_body()
        with state.lock:
            booking = get_record(state, "bookings", id)
            _cancellable(booking, action)
            booking["status"] = "canceled"
            booking["cancel_reschedule_information"] = {
                "reason": str(body.get(reason_field) or ""),
                "actioned_by": "user",
                "user_id": booking["owner"],
            }
            event = (
                "booking.canceled"
                if action == "canceled"
                else ("booking.canceled_reschedule_requested")
            )
            return touched(booking, event)

    @app.post("/v2/bookings/<id>/cancel")
    def cancel(id: str) -> Response:
        return cancel_by_user(id, "cancellation_reason", "canceled")

    @app.post("/v2/bookings/<id>/request-reschedule")
    def request_reschedule(id: str) -> Response:
        return cancel_by_user(id, "reschedule_reason", "rescheduled")

    @app.post("/v2/bookings/<id>/reassign")
    def reassign(id: str) -> Response:
        body = json_body()
        new_host = body["new_host"]
        if not new_host:
            raise bad_request("Missing required field: new_host", "new_host")
        location = body.get("location")
        if location is not None and location["value"] not in _VC:
            raise bad_request("Invalid location.value", "location.value")
        with state.lock:
            booking = get_record(state, "bookings", id)
            user = data.collections["users"].get(new_host)
            if user is None or new_host in data.deleted:
                raise ApiError(404, f"No such user: '{new_host}'", param="new_host")
            if user["status"] != "active":
                raise ApiError(409, "The new host is not an active user.", param="new_host")
            if new_host in data.seatless:
                raise ApiError(409, "The new host has no seat assigned.", param="new_host")
            if booking["owner"] == new_host:
                raise ApiError(
                    409, "The booking is already assigned to this user.", param="new_host"
                )
            if booking["booking_calendar"] is None or booking["status"] not in _ACTIVE:
                raise ApiError(409, "This booking cannot be reassigned.")
            booking["owner"] = new_host
            booking["attendees"] = [user["email"], *booking["attendees"][1:]]
            return touched(booking, "booking.reassigned")

    @app.post("/v2/bookings/<id>/no-show")
    def no_show(id: str) -> Response:
        with state.lock:
            booking = get_record(state, "bookings", id)
            past = booking["starting_time"] < iso(state.clock.now())
            if not past or booking["status"] not in {"scheduled", "rescheduled", "completed"}:
                raise ApiError(409, "Cannot update booking status to no_show")
            booking["status"] = "no_show"
            return touched(booking, "booking.no_show")

    @app.get("/v2/booking-calendars/<id>/time-slots")
    def get_time_slots(id: str) -> Response:
        with state.lock:
            calendar = get_record(state, "booking-calendars", id)
            now = state.clock.now()
            start, end = _slot_range(query_args(), now)
            _published(calendar, 422)
            _seated(data, calendar)
            return ok(time_slots(data, calendar, start, end, now=now))

    @app.post("/v2/booking-calendars/<id>/schedule")
    def schedule(id: str) -> Response:
        body = json_body()
        if not body["guest_time_zone"]:
            raise bad_request("Missing required field: guest_time_zone", "guest_time_zone")
        form = body["booking_form"]
        for name in ("name", "email"):
            if not form[name]:
                raise bad_request(
                    f"Missing required field: booking_form.{name}", f"booking_form.{name}"
                )
        start = parse_time(str(body["start_time"]))
        if start is None:  # a date-time (checked at the door) that Python cannot read
            raise bad_request(f"Invalid date: {body['start_time']}", "start_time")
        location = {"type": "virtual", "value": None, **(body.get("location") or {})}
        with state.lock:
            calendar = get_record(state, "booking-calendars", id)
            _published(calendar, 422)
            _seated(data, calendar)
            day = start.replace(hour=0, minute=0, second=0, microsecond=0)
            free = {
                s["start_time"]
                for s in time_slots(
                    data, calendar, day, day + timedelta(days=1), now=state.clock.now()
                )
            }
            if iso(start) not in free:
                raise bad_request("The selected start time is not available.", "start_time")
            booking = _new_booking(state, calendar, start, body, location)
            deliver_event(state, "booking.scheduled", booking)
            return ok({"id": booking["id"]})

    @app.post("/v2/booking-calendars/<id>/one-time-links")
    def calendar_link(id: str) -> Response:
        body = json_body()
        fields = ("hide_url_params", "booking_form", "utm_params")
        known: Record = {name: body[name] for name in fields if name in body}
        with state.lock:
            _published(get_record(state, "booking-calendars", id), 400)
            token = _token(12)
            return ok(_store_link(state, id, f"https://oncehub.com/.{token}", token, known))

    @app.post("/v2/master-pages/<id>/one-time-links")
    def master_page_link(id: str) -> Response:
        with state.lock:
            page = get_record(state, "master-pages", id)
            if not page["active"]:
                raise bad_request(
                    "One-time links cannot be created for an inactive master page.", "id"
                )
            token = _token(8)
            return ok(_store_link(state, id, f"https://go.oncehub.com/.{token}", token, {}))


def _new_booking(
    state: SandboxState, calendar: Record, start: datetime, body: dict[str, Any], location: Record
) -> Record:
    form: dict[str, Any] = body["booking_form"]
    data, rng = state.data, state.rng
    users = data.collections["users"]
    host = calendar["host"]
    owner = host
    if host.startswith("TM-"):
        members = [u for u in data.live("users") if host in u["teams"] and u["status"] == "active"]
        owner = members[0]["id"] if members else data.live("users")[-1]["id"]
    contact = next((c for c in data.live("contacts") if c["email"] == form["email"]), None)
    stamp = iso(state.clock.now())
    if contact is None:
        first, _, last = str(form["name"]).partition(" ")
        contact = data.add("contacts", {
            "object": "contact", "id": new_id(rng, "CTC", 14, data.used_ids),
            "creation_time": stamp, "last_updated_time": stamp, "last_interacted_time": stamp,
            "owner": owner, "status": None, "email": form["email"], "first_name": first,
            "last_name": last or None, "salutation": None, "job_title": None, "company": None,
            "company_size": None, "employees": 0, "phone": form.get("phone"), "mobile_phone": None,
            "street_address": None, "city": None, "state": None, "post_code": None,
            "country": None, "timezone": body["guest_time_zone"], "has_consent": False,
            "terms_of_sevice": False, "custom_fields": [],
        })  # fmt: skip
    booking_id = new_id(rng, "BKNG", 12, data.used_ids)
    virtual = location["type"] in ("virtual", "virtual_static")
    extra = {k: v for k, v in form.items() if k not in ("name", "email", "phone")}
    record: Record = {
        "object": "booking", "id": booking_id, "tracking_id": booking_id,
        "subject": calendar["subject"], "status": "scheduled", "in_trash": False,
        "creation_time": stamp, "starting_time": iso(start), "last_updated_time": stamp,
        "attendees": [users[owner]["email"], form["email"]], "owner": owner,
        "duration_minutes": int(calendar["duration_minutes"]),
        "virtual_conferencing": {"join_url": f"https://zoom.us/j/{rng.randint(10**9, 10**10)}"}
        if virtual else None,
        "location_description": None if virtual else str(location.get("value") or ""),
        "rescheduled_booking_id": None, "cancel_reschedule_information": None,
        "customer_timezone": body["guest_time_zone"],
        "form_submission": {
            "name": form["name"], "email": form["email"], "phone": form.get("phone"),
            "mobile_phone": None, "note": None, "company": None, "guests": [],
            "custom_fields": [{"name": k, "value": v} for k, v in extra.items()],
        },
        "booking_page": None, "master_page": None, "event_type": None,
        "external_calendar": {"type": "google", "name": users[owner]["email"],
                              "id": users[owner]["email"], "event_id": _token(26).lower()},
        "conversation": None, "utm_params": None, "contact": contact["id"],
    }  # fmt: skip
    record.update(calendar_fields(data, rng, calendar, booking_id))
    record["custom_fields"] = []
    contact["last_interacted_time"] = stamp
    return data.add("bookings", record)

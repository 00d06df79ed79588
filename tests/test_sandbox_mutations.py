"""Sandbox writes: booking actions and conflicts, contacts, users, webhooks, slots, deletion."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import requests

from oncehub_nb.sandbox import Sandbox


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(bookings=150, seed=9, rate_limit=False) as sandbox:
        yield sandbox


@pytest.fixture
def http(sb: Sandbox) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers["API-Key"] = sb.api_key
        yield session


def call(
    http: requests.Session, sb: Sandbox, method: str, path: str, body: Any = None
) -> requests.Response:
    return http.request(method, f"{sb.base_url}{path}", json=body, timeout=5)


def status_and_param(answer: requests.Response) -> tuple[int, str | None]:
    return answer.status_code, answer.json().get("param")


def first(sb: Sandbox, **match: Any) -> dict[str, Any]:
    for booking in sb.ground_truth("bookings"):
        if all(
            (booking[k] is not None) == v if isinstance(v, bool) else booking[k] == v
            for k, v in match.items()
        ):
            return booking
    raise AssertionError(f"no booking matches {match}")


def test_cancel_and_its_conflicts(http: requests.Session, sb: Sandbox) -> None:
    booking = first(sb, status="scheduled", payment_information=False)
    answer = call(
        http, sb, "POST", f"/bookings/{booking['id']}/cancel", {"cancellation_reason": "Busy"}
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "canceled"
    assert body["cancel_reschedule_information"]["reason"] == "Busy"
    assert body["last_updated_time"] > booking["last_updated_time"]
    again = call(http, sb, "POST", f"/bookings/{booking['id']}/cancel")
    assert again.status_code == 409
    paid = first(sb, status="scheduled", payment_information=True)
    assert call(http, sb, "POST", f"/bookings/{paid['id']}/cancel").status_code == 422
    assert call(http, sb, "POST", f"/bookings/{paid['id']}/request-reschedule").status_code == 422
    assert call(http, sb, "POST", "/bookings/BKNG-NOPE/cancel").status_code == 404
    bad = call(http, sb, "POST", f"/bookings/{paid['id']}/cancel", {"cancellation_reason": 5})
    assert status_and_param(bad) == (400, "cancellation_reason")  # checked at the door
    # A field the spec does not name is ignored (the spec allows any): the state decides.
    extra = call(http, sb, "POST", f"/bookings/{paid['id']}/cancel", {"reason": "x"})
    assert extra.status_code == 422


def test_updated_booking_is_found_by_last_updated_filter(
    http: requests.Session, sb: Sandbox
) -> None:
    booking = first(sb, status="requested")
    before = sb.now() - timedelta(seconds=1)
    assert call(
        http,
        sb,
        "POST",
        f"/bookings/{booking['id']}/request-reschedule",
        {"reschedule_reason": "Trip"},
    ).ok
    stamp = before.isoformat().replace("+00:00", "Z")
    found = http.get(
        f"{sb.base_url}/bookings", params={"last_updated_time.gt": stamp}, timeout=5
    ).json()
    assert booking["id"] in [b["id"] for b in found["data"]]
    truth = [b["id"] for b in sb.ground_truth("bookings")]
    assert truth.index(booking["id"]) == [b["id"] for b in sb.state.data.live("bookings")].index(
        booking["id"]
    )


def test_no_show_and_reassign(http: requests.Session, sb: Sandbox) -> None:
    past = first(sb, status="completed")
    assert call(http, sb, "POST", f"/bookings/{past['id']}/no-show").json()["status"] == "no_show"
    assert call(http, sb, "POST", f"/bookings/{past['id']}/no-show").status_code == 409
    canceled = first(sb, status="canceled")
    assert call(http, sb, "POST", f"/bookings/{canceled['id']}/no-show").status_code == 409
    booking = first(sb, status="scheduled", booking_calendar=True)
    users = sb.ground_truth("users")
    other = next(u for u in users if u["id"] != booking["owner"] and u["status"] == "active")
    invited = next(u for u in users if u["status"] == "invited")
    path = f"/bookings/{booking['id']}/reassign"
    assert status_and_param(call(http, sb, "POST", path, {})) == (400, "new_host")
    assert status_and_param(call(http, sb, "POST", path, {"new_host": "USR-NOPE"})) == (
        404,
        "new_host",
    )
    assert call(http, sb, "POST", path, {"new_host": invited["id"]}).status_code == 409
    bad_location = {
        "new_host": other["id"],
        "location": {"type": "virtual", "value": "carrier_pigeon"},
    }
    assert status_and_param(call(http, sb, "POST", path, bad_location)) == (400, "location.value")
    moved = call(
        http,
        sb,
        "POST",
        path,
        {"new_host": other["id"], "location": {"type": "virtual", "value": "zoom"}},
    )
    assert moved.json()["owner"] == other["id"]
    assert call(http, sb, "POST", path, {"new_host": other["id"]}).status_code == 409


def test_contacts_crud_and_deleted(http: requests.Session, sb: Sandbox) -> None:
    new = {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@analytical.example.com"}
    created = call(http, sb, "POST", "/contacts", new)
    assert created.status_code == 201
    contact = created.json()
    assert contact["id"].startswith("CTC-")
    assert contact["email"] == new["email"]
    assert http.get(f"{sb.base_url}/contacts", timeout=5).json()["data"][0]["id"] == contact["id"]
    assert call(http, sb, "POST", "/contacts", new).status_code == 409
    assert status_and_param(call(http, sb, "POST", "/contacts", {"first_name": "A"})) == (
        400,
        "last_name",
    )
    assert status_and_param(
        call(http, sb, "POST", "/contacts", {**new, "email": "b@x.example.com", "shoe": 9})
    ) == (400, "shoe")
    path = f"/contacts/{contact['id']}"
    patched = call(
        http,
        sb,
        "PATCH",
        path,
        {"job_title": "Analyst", "custom_fields": [{"name": "a", "value": 1}]},
    )
    assert patched.json()["job_title"] == "Analyst"
    assert patched.json()["custom_fields"] == [{"name": "a", "value": 1}]
    assert status_and_param(call(http, sb, "PATCH", path, {"email": "new@x.example.com"})) == (
        400,
        "email",
    )
    assert call(http, sb, "DELETE", path).json() == {"id": contact["id"], "deleted": True}
    assert call(http, sb, "GET", path).json() == {
        "id": contact["id"],
        "object": "contact",
        "deleted": True,
    }
    assert contact["id"] not in [c["id"] for c in sb.ground_truth("contacts")]
    assert call(http, sb, "DELETE", path).status_code == 404


def test_users(http: requests.Session, sb: Sandbox) -> None:
    body = {
        "email": "grace@example.com",
        "first_name": "Grace",
        "last_name": "Hopper",
        "role_name": "Administrator",
    }
    created = call(http, sb, "POST", "/users", body)
    assert created.status_code == 200
    user = created.json()
    assert user["status"] == "invited"
    assert user["role_name"] == "Administrator"
    assert status_and_param(call(http, sb, "POST", "/users", body)) == (400, "email")
    assert status_and_param(
        call(
            http,
            sb,
            "POST",
            "/users",
            {**body, "email": "g2@example.com", "role_name": "Account Owner"},
        )
    ) == (400, "role_name")
    team = sb.ground_truth("teams")[0]["id"]
    assert call(http, sb, "PATCH", f"/users/{user['id']}", {"teams": [team]}).json()["teams"] == [
        team
    ]
    owner = next(u for u in sb.ground_truth("users") if u["role_name"] == "Account Owner")
    assert call(http, sb, "PATCH", f"/users/{owner['id']}", {"first_name": "X"}).status_code == 403
    availability = call(http, sb, "GET", f"/users/{user['id']}/scheduling-availability").json()
    assert availability["object"] == "schedule"
    assert availability["weekly"]
    saturday = {
        "weekly": [
            {
                "day": "Saturday",
                "working_hours": [
                    {
                        "start_time": "10:00",
                        "end_time": "12:00",
                        "locations": [{"type": "online_dynamic_link", "value": "zoom"}],
                    }
                ],
            }
        ]
    }
    updated = call(
        http, sb, "PATCH", f"/users/{user['id']}/scheduling-availability", saturday
    ).json()
    assert updated["weekly"][-1]["day"] == "Saturday"
    overlap = {"weekly": [{"day": "Monday", "working_hours": [
        {"start_time": "09:00", "end_time": "12:00", "locations": []},
        {"start_time": "11:00", "end_time": "13:00", "locations": []}]}]}  # fmt: skip
    assert (
        call(http, sb, "PATCH", f"/users/{user['id']}/scheduling-availability", overlap).status_code
        == 400
    )
    assert call(http, sb, "DELETE", f"/users/{user['id']}").json()["deleted"] is True
    assert call(http, sb, "PATCH", f"/users/{user['id']}", {"first_name": "X"}).status_code == 410
    assert call(http, sb, "GET", f"/users/{user['id']}").json()["deleted"] is True


def test_webhooks(http: requests.Session, sb: Sandbox) -> None:
    body = {
        "name": "Local receiver",
        "url": "http://127.0.0.1:9/hook",
        "events": ["booking.scheduled"],
    }
    created = call(http, sb, "POST", "/webhooks", body)
    assert created.status_code == 200
    hook = created.json()
    assert len(hook["secret"]) >= 32
    assert hook["api_version"] == "v2"
    assert "secret" not in call(http, sb, "GET", f"/webhooks/{hook['id']}").json()
    assert call(http, sb, "POST", "/webhooks", body).status_code == 409
    insecure = {**body, "name": "Other", "url": "http://example.com/hook"}
    assert status_and_param(call(http, sb, "POST", "/webhooks", insecure)) == (400, "url")
    unknown = {**body, "name": "Other", "events": ["booking.exploded"]}
    assert status_and_param(call(http, sb, "POST", "/webhooks", unknown)) == (400, "events")
    assert call(http, sb, "DELETE", f"/webhooks/{hook['id']}").json() == {
        "id": hook["id"],
        "deleted": True,
    }
    assert hook["id"] not in [w["id"] for w in call(http, sb, "GET", "/webhooks").json()["data"]]


def test_time_slots_and_schedule(http: requests.Session, sb: Sandbox) -> None:
    calendars = sb.ground_truth("booking-calendars")
    calendar = next(c for c in calendars if c["published"])
    unpublished = next(c for c in calendars if not c["published"])
    path = f"/booking-calendars/{calendar['id']}"
    slots = http.get(f"{sb.base_url}{path}/time-slots", timeout=5).json()
    assert isinstance(slots, list)
    assert slots
    assert set(slots[0]) == {"start_time", "locations"}
    start = sb.now()
    params = {"start_time": start.isoformat(), "end_time": (start - timedelta(hours=1)).isoformat()}
    answer = http.get(f"{sb.base_url}{path}/time-slots", params=params, timeout=5)
    assert answer.status_code == 400
    assert "after the start" in answer.json()["message"]
    params["end_time"] = (start + timedelta(days=31)).isoformat()
    assert http.get(f"{sb.base_url}{path}/time-slots", params=params, timeout=5).status_code == 400
    assert (
        http.get(
            f"{sb.base_url}/booking-calendars/{unpublished['id']}/time-slots", timeout=5
        ).status_code
        == 422
    )
    form = {"name": "Guest Person", "email": "guest.person@example.com"}
    booking = {
        "start_time": slots[0]["start_time"],
        "guest_time_zone": "Europe/Paris",
        "booking_form": form,
    }
    scheduled = call(http, sb, "POST", f"{path}/schedule", booking)
    assert scheduled.status_code == 200
    assert set(scheduled.json()) == {"id"}
    new = call(http, sb, "GET", f"/bookings/{scheduled.json()['id']}").json()
    assert new["booking_calendar"] == calendar["id"]
    assert new["status"] == "scheduled"
    assert status_and_param(call(http, sb, "POST", f"{path}/schedule", booking)) == (
        400,
        "start_time",
    )
    assert status_and_param(call(http, sb, "POST", f"{path}/schedule", {"booking_form": form})) == (
        400,
        "start_time",
    )
    assert (
        call(
            http, sb, "POST", f"/booking-calendars/{unpublished['id']}/schedule", booking
        ).status_code
        == 422
    )
    link = call(http, sb, "POST", f"{path}/one-time-links", {"hide_url_params": True}).json()
    assert set(link) == {"id", "url", "creation_time"}
    master = next(m for m in sb.ground_truth("master-pages") if m["active"])
    assert call(http, sb, "POST", f"/master-pages/{master['id']}/one-time-links").status_code == 200
    assert call(http, sb, "POST", "/master-pages/MP-NOPE/one-time-links").status_code == 404

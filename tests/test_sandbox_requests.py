"""Requests are checked at the door against each operation's request schema; 402; one-time links."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from oncehub_nb.sandbox import Sandbox
from oncehub_nb.sandbox._request_schemas import OPERATIONS


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(bookings=40, seed=4, rate_limit=False) as sandbox:
        yield sandbox


@pytest.fixture
def http(sb: Sandbox) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers["API-Key"] = sb.api_key
        yield session


def refused(answer: requests.Response) -> tuple[int, str | None, str]:
    body = answer.json()
    return answer.status_code, body.get("param"), body["type"]


def test_every_served_api_route_has_a_request_schema(sb: Sandbox) -> None:
    served = {
        f"{method} {rule.rule.replace('<', '{').replace('>', '}')}"
        for rule in sb.app.url_map.iter_rules()
        if rule.rule.startswith("/v2/")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert served == set(OPERATIONS)


@pytest.mark.parametrize(
    ("path", "body", "param"),
    [
        ("/contacts", {"first_name": "A", "last_name": "B", "status": {}}, "status"),  # was a 500
        ("/contacts", {"first_name": "A", "last_name": "B", "employees": "3"}, "employees"),
        ("/contacts", {"first_name": "A", "last_name": "B", "has_consent": 1}, "has_consent"),
        ("/contacts", {"first_name": "A", "last_name": "B", "status": "Hot"}, "status"),
        ("/contacts", {"first_name": "A"}, "last_name"),
        (
            "/contacts",
            {"first_name": "A", "last_name": "B", "custom_fields": [1]},
            "custom_fields.0",
        ),
        ("/users", {"email": "not-an-email", "first_name": "A", "last_name": "B"}, "email"),
        (
            "/users",
            {"email": "a@b.c", "first_name": "A", "last_name": "B", "teams": "TM-1"},
            "teams",
        ),
        ("/webhooks", {"name": "x", "url": "https://a.example"}, "events"),
    ],
)
def test_a_body_the_schema_calls_invalid_is_a_400_with_param(
    http: requests.Session, sb: Sandbox, path: str, body: Any, param: str
) -> None:
    answer = http.post(f"{sb.base_url}{path}", json=body, timeout=5)
    assert refused(answer) == (400, param, "invalid_request_error"), answer.text


def test_nested_fields_and_query_values_are_checked_too(
    http: requests.Session, sb: Sandbox
) -> None:
    calendar = next(c for c in sb.ground_truth("booking-calendars") if c["published"])
    schedule = f"{sb.base_url}/booking-calendars/{calendar['id']}/schedule"
    body = {"start_time": "2026-06-02T09:00:00Z", "guest_time_zone": "UTC",
            "booking_form": {"name": "A"}}  # fmt: skip
    assert refused(http.post(schedule, json=body, timeout=5))[:2] == (400, "booking_form.email")
    body["booking_form"] = {"name": "A", "email": "a@b.c"}
    body["start_time"] = "tomorrow"
    assert refused(http.post(schedule, json=body, timeout=5))[:2] == (400, "start_time")
    booking = sb.ground_truth("bookings")[0]["id"]
    move = http.post(
        f"{sb.base_url}/bookings/{booking}/reassign",
        json={"new_host": "USR-X", "location": {"type": "physical", "value": "zoom"}},
        timeout=5,
    )
    assert refused(move)[:2] == (400, "location.type")
    for query, param in [({"limit": "many"}, "limit"), ({"limit": "0"}, "limit"),
                         ({"recipient_type": "robot"}, "recipient_type"),
                         ({"creation_time.gt": "soon"}, "creation_time.gt")]:  # fmt: skip
        answer = http.get(f"{sb.base_url}/notifications/sms", params=query, timeout=5)
        assert refused(answer)[:2] == (400, param), query


def test_bodies_must_be_json_objects(http: requests.Session, sb: Sandbox) -> None:
    url = f"{sb.base_url}/contacts"
    person = '{"first_name": "T", "last_name": "P", "email": "t.p@example.com"}'
    as_text = http.post(url, data=person, headers={"Content-Type": "text/plain"}, timeout=5)
    assert refused(as_text) == (400, None, "invalid_request_error")
    assert "application/json" in as_text.json()["message"]
    for raw in ("[1, 2]", '"x"', "{not json", "[" * 100_000):
        answer = http.post(url, data=raw, headers={"Content-Type": "application/json"}, timeout=5)
        assert answer.status_code == 400, raw[:10]
    assert http.post(url, json=None, timeout=5).status_code == 400  # no body: names missing


def test_fields_the_spec_does_not_name_are_ignored_by_actions(
    http: requests.Session, sb: Sandbox
) -> None:
    booking = next(
        b for b in sb.ground_truth("bookings")
        if b["status"] == "scheduled" and not b.get("payment_information")
    )  # fmt: skip
    answer = http.post(
        f"{sb.base_url}/bookings/{booking['id']}/request-reschedule",
        json={"reschedule_reason": "Trip", "nickname": "ignored"},
        timeout=5,
    )
    assert answer.status_code == 200 and answer.json()["status"] == "canceled"


def test_empty_defaults_mean_absent(http: requests.Session, sb: Sandbox) -> None:
    # The spec declares booking_calendar and host on /bookings with default "": that value is
    # the same as leaving the parameter out.
    everything = http.get(f"{sb.base_url}/bookings", params={"limit": 5}, timeout=5).json()
    same = http.get(f"{sb.base_url}/bookings", params={"limit": 5, "host": ""}, timeout=5)
    assert same.json() == everything
    # time-slots also declares default "" for start_time, but with format date-time, which ""
    # is not: the format wins (an empty start_time is refused).
    calendar = next(c for c in sb.ground_truth("booking-calendars") if c["published"])
    slots = f"{sb.base_url}/booking-calendars/{calendar['id']}/time-slots"
    answer = http.get(slots, params={"start_time": ""}, timeout=5)
    assert refused(answer)[:2] == (400, "start_time")


def test_a_host_without_a_seat_gives_402(http: requests.Session, sb: Sandbox) -> None:
    calendar = next(
        c for c in sb.ground_truth("booking-calendars")
        if c["published"] and c["host"].startswith("USR-")
    )  # fmt: skip
    slots = f"{sb.base_url}/booking-calendars/{calendar['id']}/time-slots"
    free = http.get(slots, timeout=5).json()
    sb.set_seat(calendar["host"], assigned=False)
    try:
        assert refused(http.get(slots, timeout=5)) == (402, "id", "invalid_request_error")
        body = {"start_time": free[0]["start_time"], "guest_time_zone": "UTC",
                "booking_form": {"name": "Sam", "email": "sam@example.com"}}  # fmt: skip
        schedule = f"{sb.base_url}/booking-calendars/{calendar['id']}/schedule"
        assert http.post(schedule, json=body, timeout=5).status_code == 402
    finally:
        sb.set_seat(calendar["host"], assigned=True)
    assert http.get(slots, timeout=5).status_code == 200
    with pytest.raises(ValueError, match="no such user"):
        sb.set_seat("USR-NOPE", assigned=False)


def test_one_time_links_are_stored(http: requests.Session, sb: Sandbox) -> None:
    calendar = next(c for c in sb.ground_truth("booking-calendars") if c["published"])
    made = http.post(
        f"{sb.base_url}/booking-calendars/{calendar['id']}/one-time-links",
        json={"hide_url_params": True, "utm_params": {"source": "mail"}},
        timeout=5,
    ).json()
    page = next(p for p in sb.ground_truth("master-pages") if p["active"])
    other = http.post(f"{sb.base_url}/master-pages/{page['id']}/one-time-links", timeout=5).json()
    stored = {link["id"]: link for link in sb.ground_truth("one-time-links")}
    assert stored[made["id"]]["source"] == calendar["id"]
    assert stored[made["id"]]["url"] == made["url"] and stored[made["id"]]["hide_url_params"]
    assert stored[made["id"]]["utm_params"] == {"source": "mail"}
    assert stored[other["id"]]["source"] == page["id"] and not stored[other["id"]]["used"]
    assert made["creation_time"] == stored[made["id"]]["creation_time"]


def test_list_filters_and_the_door_agree(sb: Sandbox) -> None:
    """What a list route filters on is exactly what the door lets through (one truth each)."""
    from oncehub_nb.sandbox._routes_read import list_specs

    for spec in list_specs(sb.state.data):
        assert spec.allowed_params() == set(OPERATIONS[f"GET /v2/{spec.collection}"].query), (
            spec.collection
        )


def test_unknown_query_parameters_are_refused_at_the_door(
    http: requests.Session, sb: Sandbox
) -> None:
    for path in ("/test", "/bookings", f"/contacts/{sb.ground_truth('contacts')[0]['id']}"):
        answer = http.get(f"{sb.base_url}{path}", params={"limt": "5"}, timeout=5)
        assert refused(answer) == (400, "limt", "invalid_request_error"), path
        assert answer.json()["message"] == "Received unknown parameter: limt"

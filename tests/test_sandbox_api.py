"""The sandbox's API over real HTTP: pagination, filters, expand, errors, auth, mutations."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from oncehub_nb.sandbox import Sandbox

REQUEST_ID = re.compile(r"^req_[0-9a-f]{16}$")


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(bookings=120, seed=5, rate_limit=False) as sandbox:
        yield sandbox


@pytest.fixture
def http(sb: Sandbox) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers["API-Key"] = sb.api_key
        yield session


def get(http: requests.Session, sb: Sandbox, path: str, **params: Any) -> requests.Response:
    return http.get(f"{sb.base_url}{path}", params=params, timeout=5)


def assert_error(answer: requests.Response, status: int, param: str | None = None) -> str:
    assert answer.status_code == status, answer.text
    body = answer.json()
    assert body["type"] in {
        "invalid_request_error",
        "authentication_error",
        "rate_limit_error",
        "api_error",
    }
    assert body.get("param") == param
    assert REQUEST_ID.match(answer.headers["Request-Id"])
    return str(body["message"])


def walk(http: requests.Session, sb: Sandbox, path: str, limit: int, **params: Any) -> list[str]:
    seen: list[str] = []
    after = None
    while True:
        extra = (
            dict(params, limit=limit) if after is None else dict(params, limit=limit, after=after)
        )
        page = get(http, sb, path, **extra).json()
        seen += [r["id"] for r in page["data"]]
        if not page["has_more"]:
            return seen
        after = page["data"][-1]["id"]


# -- pagination ---------------------------------------------------------------------------------


def test_walk_forward_covers_everything_in_order(http: requests.Session, sb: Sandbox) -> None:
    truth = [b["id"] for b in sb.ground_truth("bookings")]
    assert walk(http, sb, "/bookings", 7) == truth
    created = [b["creation_time"] for b in sb.ground_truth("bookings")]
    assert created == sorted(created, reverse=True)


def test_default_limit_envelope_and_links(http: requests.Session, sb: Sandbox) -> None:
    answer = get(http, sb, "/bookings", status="completed")
    body = answer.json()
    assert set(body) == {"object", "data", "has_more"}
    assert body["object"] == "list"
    assert len(body["data"]) == 10
    assert body["has_more"] is True
    last = body["data"][-1]["id"]
    assert answer.headers["Link"] == f'<{sb.base_url}/bookings?limit=10&after={last}>; rel="next"'
    second = get(http, sb, "/bookings", limit=10, after=last)
    links = second.headers["Link"]
    assert 'rel="next"' in links
    assert 'rel="previous"' in links
    assert f"before={second.json()['data'][0]['id']}" in links
    assert "status" not in links


def test_before_walks_backwards_exclusively(http: requests.Session, sb: Sandbox) -> None:
    truth = [b["id"] for b in sb.ground_truth("bookings")]
    page = get(http, sb, "/bookings", limit=5, before=truth[12]).json()
    assert [r["id"] for r in page["data"]] == truth[7:12]
    assert page["has_more"] is True
    first = get(http, sb, "/bookings", limit=5, before=truth[5])
    assert [r["id"] for r in first.json()["data"]] == truth[0:5]
    assert first.json()["has_more"] is False
    assert 'rel="previous"' not in first.headers["Link"]
    collected: list[str] = []
    cursor = truth[-1]
    while True:
        body = get(http, sb, "/bookings", limit=9, before=cursor).json()
        collected = [r["id"] for r in body["data"]] + collected
        if not body["has_more"]:
            break
        cursor = body["data"][0]["id"]
    assert collected == truth[:-1]


def test_last_page_has_no_link(http: requests.Session, sb: Sandbox) -> None:
    answer = get(http, sb, "/users", limit=100)
    assert "Link" not in answer.headers
    assert answer.json()["has_more"] is False


@pytest.mark.parametrize(
    ("params", "param", "fragment"),
    [
        ({"limit": 0}, "limit", "between 1 and 100"),
        ({"limit": 101}, "limit", "between 1 and 100"),
        ({"limit": "ten"}, "limit", "ten"),
        ({"after": "BKNG-DOESNOTEXIST"}, "after", "BKNG-DOESNOTEXIST"),
        ({"stauts": "canceled"}, "stauts", "stauts"),
        ({"creation_time.gt": "2025-13-45T99:99:99Z"}, "creation_time.gt", "Invalid date"),
        (
            {
                "starting_time.gt": "2026-05-01T00:00:00Z",
                "starting_time.lt": "2026-04-01T00:00:00Z",
            },
            "starting_time.gt",
            "cannot be later",
        ),
        ({"expand": "owner"}, "expand", "This property cannot be expanded: owner"),
        ({"expand": "data.booking_calendar"}, "expand", "cannot be expanded"),
    ],
)
def test_validation_errors(
    http: requests.Session, sb: Sandbox, params: dict[str, Any], param: str, fragment: str
) -> None:
    assert fragment in assert_error(get(http, sb, "/bookings", **params), 400, param)


def test_before_and_after_together(http: requests.Session, sb: Sandbox) -> None:
    ids = [b["id"] for b in sb.ground_truth("bookings")]
    message = assert_error(get(http, sb, "/bookings", after=ids[0], before=ids[3]), 400)
    assert "both before and after" in message


# -- filters and expand -------------------------------------------------------------------------


def test_booking_filters(http: requests.Session, sb: Sandbox) -> None:
    truth = sb.ground_truth("bookings")
    some = truth[3]
    for name in ("status", "owner", "contact"):
        expected = [b["id"] for b in truth if b[name] == some[name]]
        assert walk(http, sb, "/bookings", 100, **{name: some[name]}) == expected
    calendar_booking = next(b for b in truth if b["booking_calendar"])
    expected = [
        b["id"] for b in truth if b["booking_calendar"] == calendar_booking["booking_calendar"]
    ]
    assert (
        walk(http, sb, "/bookings", 100, booking_calendar=calendar_booking["booking_calendar"])
        == expected
    )
    page_booking = next(b for b in truth if b["booking_page"])
    for name in ("booking_page", "event_type"):
        expected = [b["id"] for b in truth if b[name] == page_booking[name]]
        assert walk(http, sb, "/bookings", 100, **{name: page_booking[name]}) == expected


@pytest.mark.parametrize(
    "stamp", ["2026-03-01T00:00:00Z", "2026-03-01T00:00:00.000Z", "2026-03-01T02:00:00+02:00"]
)
def test_time_filters_accept_iso_variants(http: requests.Session, sb: Sandbox, stamp: str) -> None:
    truth = sb.ground_truth("bookings")
    expected = [b["id"] for b in truth if b["creation_time"] > "2026-03-01T00:00:00.000Z"]
    assert walk(http, sb, "/bookings", 100, **{"creation_time.gt": stamp}) == expected
    window = {
        "starting_time.gt": "2026-02-01T00:00:00Z",
        "starting_time.lt": "2026-04-01T00:00:00Z",
    }
    inside = [b["id"] for b in truth if "2026-02-01" < b["starting_time"] < "2026-04-01"]
    assert walk(http, sb, "/bookings", 100, **window) == inside


def test_other_resource_filters(http: requests.Session, sb: Sandbox) -> None:
    user = sb.ground_truth("users")[2]
    assert [u["id"] for u in get(http, sb, "/users", email=user["email"]).json()["data"]] == [
        user["id"]
    ]
    teams = get(http, sb, "/teams", user=user["id"]).json()["data"]
    assert sorted(t["id"] for t in teams) == user["teams"]
    contact = sb.ground_truth("contacts")[0]
    assert (
        get(http, sb, "/contacts", email=contact["email"]).json()["data"][0]["id"] == contact["id"]
    )
    calendar = next(c for c in sb.ground_truth("booking-calendars") if c["host"].startswith("TM-"))
    hosted = get(http, sb, "/booking-calendars", host=calendar["host"]).json()["data"]
    assert calendar["id"] in [c["id"] for c in hosted]
    assert {
        s["recipient_type"]
        for s in get(http, sb, "/notifications/sms", recipient_type="user").json()["data"]
    } <= {"user"}
    assert_error(get(http, sb, "/notifications/sms", recipient_type="robot"), 400, "recipient_type")
    page = sb.ground_truth("booking-pages")[0]
    links = sb.state.data.page_links[page["id"]]
    for name, value in (("user", links.user), ("event_type", links.event_types[0])):
        assert page["id"] in [
            p["id"] for p in get(http, sb, "/booking-pages", **{name: value}).json()["data"]
        ]
    assert_error(get(http, sb, "/teams", email="x@example.com"), 400, "email")


def test_expand_on_single_and_list(http: requests.Session, sb: Sandbox) -> None:
    booking = next(b for b in sb.ground_truth("bookings") if b["booking_page"])
    one = get(http, sb, f"/bookings/{booking['id']}", expand="owner,event_type,contact").json()
    assert one["owner"]["object"] == "user"
    assert one["owner"]["id"] == booking["owner"]
    assert one["event_type"]["id"] == booking["event_type"]
    assert one["contact"]["email"] == one["form_submission"]["email"]
    listed = get(http, sb, "/bookings", limit=3, expand="data.owner,data.booking_page").json()[
        "data"
    ]
    assert all(isinstance(b["owner"], dict) for b in listed)
    assert_error(get(http, sb, f"/bookings/{booking['id']}", expand="data.owner"), 400, "expand")
    sms = get(http, sb, "/notifications/sms", limit=2, expand="data.recipient").json()["data"]
    assert all(isinstance(s["recipient"], dict) for s in sms)


# -- auth, errors, request ids -----------------------------------------------------------------


def test_auth(sb: Sandbox) -> None:
    url = f"{sb.base_url}/bookings"
    missing = requests.get(url, timeout=5)
    assert assert_error(missing, 401) == "Invalid API key."
    assert missing.json()["type"] == "authentication_error"
    assert_error(requests.get(url, headers={"API-Key": "wrong"}, timeout=5), 401)
    assert requests.get(url, headers={"api-key": sb.api_key}, timeout=5).status_code == 200
    assert requests.get(url, headers={"API-key": sb.api_key}, timeout=5).status_code == 200
    plan = requests.get(url, headers={"API-Key": sb.no_plan_api_key}, timeout=5)
    assert "plan" in assert_error(plan, 403)
    assert plan.json()["type"] == "authentication_error"


def test_not_found_and_unknown_routes(http: requests.Session, sb: Sandbox) -> None:
    assert (
        assert_error(get(http, sb, "/bookings/BKNG-NOPE"), 404, "id")
        == "No such booking: 'BKNG-NOPE'"
    )
    assert_error(get(http, sb, "/nothing-here"), 404)
    not_allowed = http.put(f"{sb.base_url}/bookings", timeout=5)
    assert_error(not_allowed, 405)
    assert set(not_allowed.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS"}
    trace = http.request("TRACE", f"{sb.base_url}/bookings/BKNG-X/cancel", timeout=5)
    assert trace.status_code == 405 and "POST" in trace.headers["Allow"]
    ids = {answer.headers["Request-Id"] for answer in [get(http, sb, "/test") for _ in range(3)]}
    assert len(ids) == 3
    assert all(REQUEST_ID.match(i) for i in ids)
    admin = requests.get(f"{sb.root_url}/_sandbox/stats", headers=sb.admin_headers, timeout=5)
    assert REQUEST_ID.match(admin.headers["Request-Id"])


def test_every_resource_lists_and_gets(http: requests.Session, sb: Sandbox) -> None:
    for path in ["bookings", "booking-calendars", "booking-pages", "event-types", "master-pages",
                 "users", "teams", "contacts", "webhooks", "notifications/sms"]:  # fmt: skip
        page = get(http, sb, f"/{path}", limit=2).json()
        assert page["object"] == "list", path
        assert page["data"], path
        first = page["data"][0]
        assert get(http, sb, f"/{path}/{first['id']}").json() == first

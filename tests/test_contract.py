"""Every sandbox response the SDK relies on validates against OnceHub's official OpenAPI spec.

The spec is OnceHub's copyrighted material: it is read from ``../shared/reference/`` (or the
directory in ``ONCEHUB_REFERENCE_DIR``) and never copied into this repository. Every test runs
against both profiles: ``spec`` answers are validated against the official spec strictly,
``live`` answers against the spec plus the sandbox's documented departures
(``oncehub_nb.sandbox.DEPARTURES``) and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from oncehub_nb.sandbox import DEPARTURES, Sandbox, conform, live_spec
from tests._spec import require_spec

openapi_core = pytest.importorskip("openapi_core")
from openapi_core import OpenAPI  # noqa: E402
from openapi_core.contrib.requests import (  # noqa: E402
    RequestsOpenAPIRequest,
    RequestsOpenAPIResponse,
)

SPEC_SERVER = "https://api.oncehub.com/v2"


def tooling_fixes(raw: dict[str, Any]) -> dict[str, Any]:
    """What openapi-core needs to load the spec at all (not a sandbox departure).

    The time-slots parameters declare ``default: ""`` with ``format: date-time``: openapi-core
    refuses a default that fails its own schema, so the defaults are dropped here.
    """
    slots = raw["paths"]["/booking-calendars/{id}/time-slots"]["get"]["parameters"]
    for param in slots:
        if param.get("name") in ("start_time", "end_time"):
            param["schema"].pop("default", None)
    return raw


PROFILE_SPECS = {
    # The live profile is held to the spec plus the documented departures only ...
    "live": live_spec,
    # ... the spec profile to the official spec itself.
    "spec": lambda raw: raw,
}


@pytest.fixture(scope="module", params=sorted(PROFILE_SPECS))
def profile(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def openapi(profile: str) -> Any:
    spec = json.loads(require_spec().read_text(encoding="utf-8"))
    return OpenAPI.from_dict(tooling_fixes(PROFILE_SPECS[profile](spec)))


@pytest.fixture(scope="module")
def sb(profile: str) -> Iterator[Sandbox]:
    with Sandbox(bookings=80, seed=21, rate_limit=False, profile=profile) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def http(sb: Sandbox) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers["API-Key"] = sb.api_key
        yield session


class Checker:
    """Send a real request to the sandbox and validate the answer against the spec."""

    def __init__(self, openapi: Any, sb: Sandbox, http: requests.Session) -> None:
        self.openapi, self.sb, self.http = openapi, sb, http

    def __call__(
        self,
        method: str,
        path: str,
        status: int = 200,
        *,
        params: dict[str, Any] | None = None,
        body: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        answer = self.http.request(
            method,
            f"{self.sb.base_url}{path}",
            params=params,
            json=body,
            headers=headers,
            timeout=5,
        )
        assert answer.status_code == status, answer.text
        # The spec's only server is https://api.oncehub.com/v2: present the request as if it
        # had gone there so openapi-core finds the operation.
        prepared = answer.request.copy()
        assert prepared.url is not None
        prepared.url = prepared.url.replace(self.sb.base_url, SPEC_SERVER, 1)
        self.openapi.validate_response(
            RequestsOpenAPIRequest(prepared), RequestsOpenAPIResponse(answer)
        )
        return answer.json()


@pytest.fixture
def check(openapi: Any, sb: Sandbox, http: requests.Session) -> Checker:
    return Checker(openapi, sb, http)


LISTS = ["bookings", "booking-calendars", "booking-pages", "event-types", "master-pages",
         "users", "teams", "contacts", "webhooks", "notifications/sms"]  # fmt: skip


@pytest.mark.parametrize("collection", LISTS)
def test_list_and_get(check: Checker, sb: Sandbox, collection: str) -> None:
    page = check("GET", f"/{collection}", params={"limit": 100})
    assert page["data"]
    if collection == "notifications/sms":
        return  # the spec has no GET /notifications/sms/{id}; the SDK only lists
    for record in page["data"][:25]:
        check("GET", f"/{collection}/{record['id']}")


def test_validation_really_checks_shapes(openapi: Any, sb: Sandbox, http: requests.Session) -> None:
    answer = http.get(f"{sb.base_url}/users", timeout=5)
    body = answer.json()
    body["data"][0]["status"] = "retired"  # not in the User status enum
    answer._content = json.dumps(body).encode()
    prepared = answer.request.copy()
    prepared.url = f"{SPEC_SERVER}/users"
    with pytest.raises(Exception, match=r"(?i)invalid"):
        openapi.validate_response(RequestsOpenAPIRequest(prepared), RequestsOpenAPIResponse(answer))


def test_every_booking_validates(check: Checker, sb: Sandbox) -> None:
    after = None
    while True:
        params: dict[str, Any] = {"limit": 100} if after is None else {"limit": 100, "after": after}
        page = check("GET", "/bookings", params=params)
        if not page["has_more"]:
            break
        after = page["data"][-1]["id"]


def test_expanded_bookings(check: Checker, sb: Sandbox) -> None:
    expand = "data.owner,data.contact,data.booking_page,data.master_page,data.event_type"
    check("GET", "/bookings", params={"limit": 100, "expand": expand})
    for booking in sb.ground_truth("bookings")[:10]:
        check("GET", f"/bookings/{booking['id']}", params={"expand": "owner,event_type,contact"})
    check("GET", "/notifications/sms", params={"expand": "data.recipient"})


def test_validate_key_and_auth_errors(check: Checker, sb: Sandbox) -> None:
    check("GET", "/test")
    check("GET", "/test", 401, headers={"API-Key": "wrong"})
    check("GET", "/test", 403, headers={"API-Key": sb.no_plan_api_key})
    check("GET", "/bookings", 401, headers={"API-Key": "wrong"})


def test_400_404_429(check: Checker, sb: Sandbox) -> None:
    check("GET", "/bookings", 400, params={"limit": 500})
    check("GET", "/bookings", 400, params={"creation_time.gt": "yesterday"})
    check("GET", "/bookings", 400, params={"expand": "data.nope"})
    check("GET", "/bookings/BKNG-NOPE", 404)
    sb.inject("429", count=1)
    check("GET", "/bookings", 429)


def _first(sb: Sandbox, **match: Any) -> dict[str, Any]:
    for booking in sb.ground_truth("bookings"):
        if all((booking[k] is not None) == v if isinstance(v, bool) else booking[k] == v
               for k, v in match.items()):  # fmt: skip
            return booking
    raise AssertionError(match)


def test_booking_actions(check: Checker, sb: Sandbox) -> None:
    target = _first(sb, status="scheduled", payment_information=False)
    check("POST", f"/bookings/{target['id']}/cancel", body={"cancellation_reason": "Conflict"})
    check("POST", f"/bookings/{target['id']}/cancel", 409)
    paid = _first(sb, status="scheduled", payment_information=True)
    check("POST", f"/bookings/{paid['id']}/cancel", 422)
    check("POST", f"/bookings/{paid['id']}/request-reschedule", 422)
    other = _first(sb, status="scheduled", payment_information=False)
    check("POST", f"/bookings/{other['id']}/request-reschedule", body={"reschedule_reason": "Trip"})
    check("POST", "/bookings/BKNG-NOPE/cancel", 404)
    move = _first(sb, status="scheduled", booking_calendar=True)
    host = next(
        u["id"] for u in sb.ground_truth("users")
        if u["status"] == "active" and u["id"] != move["owner"]
    )  # fmt: skip
    check("POST", f"/bookings/{move['id']}/reassign", body={"new_host": host})
    check("POST", f"/bookings/{move['id']}/reassign", 409, body={"new_host": host})
    past = _first(sb, status="completed")
    check("POST", f"/bookings/{past['id']}/no-show")
    check("POST", f"/bookings/{past['id']}/no-show", 409)


def test_calendar_slots_schedule_links(check: Checker, sb: Sandbox) -> None:
    calendars = sb.ground_truth("booking-calendars")
    calendar = next(c for c in calendars if c["published"])
    hidden = next(c for c in calendars if not c["published"])
    slots = check("GET", f"/booking-calendars/{calendar['id']}/time-slots")
    start = sb.now().isoformat()
    check("GET", f"/booking-calendars/{calendar['id']}/time-slots", 400,
          params={"start_time": start, "end_time": start})  # fmt: skip
    check("GET", f"/booking-calendars/{hidden['id']}/time-slots", 422)
    form = {"name": "Pat Guest", "email": "pat.guest@example.com"}
    body = {"start_time": slots[0]["start_time"], "guest_time_zone": "UTC", "booking_form": form}
    created = check("POST", f"/booking-calendars/{calendar['id']}/schedule", body=body)
    check("GET", f"/bookings/{created['id']}")
    check("POST", f"/booking-calendars/{calendar['id']}/schedule", 400, body=body)
    check("POST", f"/booking-calendars/{hidden['id']}/schedule", 422, body=body)
    check("POST", f"/booking-calendars/{calendar['id']}/one-time-links", body={})
    master = next(m for m in sb.ground_truth("master-pages") if m["active"])
    check("POST", f"/master-pages/{master['id']}/one-time-links")
    check("POST", "/master-pages/MP-NOPE/one-time-links", 404)


def test_contacts_users_webhooks(check: Checker, sb: Sandbox) -> None:
    person = {"first_name": "Lin", "last_name": "Wu", "email": "lin.wu@example.com"}
    contact = check("POST", "/contacts", 201, body=person)
    check("POST", "/contacts", 409, body=person)
    check("PATCH", f"/contacts/{contact['id']}", body={"city": "Oslo"})
    check("DELETE", f"/contacts/{contact['id']}")
    check("GET", "/contacts/CTC-NOPE", 404)
    user = check(
        "POST",
        "/users",
        body={"email": "new.user@example.com", "first_name": "New", "last_name": "User"},
    )
    check("PATCH", f"/users/{user['id']}", body={"role_name": "Team Manager"})
    check("GET", f"/users/{user['id']}/scheduling-availability")
    holiday = {"overrides": [{"date": "2026-12-24", "working_hours": []}]}
    check("PATCH", f"/users/{user['id']}/scheduling-availability", body=holiday)
    owner = next(u for u in sb.ground_truth("users") if u["role_name"] == "Account Owner")
    check("PATCH", f"/users/{owner['id']}", 403, body={"first_name": "X"})
    check("DELETE", f"/users/{user['id']}")
    check("PATCH", f"/users/{user['id']}", 410, body={"first_name": "X"})
    hook_body = {"name": "Contract", "url": "https://example.com/h", "events": ["booking"]}
    hook = check("POST", "/webhooks", body=hook_body)
    assert hook["secret"]
    check("POST", "/webhooks", 409, body=hook_body)
    check("GET", f"/webhooks/{hook['id']}")
    check("DELETE", f"/webhooks/{hook['id']}")


def test_every_departure_applies_to_the_official_spec() -> None:
    raw = json.loads(require_spec().read_text(encoding="utf-8"))
    for departure in DEPARTURES:
        if departure.apply is None:
            continue
        before = json.dumps(raw, sort_keys=True)
        departure.apply(raw)  # a KeyError here: the departure names a place the spec lacks
        assert json.dumps(raw, sort_keys=True) != before, f"{departure.name} changes nothing"


def test_live_answers_break_the_strict_spec_only_where_documented() -> None:
    raw = json.loads(require_spec().read_text(encoding="utf-8"))
    strict = OpenAPI.from_dict(tooling_fixes(json.loads(json.dumps(raw))))
    relaxed = OpenAPI.from_dict(tooling_fixes(live_spec(raw)))
    with Sandbox(bookings=40, seed=21, rate_limit=False) as live, requests.Session() as http:
        answer = http.get(
            f"{live.base_url}/bookings", params={"limit": 40}, headers={"API-Key": live.api_key}
        )
        assert any(b["utm_params"] is None for b in answer.json()["data"])
        prepared = answer.request.copy()
        prepared.url = prepared.url.replace(live.base_url, SPEC_SERVER, 1)
        request, response = RequestsOpenAPIRequest(prepared), RequestsOpenAPIResponse(answer)
        relaxed.validate_response(request, response)
        with pytest.raises(Exception, match=r"(?i)invalid"):
            strict.validate_response(request, response)
        # The spec profile leaves out exactly the documented nulls, nothing else.
        documented = {d.path[0] for d in DEPARTURES if d.object == "booking" and len(d.path) == 1}
        for booking in answer.json()["data"]:
            conformed = conform(booking)
            dropped = set(booking) - set(conformed)
            assert dropped == {k for k in documented if booking.get(k, 0) is None}
            kept = {k: v for k, v in booking.items() if k not in dropped}
            assert {k: conformed[k] for k in kept if not isinstance(kept[k], dict)} == {
                k: v for k, v in kept.items() if not isinstance(v, dict)
            }

"""Every resource against the sandbox: list filters, get, expand, and argument checks."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from oncehub_nb import ConfigurationError, OnceHub
from oncehub_nb.resources.bookings import BOOKING_STATUSES
from oncehub_nb.sandbox import Sandbox
from tests.conftest import client_for

RESOURCES = {
    "bookings": "bookings",
    "contacts": "contacts",
    "users": "users",
    "teams": "teams",
    "booking_calendars": "booking-calendars",
    "booking_pages": "booking-pages",
    "master_pages": "master-pages",
    "event_types": "event-types",
    "webhooks": "webhooks",
    "sms_notifications": "notifications/sms",
}


@pytest.mark.parametrize(("attribute", "collection"), RESOURCES.items())
def test_each_resource_lists_and_gets_everything(
    hub: OnceHub, sandbox: Sandbox, attribute: str, collection: str
) -> None:
    resource = getattr(hub, attribute)
    truth = sandbox.ground_truth(collection)
    got = list(resource.list())
    assert [r["id"] for r in got] == [r["id"] for r in truth]
    assert resource.get(truth[-1]["id"]) == truth[-1]
    assert repr(resource).startswith("<")


def test_contact_and_sms_time_filters(hub: OnceHub, sandbox: Sandbox) -> None:
    contacts = sandbox.ground_truth("contacts")
    middle = sorted(c["last_updated_time"] for c in contacts)[len(contacts) // 2]
    got = {c["id"] for c in hub.contacts.list(updated_after=middle)}
    assert got == {c["id"] for c in contacts if c["last_updated_time"] > middle}
    email = contacts[0]["email"]
    assert [c["id"] for c in hub.contacts.list(email=email)] == [contacts[0]["id"]]
    sms = sandbox.ground_truth("notifications/sms")
    users_only = list(hub.sms_notifications.list(recipient_type="user"))
    assert {s["id"] for s in users_only} == {s["id"] for s in sms if s["recipient_type"] == "user"}


def test_relation_filters(hub: OnceHub, sandbox: Sandbox) -> None:
    users = sandbox.ground_truth("users")
    member = next(u for u in users if u["teams"])
    teams = {t["id"] for t in hub.teams.list(user=member["id"])}
    assert teams == set(member["teams"])
    assert [u["id"] for u in hub.users.list(email=member["email"].upper())] == [member["id"]]
    calendar = sandbox.ground_truth("booking-calendars")[0]
    hosted = list(hub.booking_calendars.list(host=calendar["host"]))
    assert calendar["id"] in {c["id"] for c in hosted}
    assert all(c["host"] == calendar["host"] for c in hosted)
    page = sandbox.ground_truth("booking-pages")[0]
    assert list(hub.booking_pages.list(user="USR-NOBODY")) == []
    assert page["id"] in {p["id"] for p in hub.booking_pages.list()}


def test_several_statuses_are_walked_in_turn_and_resume(hub: OnceHub, sandbox: Sandbox) -> None:
    truth = sandbox.ground_truth("bookings")
    wanted = ["canceled", "no_show"]
    expected = [b["id"] for s in wanted for b in truth if b["status"] == s]
    walk = hub.bookings.list(status=wanted)
    assert [b["id"] for b in walk] == expected
    first = hub.bookings.list(status=wanted, max_items=130)
    head = [b["id"] for b in first]
    assert first.cursor is not None and first.cursor.startswith(("canceled:", "no_show:"))
    rest = [b["id"] for b in hub.bookings.list(status=wanted, after=first.cursor)]
    assert head + rest == expected
    assert hub.bookings.to_frame(status=("no_show",), progress=False)["status"].eq("no_show").all()


@pytest.mark.parametrize(
    ("call", "named"),
    [
        (lambda h: h.bookings.list(status=["scheduled", "done"]), "status"),
        (lambda h: h.bookings.list(status=[]), "status"),
        (lambda h: h.bookings.list(status=["scheduled"], after="BKNG-1"), "after"),
        (lambda h: h.contacts.list(created_after="yesterday"), "created_after"),
        (lambda h: h.sms_notifications.list(recipient_type="bot"), "recipient_type"),
        (lambda h: h.sms_notifications.list(expand="owner"), "expand"),
        (lambda h: h.teams.list(user=""), "user"),
        (lambda h: h.users.list(max_items=-1), "max_items"),
        (lambda h: h.bookings.to_frame(explode="status"), "explode"),
        (lambda h: h.bookings.to_frame(tz="Mars/Olympus"), "tz"),
        (lambda h: h.contacts.get(""), "id"),
        (lambda h: h.booking_calendars.time_slots("BKC-1", start="2026-02-02", end="2026-02-01"),
         "end"),
        (lambda h: h.webhooks.create(name="x", url="https://x.example", events=["booking.nope"]),
         "events"),
        (lambda h: h.webhooks.create(name="x", url="https://x.example", events="booking"),
         "events"),
        (lambda h: h.users.create(email="a@b.c", first_name="A", last_name="B", role_name="Owner"),
         "role_name"),
        (lambda h: h.users.update("USR-1"), "at least one"),
        (lambda h: h.users.update("USR-1", teams="TM-1"), "teams"),
        (lambda h: h.contacts.create(first_name="A", last_name="B"), "email or mobile_phone"),
        (lambda h: h.contacts.create(first_name="A", last_name="B", email="a@b.c", shoe=1),
         "shoe"),
        (lambda h: h.contacts.update("CTC-1", email="new@b.c"), "email"),
        (lambda h: h.contacts.update("CTC-1", employees="many"), "employees"),
        (lambda h: h.bookings.cancel("BKNG-1", notify="yes"), "notify"),
        (lambda h: h.bookings.reassign("BKNG-1", new_host="USR-1", location="skype"), "location"),
    ],
)  # fmt: skip
def test_wrong_arguments_fail_before_any_request(
    make_sandbox: Callable[..., Sandbox], call: Callable[[OnceHub], Any], named: str
) -> None:
    sb = make_sandbox(bookings=5, seed=2, rate_limit=False)
    with client_for(sb) as hub, pytest.raises(ConfigurationError, match=named):
        call(hub)
    assert sum(sb.stats()["requests"].values()) == 0


def test_statuses_constant_matches_the_sandbox(sandbox: Sandbox) -> None:
    assert {b["status"] for b in sandbox.ground_truth("bookings")} <= set(BOOKING_STATUSES)


def test_time_slot_bounds_are_compared_as_times_not_text(hub: OnceHub, sandbox: Sandbox) -> None:
    calendar = next(c for c in sandbox.ground_truth("booking-calendars") if c["published"])
    start, end = "2026-06-02T00:00:00Z", "2026-06-02T00:00:00.500Z"  # as text, end sorts first
    assert isinstance(hub.booking_calendars.time_slots(calendar["id"], start=start, end=end), list)
    with pytest.raises(ConfigurationError, match="must be after"):
        hub.booking_calendars.time_slots(calendar["id"], start=end, end=start)

"""Writes and actions against a fresh sandbox: contacts, users, webhooks, bookings, calendars."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator

import pytest

from oncehub_nb import ConflictError, NotFoundError, OnceHub
from oncehub_nb.sandbox import Sandbox
from tests.conftest import client_for


@pytest.fixture
def fresh(make_sandbox: Callable[..., Sandbox]) -> Iterator[tuple[Sandbox, OnceHub]]:
    sb = make_sandbox(bookings=120, seed=11, time_scale=0.01)
    with client_for(sb) as hub:
        yield sb, hub


def _unpaid(sb: Sandbox, status: str, *, calendar: bool = False, past: bool = False) -> str:
    now = sb.now().strftime("%Y-%m-%dT%H:%M:%S")
    for booking in sb.ground_truth("bookings"):
        if booking["status"] != status or booking.get("payment_information"):
            continue
        if calendar and not booking["booking_calendar"]:
            continue
        if past and booking["starting_time"] >= now:
            continue
        return str(booking["id"])
    raise AssertionError("no such booking in the sandbox")


def test_contact_create_update_delete(fresh: tuple[Sandbox, OnceHub]) -> None:
    _, hub = fresh
    made = hub.contacts.create(
        first_name="Ann",
        last_name="Lee",
        email="ann.lee@example.com",
        terms_of_service=True,
        employees=12,
        custom_fields={"Source": "web"},
    )
    assert made["terms_of_sevice"] is True
    assert made["custom_fields"] == [{"name": "Source", "value": "web"}]
    with pytest.raises(ConflictError):
        hub.contacts.create(first_name="A", last_name="B", email="ann.lee@example.com")
    changed = hub.contacts.update(made["id"], status="Qualified", city="Lyon")
    assert (changed["status"], changed["city"]) == ("Qualified", "Lyon")
    assert hub.contacts.delete(made["id"]) == {"id": made["id"], "deleted": True}
    with pytest.raises(NotFoundError):
        hub.contacts.update(made["id"], city="Paris")


def test_user_create_update_delete_and_availability(fresh: tuple[Sandbox, OnceHub]) -> None:
    sb, hub = fresh
    team = sb.ground_truth("teams")[0]["id"]
    user = hub.users.create(
        email="new.user@example.com", first_name="New", last_name="User", teams=[team]
    )
    assert (user["status"], user["role_name"], user["teams"]) == ("invited", "Member", [team])
    updated = hub.users.update(user["id"], role_name="Team Manager", teams=[])
    assert (updated["role_name"], updated["teams"]) == ("Team Manager", [])
    schedule = hub.users.availability(user["id"])
    assert schedule["object"] == "schedule"
    moved = hub.users.update_availability(user["id"], timezone="Europe/Paris")
    assert moved["timezone"] == "Europe/Paris"
    assert hub.users.delete(user["id"])["deleted"] is True


def test_webhook_create_returns_the_secret_once(fresh: tuple[Sandbox, OnceHub]) -> None:
    _, hub = fresh
    hook = hub.webhooks.create(
        name="analytics", url="https://hooks.example.com/x", events=["booking.canceled"]
    )
    assert len(hook["secret"]) >= 32
    assert "secret" not in hub.webhooks.get(hook["id"])
    assert "secret" not in hub.webhooks.to_frame(progress=False).columns
    with pytest.raises(ConflictError):
        hub.webhooks.create(name="analytics", url="https://hooks.example.com/y", events=["booking"])
    assert hub.webhooks.delete(hook["id"])["deleted"] is True


def test_booking_actions(fresh: tuple[Sandbox, OnceHub]) -> None:
    sb, hub = fresh
    canceled = hub.bookings.cancel(_unpaid(sb, "scheduled"), reason="Host is ill", notify=False)
    assert canceled["status"] == "canceled"
    assert canceled["cancel_reschedule_information"]["reason"] == "Host is ill"
    with pytest.raises(ConflictError):
        hub.bookings.cancel(canceled["id"])
    asked = hub.bookings.request_reschedule(_unpaid(sb, "scheduled"), reason="Clash")
    assert asked["cancel_reschedule_information"]["reason"] == "Clash"
    assert hub.bookings.mark_no_show(_unpaid(sb, "completed", past=True))["status"] == "no_show"
    booking_id = _unpaid(sb, "scheduled", calendar=True)
    owner = hub.bookings.get(booking_id)["owner"]
    other = next(
        u["id"] for u in sb.ground_truth("users") if u["status"] == "active" and u["id"] != owner
    )
    moved = hub.bookings.reassign(booking_id, new_host=other, location="zoom")
    assert moved["owner"] == other


def test_calendar_slots_schedule_and_one_time_links(fresh: tuple[Sandbox, OnceHub]) -> None:
    sb, hub = fresh
    calendar = next(c for c in sb.ground_truth("booking-calendars") if c["published"])
    start = sb.now() + dt.timedelta(days=1)
    slots = hub.booking_calendars.time_slots(
        calendar["id"], start=start, end=start + dt.timedelta(days=6)
    )
    assert slots and all(s["start_time"].endswith("Z") for s in slots)
    made = hub.booking_calendars.schedule(
        calendar["id"],
        start=slots[0]["start_time"],
        guest_time_zone="Europe/Paris",
        name="Guest Person",
        email="guest@example.com",
        form_fields={"Topic": "Pricing"},
    )
    booking = hub.bookings.get(made["id"])
    assert booking["booking_calendar"] == calendar["id"]
    assert booking["starting_time"] == slots[0]["start_time"]
    link = hub.booking_calendars.one_time_link(calendar["id"], hide_url_params=True)
    assert link["url"].startswith("https://")
    page = next(p for p in sb.ground_truth("master-pages") if p["active"])
    assert hub.master_pages.one_time_link(page["id"])["url"].startswith("https://")

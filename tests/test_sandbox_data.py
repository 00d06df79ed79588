"""Sandbox data generation: determinism, shape, speed; runner basics."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
import requests

from oncehub_nb.sandbox import Sandbox
from oncehub_nb.sandbox._data import generate
from oncehub_nb.sandbox._times import FIXED_ANCHOR, SandboxClock, iso

TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
CALENDAR_FIELDS = ["booking_calendar", "cancel_url", "reschedule_url", "ics_url"]
PAGE_FIELDS = ["booking_page", "event_type"]


def test_same_seed_same_records_different_seed_different() -> None:
    first = generate(bookings=120, seed=7)
    second = generate(bookings=120, seed=7)
    other = generate(bookings=120, seed=8)
    for name in first.collections:
        assert first.live(name) == second.live(name), name
    assert first.live("bookings") != other.live("bookings")


def test_two_running_sandboxes_agree_on_ground_truth() -> None:
    with Sandbox(bookings=60, seed=3) as a, Sandbox(bookings=60, seed=3) as b:
        assert a.ground_truth("bookings") == b.ground_truth("bookings")
        assert a.api_key != b.api_key
        assert a.port != b.port
    with Sandbox(bookings=60, seed=4) as c:
        assert c.ground_truth("bookings") != a.ground_truth("bookings")


def test_generation_scales_to_ten_thousand() -> None:
    # How fast: bench/sandbox_data.py (speed belongs in benchmarks, not in timed tests).
    data = generate(bookings=10_000, seed=1)
    assert len(data.collections["bookings"]) == 10_000


def test_bookings_look_real() -> None:
    data = generate(bookings=600, seed=11)
    bookings = data.live("bookings")
    ids = [b["id"] for b in bookings]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"BKNG-[A-Z0-9]{12}", i) for i in ids)
    statuses = Counter(b["status"] for b in bookings)
    assert set(statuses) == {
        "requested",
        "scheduled",
        "rescheduled",
        "completed",
        "canceled",
        "no_show",
    }
    anchor = iso(FIXED_ANCHOR)
    for booking in bookings:
        for name in ("creation_time", "starting_time", "last_updated_time"):
            assert TIME_RE.match(booking[name]), booking[name]
        assert booking["last_updated_time"] >= booking["creation_time"]
        if booking["status"] in ("completed", "no_show"):
            assert booking["starting_time"] < anchor
        if booking["status"] in ("scheduled", "requested"):
            assert booking["starting_time"] >= anchor
        canceled = booking["status"] in ("canceled", "rescheduled")
        assert (booking["cancel_reschedule_information"] is None) is not canceled
        assert (booking["rescheduled_booking_id"] is None) is (booking["status"] != "rescheduled")
        if booking["booking_calendar"] is None:
            assert all(booking[f] is None for f in CALENDAR_FIELDS)
            assert booking["payment_information"] is None
            assert booking["booking_page"].startswith("BP-")
        else:
            assert all(booking[f] is None for f in PAGE_FIELDS)
            assert booking["master_page"] is None
        if booking["virtual_conferencing"] is None:
            assert booking["location_description"]
    calendar_bookings = [b for b in bookings if b["booking_calendar"]]
    assert 0.3 < len(calendar_bookings) / len(bookings) < 0.6
    assert any(b["form_submission"] is None for b in calendar_bookings)
    assert any(b["payment_information"] for b in calendar_bookings)
    assert any(b["utm_params"] for b in bookings)
    assert sum(b["utm_params"] is None for b in bookings) > len(bookings) / 2
    assert len(data.collections["contacts"]) == 200


def test_account_shape() -> None:
    data = generate(bookings=30, seed=2)
    users = data.live("users")
    roles = Counter(u["role_name"] for u in users)
    assert roles["Account Owner"] == 1
    assert roles["Administrator"] >= 1
    assert roles["Member"] >= 1
    assert {u["status"] for u in users} == {"active", "invited"}
    assert len(data.live("teams")) == 3
    calendars = data.live("booking-calendars")
    assert any(c["host"].startswith("TM-") for c in calendars)
    assert sum(not c["published"] for c in calendars) == 1
    assert data.live("booking-pages")
    assert data.live("master-pages")
    assert data.live("event-types")
    assert data.live("notifications/sms")


def test_refuses_non_loopback_host() -> None:
    with pytest.raises(ValueError, match="loopback"):
        Sandbox(bookings=0, host="0.0.0.0")  # noqa: S104


def test_urls_keys_and_limits() -> None:
    with Sandbox(bookings=5, api_key="my-key", time_scale=0.01) as sb:
        assert sb.base_url == f"{sb.root_url}/v2"
        assert sb.root_url.startswith("http://127.0.0.1:")
        assert sb.api_key == "my-key"
        assert sb.no_plan_api_key != sb.api_key
        assert sb.rate_limit == [(5, 0.01), (200, 3.0)]
        answer = requests.get(f"{sb.base_url}/test", headers={"API-Key": "my-key"}, timeout=5)
        assert answer.status_code == 200
        assert answer.json()["message"].endswith(sb.state.data.account_email)
    sb.stop()  # a second stop is harmless


def test_nothing_is_created_or_updated_after_the_anchor() -> None:
    # A later write (a cancel) must be the newest update, or an incremental sync misses it.
    data = generate(bookings=2000, seed=3)
    anchor = iso(FIXED_ANCHOR)
    for collection in ("bookings", "contacts", "notifications/sms", "webhooks"):
        for record in data.live(collection):
            for name in ("creation_time", "last_updated_time"):
                if record.get(name) is not None:
                    assert record[name] < anchor, (collection, name, record[name])
    future = [b for b in data.live("bookings") if b["starting_time"] >= anchor]
    assert 0.1 < len(future) / 2000 < 0.4  # a fair share still ahead of the present


def test_the_anchor_moves_the_data_and_nothing_else() -> None:
    later = dt.datetime(2027, 7, 6, tzinfo=dt.UTC)
    a, b = generate(bookings=50, seed=5), generate(bookings=50, seed=5, anchor=later)
    shift = later - FIXED_ANCHOR
    for one, other in zip(a.live("bookings"), b.live("bookings"), strict=True):
        assert one["id"] == other["id"] and one["status"] == other["status"]
        start = dt.datetime.fromisoformat(one["starting_time"].replace("Z", "+00:00"))
        assert iso(start + shift) == other["starting_time"]


def test_sandbox_clock_defaults() -> None:
    fixed = SandboxClock("2026-06-01", env={})
    assert fixed.anchor == FIXED_ANCHOR
    assert dt.timedelta(0) <= fixed.now() - FIXED_ANCHOR < dt.timedelta(minutes=5)
    from_env = SandboxClock(env={"ONCEHUB_SANDBOX_ANCHOR": "2030-01-02"})
    assert from_env.anchor == dt.datetime(2030, 1, 2, tzinfo=dt.UTC)
    ticking = SandboxClock("2026-06-01", clock=lambda: 42.0, env={})
    assert ticking.timestamp() == 42.0
    today = SandboxClock(env={})  # a user's sandbox: today's data, the real time
    assert (today.anchor.hour, today.anchor.minute, today.anchor.second) == (0, 0, 0)
    assert dt.timedelta(0) <= today.now() - today.anchor < dt.timedelta(days=1, minutes=1)
    with pytest.raises(ValueError, match="ISO date"):
        SandboxClock("next tuesday", env={})

"""Every path of OnceHub's official spec is reachable from the client (checked on the sandbox).

The client's methods are called once each against one sandbox; the sandbox counts each route it
served. The set of routes must equal the spec's (method, path) pairs.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

from oncehub_nb.sandbox import Sandbox
from tests._spec import require_spec
from tests.conftest import client_for
from tests.test_resources_actions import _unpaid


def spec_routes() -> set[str]:
    spec = json.loads(require_spec().read_text(encoding="utf-8"))
    return {
        f"{method.upper()} /v2{path}"
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }


def test_every_spec_path_is_reachable_from_the_client(make_sandbox: Callable[..., Sandbox]) -> None:
    require_spec()
    sb = make_sandbox(bookings=120, seed=11, time_scale=0.01)
    truth = sb.ground_truth
    with client_for(sb) as hub:
        hub.validate()
        for resource in (
            hub.bookings, hub.booking_calendars, hub.booking_pages, hub.event_types,
            hub.master_pages, hub.users, hub.teams, hub.contacts,
        ):  # fmt: skip
            first = next(iter(resource.list(max_items=1)))
            assert resource.get(first["id"])["id"] == first["id"]
        list(hub.sms_notifications.list(max_items=5))
        hub.bookings.cancel(_unpaid(sb, "scheduled"), notify=False)
        hub.bookings.request_reschedule(_unpaid(sb, "scheduled"))
        hub.bookings.mark_no_show(_unpaid(sb, "completed", past=True))
        moving = _unpaid(sb, "scheduled", calendar=True)
        owner = hub.bookings.get(moving)["owner"]
        other = next(
            u["id"] for u in truth("users") if u["status"] == "active" and u["id"] != owner
        )
        hub.bookings.reassign(moving, new_host=other)
        calendar = next(c for c in truth("booking-calendars") if c["published"])
        start = sb.now() + dt.timedelta(days=1)
        slots = hub.booking_calendars.time_slots(calendar["id"], start=start)
        hub.booking_calendars.schedule(
            calendar["id"], start=slots[0]["start_time"], guest_time_zone="UTC",
            name="Guest", email="guest@example.com",
        )  # fmt: skip
        hub.booking_calendars.one_time_link(calendar["id"])
        hub.master_pages.one_time_link(next(p for p in truth("master-pages") if p["active"])["id"])
        user = hub.users.create(email="cover@example.com", first_name="C", last_name="Over")
        hub.users.update(user["id"], first_name="Cee")
        hub.users.availability(user["id"])
        hub.users.update_availability(user["id"], timezone="Europe/Paris")
        hub.users.delete(user["id"])
        contact = hub.contacts.create(first_name="C", last_name="T", email="ct@example.com")
        hub.contacts.update(contact["id"], city="Lyon")
        hub.contacts.delete(contact["id"])
        hook = hub.webhooks.create(name="cover", url="https://x.example/h", events=["booking"])
        list(hub.webhooks.list())
        hub.webhooks.get(hook["id"])
        hub.webhooks.delete(hook["id"])
    served = set(sb.stats()["requests"])
    assert spec_routes() - served == set()  # every spec path was reached ...
    assert served - spec_routes() == set()  # ... through the spec's routes only

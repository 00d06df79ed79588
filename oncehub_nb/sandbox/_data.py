"""Deterministic generation of the account: people, teams, pages, calendars.

Everything is drawn from ``random.Random(seed)`` and a per-instance seeded ``Faker`` and placed
relative to an anchor date (the sandbox's present), so one seed and one anchor always give the
same records.
"""

from __future__ import annotations

import random
from datetime import datetime

from oncehub_nb.sandbox._bookings import make_bookings, make_contacts, make_sms
from oncehub_nb.sandbox._dataset import (
    TIMEZONES,
    CalendarInfo,
    Dataset,
    PageLinks,
    Record,
    new_id,
    slug,
)
from oncehub_nb.sandbox._pools import Pools
from oncehub_nb.sandbox._times import FIXED_ANCHOR, iso, shift

_ROLES = [
    ("Account Owner", "active"),
    ("Administrator", "active"),
    ("Administrator", "active"),
    ("Team Manager", "active"),
    ("Member", "active"),
    ("Member", "active"),
    ("Member", "invited"),
    ("Member", "invited"),
]
_TEAMS = ["Sales", "Customer Success", "Support"]
_EVENT_TYPES = [
    ("15-minute intro call", 15, "A short first conversation."),
    ("30-minute consultation", 30, "Talk through your needs with a specialist."),
    ("Product demo", 45, "A guided tour of the product."),
    ("Onboarding session", 60, "Set up your account together."),
    ("Quarterly review", 60, "Review results and plan the next quarter."),
]
_CALENDARS = [
    # (name, subject, duration, host index (users) or team index as -1-n, published, price)
    ("Discovery call", "Discovery call", 30, 1, True, None),
    ("Sales demo", "Live sales demo", 45, -1, True, None),
    ("Paid strategy session", "Strategy session", 60, 3, True, 15000),
    ("Support clinic", "Support clinic", 20, -3, True, None),
    ("Implementation workshop", "Implementation workshop", 90, 4, True, 45000),
    ("Legacy intake form", "Intake", 30, 5, False, None),
]


def generate(*, bookings: int, seed: int, anchor: datetime = FIXED_ANCHOR) -> Dataset:
    """Build the whole dataset for ``seed`` with ``bookings`` bookings, placed around ``anchor``.

    Example:
        >>> ds = generate(bookings=20, seed=1)
        >>> len(ds.collections["bookings"])
        20
    """
    rng = random.Random(seed)
    pools = Pools(rng, seed=seed)
    users = _make_users(pools)
    data = Dataset(account_email=users[0]["email"], anchor=anchor)
    for user in users:
        data.used_ids.add(user["id"])
    teams = _make_teams(data, users, rng)
    for user in users:
        data.add("users", user)
        data.availability[user["id"]] = default_availability(user["timezone"])
    _make_pages(data, users, rng)
    _make_calendars(data, users, teams, rng)
    _make_webhooks(data, rng)
    contacts = make_contacts(data, pools, max(5, bookings // 3))
    make_bookings(data, pools, bookings, contacts)
    make_sms(data, pools, max(3, bookings // 8))
    return data


def _make_users(pools: Pools) -> list[Record]:
    users: list[Record] = []
    used: set[str] = set()
    for role, status in _ROLES:
        first = pools.pick(pools.first_names)
        last = pools.pick(pools.last_names)
        email = f"{slug(first)}.{slug(last)}@{pools.account_domain}"
        users.append(
            {
                "object": "user",
                "id": new_id(pools.rng, "USR", 10, used),
                "first_name": first,
                "last_name": last,
                "email": email,
                "status": status,
                "role_name": role,
                "timezone": pools.pick(TIMEZONES[:4]),
                "teams": [],
            }
        )
    return users


def _make_teams(data: Dataset, users: list[Record], rng: random.Random) -> list[Record]:
    teams = []
    for name in _TEAMS:
        team = data.add(
            "teams", {"object": "team", "id": new_id(rng, "TM", 10, data.used_ids), "name": name}
        )
        teams.append(team)
    for index, user in enumerate(users[1:], start=1):
        chosen = rng.sample(teams, k=1 + (index % 2))
        user["teams"] = sorted(t["id"] for t in chosen)
    for index, team in enumerate(teams):
        active = [u for u in users if team["id"] in u["teams"] and u["status"] == "active"]
        if not active:  # every team needs someone to host its calendars
            users[1 + index]["teams"] = sorted({*users[1 + index]["teams"], team["id"]})
    return teams


def _make_pages(data: Dataset, users: list[Record], rng: random.Random) -> None:
    for name, duration, description in _EVENT_TYPES:
        event_id = new_id(rng, "ET", 10, data.used_ids)
        data.event_durations[event_id] = duration
        data.add(
            "event-types",
            {"object": "event_type", "id": event_id, "name": name, "description": description},
        )
    event_ids = list(data.collections["event-types"])
    masters = []
    for name, label, active in [
        ("Company scheduling", "company", True),
        ("Sales team", "sales-team", True),
        ("Old campaign", "spring-campaign", False),
    ]:
        master_id = new_id(rng, "MP", 10, data.used_ids)
        masters.append(master_id)
        data.add(
            "master-pages",
            {
                "object": "master_page",
                "id": master_id,
                "name": name,
                "label": label,
                "url": f"https://go.oncehub.com/{label}",
                "active": active,
            },
        )
    for index, user in enumerate(users[:6]):
        label = slug(f"{user['first_name']}{user['last_name']}")
        page_id = new_id(rng, "BP", 10, data.used_ids)
        data.page_links[page_id] = PageLinks(
            user=user["id"],
            master_page=None if index == 5 else masters[index % 2],
            event_types=sorted(rng.sample(event_ids, k=2 + index % 2)),
        )
        data.add(
            "booking-pages",
            {
                "object": "booking_page",
                "id": page_id,
                "name": f"{user['first_name']} {user['last_name']}",
                "label": label,
                "url": f"https://go.oncehub.com/{label}",
                "active": index != 4,
                "timezone": user["timezone"],
            },
        )


def _make_calendars(
    data: Dataset, users: list[Record], teams: list[Record], rng: random.Random
) -> None:
    meeting_options: list[list[Record]] = [
        [{"type": "virtual", "value": "zoom", "id": None}],
        [
            {"type": "virtual", "value": "google_meet", "id": None},
            {"type": "guest_phone", "value": None, "id": None},
        ],
        [{"type": "physical", "value": "Head office, 2nd floor", "id": "ADD-H4Q2T"}],
    ]
    for index, (name, subject, duration, host, published, price) in enumerate(_CALENDARS):
        host_id = users[host]["id"] if host >= 0 else teams[-host - 1]["id"]
        calendar_id = new_id(rng, "BKC", 10, data.used_ids)
        data.calendars[calendar_id] = CalendarInfo(
            price=price,
            currency=None if price is None else "USD",
            locations=meeting_options[index % len(meeting_options)],
        )
        data.add(
            "booking-calendars",
            {
                "object": "booking_calendar",
                "id": calendar_id,
                "host": host_id,
                "name": name,
                "subject": subject,
                "url": f"https://oncehub.com/{slug(name)}-{index + 1}",
                "published": published,
                "duration_minutes": duration,
            },
        )


def _make_webhooks(data: Dataset, rng: random.Random) -> None:
    for index, (name, events) in enumerate(
        [
            ("CRM sync", ["booking.scheduled", "booking.canceled", "booking.rescheduled"]),
            ("Analytics feed", ["booking", "conversation"]),
        ]
    ):
        created = shift(data.anchor, days=-200 + 30 * index, seconds=rng.randint(0, 86_000))
        data.add(
            "webhooks",
            {
                "object": "webhook",
                "id": new_id(rng, "WHK", 10, data.used_ids),
                "api_version": "v2",
                "name": name,
                "url": f"https://hooks.{slug(name)}.example.com/oncehub",
                "events": events,
                "creation_time": iso(created.replace(microsecond=rng.randint(0, 999) * 1000)),
            },
        )


def default_availability(timezone: str) -> Record:
    """Return a weekday 09:00-17:00 schedule with a lunch break, in ``timezone``.

    Example:
        >>> default_availability("Europe/London")["weekly"][0]["day"]
        'Monday'
    """
    location = {"type": "online_dynamic_link", "value": "zoom", "id": None}
    hours = [
        {"start_time": "09:00", "end_time": "12:00", "locations": [dict(location)]},
        {"start_time": "13:00", "end_time": "17:00", "locations": [dict(location)]},
    ]
    weekly = [
        {"day": day, "working_hours": [dict(h, locations=list(h["locations"])) for h in hours]}
        for day in ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
    ]
    return {"object": "schedule", "timezone": timezone, "weekly": weekly, "overrides": []}

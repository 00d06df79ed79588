"""Deterministic generation of contacts, bookings (both products) and SMS notifications."""

from __future__ import annotations

import random
from datetime import datetime

from oncehub_nb.sandbox._dataset import TIMEZONES, Dataset, Record, new_id, phone, slug
from oncehub_nb.sandbox._pools import Pools
from oncehub_nb.sandbox._times import iso, shift

_CONTACT_STATUSES = ["Qualified", "Sales qualified", "Marketing qualified", "Disqualified", None]
_PAST = [("completed", 72), ("canceled", 13), ("no_show", 7), ("rescheduled", 8)]
_FUTURE = [("scheduled", 70), ("requested", 8), ("canceled", 12), ("rescheduled", 10)]
_CALENDAR_TYPES = ["google", "google", "office_365", "exchange", "icloud"]
_REASONS = ["Schedule conflict", "No longer needed", "Travelling that week", "Feeling unwell"]
_UTM = [
    ("newsletter", "email", "spring_launch"),
    ("linkedin", "social", "webinar"),
    ("google", "cpc", "brand"),
]


def _ms(rng: random.Random, moment: datetime) -> datetime:
    return moment.replace(microsecond=rng.randint(0, 999) * 1000)


def make_contacts(data: Dataset, pools: Pools, count: int) -> list[Record]:
    """Create ``count`` contacts owned by account users.

    Example:
        >>> from oncehub_nb.sandbox._data import generate
        >>> len(generate(bookings=30, seed=0).collections["contacts"])
        10
    """
    rng = pools.rng
    owners = [u["id"] for u in data.collections["users"].values() if u["status"] == "active"]
    contacts = []
    seen: set[str] = set()
    for _ in range(count):
        first, last = pools.pick(pools.first_names), pools.pick(pools.last_names)
        email = f"{slug(first)}.{slug(last)}@{pools.pick(pools.domains)}"
        while email in seen:
            email = f"{slug(first)}.{slug(last)}{rng.randint(2, 999)}@{pools.pick(pools.domains)}"
        seen.add(email)
        created = _ms(rng, shift(data.anchor, days=-300 + rng.random() * 300))
        company = pools.pick(pools.companies) if rng.random() < 0.7 else None
        record: Record = {
            "object": "contact",
            "id": new_id(rng, "CTC", 14, data.used_ids),
            "creation_time": iso(created),
            "last_updated_time": iso(created),
            "last_interacted_time": None,
            "owner": rng.choice(owners),
            "status": rng.choice(_CONTACT_STATUSES),
            "email": email,
            "first_name": first,
            "last_name": last,
            "salutation": rng.choice([None, None, "Mr.", "Ms.", "Dr."]),
            "job_title": pools.pick(pools.jobs) if rng.random() < 0.6 else None,
            "company": company,
            "company_size": rng.choice(["1-10", "11-50", "50-100", "100-500", "500+"])
            if company
            else None,
            "employees": rng.choice([5, 12, 40, 80, 250, 1200]),
            "phone": phone(rng) if rng.random() < 0.4 else None,
            "mobile_phone": phone(rng) if rng.random() < 0.6 else None,
            "street_address": pools.pick(pools.streets) if rng.random() < 0.3 else None,
            "city": pools.pick(pools.cities) if rng.random() < 0.5 else None,
            "state": pools.pick(pools.states) if rng.random() < 0.4 else None,
            "post_code": pools.pick(pools.postcodes) if rng.random() < 0.3 else None,
            "country": rng.choice(["United States", "United States", "Canada", None]),
            "timezone": rng.choice(TIMEZONES),
            "has_consent": rng.random() < 0.8,
            "terms_of_sevice": rng.random() < 0.9,
            "custom_fields": [],
        }
        contacts.append(data.add("contacts", record))
    return contacts


def _status(rng: random.Random, starting: datetime, anchor: datetime) -> str:
    table = _PAST if starting < anchor else _FUTURE
    roll = rng.randrange(100)
    for status, weight in table:
        if roll < weight:
            return status
        roll -= weight
    return table[0][0]


def _form(rng: random.Random, pools: Pools, contact: Record) -> Record:
    return {
        "name": f"{contact['first_name']} {contact['last_name']}",
        "email": contact["email"],
        "phone": contact["phone"],
        "mobile_phone": contact["mobile_phone"],
        "note": pools.pick(pools.sentences) if rng.random() < 0.4 else None,
        "company": contact["company"],
        "guests": [f"guest{rng.randint(1, 99)}@{pools.pick(pools.domains)}"]
        if rng.random() < 0.1
        else [],
        "custom_fields": [{"name": "Team size", "value": contact["company_size"] or "1-10"}],
    }


def make_bookings(data: Dataset, pools: Pools, count: int, contacts: list[Record]) -> None:
    """Create ``count`` bookings, about half per product, with their contacts' facts.

    Example:
        >>> from oncehub_nb.sandbox._data import generate
        >>> {b["object"] for b in generate(bookings=5, seed=0).live("bookings")}
        {'booking'}
    """
    rng = pools.rng
    users = data.collections["users"]
    teams_members = {
        tid: sorted(
            u["id"] for u in users.values() if tid in u["teams"] and u["status"] == "active"
        )
        for tid in data.collections["teams"]
    }
    pages = list(data.page_links.items())
    calendars = [c for c in data.collections["booking-calendars"].values() if c["published"]]
    now = shift(data.anchor, seconds=-1)
    for _ in range(count):
        contact = contacts[rng.randrange(len(contacts))]
        # Made in the past (nothing is created after the sandbox's present), starting up to
        # 75 days later: about a fifth of the bookings are still ahead of the anchor.
        created = _ms(rng, shift(data.anchor, days=-180 + rng.random() * 180))
        starting = shift(created, days=rng.randint(0, 75), minutes=15 * rng.randint(4, 60))
        starting = starting.replace(minute=(starting.minute // 15) * 15, second=0, microsecond=0)
        status = _status(rng, starting, data.anchor)
        booking_id = new_id(rng, "BKNG", 12, data.used_ids)
        record: Record = {"object": "booking", "id": booking_id, "tracking_id": booking_id}
        product_page = rng.random() < 0.55
        if product_page:
            page_id, links = pages[rng.randrange(len(pages))]
            event_id = rng.choice(links.event_types)
            owner = links.user
            subject = data.collections["event-types"][event_id]["name"]
            duration = data.event_durations[event_id]
            calendar = None
        else:
            calendar = calendars[rng.randrange(len(calendars))]
            host = calendar["host"]
            owner = rng.choice(teams_members[host]) if host.startswith("TM-") else host
            subject, duration = calendar["subject"], int(calendar["duration_minutes"])
            page_id = event_id = ""
        owner_email = users[owner]["email"]
        kind = rng.random()
        # Never after the present: a later write (a cancel) must be the newest update.
        updated = max(created, min(_updated(rng, status, created, starting, duration), now))
        record.update(
            subject=subject,
            status=status,
            in_trash=rng.random() < 0.02,
            creation_time=iso(created),
            starting_time=iso(starting),
            last_updated_time=iso(updated),
            attendees=[owner_email, contact["email"]],
            owner=owner,
            duration_minutes=duration,
            virtual_conferencing={"join_url": f"https://zoom.us/j/{rng.randint(10**9, 10**10)}"}
            if kind < 0.6
            else None,
            location_description=None
            if kind < 0.6
            else (pools.pick(pools.streets) if kind < 0.85 else f"Phone call: {phone(rng)}"),
            rescheduled_booking_id=new_id(rng, "BKNG", 12, data.used_ids)
            if status == "rescheduled"
            else None,
            cancel_reschedule_information=_cancel_info(rng, status, owner),
            customer_timezone=contact["timezone"],
            form_submission=None
            if calendar is not None and rng.random() < 0.15
            else _form(rng, pools, contact),
            booking_page=page_id or None,
            master_page=data.page_links[page_id].master_page if page_id else None,
            event_type=event_id or None,
            external_calendar={
                "type": rng.choice(_CALENDAR_TYPES),
                "name": owner_email,
                "id": owner_email,
                "event_id": "".join(rng.choices("abcdefghijklmnopqrstuv0123456789", k=26)),
            },
            conversation=None,
            utm_params=_utm(rng),
            contact=contact["id"],
        )
        record.update(calendar_fields(data, rng, calendar, booking_id))
        record["custom_fields"] = (
            [{"name": "Meeting goal", "value": pools.pick(pools.sentences)}]
            if rng.random() < 0.2
            else []
        )
        data.add("bookings", record)
        _touch_contact(contact, created)


def calendar_fields(
    data: Dataset, rng: random.Random, calendar: Record | None, booking_id: str
) -> Record:
    """Return the Booking Calendars fields of a booking (all ``None`` for a page booking).

    Example:
        >>> calendar_fields(Dataset(account_email="a@b.c"), random.Random(0), None, "BKNG-1")
        ... # doctest: +NORMALIZE_WHITESPACE
        {'booking_calendar': None, 'cancel_url': None, 'reschedule_url': None,
         'ics_url': None, 'payment_information': None}
    """
    if calendar is None:
        return dict.fromkeys(
            ["booking_calendar", "cancel_url", "reschedule_url", "ics_url", "payment_information"]
        )
    info = data.calendars[calendar["id"]]
    token = "".join(rng.choices("0123456789abcdef", k=24))
    paid = info.price is not None and rng.random() < 0.8
    return {
        "booking_calendar": calendar["id"],
        "cancel_url": f"https://oncehub.com/m/{booking_id}/cancel",
        "reschedule_url": f"https://oncehub.com/m/{booking_id}",
        "ics_url": f"https://oncehub.com/api/bookings/ics/{token}",
        "payment_information": {
            "amount_charged": info.price,
            "currency": info.currency,
            "transaction_id": "ch_"
            + "".join(rng.choices("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", k=20)),
        }
        if paid
        else None,
    }


def _updated(
    rng: random.Random, status: str, created: datetime, starting: datetime, duration: int
) -> datetime:
    if status == "completed":
        return shift(starting, minutes=duration)
    if status == "no_show":
        return _ms(rng, shift(starting, minutes=duration + rng.randint(5, 600)))
    if status in ("canceled", "rescheduled"):
        span = max((starting - created).total_seconds(), 60.0)
        return _ms(rng, shift(created, seconds=rng.random() * span))
    return _ms(rng, shift(created, seconds=rng.random() * 2))


def _cancel_info(rng: random.Random, status: str, owner: str) -> Record | None:
    if status not in ("canceled", "rescheduled"):
        return None
    by_user = rng.random() < 0.4
    return {
        "reason": rng.choice(_REASONS),
        "actioned_by": "user" if by_user else "customer",
        "user_id": owner if by_user else None,
    }


def _utm(rng: random.Random) -> Record | None:
    if rng.random() >= 0.12:
        return None
    source, medium, campaign = rng.choice(_UTM)
    return {"source": source, "medium": medium, "campaign": campaign, "term": None, "content": None}


def _touch_contact(contact: Record, booked: datetime) -> None:
    stamp = iso(booked)
    if stamp < contact["creation_time"]:
        contact["creation_time"] = stamp
    if contact["last_interacted_time"] is None or stamp > contact["last_interacted_time"]:
        contact["last_interacted_time"] = stamp
    contact["last_updated_time"] = max(contact["last_updated_time"], stamp)


def make_sms(data: Dataset, pools: Pools, count: int) -> None:
    """Create ``count`` SMS notifications sent to contacts and users.

    Example:
        >>> from oncehub_nb.sandbox._data import generate
        >>> len(generate(bookings=40, seed=0).collections["notifications/sms"])
        5
    """
    rng = pools.rng
    contacts = list(data.collections["contacts"].values())
    users = [u for u in data.collections["users"].values() if u["status"] == "active"]
    for _ in range(count):
        to_contact = rng.random() < 0.8
        recipient = rng.choice(contacts) if to_contact else rng.choice(users)
        number = (recipient.get("mobile_phone") if to_contact else None) or phone(rng)
        created = _ms(rng, shift(data.anchor, days=-150 + rng.random() * 150))
        body = (
            f"Reminder: your meeting is on {created.strftime('%b %d')} at "
            f"{created.strftime('%H:%M')} UTC. Reply STOP to opt out."
        )
        data.add(
            "notifications/sms",
            {
                "object": "notification",
                "id": new_id(rng, "SMS", 12, data.used_ids),
                "type": "sms",
                "status": rng.choice(
                    ["delivered", "delivered", "delivered", "sent", "failed", "rejected"]
                ),
                "creation_time": iso(created),
                "recipient": recipient["id"],
                "recipient_type": "contact" if to_contact else "user",
                "details": {
                    "delivered_to": number,
                    "message_body": body,
                    "segment_count": 1 if len(body) <= 160 else 2,
                },
            },
        )

"""The sandbox's in-memory dataset and the small helpers its generators share."""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from oncehub_nb.sandbox._times import FIXED_ANCHOR

Record = dict[str, Any]

#: Collection name (the URL segment after ``/v2/``) -> the ``object`` value of its records.
OBJECT_NAMES: dict[str, str] = {
    "bookings": "booking",
    "booking-calendars": "booking_calendar",
    "booking-pages": "booking_page",
    "event-types": "event_type",
    "master-pages": "master_page",
    "users": "user",
    "teams": "team",
    "contacts": "contact",
    "webhooks": "webhook",
    "notifications/sms": "notification",
}

#: Id prefix -> collection, used to resolve references (expansion, filters).
PREFIXES: dict[str, str] = {
    "BKNG": "bookings",
    "BKC": "booking-calendars",
    "BP": "booking-pages",
    "ET": "event-types",
    "MP": "master-pages",
    "USR": "users",
    "TM": "teams",
    "CTC": "contacts",
    "WHK": "webhooks",
    "SMS": "notifications/sms",
}

_ALPHABET = string.ascii_uppercase + string.digits


@dataclass
class PageLinks:
    """Hidden relations of a booking page (not part of its API shape).

    Example:
        >>> PageLinks(user="USR-1", master_page=None, event_types=["ET-1"]).user
        'USR-1'
    """

    user: str
    master_page: str | None
    event_types: list[str]


@dataclass
class CalendarInfo:
    """Hidden facts about a booking calendar: how it is paid and where it meets.

    Example:
        >>> CalendarInfo(price=None, currency=None, locations=[]).price is None
        True
    """

    price: int | None
    currency: str | None
    locations: list[Record]


@dataclass
class Dataset:
    """Every record the sandbox serves, keyed by collection then id.

    Example:
        >>> ds = Dataset(account_email="owner@example.com")
        >>> ds.collections["bookings"]
        {}
    """

    account_email: str
    #: The present the records were placed around (see ``_times.SandboxClock``).
    anchor: datetime = FIXED_ANCHOR
    collections: dict[str, dict[str, Record]] = field(
        default_factory=lambda: {name: {} for name in OBJECT_NAMES}
    )
    deleted: set[str] = field(default_factory=set)
    page_links: dict[str, PageLinks] = field(default_factory=dict)
    calendars: dict[str, CalendarInfo] = field(default_factory=dict)
    event_durations: dict[str, int] = field(default_factory=dict)
    availability: dict[str, Record] = field(default_factory=dict)
    _ordered: dict[str, tuple[tuple[int, int], list[Record], list[tuple[str, str]]]] = field(
        default_factory=dict, repr=False
    )
    used_ids: set[str] = field(default_factory=set)
    webhook_secrets: dict[str, str] = field(default_factory=dict)
    #: One-time links made through the API, by id (no API lists them; ``ground_truth`` does).
    one_time_links: dict[str, Record] = field(default_factory=dict)
    #: Users with no seat assigned: their booking calendars answer 402 (``Sandbox.set_seat``).
    seatless: set[str] = field(default_factory=set)

    def add(self, collection: str, record: Record) -> Record:
        """Store ``record`` in ``collection`` and return it.

        Example:
            >>> ds = Dataset(account_email="a@example.com")
            >>> ds.add("teams", {"object": "team", "id": "TM-1", "name": "x"})["id"]
            'TM-1'
        """
        self.collections[collection][record["id"]] = record
        self.used_ids.add(record["id"])
        return record

    def find(self, object_id: str) -> tuple[str, Record] | None:
        """Return ``(collection, record)`` for any id, deleted or not, or ``None``.

        Example:
            >>> Dataset(account_email="a@example.com").find("BKNG-NOPE") is None
            True
        """
        collection = PREFIXES.get(object_id.split("-", 1)[0])
        if collection is None:
            return None
        record = self.collections[collection].get(object_id)
        return None if record is None else (collection, record)

    def live(self, collection: str) -> list[Record]:
        """Return the non-deleted records of a collection, newest first (ties by id).

        Example:
            >>> Dataset(account_email="a@example.com").live("users")
            []
        """
        return list(self.ordered(collection)[0])

    def ordered(self, collection: str) -> tuple[list[Record], list[tuple[str, str]]]:
        """The live records newest first, and their sort keys in ascending order (cached).

        Records are only ever added or marked deleted, and ``creation_time`` never changes, so
        the order holds until the collection grows or ``deleted`` does. Paging a large sandbox
        then costs a bisection per request instead of a sort. Do not mutate the lists.

        Example:
            >>> Dataset(account_email="a@example.com").ordered("users")
            ([], [])
        """
        stamp = (len(self.collections[collection]), len(self.deleted))
        cached = self._ordered.get(collection)
        if cached is None or cached[0] != stamp:
            records = [
                r for r in self.collections[collection].values() if r["id"] not in self.deleted
            ]
            records.sort(key=sort_key, reverse=True)
            ascending_keys = [sort_key(r) for r in reversed(records)]
            cached = (stamp, records, ascending_keys)
            self._ordered[collection] = cached
        return cached[1], cached[2]


def sort_key(record: Record) -> tuple[str, str]:
    """Order records by ``creation_time`` then id (use with ``reverse=True``).

    Records without a creation time (users, teams, pages) sort by id only.

    Example:
        >>> sort_key({"id": "TM-1"})
        ('', 'TM-1')
    """
    return (str(record.get("creation_time") or ""), str(record["id"]))


def new_id(rng: random.Random, prefix: str, length: int, used: set[str]) -> str:
    """Draw a fresh ``PREFIX-XXXX`` id (upper-case letters and digits) not in ``used``.

    Example:
        >>> new_id(random.Random(1), "BKNG", 12, set()).startswith("BKNG-")
        True
    """
    while True:
        candidate = prefix + "-" + "".join(rng.choices(_ALPHABET, k=length))
        if candidate not in used:
            used.add(candidate)
            return candidate


def phone(rng: random.Random) -> str:
    """Draw a fictional North American number in E.164 form (555 exchange).

    Example:
        >>> phone(random.Random(0)).startswith("+1")
        True
    """
    return f"+1{rng.randint(201, 989)}555{rng.randint(0, 9999):04d}"


def slug(text: str) -> str:
    """Lower-case ``text`` and keep only letters, digits and dashes.

    Example:
        >>> slug("Dana O'Neil")
        'dana-oneil'
    """
    cleaned = "".join(ch for ch in text.lower().replace(" ", "-") if ch.isalnum() or ch == "-")
    return cleaned.strip("-") or "page"


TIMEZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Jerusalem",
    "Asia/Kolkata",
    "Australia/Sydney",
]

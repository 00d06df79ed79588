"""Validation and partial update of a user's scheduling availability."""

from __future__ import annotations

import copy
import itertools
import re
from datetime import date
from typing import Any

from oncehub_nb.sandbox._dataset import Record
from oncehub_nb.sandbox._errors import bad_request

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
LOCATION_TYPES = {
    "online_dynamic_link",
    "online_static_link",
    "in_person_by_host",
    "phone_by_guest",
}
_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


def _hours(value: Any, where: str) -> list[Record]:
    if not isinstance(value, list):
        raise bad_request(f"{where}.working_hours must be a list", f"{where}.working_hours")
    out: list[Record] = []
    for index, slot in enumerate(value):
        here = f"{where}.working_hours[{index}]"
        if not isinstance(slot, dict):
            raise bad_request(f"{here} must be an object", here)
        start, end = slot.get("start_time"), slot.get("end_time")
        for name, text in (("start_time", start), ("end_time", end)):
            if not isinstance(text, str) or not _HHMM.match(text):
                raise bad_request(f"Invalid {name}: use HH:MM", f"{here}.{name}")
        if str(start) >= str(end):
            raise bad_request("end_time must be after start_time", f"{here}.end_time")
        locations = slot.get("locations")
        if not isinstance(locations, list):
            raise bad_request("locations must be a list", f"{here}.locations")
        clean = []
        for loc in locations:
            if not isinstance(loc, dict) or loc.get("type") not in LOCATION_TYPES:
                raise bad_request("Invalid location type", f"{here}.locations")
            clean.append({"type": loc["type"], "value": loc.get("value"), "id": loc.get("id")})
        kinds = {c["type"] for c in clean}
        if {"online_dynamic_link", "online_static_link"} <= kinds:
            raise bad_request(
                "Dynamic and static online links cannot be mixed", f"{here}.locations"
            )
        out.append({"start_time": start, "end_time": end, "locations": clean})
    out.sort(key=lambda s: str(s["start_time"]))
    for earlier, later in itertools.pairwise(out):
        if later["start_time"] < earlier["end_time"]:
            raise bad_request("Working hours overlap", f"{where}.working_hours")
    return out


def update_availability(current: Record, body: dict[str, Any]) -> Record:
    """Apply a partial update: given weekdays and override dates replace the stored ones.

    Example:
        >>> from oncehub_nb.sandbox._data import default_availability
        >>> new = update_availability(default_availability("UTC"),
        ...     {"weekly": [{"day": "Saturday", "working_hours": []}]})
        >>> [d["day"] for d in new["weekly"]][-1]
        'Saturday'
    """
    unsupported = sorted(set(body) - {"weekly", "overrides", "timezone"})
    if unsupported:
        raise bad_request(f"Unsupported fields: {', '.join(unsupported)}", unsupported[0])
    if not body:
        raise bad_request("Provide weekly or overrides to update.")
    result = copy.deepcopy(current)
    if "timezone" in body:
        if not isinstance(body["timezone"], str) or "/" not in body["timezone"]:
            raise bad_request("Invalid timezone", "timezone")
        result["timezone"] = body["timezone"]
    weekly = {d["day"]: d for d in result["weekly"]}
    for index, entry in enumerate(_entries(body, "weekly")):
        day = entry.get("day")
        if day not in DAYS:
            raise bad_request(f"Invalid day: {day}", f"weekly[{index}].day")
        weekly[day] = {"day": day, "working_hours": _hours(entry.get("working_hours"), "weekly")}
    result["weekly"] = [weekly[d] for d in DAYS if d in weekly]
    overrides = {o["date"]: o for o in result["overrides"]}
    for index, entry in enumerate(_entries(body, "overrides")):
        try:
            when = date.fromisoformat(str(entry.get("date")))
        except ValueError:
            raise bad_request("Invalid date: use YYYY-MM-DD", f"overrides[{index}].date") from None
        overrides[when.isoformat()] = {
            "date": when.isoformat(),
            "day": DAYS[when.weekday()],
            "working_hours": _hours(entry.get("working_hours"), "overrides"),
        }
    result["overrides"] = [overrides[k] for k in sorted(overrides)]
    return result


def _entries(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    value = body.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise bad_request(f"{name} must be a list of objects", name)
    return value

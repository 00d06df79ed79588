"""Our column schemas, cross-checked against the official spec's component schemas.

The spec is OnceHub's material: it is read from ``../shared/reference/`` next to the repository,
never copied in. Without it these tests are skipped, saying why.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from oncehub_nb.frames.build import Column
from oncehub_nb.resources.booking_calendars import BOOKING_CALENDAR_COLUMNS
from oncehub_nb.resources.booking_pages import BOOKING_PAGE_COLUMNS
from oncehub_nb.resources.bookings import BOOKING_COLUMNS
from oncehub_nb.resources.contacts import CONTACT_COLUMNS
from oncehub_nb.resources.event_types import EVENT_TYPE_COLUMNS
from oncehub_nb.resources.master_pages import MASTER_PAGE_COLUMNS
from oncehub_nb.resources.notifications import SMS_COLUMNS
from oncehub_nb.resources.teams import TEAM_COLUMNS
from oncehub_nb.resources.users import USER_COLUMNS
from oncehub_nb.resources.webhooks import WEBHOOK_COLUMNS
from tests._spec import require_spec

#: component schema -> (our columns, spec fields deliberately left out of the frame)
SCHEMAS: dict[str, tuple[tuple[Column, ...], set[str]]] = {
    "Booking": (BOOKING_COLUMNS, {"object"}),
    "Contact": (CONTACT_COLUMNS, {"object"}),
    "User": (USER_COLUMNS, {"object"}),
    "Team": (TEAM_COLUMNS, {"object"}),
    "BookingCalendar": (BOOKING_CALENDAR_COLUMNS, {"object"}),
    "BookingPage": (BOOKING_PAGE_COLUMNS, {"object"}),
    "MasterPage": (MASTER_PAGE_COLUMNS, {"object"}),
    "EventType": (EVENT_TYPE_COLUMNS, {"object"}),
    "Webhook": (WEBHOOK_COLUMNS, {"object", "secret"}),  # the secret never goes in a frame
    "SmsNotification": (SMS_COLUMNS, {"object"}),
}


@pytest.fixture(scope="module")
def components() -> dict[str, Any]:
    schemas: dict[str, Any] = json.loads(require_spec().read_text())["components"]["schemas"]
    return schemas


def _properties(components: dict[str, Any], name: str) -> dict[str, Any]:
    schema = components[name]
    merged: dict[str, Any] = {}
    for part in schema.get("allOf", [schema]):
        if "$ref" in part:
            merged.update(_properties(components, part["$ref"].rsplit("/", 1)[-1]))
        else:
            merged.update(part.get("properties", {}))
    return merged


def _types(prop: dict[str, Any]) -> set[str]:
    options = prop.get("oneOf") or prop.get("anyOf") or [prop]
    found: set[str] = set()
    for option in options:
        kind = option.get("type")
        found.update(kind if isinstance(kind, list) else [kind] if kind else ["object"])
    return found - {"null"}


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_schema_fields_match_the_spec(components: dict[str, Any], name: str) -> None:
    columns, left_out = SCHEMAS[name]
    spec = _properties(components, name)
    ours = {column.path[0] for column in columns}
    assert ours - set(spec) == set(), f"{name}: columns read fields the spec does not have"
    assert set(spec) - ours - left_out == set(), f"{name}: spec fields missing from the frame"
    for column in columns:
        prop = spec[column.path[0]]
        types = _types(prop)
        if len(column.path) > 1 or column.id_of:
            assert types & {"object", "string"}, (name, column.name)
            continue
        expected = {
            "datetime": {"string"},
            "boolean": {"boolean"},
            "Int64": {"integer", "number"},
            "list": {"array"},
            "category": {"string"},
            "string": {"string"},
        }[column.kind]
        assert types <= expected, (name, column.name, types)
        if prop.get("format") == "date-time":
            assert column.kind == "datetime", (name, column.name)
        if prop.get("enum"):
            assert column.kind == "category", (name, column.name)
            spec_values = {v for v in prop["enum"] if v is not None}
            assert spec_values <= set(column.choices), (name, column.name)


def _resolve(components: dict[str, Any], prop: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in prop:
        prop = components[prop["$ref"].rsplit("/", 1)[-1]]
    return prop


def _allows_null(prop: dict[str, Any]) -> bool:
    kind = prop.get("type")
    options = prop.get("oneOf") or prop.get("anyOf") or []
    return bool(
        prop.get("nullable")
        or kind == "null"
        or (isinstance(kind, list) and "null" in kind)
        or any(_allows_null(option) for option in options)
    )


def _object_properties(components: dict[str, Any], prop: dict[str, Any]) -> dict[str, Any]:
    prop = _resolve(components, prop)
    found: dict[str, Any] = {}
    for option in [prop, *(prop.get("oneOf") or prop.get("anyOf") or [])]:
        option = _resolve(components, option)
        for part in option.get("allOf", [option]):
            found.update(_resolve(components, part).get("properties", {}))
    return found


@pytest.mark.parametrize("name", sorted(SCHEMAS))
def test_nullable_columns_are_where_the_spec_allows_null(
    components: dict[str, Any], name: str
) -> None:
    """``Column.nullable`` (what hub.doctor() expects) is the spec's: null allowed on the path."""
    columns, _ = SCHEMAS[name]
    spec = _properties(components, name)
    for column in columns:
        properties, allows = spec, False
        for key in column.path:
            prop = properties[key]
            allows = allows or _allows_null(_resolve(components, prop)) or _allows_null(prop)
            properties = _object_properties(components, prop)
        assert column.nullable == allows, (name, column.name, allows)

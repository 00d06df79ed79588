"""The sandbox's request schemas say what OnceHub's spec says, plus the documented departures.

``oncehub_nb/sandbox/_request_schemas.py`` is written from the facts of the official spec (which
is not in this repository). Here both are reduced to those facts (types, formats, enums, bounds,
properties, required fields) and compared operation by operation, against the spec with the
sandbox's departures applied (``live_spec``): a schema that drifts from the spec, or a
departure that is not documented, fails.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from oncehub_nb.sandbox import DEPARTURES, live_spec
from oncehub_nb.sandbox._request_schemas import OPERATIONS
from tests._spec import require_spec

#: Operations and parameters the sandbox adds, each a documented departure without a patch.
EXTRA_OPERATIONS = {"GET /v2/notifications/sms/{id}": "sandbox-sms-get-one"}
EXTRA_PARAMETERS = {("GET /v2/bookings/{id}", "expand"): "request-expand-one"}
_KEYS = ("type", "format", "enum", "minimum", "maximum")


def facts(node: Any, spec: dict[str, Any]) -> dict[str, Any]:
    """What a schema says about valid values (descriptions, examples, defaults left out)."""
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    out: dict[str, Any] = {}
    for part in node.get("allOf", []):
        merged = facts(part, spec)
        out.setdefault("properties", {}).update(merged.pop("properties", {}))
        out["required"] = sorted({*out.get("required", []), *merged.pop("required", [])})
        out.update(merged)
    for key in _KEYS:
        if key in node:
            value = node[key]
            out[key] = (
                sorted(value, key=str)
                if key in ("type", "enum") and isinstance(value, list)
                else value
            )
    for key in ("anyOf", "oneOf"):
        if key in node:
            out[key] = [facts(choice, spec) for choice in node[key]]
    properties = {n: p for n, p in node.get("properties", {}).items() if not p.get("readOnly")}
    if properties:
        out.setdefault("properties", {}).update({n: facts(p, spec) for n, p in properties.items()})
    required = [n for n in node.get("required", []) if n not in node.get("properties", {})
                or not node["properties"][n].get("readOnly")]  # fmt: skip
    if required or out.get("required"):
        out["required"] = sorted({*out.get("required", []), *required})
    if "items" in node:
        out["items"] = facts(node["items"], spec)
    return out


def spec_operations(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    operations = {}
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "patch", "delete", "put"):
                operations[f"{method.upper()} /v2{path}"] = operation
    return operations


def parameters(spec: dict[str, Any], operation: dict[str, Any]) -> dict[str, Any]:
    found = {}
    for param in operation.get("parameters", []):
        if "$ref" in param:
            param = spec["components"]["parameters"][param["$ref"].rsplit("/", 1)[-1]]
        if param["in"] == "query":
            found[param["name"]] = facts(param["schema"], spec)
    return found


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return live_spec(json.loads(require_spec().read_text(encoding="utf-8")))


def test_the_same_operations(spec: dict[str, Any]) -> None:
    names = {d.name for d in DEPARTURES}
    assert set(EXTRA_OPERATIONS.values()) | set(EXTRA_PARAMETERS.values()) <= names
    assert set(OPERATIONS) - set(spec_operations(spec)) == set(EXTRA_OPERATIONS)
    assert set(spec_operations(spec)) - set(OPERATIONS) == set()


@pytest.mark.parametrize("key", sorted(OPERATIONS))
def test_query_parameters_match(spec: dict[str, Any], key: str) -> None:
    if key in EXTRA_OPERATIONS:
        return
    theirs = parameters(spec, spec_operations(spec)[key])
    ours = {
        name: facts(schema, spec)
        for name, schema in OPERATIONS[key].query.items()
        if (key, name) not in EXTRA_PARAMETERS
    }
    assert ours == theirs


@pytest.mark.parametrize("key", sorted(OPERATIONS))
def test_bodies_match(spec: dict[str, Any], key: str) -> None:
    if key in EXTRA_OPERATIONS:
        return
    body = spec_operations(spec)[key].get("requestBody")
    ours = OPERATIONS[key]
    if body is None:
        assert ours.body is None
        return
    theirs = facts(body["content"]["application/json"]["schema"], spec)
    assert ours.body is not None and facts(ours.body, spec) == theirs
    assert ours.body_required == bool(body.get("required"))

"""Records against the SDK's column schemas: what the frames expect and what really came back.

Every finding names a field path and JSON types only, never a value: the probe's report must be
safe to attach to a bug report.

Example:
    >>> from oncehub_nb.frames.build import Column
    >>> columns = (Column("id", "string"), Column("status", "category", choices=("a", "b")))
    >>> tally = Tally()
    >>> tally.check([{"id": "X", "status": "c", "extra": 1}], columns=columns, left_out={"object"})
    >>> sorted((f.kind, f.field) for f in tally.findings("/things"))
    [('unknown-enum', 'status'), ('unknown-field', 'extra')]
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from oncehub_nb.frames.build import Column

__all__ = ["KINDS", "Finding", "Tally", "json_type"]

#: What the probe can find, in the order the table shows them.
KINDS = (
    "error",
    "envelope",
    "cursor-stuck",
    "type-mismatch",
    "unexpected-null",
    "unknown-enum",
    "unknown-field",
)
_SAFE_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,63}$")


@dataclasses.dataclass(frozen=True)
class Finding:
    """One way an endpoint's answer differs from what the SDK expects.

    Attributes:
        endpoint: the list path, e.g. ``/bookings``.
        kind: one of :data:`KINDS`.
        field: the dotted field path (``form_submission.phone``), or ``""``.
        expected: what the schema expects, in words (``datetime``, ``one of 6 values`` ...).
        observed: the JSON types seen (``null``, ``integer`` ...), never a value.
        count: how many records (or pages) showed it.
        known: when this is a documented departure of real OnceHub from its spec, the note
            saying so and where it is documented; ``None`` for anything new.

    Example:
        >>> Finding("/bookings", "unexpected-null", "location_description", "string", "null", 3)
        Finding(/bookings unexpected-null location_description: expected string, got null (3))
    """

    endpoint: str
    kind: str
    field: str
    expected: str
    observed: str
    count: int
    known: str | None = None

    def __repr__(self) -> str:
        return (
            f"Finding({self.endpoint} {self.kind} {self.field}: expected {self.expected}, "
            f"got {self.observed} ({self.count}))"
        )


def json_type(value: Any) -> str:
    """The JSON type of a decoded value: ``null``, ``boolean``, ``integer``, ``number`` ...

    Example:
        >>> [json_type(v) for v in (None, True, 1, 1.5, "x", [], {})]
        ['null', 'boolean', 'integer', 'number', 'string', 'array', 'object']
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else type(value).__name__


def safe_name(name: object) -> str:
    """A field name fit for the report; anything unusual is described, not shown.

    Example:
        >>> safe_name("utm_params"), safe_name("Carrie's answer")
        ('utm_params', '<a key of 15 characters>')
    """
    text = str(name)
    return text if _SAFE_NAME.match(text) else f"<a key of {len(text)} characters>"


def _is_datetime(value: str) -> bool:
    try:
        dt.datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _mismatch(column: Column, value: Any) -> str | None:
    """The observed type when ``value`` does not fit the column, else ``None``."""
    kind = json_type(value)
    if column.id_of:
        ok = kind == "string" or (kind == "object" and isinstance(value.get("id"), str))
    elif column.kind in ("string", "category"):
        ok = kind == "string"
    elif column.kind == "datetime":
        if kind == "string" and not _is_datetime(value):
            return "string (not an ISO 8601 date-time)"
        ok = kind == "string"
    elif column.kind == "Int64":
        ok = kind == "integer" or (
            kind == "number" and math.isfinite(value) and value == int(value)
        )
    elif column.kind == "Float64":
        ok = kind in ("integer", "number")
    elif column.kind == "boolean":
        ok = kind == "boolean"
    else:  # list
        ok = kind == "array"
    return None if ok else kind


def _expected(column: Column) -> str:
    if column.id_of:
        return "an id or an expanded object"
    if column.kind == "list":
        return "array"
    return {"Int64": "integer", "Float64": "number"}.get(column.kind, column.kind)


def _known_keys(columns: Sequence[Column]) -> dict[tuple[str, ...], set[str]]:
    """For each object path (``()`` for the record), the keys the columns read there.

    Related objects read as ids (``owner``) get no entry: expanded, they are another resource.
    """
    keys: dict[tuple[str, ...], set[str]] = {}
    for column in columns:
        path = column.path
        for depth in range(len(path)):
            keys.setdefault(path[:depth], set()).add(path[depth])
    return keys


class Tally:
    """Counts findings over the records of one endpoint (any number of pages).

    Example:
        >>> Tally().findings("/teams")
        []
    """

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str, str], tuple[set[str], int]] = {}

    def add(self, kind: str, *, field: str, expected: str, observed: str, count: int = 1) -> None:
        """Count ``count`` more occurrences of a finding.

        Example:
            >>> tally = Tally()
            >>> tally.add("cursor-stuck", field="after", expected="a new page", observed="same")
            >>> tally.findings("/x")[0].count
            1
        """
        key = (kind, field, expected)
        types, seen = self._seen.get(key, (set(), 0))
        self._seen[key] = (types | {observed}, seen + count)

    def check(
        self, records: Iterable[Any], *, columns: Sequence[Column], left_out: set[str]
    ) -> None:
        """Compare records with the columns a frame of them is built from.

        Args:
            records: the records of a page, as decoded.
            columns: the resource's column schema.
            left_out: top-level fields the frame leaves out on purpose (``object`` ...).
        """
        keys = _known_keys(columns)
        for record in records:
            if not isinstance(record, dict):
                self.add(
                    "type-mismatch", field="(record)", expected="object", observed=json_type(record)
                )
                continue
            found: set[tuple[str, str, str, str]] = set()
            for column in columns:
                found |= _column(record, column)
            found |= _unknown_keys(record, keys, left_out)
            for kind, field, expected, observed in found:  # once per record
                self.add(kind, field=field, expected=expected, observed=observed)

    def findings(self, endpoint: str) -> list[Finding]:
        """The findings so far, sorted by kind then field.

        Args:
            endpoint: the path they belong to.

        Returns:
            One :class:`Finding` per (kind, field, expected).
        """
        rows = [
            Finding(endpoint, kind, field, expected, " or ".join(sorted(types)), count)
            for (kind, field, expected), (types, count) in self._seen.items()
        ]
        return sorted(rows, key=lambda f: (KINDS.index(f.kind), f.field, f.expected))


def _column(record: Mapping[str, Any], column: Column) -> set[tuple[str, str, str, str]]:
    """The finding of one column in one record (at most one: the first thing wrong)."""
    value: Any = record
    path = column.path
    for depth, key in enumerate(path):
        if not isinstance(value, dict) or key not in value:
            return set()  # absent: a field of the other product, or of a nested object
        value = value[key]
        where = ".".join(path[: depth + 1])
        if value is None:
            if column.nullable:
                return set()
            expected = "object" if depth < len(path) - 1 else _expected(column)
            return {("unexpected-null", where, expected, "null")}
        if depth < len(path) - 1 and not isinstance(value, dict):
            return {("type-mismatch", where, "object", json_type(value))}
    observed = _mismatch(column, value)
    if observed is not None:
        return {("type-mismatch", column.name, _expected(column), observed)}
    if column.kind == "category" and column.choices and value not in column.choices:
        return {("unknown-enum", column.name, f"one of {len(column.choices)} values", "string")}
    return set()


def _unknown_keys(
    record: Mapping[str, Any], keys: dict[tuple[str, ...], set[str]], left_out: set[str]
) -> set[tuple[str, str, str, str]]:
    found: set[tuple[str, str, str, str]] = set()
    for key, value in record.items():
        if key not in keys[()] and key not in left_out:
            found.add(("unknown-field", safe_name(key), "not in the schema", json_type(value)))
    for path, known in keys.items():
        if not path:
            continue
        holder: Any = record
        for key in path:
            holder = holder.get(key) if isinstance(holder, dict) else None
        if isinstance(holder, dict):
            for key, inner in holder.items():
                if key not in known:
                    where = ".".join((*path, safe_name(key)))
                    found.add(("unknown-field", where, "not in the schema", json_type(inner)))
    return found

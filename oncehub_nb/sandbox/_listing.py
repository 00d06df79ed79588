"""List endpoints: query validation, filters, cursor pagination, ``Link`` header, expansion."""

from __future__ import annotations

import bisect
import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from oncehub_nb.sandbox._dataset import OBJECT_NAMES, Dataset, Record, sort_key
from oncehub_nb.sandbox._errors import ApiError, bad_request
from oncehub_nb.sandbox._times import iso, parse_time

#: Matches one record against the raw query value.
Filter = Callable[[Record, str], bool]


def equals(field_name: str) -> Filter:
    """Filter on a field equal to the query value (also matches expanded objects by id).

    Example:
        >>> equals("status")({"status": "canceled"}, "canceled")
        True
    """

    def check(record: Record, value: str) -> bool:
        current = record.get(field_name)
        if isinstance(current, dict):
            current = current.get("id")
        return current == value

    return check


@dataclass
class ListSpec:
    """What one list endpoint accepts.

    Example:
        >>> sorted(ListSpec("teams").allowed_params())
        ['after', 'before', 'limit']
    """

    collection: str
    filters: dict[str, Filter] = field(default_factory=dict)
    time_fields: list[str] = field(default_factory=list)
    expandable: set[str] = field(default_factory=set)

    def allowed_params(self) -> set[str]:
        """Return every query parameter name this endpoint understands.

        Example:
            >>> sorted(ListSpec("x", time_fields=["creation_time"]).allowed_params())[:2]
            ['after', 'before']
        """
        names = {"limit", "after", "before", *self.filters}
        names.update(f"{f}.{op}" for f in self.time_fields for op in ("gt", "lt"))
        if self.expandable:
            names.add("expand")
        return names


def parse_limit(raw: str | None) -> int:
    """Validate ``limit`` (1..100, default 10).

    Example:
        >>> parse_limit(None), parse_limit("100")
        (10, 100)
    """
    if raw is None:
        return 10
    try:
        value = int(raw.strip())
    except ValueError:
        raise bad_request(f"Invalid integer: {raw}", "limit") from None
    if not 1 <= value <= 100:
        raise bad_request(
            f"Out of range value: {value}. Please provide a number between 1 and 100.", "limit"
        )
    return value


def time_bound(query: Mapping[str, str], name: str) -> str | None:
    """Return the query time ``name`` in the API's canonical form, 400 when invalid.

    Example:
        >>> time_bound({"creation_time.gt": "2026-01-01T00:00:00+02:00"}, "creation_time.gt")
        '2025-12-31T22:00:00.000Z'
    """
    raw = query.get(name)
    if raw is None:
        return None
    moment = parse_time(raw)
    if moment is None:
        raise bad_request(f"Invalid date: {raw}", name)
    return iso(moment)


def time_filters(query: Mapping[str, str], fields: list[str]) -> list[Callable[[Record], bool]]:
    """Build the ``<field>.gt`` / ``<field>.lt`` checks present in the query.

    Example:
        >>> checks = time_filters({"starting_time.lt": "2026-01-01"}, ["starting_time"])
        >>> checks[0]({"starting_time": "2025-12-31T10:00:00.000Z"})
        True
    """
    checks: list[Callable[[Record], bool]] = []
    for name in fields:
        low, high = time_bound(query, f"{name}.gt"), time_bound(query, f"{name}.lt")
        if low is not None and high is not None and low > high:
            raise bad_request(f"{name}.gt cannot be later than {name}.lt", f"{name}.gt")
        if low is not None:
            checks.append(_after_check(name, low))
        if high is not None:
            checks.append(_before_check(name, high))
    return checks


def _after_check(name: str, bound: str) -> Callable[[Record], bool]:
    return lambda record: str(record.get(name) or "") > bound


def _before_check(name: str, bound: str) -> Callable[[Record], bool]:
    return lambda record: str(record.get(name) or "") < bound


def _created_between(
    newest_first: list[Record], ascending: list[tuple[str, str]], low: str | None, high: str | None
) -> tuple[list[Record], list[tuple[str, str]]]:
    """The records with ``low < creation_time < high``, by bisection of the sorted keys."""
    if low is None and high is None:
        return newest_first, ascending
    first = 0 if low is None else bisect.bisect_right(ascending, low, key=lambda k: k[0])
    stop = len(ascending)
    if high is not None:
        stop = bisect.bisect_left(ascending, high, key=lambda k: k[0])
    stop = max(first, stop)
    n = len(ascending)
    return newest_first[n - stop : n - first], ascending[first:stop]


def _bound(check: Filter, value: str) -> Callable[[Record], bool]:
    return lambda record: check(record, value)


def parse_expand(raw: str | None, expandable: set[str], *, in_list: bool) -> list[str]:
    """Validate ``expand`` (``data.`` prefix on lists) and return the bare field names.

    Example:
        >>> parse_expand("data.owner,data.contact", {"owner", "contact"}, in_list=True)
        ['owner', 'contact']
    """
    if raw is None:
        return []
    names = []
    for part in (p.strip() for p in raw.split(",")):
        if not part:
            continue
        name = part.removeprefix("data.") if in_list and part.startswith("data.") else None
        if not in_list:
            name = part
        if name is None or name not in expandable:
            raise bad_request(f"This property cannot be expanded: {part}", "expand")
        names.append(name)
    return names


def reference(data: Dataset, object_id: str) -> Record | None:
    """Return the full record behind ``object_id``, a deleted stub, or ``None`` if unknown.

    Example:
        >>> reference(Dataset(account_email="a@b.c"), "USR-NONE") is None
        True
    """
    found = data.find(object_id)
    if found is None:
        return None
    collection, record = found
    if object_id in data.deleted:
        return {"id": object_id, "object": OBJECT_NAMES[collection], "deleted": True}
    return copy.deepcopy(record)


def expand(data: Dataset, record: Record, names: list[str]) -> Record:
    """Return ``record`` with each named reference replaced by its full object.

    Example:
        >>> expand(Dataset(account_email="a@b.c"), {"id": "X", "owner": None}, ["owner"])
        {'id': 'X', 'owner': None}
    """
    if not names:
        return record
    out = dict(record)
    for name in names:
        value = out.get(name)
        if isinstance(value, str):
            out[name] = reference(data, value) or value
    return out


@dataclass
class Page:
    """One page of a list answer.

    Example:
        >>> Page(data=[], has_more=False).body()
        {'object': 'list', 'data': [], 'has_more': False}
    """

    data: list[Record]
    has_more: bool
    next_after: str | None = None
    previous_before: str | None = None

    def body(self) -> Record:
        """Return the list envelope.

        Example:
            >>> Page(data=[{"id": "a"}], has_more=True).body()["has_more"]
            True
        """
        return {"object": "list", "data": self.data, "has_more": self.has_more}

    def link_header(self, base_url: str, limit: int) -> str | None:
        """Return the ``Link`` header (only ``limit`` and a cursor, like the real API).

        Example:
            >>> Page([], False, next_after="B-1").link_header("http://h/v2/x", 5)
            '<http://h/v2/x?limit=5&after=B-1>; rel="next"'
        """
        parts = []
        if self.next_after is not None:
            parts.append(f'<{base_url}?limit={limit}&after={self.next_after}>; rel="next"')
        if self.previous_before is not None:
            parts.append(
                f'<{base_url}?limit={limit}&before={self.previous_before}>; rel="previous"'
            )
        return ", ".join(parts) or None


def paginate(data: Dataset, spec: ListSpec, query: Mapping[str, str]) -> tuple[Page, int]:
    """Filter the collection and cut the requested page (the door checked the query's types).

    Example:
        >>> page, limit = paginate(Dataset(account_email="a@b.c"), ListSpec("teams"), {})
        >>> page.data, limit
        ([], 10)
    """
    limit = parse_limit(query.get("limit"))
    after, before = query.get("after"), query.get("before")
    if after is not None and before is not None:
        raise bad_request("Received both before and after parameters. Please provide only one.")
    # creation_time is the listing's order: its bounds are a bisection, not a scan (as an index
    # serves them), so a pull walking creation_time slices at once is not held back here.
    ordered = "creation_time" in spec.time_fields
    checks = time_filters(query, spec.time_fields)  # checks the bounds; kept when not ordered
    if ordered:
        checks = time_filters(query, [f for f in spec.time_fields if f != "creation_time"])
    for name, check in spec.filters.items():
        value = query.get(name)
        if value is not None:
            checks.append(_bound(check, value))
    names = parse_expand(query.get("expand"), spec.expandable, in_list=True)
    everything, ascending_keys = data.ordered(spec.collection)
    if ordered:
        everything, ascending_keys = _created_between(
            everything,
            ascending_keys,
            time_bound(query, "creation_time.gt"),
            time_bound(query, "creation_time.lt"),
        )
    if checks:
        items = [r for r in everything if all(c(r) for c in checks)]
        ascending_keys = [sort_key(r) for r in reversed(items)]
    else:
        items = everything
    start, end = 0, min(limit, len(items))
    cursor_id = after if after is not None else before
    if cursor_id is not None:
        cursor = data.collections[spec.collection].get(cursor_id)
        if cursor is None:
            param = "after" if after is not None else "before"
            raise ApiError(400, f"Invalid cursor: no such object: '{cursor_id}'", param=param)
        key = sort_key(cursor)
        # items run newest first; their keys ascending are bisected to find the cursor.
        if after is not None:  # the first item older than the cursor
            start = len(items) - bisect.bisect_left(ascending_keys, key)
            end = min(start + limit, len(items))
        else:  # up to (not including) the cursor
            end = len(items) - bisect.bisect_right(ascending_keys, key)
            start = max(0, end - limit)
    chosen = [expand(data, copy.deepcopy(r), names) for r in items[start:end]]
    has_next, has_previous = end < len(items), start > 0
    page = Page(
        data=chosen,
        has_more=has_previous if before is not None else has_next,
        next_after=chosen[-1]["id"] if chosen and has_next else None,
        previous_before=chosen[0]["id"] if chosen and has_previous else None,
    )
    return page, limit

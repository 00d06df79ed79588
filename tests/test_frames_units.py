"""The frame helpers without HTTP: expansion columns, explode, conform."""

from __future__ import annotations

import pandas as pd

from oncehub_nb.frames.build import Column, conform, explode_column, prefixed, records_to_frame
from oncehub_nb.resources.bookings import BOOKING_COLUMNS
from oncehub_nb.resources.users import USER_COLUMNS

OWNER = prefixed("owner", USER_COLUMNS)


def test_expanded_columns_are_empty_for_ids_and_filled_for_objects() -> None:
    records = [
        {"id": "B1", "owner": "USR-1"},
        {"id": "B2", "owner": {"id": "USR-2", "email": "x@example.com", "status": "weird"}},
    ]
    frame = records_to_frame(records, (*BOOKING_COLUMNS, *OWNER))
    assert frame["owner_id"].tolist() == ["USR-1", "USR-2"]
    assert frame["owner.email"].isna().tolist() == [True, False]
    assert frame.loc[1, "owner.status"] == "weird"  # unknown enum value kept
    assert list(frame["owner.status"].cat.categories[:2]) == ["active", "invited"]


def test_explode_keeps_rows_without_items_and_is_stable_when_empty() -> None:
    columns = (Column("id", "string"), Column("attendees", "list"))
    records = [{"id": "A", "attendees": ["a", "b"]}, {"id": "B", "attendees": []}, {"id": "C"}]
    long = records_to_frame(records, columns, explode="attendees")
    assert long["id"].tolist() == ["A", "A", "B", "C"]
    assert long["attendees"].isna().tolist() == [False, False, True, True]
    empty = records_to_frame([], columns, explode="attendees")
    assert empty.dtypes.astype(str).tolist() == long.dtypes.astype(str).tolist()
    assert explode_column(long, "attendees").equals(long)


def test_conform_restores_schema_dtypes_after_a_concat() -> None:
    columns = (
        Column("id", "string"),
        Column("status", "category", choices=("a", "b")),
        Column("n", "Int64"),
        Column("tags", "list"),
        Column("at", "datetime"),
    )
    one = records_to_frame([{"id": "1", "status": "a", "tags": ["x"]}], columns)
    two = records_to_frame(
        [{"id": "2", "status": "zzz", "n": 3, "at": "2026-01-01T00:00Z"}], columns
    )
    mixed = pd.concat([one.astype(object), two.astype(object)], ignore_index=True)
    fixed = conform(mixed.drop(columns=["n"]), columns)
    assert fixed.dtypes.astype(str).tolist() == one.dtypes.astype(str).tolist()
    assert list(fixed["status"].cat.categories) == ["a", "b", "zzz"]
    assert fixed["tags"].tolist() == [["x"], []]
    assert fixed["n"].isna().all()

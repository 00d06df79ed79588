"""The frame a pull builds as its pages arrive (ColumnBuffer) is the frame of its records."""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pandas as pd  # imported: the buffer types early only then (as in a notebook)
import pytest

from oncehub_nb.frames import buffer as buffer_module
from oncehub_nb.frames.buffer import TYPE_EVERY, ColumnBuffer
from oncehub_nb.frames.build import Column, prefixed, records_to_frame
from oncehub_nb.resources.bookings import BOOKING_COLUMNS
from oncehub_nb.resources.users import USER_COLUMNS

COLUMNS = (*BOOKING_COLUMNS, *prefixed("owner", USER_COLUMNS))

# What real data puts where the spec says otherwise, for every kind of column.
ODD: tuple[Any, ...] = (None, "", "  ", 0, 7, 2**60, 2**70, 1.5, float("nan"), True, [], {})
GOOD: dict[str, tuple[Any, ...]] = {
    "string": ("a", "BKNG-X", " padded ", "ünïcode"),
    "category": ("scheduled", "completed", "a_new_status"),
    "datetime": ("2026-05-02T21:18:19.317Z", "2026-05-03T09:00:00+02:00", "2026-05-03", "soon"),
    "Int64": (30, 45.0, -1),
    "Float64": (0.25, 3),
    "boolean": (True, False),
    "list": (["a@example.com"], ["x", "y"], []),
}


def _set(record: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    for key in path[:-1]:
        inner = record.setdefault(key, {})
        if not isinstance(inner, dict):
            return
        record = inner
    record[path[-1]] = value


def messy_records(count: int, seed: int) -> list[dict[str, Any]]:
    """Records with every column's good values, odd values and gaps, mixed at random."""
    pick = random.Random(seed)
    records = []
    for index in range(count):
        record: dict[str, Any] = {"id": f"BKNG-{index:012d}"}
        if pick.random() < 0.5:  # the owner as an id, or expanded
            record["owner"] = "USR-" + str(index)
        for column in COLUMNS:
            if column.name == "id" or pick.random() < 0.1:
                continue
            value = pick.choice(GOOD[column.kind]) if pick.random() < 0.7 else pick.choice(ODD)
            _set(record, column.path, value)
        records.append(record)
    return records


def fill(buffer: ColumnBuffer, records: list[dict[str, Any]], seed: int) -> None:
    """Add all but a last run of the records, in runs of uneven sizes (a pull's feed)."""
    pick = random.Random(seed)
    start = 0
    while start < len(records) - 100:
        size = pick.choice((1, 37, 100, 250, 999))
        buffer.add(records[start : start + size])
        start += size


@pytest.mark.parametrize(
    "options", [{}, {"tz": "America/New_York"}, {"explode": "attendees"}], ids=str
)
def test_the_buffered_frame_is_the_whole_build(options: dict[str, Any]) -> None:
    records = messy_records(3 * TYPE_EVERY + 123, seed=5)
    buffer = ColumnBuffer(COLUMNS, **options)
    buffer.early = lambda: True
    fill(buffer, records, seed=6)
    assert len(buffer.typed_chunks()) >= 2  # columns were typed in chunks before the end
    frame = buffer.frame(records)
    whole = records_to_frame(records, COLUMNS, **options)
    assert frame.dtypes.equals(whole.dtypes)
    for column in COLUMNS:  # categories from every value, not from the last chunk's
        if column.kind == "category":
            assert frame[column.name].cat.categories.equals(whole[column.name].cat.categories)
    assert frame.equals(whole)


def test_a_failure_to_type_early_leaves_it_to_the_end(monkeypatch: pytest.MonkeyPatch) -> None:
    records = messy_records(2 * TYPE_EVERY + 300, seed=9)
    real = buffer_module.typed_series
    calls = {"n": 0}

    def typed_series(column: Column, cleaned: list[Any]) -> pd.Series[Any]:
        calls["n"] += 1
        if calls["n"] == 3:  # mid-way through the first chunk's columns
            raise MemoryError("no room")
        return real(column, cleaned)

    monkeypatch.setattr(buffer_module, "typed_series", typed_series)
    buffer = ColumnBuffer(COLUMNS)
    buffer.early = lambda: True
    fill(buffer, records, seed=10)
    assert buffer.typed_chunks() == [] and not buffer.early()
    assert buffer.frame(records).equals(records_to_frame(records, COLUMNS))


def test_nothing_added_and_fewer_records_than_added() -> None:
    columns = (Column("id", "string"), Column("at", "datetime"), Column("n", "Int64"))
    empty = ColumnBuffer(columns).frame([])
    assert empty.equals(records_to_frame([], columns))
    buffer = ColumnBuffer(columns)
    buffer.add([{"id": "A"}, {"id": "B"}])
    with pytest.raises(ValueError, match="1 records, but 2 were added"):
        buffer.frame([{"id": "A"}])


CHILD = """
import json, sys
from oncehub_nb.frames import buffer as buffer_module
from oncehub_nb.frames.buffer import TYPE_EVERY, ColumnBuffer
from oncehub_nb.resources.bookings import BOOKING_COLUMNS
records = json.loads(sys.stdin.read())
buffer = ColumnBuffer(BOOKING_COLUMNS)
buffer.early = lambda: True
for start in range(0, len(records) - 100, 100):
    buffer.add(records[start : start + 100])
assert buffer.count > 2 * TYPE_EVERY and buffer.typed_chunks() == []
imported = "pandas" in sys.modules
from oncehub_nb.frames.build import records_to_frame
same = buffer.frame(records).equals(records_to_frame(records, BOOKING_COLUMNS))
print(json.dumps([imported, same]))
"""


def test_a_process_without_pandas_does_not_import_it_mid_pull() -> None:
    """Importing pandas takes about a second of the interpreter: not while walks send."""
    records = messy_records(2 * TYPE_EVERY + 500, seed=8)
    done = subprocess.run(
        [sys.executable, "-c", CHILD],
        input=json.dumps(records, allow_nan=True),
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[1],
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == [False, True]

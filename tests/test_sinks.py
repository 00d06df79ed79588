"""to_arrow(), to_polars() and sync() into DuckDB: the frame's columns and types, elsewhere."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

from oncehub_nb import ConfigurationError, MissingDependencyError, OnceHub, PullInterrupted
from oncehub_nb.frames.arrow import arrow_schema
from oncehub_nb.frames.build import conform, records_to_frame
from oncehub_nb.sandbox import Sandbox
from tests.conftest import client_for

RESOURCES = [
    "bookings",
    "contacts",
    "users",
    "teams",
    "booking_calendars",
    "booking_pages",
    "master_pages",
    "event_types",
    "webhooks",
    "sms_notifications",
]

ARROW_KIND = {
    "string": pa.types.is_large_string,
    "category": pa.types.is_dictionary,
    "datetime": lambda t: pa.types.is_timestamp(t) and t.unit == "us" and t.tz == "UTC",
    "Int64": pa.types.is_int64,
    "Float64": pa.types.is_float64,
    "boolean": pa.types.is_boolean,
    "list": pa.types.is_list,
}
POLARS_KIND = {
    "string": pl.String,
    "category": pl.Categorical,
    "datetime": pl.Datetime("us", "UTC"),
    "Int64": pl.Int64,
    "Float64": pl.Float64,
    "boolean": pl.Boolean,
}
DUCKDB_KIND = {
    "string": "VARCHAR",
    "category": "VARCHAR",
    "datetime": "TIMESTAMP WITH TIME ZONE",
    "Int64": "BIGINT",
    "Float64": "DOUBLE",
    "boolean": "BOOLEAN",
}


@pytest.mark.parametrize("name", RESOURCES)
def test_arrow_and_polars_have_the_frames_columns_types_and_values(hub: OnceHub, name: str) -> None:
    resource: Any = getattr(hub, name)
    frame = resource.to_frame(progress=False)
    table = resource.to_arrow(progress=False)
    polars = resource.to_polars(progress=False)
    columns = resource.columns
    assert table.column_names == polars.columns == list(frame.columns)
    assert len(frame) == table.num_rows == polars.height > 0
    from_pandas = pa.Table.from_pandas(frame, preserve_index=False).schema
    for column in columns:
        arrow, kind = table.schema.field(column.name).type, column.kind
        assert ARROW_KIND[kind](arrow), (column.name, arrow)
        if kind != "list":  # pandas infers a list column's items from the data
            assert arrow == from_pandas.field(column.name).type, column.name
            assert polars.schema[column.name] == POLARS_KIND[kind], column.name
        else:
            assert isinstance(polars.schema[column.name], pl.List), column.name
        assert table.column(column.name).null_count == int(frame[column.name].isna().sum())
    # The values: back in pandas with the schema's dtypes, both equal the frame.
    assert conform(table.to_pandas(), columns).equals(frame)
    assert conform(polars.to_arrow().to_pandas(), columns).equals(frame)


def test_an_empty_pull_keeps_the_schema_and_tz_moves_the_zone(hub: OnceHub) -> None:
    empty = hub.bookings.to_arrow(created_after="2100-01-01", progress=False)
    assert empty.num_rows == 0
    assert empty.schema == arrow_schema(hub.bookings.columns)
    assert hub.bookings.to_polars(created_after="2100-01-01", progress=False).height == 0
    paris = hub.bookings.to_arrow(tz="Europe/Paris", max_items=3, progress=False)
    utc = hub.bookings.to_arrow(max_items=3, progress=False)
    assert paris.schema.field("starting_time").type.tz == "Europe/Paris"
    assert paris.column("starting_time").cast(pa.int64()) == utc.column("starting_time").cast(
        pa.int64()
    )
    with pytest.raises(ConfigurationError, match="IANA"):
        hub.bookings.to_arrow(tz="Mars/Olympus")


def test_to_polars_without_polars_names_the_extra_before_any_request(
    make_sandbox: Callable[..., Sandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = make_sandbox(bookings=5, seed=1, rate_limit=False)
    monkeypatch.setitem(sys.modules, "polars", None)  # import polars -> ImportError
    with client_for(sb, rate_limit=False) as hub:
        with pytest.raises(MissingDependencyError, match=r"\[polars\]") as info:
            hub.bookings.to_polars(progress=False)
    assert info.value.extra == "polars" and isinstance(info.value, ImportError)
    assert sum(sb.stats()["requests"].values()) == 0


def _list_requests(sb: Sandbox, path: str = "GET /v2/bookings") -> int:
    return int(sb.stats()["requests"].get(path, 0))


def _truth(sb: Sandbox, hub: OnceHub, collection: str = "bookings") -> pd.DataFrame:
    resource = hub.bookings if collection == "bookings" else getattr(hub, collection)
    frame = records_to_frame(sb.ground_truth(collection), resource.columns)
    return frame.sort_values("id", ignore_index=True)


def _table(path: Path, table: str, columns: Any) -> pd.DataFrame:
    with duckdb.connect(str(path), read_only=True) as con:
        got = con.sql(f'SELECT * FROM "{table}"').to_arrow_table().to_pandas()
    return conform(got, columns).sort_values("id", ignore_index=True)


def test_duckdb_sync_is_typed_equal_to_the_truth_and_asks_only_for_changes(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(bookings=600, seed=5, rate_limit=False)
    target = tmp_path / "bookings.duckdb"
    with client_for(sb, rate_limit=False) as hub:
        first = hub.bookings.sync(target, progress=False)
        assert _list_requests(sb) == 6
        assert first.equals(hub.bookings.to_frame(progress=False))
        with duckdb.connect(str(target), read_only=True) as con:
            types = {row[0]: row[1] for row in con.sql("DESCRIBE bookings").fetchall()}
            keys = con.sql("SELECT constraint_type FROM duckdb_constraints() "
                           "WHERE table_name = 'bookings'").fetchall()  # fmt: skip
        for column in hub.bookings.columns:
            if column.kind == "list":
                want = 'STRUCT("name" VARCHAR, "value" VARCHAR)[]' if column.items else "VARCHAR[]"
                assert types[column.name] == want, column.name
            else:
                assert types[column.name] == DUCKDB_KIND[column.kind], column.name
        assert ("PRIMARY KEY",) in keys
        assert _table(target, "bookings", hub.bookings.columns).equals(_truth(sb, hub))

        sb.reset_stats()
        hub.bookings.sync(target, progress=False)
        assert _list_requests(sb) == 1  # nothing changed: one (empty) page

        past = [b["id"] for b in sb.ground_truth() if b["status"] == "completed"]
        for k in (100, 101, 37):
            for booking in past[:k]:
                hub.bookings.mark_no_show(booking)
            past = past[k:]
            sb.reset_stats()
            synced = hub.bookings.sync(target, progress=False)
            assert _list_requests(sb) == math.ceil(k / 100), k
            assert len(synced) == 600
            assert _table(target, "bookings", hub.bookings.columns).equals(_truth(sb, hub))


def test_a_table_per_resource_in_one_file(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(bookings=120, seed=2, rate_limit=False)
    target = tmp_path / "crm.duckdb"
    with client_for(sb, rate_limit=False) as hub:
        hub.bookings.sync(target, table="meetings", progress=False)
        contacts = hub.contacts.sync(target, progress=False)
        users = hub.users.sync(target, table="people", progress=False)
        assert contacts.equals(hub.contacts.to_frame(progress=False))
        by_id = hub.users.to_frame(progress=False).sort_values("id", ignore_index=True)
        assert users.equals(by_id)  # no creation time: ordered by id
        sb.reset_stats()
        hub.contacts.sync(target, progress=False)
        hub.users.sync(target, table="people", progress=False)
        assert _list_requests(sb, "GET /v2/contacts") == 1
        assert _list_requests(sb, "GET /v2/users") == 1  # no update filter: pulled whole
        assert not hub.users.syncs_incrementally and hub.contacts.syncs_incrementally
        assert _table(target, "contacts", hub.contacts.columns).equals(_truth(sb, hub, "contacts"))
        assert _table(target, "people", hub.users.columns).equals(_truth(sb, hub, "users"))
        with duckdb.connect(str(target), read_only=True) as con:
            meta = con.sql("SELECT table_name, endpoint FROM oncehub_nb_sync ORDER BY 1").fetchall()
        assert meta == [("contacts", "/contacts"), ("meetings", "/bookings"), ("people", "/users")]
        with pytest.raises(ConfigurationError, match="holds /bookings records"):
            hub.contacts.sync(target, table="meetings", progress=False)


def test_refusals_before_any_request(make_sandbox: Callable[..., Sandbox], tmp_path: Path) -> None:
    one = make_sandbox(bookings=20, seed=1, rate_limit=False)
    two = make_sandbox(bookings=20, seed=2, rate_limit=False)
    target = tmp_path / "b.duckdb"
    with client_for(one, rate_limit=False) as hub:
        hub.bookings.sync(target, progress=False)
    with duckdb.connect(str(target)) as con:
        con.execute("CREATE TABLE mine (x INTEGER)")
    with client_for(two, rate_limit=False) as hub:
        with pytest.raises(ConfigurationError, match="not 'http"):
            hub.bookings.sync(target, progress=False)
        with pytest.raises(ConfigurationError, match="not written by sync"):
            hub.bookings.sync(target, table="mine", progress=False)
        for bad in ("1st", "a-b", "oncehub_nb_sync", 'x"; DROP TABLE mine; --'):
            with pytest.raises(ConfigurationError, match="not a usable table name"):
                hub.bookings.sync(target, table=bad, progress=False)
        with pytest.raises(ConfigurationError, match=r"for a \.duckdb file"):
            hub.bookings.sync(tmp_path / "b.parquet", table="x", progress=False)
        with pytest.raises(ConfigurationError, match=r"ending in \.duckdb"):
            hub.contacts.sync(tmp_path / "c.parquet", progress=False)
        junk = tmp_path / "junk.duckdb"
        junk.write_text("not a database")
        with pytest.raises(ConfigurationError, match="not a usable DuckDB database"):
            hub.bookings.sync(junk, progress=False)
    assert sum(two.stats()["requests"].values()) == 0


def test_an_interrupted_duckdb_sync_keeps_what_arrived_and_resumes(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(bookings=250, seed=6, rate_limit=False)
    target = tmp_path / "b.duckdb"
    with client_for(sb, rate_limit=False) as hub:
        real = hub.transport.request
        calls = {"n": 0}

        def request(*args: Any, **kwargs: Any) -> Any:
            calls["n"] += 1
            if calls["n"] == 2:
                raise KeyboardInterrupt
            return real(*args, **kwargs)

        hub.transport.request = request  # type: ignore[method-assign]
        with pytest.raises(PullInterrupted) as info:
            hub.bookings.sync(target, progress=False)
        assert len(info.value.frame) == 100
        with duckdb.connect(str(target), read_only=True) as con:
            assert con.sql("SELECT count(*) FROM bookings").fetchall() == [(100,)]
            newest = con.sql("SELECT newest_update FROM oncehub_nb_sync").fetchall()
        assert newest == [(None,)]  # not advanced: the next call pulls everything again
        whole = info.value.resume()
    assert len(whole) == 250
    assert set(whole["id"]) == {b["id"] for b in sb.ground_truth()}

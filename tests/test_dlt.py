"""oncehub_nb.dlt: a dlt pipeline into DuckDB against the sandbox, twice, offline."""

from __future__ import annotations

import json
import math
import os
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import dlt
import duckdb
import pytest
from dlt.common.runtime import anon_tracker

from oncehub_nb import ConfigurationError, OnceHub
from oncehub_nb.dlt import RESOURCES, oncehub_source
from oncehub_nb.frames.build import conform, records_to_frame
from oncehub_nb.sandbox import Sandbox
from tests.conftest import client_for


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Refuse (and record) any connection that is not to 127.0.0.1."""
    refused: list[Any] = []
    real = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        if self.family in (socket.AF_INET, socket.AF_INET6) and address[0] not in (
            "127.0.0.1",
            "::1",
        ):
            refused.append(address)
            raise OSError(f"test: no network ({address!r})")
        return real(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return refused


def _requests(sb: Sandbox) -> dict[str, int]:
    return {k.removeprefix("GET /v2/"): v for k, v in sb.stats()["requests"].items()}


def _loaded(db: Path, table: str, hub: OnceHub) -> Any:
    columns = getattr(hub, table).columns
    with duckdb.connect(str(db), read_only=True) as con:
        got = con.sql(f"SELECT * FROM oncehub.{table}").to_arrow_table().to_pandas()
    got = got.rename(columns={c.name.replace(".", "_"): c.name for c in columns})
    for column in columns:  # lists load as DuckDB JSON, read back as text
        if column.kind == "list":
            got[column.name] = [json.loads(v) if v else [] for v in got[column.name]]
    return conform(got, columns).sort_values("id", ignore_index=True)


def test_a_pipeline_run_twice_loads_then_merges_only_changes(
    make_sandbox: Callable[..., Sandbox],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    loopback_only: list[Any],
) -> None:
    monkeypatch.chdir(tmp_path)
    sb = make_sandbox(bookings=250, seed=4, rate_limit=False)
    db = tmp_path / "warehouse.duckdb"
    with client_for(sb, rate_limit=False) as hub:
        pipeline = dlt.pipeline(
            "oncehub_test",
            destination=dlt.destinations.duckdb(str(db)),
            dataset_name="oncehub",
            pipelines_dir=str(tmp_path / "pipelines"),
        )
        pipeline.run(oncehub_source(hub))
        first = _requests(sb)
        assert first.pop("bookings") == 3 and set(first.values()) == {1}
        assert len(first) == len(RESOURCES) - 1
        for table in ("bookings", "contacts", "users"):
            truth = records_to_frame(sb.ground_truth(table), getattr(hub, table).columns)
            assert _loaded(db, table, hub).equals(truth.sort_values("id", ignore_index=True))
        with duckdb.connect(str(db), read_only=True) as con:
            types = dict(con.sql("SELECT column_name, data_type FROM information_schema.columns "
                                 "WHERE table_name = 'bookings'").fetchall())  # fmt: skip
        assert types["starting_time"] == "TIMESTAMP WITH TIME ZONE"
        assert types["duration_minutes"] == "BIGINT" and types["in_trash"] == "BOOLEAN"

        sb.reset_stats()
        pipeline.run(oncehub_source(hub))
        assert _requests(sb) == dict.fromkeys(_requests(sb), 1)  # nothing changed
        assert len(_requests(sb)) == len(RESOURCES)

        past = [b["id"] for b in sb.ground_truth() if b["status"] == "completed"]
        k = min(len(past), 120)
        for booking in past[:k]:
            hub.bookings.mark_no_show(booking)
        sb.reset_stats()
        pipeline.run(oncehub_source(hub, resources=["bookings"]))
        assert _requests(sb) == {"bookings": math.ceil(k / 100)}
        truth = records_to_frame(sb.ground_truth("bookings"), hub.bookings.columns)
        assert _loaded(db, "bookings", hub).equals(truth.sort_values("id", ignore_index=True))
    assert anon_tracker._ANON_TRACKER_ENDPOINT is None  # telemetry off (tests/conftest.py)
    assert loopback_only == []
    assert sorted(os.listdir(tmp_path)) == ["pipelines", "warehouse.duckdb"]


def test_wrong_arguments_fail_before_any_request(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(bookings=5, seed=1, rate_limit=False)
    with client_for(sb, rate_limit=False) as hub:
        with pytest.raises(ConfigurationError, match="no resource 'booking'"):
            oncehub_source(hub, resources=["booking"])
        import datetime as dt

        with pytest.raises(ConfigurationError, match="lag takes"):
            oncehub_source(hub, lag=dt.timedelta(seconds=-1))
        source = oncehub_source(hub, resources=["users", "teams"])
        assert sorted(source.resources) == ["teams", "users"]
    assert sum(sb.stats()["requests"].values()) == 0

"""bookings.sync(): a local Parquet copy refreshed with only what changed."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from oncehub_nb import ConfigurationError, OnceHub, PullInterrupted
from oncehub_nb.frames.sync import META_KEY
from oncehub_nb.sandbox import Sandbox
from tests.conftest import client_for


def _record_params(hub: OnceHub) -> list[dict[str, str]]:
    seen: list[dict[str, str]] = []
    real = hub.transport.request

    def request(method: str, path: str, **kwargs: Any) -> Any:
        if path == "/bookings":
            seen.append(dict(kwargs.get("params") or {}))
        return real(method, path, **kwargs)

    hub.transport.request = request  # type: ignore[method-assign]
    return seen


def _meta(path: Path) -> dict[str, Any]:
    raw = pq.read_schema(path).metadata[META_KEY]
    return dict(json.loads(raw))


def test_first_sync_pulls_all_then_only_changes(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(bookings=260, seed=5, time_scale=0.01)
    target = tmp_path / "bookings.parquet"
    with client_for(sb) as hub:
        params = _record_params(hub)
        first = hub.bookings.sync(target, progress=False)
        assert len(params) == 3 and all("last_updated_time.gt" not in p for p in params)
        reference = hub.bookings.to_frame(progress=False)
        assert first.dtypes.astype(str).to_dict() == reference.dtypes.astype(str).to_dict()
        assert first.equals(reference)
        meta = _meta(target)
        assert meta["api_base"] == sb.base_url and meta["format"] == 1
        newest = pd.Timestamp(meta["newest_update"])
        assert newest == reference["last_updated_time"].max()

        victim = next(
            b["id"]
            for b in sb.ground_truth()
            if b["status"] == "scheduled" and not b["payment_information"]
        )
        hub.bookings.cancel(victim)
        params.clear()
        second = hub.bookings.sync(target, overlap=dt.timedelta(seconds=30), progress=False)
        assert len(params) == 1
        since = pd.Timestamp(params[0]["last_updated_time.gt"])
        assert since == newest - pd.Timedelta(seconds=30)
        assert len(second) == len(first)
        assert second.set_index("id").loc[victim, "status"] == "canceled"
        assert second.dtypes.astype(str).to_dict() == first.dtypes.astype(str).to_dict()
        again = pd.read_parquet(target)
        assert len(again) == len(second)
    assert [p.name for p in tmp_path.iterdir()] == ["bookings.parquet"]  # no temp files left


def test_another_api_base_or_foreign_file_is_refused(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    one = make_sandbox(bookings=30, seed=1, rate_limit=False)
    two = make_sandbox(bookings=30, seed=2, rate_limit=False)
    target = tmp_path / "b.parquet"
    with client_for(one) as hub:
        hub.bookings.sync(target, progress=False)
    with client_for(two) as hub:
        with pytest.raises(ConfigurationError, match=r"another API base|not '"):
            hub.bookings.sync(target, progress=False)
        foreign = tmp_path / "other.parquet"
        pd.DataFrame({"id": ["x"]}).to_parquet(foreign)
        with pytest.raises(ConfigurationError, match="not written by sync"):
            hub.bookings.sync(foreign, progress=False)
    assert sum(two.stats()["requests"].values()) == 0


def test_interrupted_sync_saves_what_arrived_and_finishes_later(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(bookings=250, seed=6, time_scale=0.01)
    target = tmp_path / "b.parquet"
    with client_for(sb) as hub:
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
        assert len(pd.read_parquet(target)) == 100
        assert _meta(target)["newest_update"] is None  # next call pulls everything again
        whole = info.value.resume()
    assert len(whole) == 250
    assert set(whole["id"]) == {b["id"] for b in sb.ground_truth()}

"""to_frame over HTTP: expansion columns, explode, tz, raw, progress, max_items, interruption."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from oncehub_nb import OnceHub, PullInterrupted, ServerError
from oncehub_nb.frames.buffer import ColumnBuffer
from oncehub_nb.frames.build import records_to_frame
from oncehub_nb.frames.pull import FEED_EVERY, collect
from oncehub_nb.sandbox import Sandbox
from tests.conftest import client_for


def test_expanded_fields_add_dotted_columns_and_keep_ids(hub: OnceHub, sandbox: Sandbox) -> None:
    frame = hub.bookings.to_frame(expand=["owner", "contact"], max_items=150, progress=False)
    users = {u["id"]: u for u in sandbox.ground_truth("users")}
    assert {"owner_id", "owner.email", "owner.role_name", "contact.email"} <= set(frame.columns)
    assert "owner.id" not in frame.columns
    row = frame.iloc[0]
    assert row["owner.email"] == users[row["owner_id"]]["email"]
    assert str(frame["owner.role_name"].dtype) == "category"
    empty = hub.bookings.to_frame(
        expand=["owner", "contact"], starting_after="2099-01-01", progress=False
    )
    assert len(empty) == 0
    assert empty.dtypes.astype(str).to_dict() == frame.dtypes.astype(str).to_dict()


def test_every_resource_has_identical_columns_when_empty(hub: OnceHub) -> None:
    full = hub.contacts.to_frame(progress=False)
    empty = hub.contacts.to_frame(created_after="2099-01-01", progress=False)
    assert len(full) > 0 and len(empty) == 0
    assert empty.dtypes.astype(str).to_dict() == full.dtypes.astype(str).to_dict()
    assert str(full["employees"].dtype) == "Int64"
    assert str(full["has_consent"].dtype) == "boolean"
    assert str(full["last_interacted_time"].dtype).endswith("UTC]")


def test_explode_tz_and_raw(hub: OnceHub, sandbox: Sandbox) -> None:
    truth = sandbox.ground_truth("bookings")[:120]
    raw = hub.bookings.to_frame(raw=True, max_items=120, progress=False)
    assert raw == truth
    long = hub.bookings.to_frame(explode="attendees", max_items=120, progress=False)
    assert len(long) == sum(max(1, len(b["attendees"])) for b in truth)
    assert str(long["attendees"].dtype) == "string"
    assert set(long["attendees"].dropna()) == {a for b in truth for a in b["attendees"]}
    local = hub.bookings.to_frame(tz="Asia/Tokyo", max_items=5, progress=False)
    assert str(local["starting_time"].dt.tz) == "Asia/Tokyo"


def test_progress_bar_goes_to_stderr_only_when_asked(
    hub: OnceHub, capsys: pytest.CaptureFixture[str]
) -> None:
    hub.bookings.to_frame(max_items=250)  # default: captured stderr is not a terminal
    assert capsys.readouterr().err == ""
    hub.bookings.to_frame(max_items=250, progress=True)
    err = capsys.readouterr().err
    assert "250/250" in err and "records" in err


def test_max_items_stops_early(sandbox: Sandbox) -> None:
    sandbox.reset_stats()
    with client_for(sandbox) as hub:
        frame = hub.bookings.to_frame(max_items=205, progress=False)
    assert len(frame) == 205
    assert sandbox.stats()["requests"]["GET /v2/bookings"] == 3


def _fail_on_call(hub: OnceHub, number: int, action: Callable[[], Any]) -> None:
    real = hub.transport.request
    calls = {"n": 0}

    def request(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == number:
            action()
        return real(*args, **kwargs)

    hub.transport.request = request  # type: ignore[method-assign]


def test_ctrl_c_mid_pull_keeps_the_frame_and_resumes(sandbox: Sandbox) -> None:
    def interrupt() -> None:
        raise KeyboardInterrupt

    with client_for(sandbox) as hub:
        expected = hub.bookings.to_frame(progress=False)
        _fail_on_call(hub, 4, interrupt)
        with pytest.raises(PullInterrupted) as info:
            hub.bookings.to_frame(progress=False)
        stop = info.value
        assert isinstance(stop.__cause__, KeyboardInterrupt)
        assert len(stop.frame) == len(stop.records) == 300
        assert stop.cursor == stop.records[-1]["id"]
        assert hub.bookings.interrupted is stop
        assert "after=" in str(stop)
        rest = hub.bookings.to_frame(after=stop.cursor, progress=False)
        assert len(stop.frame) + len(rest) == len(expected)
        whole = stop.resume()
    assert whole.equals(expected)
    assert hub.bookings.interrupted is None


def test_fatal_error_mid_pull_is_kept_and_resume_finishes(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = make_sandbox(bookings=1200, seed=4, time_scale=0.01)
    with client_for(sb, max_retries=1) as hub:
        hub.transport.sleep = lambda _s: None
        _fail_on_call(hub, 3, lambda: sb.inject("5xx", count=5, status=503))
        with pytest.raises(PullInterrupted) as info:
            hub.bookings.to_frame(status=["scheduled", "completed"], progress=False)
        stop = info.value
        assert isinstance(stop.__cause__, ServerError)
        scheduled = [b["id"] for b in sb.ground_truth() if b["status"] == "scheduled"]
        assert 100 < len(scheduled) < 200  # two pages, then the completed walk fails
        assert stop.frame["id"].tolist() == scheduled
        assert stop.cursor == "completed:"
        sb.clear_faults()
        whole = stop.resume()
    truth = sb.ground_truth()
    ids = [b["id"] for s in ("scheduled", "completed") for b in truth if b["status"] == s]
    assert whole["id"].tolist() == ids


def test_error_before_anything_arrives_is_raised_as_itself(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = make_sandbox(bookings=20, seed=4, rate_limit=False)
    sb.inject("5xx", count=5, status=500)
    with client_for(sb, max_retries=1) as hub:
        hub.transport.sleep = lambda _s: None
        with pytest.raises(ServerError):
            hub.bookings.to_frame(progress=False)


def test_the_frame_taken_while_pulling_is_the_frame_of_the_records(
    hub: OnceHub, sandbox: Sandbox
) -> None:
    """to_frame takes each page's values as it arrives: the frame is the records' frame."""
    fed: list[int] = []
    real_add = ColumnBuffer.add

    def add(self: ColumnBuffer, records: list[dict[str, Any]]) -> None:
        fed.append(len(records))
        real_add(self, records)

    columns = hub.bookings.frame_columns(["owner"])
    truth = sandbox.ground_truth("bookings")[:250]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ColumnBuffer, "add", add)
        for options in ({}, {"tz": "Asia/Tokyo"}, {"explode": "attendees"}):
            fed.clear()
            frame = hub.bookings.to_frame(expand="owner", max_items=250, progress=False, **options)
            # two full pages while the walk went on, the last 50 when it ended
            assert fed == [FEED_EVERY, FEED_EVERY, 50]
            expanded = hub.bookings.to_frame(raw=True, expand="owner", max_items=250)
            assert [r["id"] for r in expanded] == [r["id"] for r in truth]
            assert frame.equals(records_to_frame(expanded, columns, **options))
        fed.clear()
        assert hub.bookings.to_frame(raw=True, max_items=5) == truth[:5]
        assert fed == []  # raw records are not framed


def test_collect_feeds_full_runs_in_order_and_keeps_the_rest() -> None:
    records = [{"id": str(i)} for i in range(2 * FEED_EVERY + 7)]
    fed: list[list[dict[str, Any]]] = []

    class Walk:
        max_items = None
        cursor = None
        pages_fetched = 1

        def __iter__(self) -> Any:
            return iter(records)

    assert collect(Walk(), progress=False, desc="x", feed=fed.append) == records
    assert fed == [records[:FEED_EVERY], records[FEED_EVERY : 2 * FEED_EVERY]]

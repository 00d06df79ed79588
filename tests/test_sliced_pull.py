"""Sliced pulls against the sandbox over HTTP: the single walk's frame, filters, stops, resume.

The sandbox answers each request 30 ms late, with OnceHub's limits time-scaled 100x. Where a
test needs the pull to slice, the walk count is fixed at 4 (``walks_needed`` patched), so the
test does not depend on this machine's timings; the figures of the decision itself are in
``bench/latency.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest

from oncehub_nb import OnceHub, PullInterrupted, ServerError
from oncehub_nb._http import parallel
from oncehub_nb.frames.buffer import ColumnBuffer
from oncehub_nb.frames.build import records_to_frame
from oncehub_nb.sandbox import Sandbox
from tests.conftest import client_for


@pytest.fixture
def four_walks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every pull that may slice walks 4 slices at once, whatever the timings say."""
    monkeypatch.setattr(parallel, "walks_needed", lambda *_a, **_k: 4)


@pytest.fixture(scope="module")
def slow_sandbox() -> Iterator[Sandbox]:
    with Sandbox(bookings=2400, seed=17, time_scale=0.01, latency_ms=30) as sb:
        yield sb


def _truth(sb: Sandbox, hub: OnceHub, keep: Callable[[dict[str, Any]], bool]) -> pd.DataFrame:
    records = [b for b in sb.ground_truth("bookings") if keep(b)]
    return records_to_frame(records, hub.bookings.frame_columns())


def _requests(sb: Sandbox, path: str = "GET /v2/bookings") -> int:
    return int(sb.stats()["requests"].get(path, 0))


@pytest.mark.usefixtures("four_walks")
def test_a_sliced_pull_is_the_single_walks_frame_and_the_ground_truth(
    slow_sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    typed: list[list[int]] = []  # the chunks each to_frame typed while its pull went on
    real_frame = ColumnBuffer.frame

    def frame(self: ColumnBuffer, records: list[dict[str, Any]]) -> pd.DataFrame:
        typed.append(self.typed_chunks())
        return real_frame(self, records)

    monkeypatch.setattr(ColumnBuffer, "frame", frame)
    with client_for(slow_sandbox, max_walks=1) as hub:
        one = hub.bookings.to_frame(progress=False)
    with client_for(slow_sandbox, max_walks=4) as hub:
        listing = hub.bookings.list()
        records = list(listing)
        walk = listing.last_walk
        sliced = hub.bookings.to_frame(progress=False)
        truth = _truth(slow_sandbox, hub, lambda _b: True)
    assert type(walk).__name__ == "SlicedWalk"
    assert walk.slices > 1 and walk.most_walks > 1  # type: ignore[union-attr]
    assert [r["id"] for r in records] == truth["id"].tolist()
    assert sliced.equals(one) and sliced.equals(truth)
    assert list(sliced.dtypes) == list(truth.dtypes)
    assert sliced["id"].is_unique
    # The single walk types its columns at the end; the sliced one as its walkers fetch.
    assert typed[0] == [] and len(typed[1]) >= 2


@pytest.mark.usefixtures("four_walks")
def test_filters_hold_in_every_slice(slow_sandbox: Sandbox) -> None:
    truth_all = slow_sandbox.ground_truth("bookings")
    middle = sorted(b["creation_time"] for b in truth_all)[len(truth_all) // 5]
    top = sorted(b["creation_time"] for b in truth_all)[len(truth_all) * 9 // 10]
    filters: dict[str, Any] = {
        "status": ["scheduled", "canceled", "completed"],
        "created_after": middle,
        "created_before": top,
    }
    with client_for(slow_sandbox, max_walks=1) as hub:
        one = hub.bookings.to_frame(progress=False, **filters)
    with client_for(slow_sandbox, max_walks=4) as hub:
        sliced = hub.bookings.to_frame(progress=False, **filters)
        statuses = filters["status"]
        ordered = [
            b
            for s in statuses
            for b in truth_all
            if b["status"] == s and middle < b["creation_time"] < top
        ]
        truth = records_to_frame(ordered, hub.bookings.frame_columns())
    assert len(truth) > 600
    assert sliced.equals(one) and sliced.equals(truth)


@pytest.mark.usefixtures("four_walks")
@pytest.mark.parametrize("max_items", [5, 333, 1601])
def test_max_items_is_exact(slow_sandbox: Sandbox, max_items: int) -> None:
    with client_for(slow_sandbox, max_walks=4) as hub:
        frame = hub.bookings.to_frame(progress=False, max_items=max_items)
        first = slow_sandbox.ground_truth("bookings")[:max_items]
        truth = records_to_frame(first, hub.bookings.frame_columns())
    assert len(frame) == max_items
    assert frame.equals(truth)


@pytest.mark.usefixtures("four_walks")
def test_contacts_and_sms_slice_too(slow_sandbox: Sandbox) -> None:
    with client_for(slow_sandbox, page_size=20, max_walks=4) as hub:
        sms = (hub.sms_notifications, "notifications/sms")
        for resource, collection in ((hub.contacts, "contacts"), sms):
            listing = resource.list()
            ids = [r["id"] for r in listing]
            assert ids == [r["id"] for r in slow_sandbox.ground_truth(collection)]
            assert listing.last_walk.slices > 1  # type: ignore[union-attr]


@pytest.mark.usefixtures("four_walks")
def test_an_error_mid_pull_keeps_a_prefix_and_resume_finishes(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = make_sandbox(bookings=2000, seed=5, time_scale=0.01, latency_ms=20)
    with client_for(sb, max_walks=4) as hub:
        expected = hub.bookings.to_frame(progress=False)
        sb.reset_stats()
        hub.transport.sleep = lambda _s: None
        sb.schedule(after=6, action=lambda: sb.inject("5xx", count=40, status=503))
        with pytest.raises(PullInterrupted) as info:
            hub.bookings.to_frame(progress=False)
        stop = info.value
        assert isinstance(stop.__cause__, ServerError)
        assert 0 < len(stop.frame) < len(expected)
        assert stop.frame.equals(expected.head(len(stop.frame)))
        assert stop.cursor == stop.frame["id"].iloc[-1]
        sb.clear_faults()
        whole = stop.resume()
    assert whole.equals(expected)


@pytest.mark.usefixtures("four_walks")
def test_ctrl_c_mid_sliced_pull_keeps_a_prefix(slow_sandbox: Sandbox) -> None:
    with client_for(slow_sandbox, max_walks=4) as hub:
        expected = hub.bookings.to_frame(progress=False)
        real, calls = hub.transport.request, [0]

        def request(*args: Any, **kwargs: Any) -> Any:
            calls[0] += 1
            if calls[0] == 9:
                raise KeyboardInterrupt
            return real(*args, **kwargs)

        hub.transport.request = request  # type: ignore[method-assign]
        with pytest.raises(PullInterrupted) as info:
            hub.bookings.to_frame(progress=False)
        hub.transport.request = real  # type: ignore[method-assign]
        stop = info.value
        assert stop.frame.equals(expected.head(len(stop.frame)))
        assert stop.resume().equals(expected)


def test_small_pulls_stay_one_walk(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(bookings=150, seed=3, time_scale=0.01, latency_ms=30)
    with client_for(sb, max_walks=4) as hub:
        listing = hub.bookings.list()
        assert len(list(listing)) == 150
        assert listing.last_walk.slices == 1  # type: ignore[union-attr]
    assert _requests(sb) == 2


def test_no_limiter_means_one_walk(slow_sandbox: Sandbox, four_walks: None) -> None:
    with client_for(slow_sandbox, rate_limit=False, max_walks=4) as hub:
        listing = hub.bookings.list(max_items=450)
        assert len(list(listing)) == 450
        assert type(listing.last_walk).__name__ == "Walk"


@pytest.mark.usefixtures("four_walks")
def test_a_chain_of_sliced_walks_says_when_its_walkers_run(slow_sandbox: Sandbox) -> None:
    """to_frame types early while walker threads fetch: chains of listings tell it too."""
    with client_for(slow_sandbox, max_walks=4) as hub:
        chain = hub.bookings.list(status=["scheduled", "completed"])
        seen = set()
        ids = []
        for record in chain:
            seen.add(chain.walks_at_once)
            ids.append(record["id"])
    truth = slow_sandbox.ground_truth("bookings")
    assert ids == [b["id"] for s in ("scheduled", "completed") for b in truth if b["status"] == s]
    assert 1 in seen and max(seen) == 4  # the head walk, then four walkers

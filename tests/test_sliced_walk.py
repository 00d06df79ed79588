"""The sliced walk against an in-memory listing: exactly the single walk's records, in order.

The listing here answers like OnceHub (newest first by ``creation_time``, then by id; strict
``.gt`` / ``.lt`` bounds; ``after=<id>``; ``has_more``) with no HTTP and no clock: each page
says it took 250 ms, so the walk always decides to slice, and nothing waits. Hypothesis draws
the records (with many ties on one millisecond), the page size, the caller's bounds,
``max_items``, a resume cursor and a failing request.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncehub_nb import APIConnectionError
from oncehub_nb._config import Settings
from oncehub_nb._http.instants import format_time, parse_time
from oncehub_nb._http.pages import Page, Walk
from oncehub_nb._http.parallel import SlicedWalk
from oncehub_nb._http.slicing import Slice, SlicePlan

Record = dict[str, Any]
BASE = 1_780_000_000_000_000  # microseconds: a day in 2026


class Listing:
    """OnceHub's list endpoint over ``records``, in memory (thread-safe: slices run at once)."""

    path = "/bookings"

    def __init__(
        self,
        records: list[Record],
        *,
        page_size: int,
        params: Mapping[str, str] | None = None,
        after: str | None = None,
        max_items: int | None = None,
        fail_at: int | None = None,
        ordered: bool = True,
    ) -> None:
        self.records = sorted(records, key=_key, reverse=True) if ordered else list(records)
        self.by_id = {r["id"]: r for r in self.records}
        self.times = [_t(r) for r in self.records]
        self.page_size, self.after, self.max_items = page_size, after, max_items
        self.params = dict(params or {})
        self.fail_at = fail_at
        self.requests = 0
        self.asked: list[dict[str, str]] = []
        self._lock = threading.Lock()

    def fetch_page(self, after: str | None, *, bounds: Mapping[str, str] | None = None) -> Page:
        query = {**self.params, **(bounds or {})}
        with self._lock:
            self.requests += 1
            self.asked.append(query)
            if self.requests == self.fail_at:
                raise APIConnectionError("the network went away")
        gt, lt = (
            parse_time(query.get("creation_time.gt")),
            parse_time(query.get("creation_time.lt")),
        )
        chosen = [
            r
            for r, t in zip(self.records, self.times, strict=True)
            if (gt is None or t > gt) and (lt is None or t < lt) and _status_ok(r, query)
        ]
        if after is not None:
            ids = [r["id"] for r in chosen]
            chosen = chosen[ids.index(after) + 1 :] if after in ids else []
        before = query.get("before")
        if before is not None:  # the page just newer than the cursor, newest first
            cursor = self.by_id[before]
            newer = [r for r in chosen if _key(r) > _key(cursor)]
            data = [dict(r) for r in newer[-self.page_size :]]
            return Page(data, has_more=len(newer) > self.page_size, request_id=None, seconds=0.25)
        data = [dict(r) for r in chosen[: self.page_size]]
        return Page(data, has_more=len(chosen) > self.page_size, request_id=None, seconds=0.25)


def _key(record: Record) -> tuple[str, str]:
    return record["creation_time"], record["id"]  # the sandbox's order


def _t(record: Record) -> int:
    moment = parse_time(record["creation_time"])
    assert moment is not None
    return moment


def _status_ok(record: Record, query: Mapping[str, str]) -> bool:
    return "status" not in query or record["status"] == query["status"]


def _settings(**overrides: Any) -> Settings:
    # A limit far above what is sent: nothing waits, and the rate allows every walk.
    values: dict[str, Any] = {"rate_limit": ((100_000, 1.0),), "max_walks": 4, **overrides}
    return Settings.resolve(env={}, **values)


def _make(times: list[int], statuses: list[str]) -> list[Record]:
    return [
        {"id": f"BKNG-{i:05d}", "creation_time": format_time(BASE + t * 1000), "status": s}
        for i, (t, s) in enumerate(zip(times, statuses, strict=False))
    ]


def sliced(listing: Listing, **overrides: Any) -> tuple[SlicedWalk, list[Record]]:
    walk = SlicedWalk(listing, "creation_time", _settings(**overrides))
    return walk, list(walk)


def single(listing: Listing) -> list[Record]:
    return list(Walk(listing))


records_strategy = st.integers(0, 400).flatmap(
    lambda n: st.tuples(
        # ms offsets from a narrow range (ties) or a wide one (sparse)
        st.lists(st.one_of(st.integers(0, 50), st.integers(0, 10**7)), min_size=n, max_size=n),
        st.lists(st.sampled_from(["scheduled", "canceled"]), min_size=n, max_size=n),
    )
)
fast = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@fast
@given(
    drawn=records_strategy,
    page_size=st.integers(1, 12),
    max_items=st.one_of(st.none(), st.integers(0, 1000)),
    bounds=st.tuples(st.none() | st.integers(0, 10**7), st.none() | st.integers(0, 10**7)),
    status=st.none() | st.just("scheduled"),
)
def test_the_sliced_walk_gives_exactly_the_single_walks_records(
    drawn: tuple[list[int], list[str]],
    page_size: int,
    max_items: int | None,
    bounds: tuple[int | None, int | None],
    status: str | None,
) -> None:
    records = _make(*drawn)
    params: dict[str, str] = {} if status is None else {"status": status}
    gt, lt = bounds
    if gt is not None:
        params["creation_time.gt"] = format_time(BASE + gt * 1000)
    if lt is not None:
        params["creation_time.lt"] = format_time(BASE + lt * 1000)

    def listing() -> Listing:
        return Listing(records, page_size=page_size, params=params, max_items=max_items)

    expected = single(listing())
    walk, got = sliced(listing())
    assert [r["id"] for r in got] == [r["id"] for r in expected]
    assert got == expected
    assert walk.items_returned == len(expected)
    assert walk.cursor == (expected[-1]["id"] if expected else None)
    if max_items is not None:
        assert len(got) == min(max_items, len(expected))


def test_a_large_listing_is_walked_in_slices_with_few_extra_requests() -> None:
    records = _make([i * 997 % 100_000 * 7 for i in range(3000)], ["scheduled"] * 3000)
    one = Listing(records, page_size=100)
    expected = single(one)
    many = Listing(records, page_size=100)
    walk, got = sliced(many)
    assert got == expected
    assert walk.slices > 1 and walk.most_walks == 4
    # A slice ends on a page that is not full: at most one request more per slice.
    assert one.requests <= many.requests <= one.requests + walk.slices
    assert walk.pages_fetched == many.requests
    asked = [q for q in many.asked if "creation_time.lt" in q or "creation_time.gt" in q]
    assert asked, "the slices were asked for with creation_time bounds"


def test_small_pulls_stay_one_walk() -> None:
    records = _make(list(range(0, 150_000, 1000)), ["scheduled"] * 150)
    listing = Listing(records, page_size=100)
    walk, got = sliced(listing)
    assert got == single(Listing(records, page_size=100))
    assert walk.slices == 1 and walk.most_walks == 1
    assert listing.requests == 2
    assert all(not q for q in listing.asked)  # no bounds added


def test_max_walks_1_or_no_rate_to_fill_stays_one_walk() -> None:
    records = _make(list(range(0, 3_000_000, 1000)), ["scheduled"] * 3000)
    for overrides in ({"max_walks": 1}, {"rate_limit": ((3, 1.0),)}):
        listing = Listing(records, page_size=100)
        walk, got = sliced(listing, **overrides)
        assert walk.slices == 1 and len(got) == 3000
        assert listing.requests == 30


def test_records_out_of_order_end_the_slicing_and_keep_the_single_walks_result() -> None:
    records = _make([(i * 7919) % 5000 * 1000 for i in range(2500)], ["scheduled"] * 2500)
    shuffled = Listing(records, page_size=100, ordered=False)
    walk, got = sliced(shuffled)
    assert got == single(Listing(records, page_size=100, ordered=False))
    assert walk.slices == 1


def test_unreadable_caller_bounds_are_never_replaced() -> None:
    records = _make(list(range(0, 3_000_000, 1000)), ["scheduled"] * 3000)
    params = {"creation_time.gt": "not a time"}
    listing = Listing(records, page_size=100, params=params)
    walk, _ = sliced(listing)
    assert walk.slices == 1
    assert all(q["creation_time.gt"] == "not a time" for q in listing.asked)


@fast
@given(
    drawn=records_strategy.filter(lambda d: len(d[0]) > 120),
    fail_at=st.integers(1, 40),
    page_size=st.integers(5, 20),
)
def test_a_failure_hands_out_a_prefix_and_the_cursor_resumes_the_rest(
    drawn: tuple[list[int], list[str]], fail_at: int, page_size: int
) -> None:
    records = _make(*drawn)
    expected = single(Listing(records, page_size=page_size))
    walk = SlicedWalk(
        Listing(records, page_size=page_size, fail_at=fail_at), "creation_time", _settings()
    )
    got: list[Record] = []
    try:
        for record in walk:
            got.append(record)
    except APIConnectionError:
        assert got == expected[: len(got)]
    else:  # the walk needed fewer requests
        assert got == expected
    assert walk.cursor == (got[-1]["id"] if got else None)
    rest_walk, rest = sliced(Listing(records, page_size=page_size, after=walk.cursor))
    assert got + rest == expected
    assert rest_walk.cursor == (expected[-1]["id"] if expected else None)


@pytest.mark.parametrize("max_items", [1, 250, 1999, 2000, 2001])
def test_max_items_is_exact_and_cuts_no_slice_it_does_not_need(max_items: int) -> None:
    records = _make(list(range(0, 4_000_000, 2000)), ["scheduled"] * 2000)
    listing = Listing(records, page_size=100, max_items=max_items)
    walk, got = sliced(listing)
    assert got == single(Listing(records, page_size=100, max_items=max_items))
    assert len(got) == min(max_items, 2000)
    if max_items <= 250:
        assert walk.slices == 1


class PausedListing(Listing):
    """A listing whose pages say they took 1 ms, but for a few in a row at 250 ms."""

    def __init__(self, records: list[Record], *, slow: range) -> None:
        super().__init__(records, page_size=100)
        self.slow = slow

    def fetch_page(self, after: str | None, *, bounds: Mapping[str, str] | None = None) -> Page:
        page = super().fetch_page(after, bounds=bounds)
        seconds = 0.25 if self.requests in self.slow else 0.001
        return Page(page.data, has_more=page.has_more, request_id=None, seconds=seconds)


def test_a_few_slow_pages_in_a_row_do_not_make_a_fast_walk_slice() -> None:
    # 100 requests/s: a page of 1 ms is the limit's to wait for, one of 250 ms would slice.
    # Four slow pages in a row (a pause elsewhere) are the median of the last four pages, not
    # of the last 32; one slow page of the first two decided is not the lower middle of two.
    records = _make(list(range(0, 3_000_000, 1000)), ["scheduled"] * 3000)
    listing = PausedListing(records, slow=range(9, 13))
    walk, got = sliced(listing, rate_limit=((100, 1.0),))
    assert got == single(Listing(records, page_size=100))
    assert walk.slices == 1 and listing.requests == 30
    one_slow_early = PausedListing(records, slow=range(3, 4))
    walk, got = sliced(one_slow_early, rate_limit=((100, 1.0),))
    assert walk.slices == 1 and one_slow_early.requests == 30
    slow_from_the_start = PausedListing(records, slow=range(1, 31))
    walk, got = sliced(slow_from_the_start, rate_limit=((100, 1.0),))
    assert got == single(Listing(records, page_size=100)) and walk.slices > 1


def test_one_slow_page_that_slices_cuts_one_slice_and_no_more() -> None:
    # The second page is slow (the first is never the only one asked): it slices, and the
    # pages after it are fast. The walk asks again after each page and cuts nothing more.
    records = _make(list(range(0, 3_000_000, 1000)), ["scheduled"] * 3000)
    once = PausedListing(records, slow=range(2, 3))
    walk, got = sliced(once, rate_limit=((100, 1.0),))
    assert got == single(Listing(records, page_size=100))
    assert walk.slices == 2 and once.requests <= 31


def _plan_over(seconds_apart: int, count: int) -> tuple[SlicePlan, Slice]:
    """A plan whose first slice holds ``count`` records one per ``seconds_apart`` seconds."""
    records = [
        {"id": f"BKNG-{i:05d}", "creation_time": format_time(BASE - i * seconds_apart * 10**6)}
        for i in range(count)
    ]
    plan = SlicePlan(page_size=100, field="creation_time", params={})
    return plan, plan.start(records, after=records[-1]["id"])


def test_a_slice_whose_cut_below_found_nothing_is_halved_while_it_is_large() -> None:
    plan, head = _plan_over(1, 4000)  # 40 pages walked: the cut below goes 20 pages ahead
    probe = plan.cut()
    assert probe is not None and probe.lo is None and head.lo == probe.hi
    plan.sent(probe)
    plan.accept(probe, [], ended=True)  # past the listing's end: its data ends above
    assert head.last is not None and head.lo is not None
    left = head.lo, head.last
    half = plan.cut()
    assert half is not None, "the rest of the head is searched for the end, not walked alone"
    assert half.lo == left[0] and half.hi == head.lo
    assert abs((head.lo - left[0]) - (left[1] - head.lo)) <= 2 * 10**6  # at the middle
    # Once what is left is under 16 pages by estimate, nothing more is cut for the end.
    small, small_head = _plan_over(1, 4000)
    below = small.cut()
    assert below is not None
    small.sent(below)
    small.accept(below, [], ended=True)
    more = [
        {"id": f"BKNG-{i:05d}", "creation_time": format_time(BASE - i * 10**6)}
        for i in range(4000, 4500)
    ]
    small.sent(small_head)
    small.accept(small_head, more, ended=False)  # 5 pages more: 15 left above the empty cut
    assert small.cut() is None


def test_a_closed_slice_is_walked_up_from_below_and_the_walks_meet_with_no_request_more() -> None:
    # The head holds 10 pages more above a slice with data: walked up from that slice's newest
    # record (before=), the two walks meet, and the head's 1,000 records cost 10 requests.
    plan, head = _plan_over(1, 200)
    below = plan.cut()
    assert below is not None and head.lo == below.hi
    rest = [
        {"id": f"BKNG-{i:05d}", "creation_time": format_time(BASE - i * 10**6)}
        for i in range(200, 3000)
    ]
    lo = head.lo
    above, under = [r for r in rest if _t(r) >= lo], [r for r in rest if _t(r) < lo]
    plan.sent(below)
    plan.accept(below, under[:100], ended=True)  # the listing ends there: no cut below it
    up = plan.cut()
    assert up is not None and up.upward and up.partner is head and head.partner is up
    assert plan.bounds(up) == {"before": under[0]["id"]}
    requests = 0
    while not head.done:  # one page down, one page up, as two walkers would
        plan.sent(head)
        down_page = [r for r in above if r not in head.records and r not in up.records][:100]
        plan.accept(head, down_page, ended=False)
        requests += 1
        if head.done:
            break
        plan.sent(up)
        left = [r for r in above if r not in head.records and r not in up.records]
        newer = [r for r in above if _t(r) > _t(up.records[0])] if up.records else above
        plan.accept(up, (newer or left)[-100:], ended=False)
        requests += 1
    assert up.done and head.records[200:] + up.records == above
    assert requests == -(-len(above) // 100)  # ceil: the meeting page is the only short one

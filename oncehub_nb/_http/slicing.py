"""Where to cut one listing into disjoint slices by a field that never changes (the plan).

A pull that waits on latency rather than on the rate limit walks several slices of the listing
at once (:mod:`.parallel` runs them). This module only plans: it keeps the slices in the
listing's order, checks every page against the slice it was asked for, and decides where the
next slice starts. It does no HTTP, so its decisions are tested without a server
(``tests/test_sliced_walk.py``, against a listing in memory).

The field is ``creation_time``: the listings that can slice are ordered newest first by it, and
it never changes, so no record can move from one slice to another during a pull. A slice is a
half-open window ``[lo, hi)`` of that field, sent as ``<field>.gt = lo - 1 ms`` and
``<field>.lt = hi`` (the API's bounds are strict; its times have millisecond precision, and a
finer one would only put a record in two slices, which the merge drops once). The first slice
is the single walk itself, continued with ``after=``; the others start with no cursor.

Slices are cut on demand, never guessed all at once, because nothing says how far back a
listing goes (no count, no oldest-first order):

* the lowest slice is open (no ``lo``); when a walker is free it is cut ahead of its walker,
  as far below as :data:`FIRST_PROBE_PAGES` (or half the pages walked so far, when
  more) hold at the density of the pages seen: the new slice's first page is then data, not a
  wasted request, unless the listing ends before it;
* a closed slice whose data goes on below it, with :data:`MEET_PAGES` or more left by
  estimate, is walked up too (``before=`` the newest record below it) until the two walks
  meet: that costs no request more (the walks meet on one page that is not full, which the
  slice's walk down would have ended on anyway), where a cut would cost one;
* a closed slice with nothing found below it (usually a cut past the listing's end, or a gap
  in the data) is halved at the middle of what is left once a quarter (1 /
  :data:`NOTHING_BELOW_SHARE`) of it holds :data:`MIN_SPLIT_PAGES` pages by estimate: a
  search for the end, in turns a walker alone would leave unused.

Each cut costs at most one request (a slice ends on a page that is not full); walking alone
costs a quarter of each page's time at 250 ms (see ``docs/explanation/performance.md``).

Example:
    >>> plan = SlicePlan(page_size=2, field="creation_time", params={})
    >>> head = plan.start([{"id": "B", "creation_time": "2026-01-03T00:00:00.000Z"},
    ...                    {"id": "A", "creation_time": "2026-01-02T00:00:00.000Z"}], after="A")
    >>> plan.bounds(head)
    {}
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Mapping
from typing import Any

from oncehub_nb._http.instants import MS as _MS
from oncehub_nb._http.instants import format_time, parse_time

__all__ = [
    "FIRST_PROBE_PAGES",
    "MEET_PAGES",
    "MIN_SPLIT_PAGES",
    "NOTHING_BELOW_SHARE",
    "PROBE_SHARE",
    "Slice",
    "SlicePlan",
    "Unsliceable",
]

Record = dict[str, Any]

#: The first cut below an open slice leaves its walker this many pages (at the density seen).
FIRST_PROBE_PAGES = 16
#: Later cuts of an open slice: this share of the pages walked so far, when more than the above.
PROBE_SHARE = 0.5
#: A closed slice with nothing below is halved only when this many pages are left (see below).
MIN_SPLIT_PAGES = 4
#: With nothing below it, only when 1/this of what is left holds that many (16 pages in all).
NOTHING_BELOW_SHARE = 4
#: A closed slice with data below is walked up from there too when this many pages are left.
MEET_PAGES = 2


class Unsliceable(Exception):
    """A page does not fit its slice (order, bounds, a missing time): walk on as one cursor."""


@dataclasses.dataclass(eq=False)
class Slice:
    """One window of the listing and the walk through it.

    Attributes:
        lo: the lowest time in it (microseconds, inclusive); ``None``: open downwards.
        hi: the time it stays under (exclusive); ``None``: the walk's own start.
        after: the cursor its next page starts after.
        records: the records it holds, in the listing's order.
        top: the time of its upper edge (``hi``, or the first record's for the first slice).
        last: the time of its last record (``None`` before its first page).
        done: its walk has ended.
        busy: a page of it is being fetched.
        sent_lo: the ``lo`` its page in flight was asked with.
        pages: requests made for it.
        upward: it walks up from the slice below with ``before=`` (``after`` is that cursor)
            to meet ``partner``, a slice walked down; its records stay in the listing's order.
        partner: the slice it meets (each of the two names the other).
    """

    lo: int | None
    hi: int | None
    after: str | None = None
    records: list[Record] = dataclasses.field(default_factory=list)
    top: int | None = None
    last: int | None = None
    done: bool = False
    busy: bool = False
    sent_lo: int | None = None
    pages: int = 0
    upward: bool = False
    partner: Slice | None = None


class SlicePlan:
    """The slices of one pull, in the listing's order, and where to cut the next one.

    Args:
        page_size: records a full page holds.
        field: the time field the listing is ordered by (``creation_time``).
        params: the caller's query parameters (their ``<field>.gt`` / ``.lt`` bound every
            slice).

    Example:
        >>> plan = SlicePlan(page_size=100, field="creation_time",
        ...                  params={"creation_time.gt": "2026-01-01T00:00:00Z"})
        >>> format_time(plan.user_gt or 0)
        '2026-01-01T00:00:00.000Z'
    """

    def __init__(self, *, page_size: int, field: str, params: Mapping[str, str]) -> None:
        self.page_size = page_size
        self.field = field
        self.gt_name, self.lt_name = f"{field}.gt", f"{field}.lt"
        self.user_gt = parse_time(params.get(self.gt_name))
        self.user_lt = parse_time(params.get(self.lt_name))
        # A bound this walk cannot read is never replaced by one of its own: one walk then.
        self.unreadable = [
            name
            for name, value in ((self.gt_name, self.user_gt), (self.lt_name, self.user_lt))
            if params.get(name) is not None and value is None
        ]
        self.slices: list[Slice] = []

    # -- pages --------------------------------------------------------------------------------

    def start(self, records: list[Record], *, after: str | None) -> Slice:
        """Open the first slice with the single walk's pages so far.

        Raises:
            Unsliceable: the records are not in order of the field, or the caller's bound on
                it is not a time this plan can read.
        """
        if self.unreadable:
            raise Unsliceable(f"{', '.join(self.unreadable)} is not a time this walk can read")
        lo = None if self.user_gt is None else self.user_gt + 1
        head = Slice(lo=lo, hi=None, after=after)
        self.slices = [head]
        self._check(head, records, gt=self.user_gt, lt=self.user_lt)
        self._keep(head, records)
        return head

    def bounds(self, piece: Slice) -> dict[str, str]:
        """The ``<field>.gt`` / ``.lt`` a page of ``piece`` is asked with (``before=`` upward)."""
        if piece.upward:  # the caller's own bounds hold it; the cursor is below what it finds
            return {"before": piece.after or ""}
        gt, lt = self._limits(piece, lo=piece.lo)
        out = {}
        if gt is not None:
            out[self.gt_name] = format_time(gt)
        if lt is not None:
            out[self.lt_name] = format_time(lt)
        return out

    def _limits(self, piece: Slice, *, lo: int | None) -> tuple[int | None, int | None]:
        gt = self.user_gt
        if lo is not None:
            gt = lo - _MS if gt is None else max(gt, lo - _MS)
        lt = self.user_lt
        if piece.hi is not None:
            lt = piece.hi if lt is None else min(lt, piece.hi)
        return gt, lt

    def sent(self, piece: Slice) -> dict[str, str]:
        """Note that a page of ``piece`` is being fetched; return its bounds."""
        piece.busy, piece.sent_lo = True, piece.lo
        piece.pages += 1
        return self.bounds(piece)

    def accept(self, piece: Slice, records: list[Record], *, ended: bool) -> None:
        """Add a fetched page to its slice (clipped to the slice if it was cut meanwhile).

        Args:
            piece: the slice the page was asked for.
            records: the page's records.
            ended: the page says the walk is over (empty, short or ``has_more: false``).

        Raises:
            Unsliceable: the page breaks the listing's order or the bounds it was asked with.
        """
        piece.busy = False
        if piece.done:  # its partner met it while this page was out: the page is its partner's
            return
        if piece.upward:
            self._accept_upward(piece, records)
            return
        gt, lt = self._limits(piece, lo=piece.sent_lo)
        self._check(piece, records, gt=gt, lt=lt)
        if piece.lo is not None and piece.lo != piece.sent_lo:  # cut while in flight
            kept = [r for r in records if self._time(r) >= piece.lo]
            ended = ended or len(kept) < len(records)
            records = kept
        up = piece.partner
        if up is not None and up.records:  # walking down into what its partner walked up
            ids = [r.get("id") for r in records]
            top_id = up.records[0].get("id")
            if isinstance(top_id, str) and top_id in ids:
                records, ended = records[: ids.index(top_id)], True
        self._keep(piece, records)
        piece.done = ended
        if up is not None and ended:
            up.done = True  # met, or down to its lo: what the upward walk would find is here

    def _accept_upward(self, piece: Slice, records: list[Record]) -> None:
        """Add a page walked up: the records just newer than the cursor, newest first."""
        down = piece.partner
        assert down is not None
        times, ids = [self._time(r) for r in records], [r.get("id") for r in records]
        floor = piece.top if piece.top is not None else piece.lo
        short = len(records) < self.page_size
        if (
            any(a < b for a, b in itertools.pairwise(times))
            or (floor is not None and times and times[-1] < floor)
            or piece.after in ids
        ):
            raise Unsliceable("a page asked for with before= is not the one just newer")
        met = down.after is not None and down.after in ids
        if met:
            records = records[ids.index(down.after) + 1 :]
        elif times and down.last is not None and times[0] > down.last:
            raise Unsliceable("a page walked up went past the slice it was to meet")
        elif short:  # (its has_more is not read: which way it looks is not documented)
            raise Unsliceable("a page walked up ended below the slice it was to meet")
        if records:
            piece.records[:0] = records
            piece.top, piece.after = self._time(records[0]), records[0].get("id")
            piece.last = piece.last if piece.last is not None else self._time(records[-1])
        if met:
            piece.done = down.done = True

    def _time(self, record: Record) -> int:
        moment = parse_time(record.get(self.field))
        if moment is None:
            raise Unsliceable(f"a record without a {self.field}")
        return moment

    def _check(
        self, piece: Slice, records: list[Record], *, gt: int | None, lt: int | None
    ) -> None:
        previous = piece.last
        for record in records:
            moment = self._time(record)
            if previous is not None and moment > previous:
                raise Unsliceable(f"records not newest first by {self.field}")
            if (gt is not None and moment <= gt) or (lt is not None and moment >= lt):
                raise Unsliceable(f"a record outside the {self.field} bounds asked for")
            previous = moment

    def _keep(self, piece: Slice, records: list[Record]) -> None:
        if not records:
            return
        if piece.top is None:
            piece.top = piece.hi if piece.hi is not None else self._time(records[0])
        piece.records.extend(records)
        piece.last = self._time(records[-1])
        last_id = records[-1].get("id")
        piece.after = last_id if isinstance(last_id, str) else piece.after

    # -- cuts ---------------------------------------------------------------------------------

    def density(self, piece: Slice | None = None) -> float | None:
        """Records per microsecond: of ``piece`` when it holds a full page, else of them all."""
        if piece is not None and len(piece.records) >= self.page_size:
            own = self._density([piece])
            if own is not None:
                return own
        return self._density(self.slices)

    @staticmethod
    def _density(pieces: list[Slice]) -> float | None:
        count = span = 0
        for piece in pieces:
            if piece.top is not None and piece.last is not None and piece.records:
                count += len(piece.records)
                span += piece.top - piece.last
        return count / span if count and span > 0 else None

    def pages_kept(self) -> int:
        """Full pages' worth of records fetched so far, over every slice."""
        return sum(len(p.records) for p in self.slices) // self.page_size

    def _below(self, index: int) -> str:
        """What lies below slice ``index``: ``data``, ``nothing``, ``pending`` or ``unknown``."""
        if index + 1 == len(self.slices):
            return "unknown"
        below = self.slices[index + 1]
        if below.records:
            return "data"
        return "nothing" if below.done else "pending"

    def _expected_above(self, index: int, point: float, rho: float) -> float:
        """Records expected in the listing before a slice cut at ``point`` in slice ``index``."""
        total = 0.0
        for piece in self.slices[:index]:
            total += len(piece.records)
            if not piece.done and piece.lo is not None and piece.last is not None:
                total += (self.density(piece) or 0.0) * max(0, piece.last - piece.lo)
        target = self.slices[index]
        last = target.last if target.last is not None else point
        return total + len(target.records) + rho * max(0.0, last - point)

    def cut(self, *, wanted: int | None = None) -> Slice | None:
        """Cut a new slice off the one most worth it; ``None`` when none is.

        Args:
            wanted: the most records the pull hands out (``max_items``): no slice is cut that
                the records expected before it would already fill.

        Returns:
            The new slice (below the one it came from), its first page still to fetch.
        """
        best: tuple[float, int, int | None] | None = None
        for index, piece in enumerate(self.slices):
            if piece.done or piece.last is None or piece.partner is not None:
                continue
            rho = self.density(piece)
            if rho is None:
                continue
            ahead = piece.last - (self.page_size / rho if piece.busy else 0)
            below = self._below(index)
            if below == "pending":  # not answered yet: what is below is not known
                continue
            if below == "unknown":  # the lowest slice: cut ahead of its walker
                pages = max(FIRST_PROBE_PAGES, PROBE_SHARE * self.pages_kept())
                point, worth = ahead - pages * self.page_size / rho, math.inf
                if piece.lo is not None and point <= piece.lo:  # the caller's lower bound
                    point = piece.lo + (ahead - piece.lo) / 2
            else:  # closed: halve what is left (with nothing below, its data ends above lo)
                assert piece.lo is not None
                worth = rho * (ahead - piece.lo) / self.page_size
                if below == "data":  # walked up from the slice below: no request more
                    full = (
                        wanted is not None and self._expected_above(index, piece.lo, rho) >= wanted
                    )
                    fits = worth >= MEET_PAGES and self._first_below(index) is not None
                    if fits and not full and (best is None or worth > best[0]):
                        best = (worth, index, None)
                    continue
                worth /= NOTHING_BELOW_SHARE  # its data ends somewhere in what is left: the
                if worth < MIN_SPLIT_PAGES:  # lower half brings an eighth of it on average
                    continue
                point = piece.lo + (ahead - piece.lo) / 2
            split = int(point) // _MS * _MS
            low = piece.lo if piece.lo is not None else -math.inf
            if not low < split < piece.last - _MS:
                continue
            if wanted is not None and self._expected_above(index, split, rho) >= wanted:
                continue
            if best is None or worth > best[0]:
                best = (worth, index, split)
        if best is None:
            return None
        _, index, chosen = best
        piece = self.slices[index]
        if chosen is None:
            new = Slice(lo=piece.lo, hi=None, after=self._first_below(index), upward=True)
            new.partner, piece.partner = piece, new
        else:
            new = Slice(lo=piece.lo, hi=chosen)
            piece.lo = chosen
        self.slices.insert(index + 1, new)
        return new

    def _first_below(self, index: int) -> str | None:
        """The id of the newest record below slice ``index`` (where a walk up starts)."""
        value = self.slices[index + 1].records[0].get("id")
        return value if isinstance(value, str) else None

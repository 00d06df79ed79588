"""Several slices of one listing walked at once, merged back into the single walk's order.

One cursor walk cannot go faster than one page per round trip: each page needs the last id of
the one before. With OnceHub 250 ms away that is 3.8 requests a second where 5 are allowed.
A :class:`SlicedWalk` starts as that single walk; once its pages show that the rate limit, not
the round trip, could set the pace (:func:`~.walks.walks_needed`), it walks disjoint slices
of the listing at once (:mod:`.slicing` decides where they start), every request through the
same transport and so the one shared rate limiter (:mod:`.limits`: the account's and the IP's
budgets, which every thread and process of the machine draws from), and hands the records out
in the single walk's order: the slices' records one slice after another, each record once.

* Small pulls stay one walk: nothing is cut before :data:`HEAD_PAGES` full pages arrived,
  and a pull that waits on the rate limit, or whose pages are less than two thirds waiting
  (this process's CPU is over a third of them: a sandbox on loopback), stays one walk.
* Whether more walks are needed is asked after every page, on the medians of the pages after
  the first (:class:`_Cost`), while the slices are walked too: one slow page that slices
  cuts one slice, and no more is cut once the pages after it say one walk keeps up.
* ``max_items`` is exact: records are handed out in order and counted; no cut is made whose
  slice the ones before it would already fill.
* An error after the transport's retries ends the walk like a single walk's: the records
  handed out so far are a prefix of the single walk, :attr:`SlicedWalk.cursor` is the last of
  them, and ``after=cursor`` resumes (records later slices had fetched are fetched again).
* A page that does not fit its slice (out of order, outside its bounds, no time) ends the
  slicing: the walk goes on as one cursor from where it is, so the result stays the single
  walk's.
* No new slice is cut once the pull has used half of the longest window's requests (200 per
  5 minutes: past it, that window sets the pace, and each cut's extra request could cost a
  whole window), nor after a request waited for its turn longer than a tenth of the longest
  window (that window is holding the pull back: more walks would only wait too).

Example:
    >>> from oncehub_nb import OnceHub
    >>> limited = OnceHub(api_key=sb.api_key, api_base=sb.base_url, env={}, rate_limit=[(50, 1)])
    >>> walk = iter(limited.bookings.list(max_items=3))  # a small pull: it stays one walk
    >>> [type(walk).__name__, len(list(walk)), walk.slices]
    ['SlicedWalk', 3, 1]
    >>> limited.close()
"""

from __future__ import annotations

import logging
import statistics
import threading
import time
from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import Any, Protocol

from oncehub_nb._config import Settings
from oncehub_nb._errors import OnceHubError
from oncehub_nb._http.pages import Page, PageSource, Walk, repeated
from oncehub_nb._http.slicing import Slice, SlicePlan, Unsliceable
from oncehub_nb._http.walks import walks_needed

__all__ = ["COST_PAGES", "HEAD_PAGES", "STAGGER", "SliceSource", "SlicedWalk"]

log = logging.getLogger(__name__)

Record = dict[str, Any]

#: Full pages the single walk fetches before any slice is cut: the first page alone never
#: decides (it may have opened the connection, or met a server's cold start: the sandbox's
#: first page of 40,000 bookings took 100-120 ms where the next took 12-25 ms).
HEAD_PAGES = 2
#: Whether to slice is decided on the medians of (at most) this many last pages (not the first).
COST_PAGES = 32
#: A sliced pull's requests start at least this share of the shortest limit's interval apart,
#: so that walks do not reach the server at the same moment. The limits themselves are kept
#: by the transport's shared limiter (:mod:`.limits`), which every walk draws its turns from:
#: its budget dates a request when it is let through, so a turn waited for inside it is
#: counted as the server counts it.
STAGGER = 0.25


class SliceSource(PageSource, Protocol):
    """What a sliced walk needs of a listing: a page source with its filters."""

    @property
    def params(self) -> Mapping[str, str]:
        """The caller's query parameters."""


class _Stagger:
    """When each of a pull's requests may start: at least :data:`STAGGER` of an interval apart."""

    def __init__(self, limits: tuple[tuple[int, float], ...]) -> None:
        n, window = min(limits, key=lambda pair: pair[1] / pair[0])
        self.spacing = STAGGER * window / n
        self.last = -float("inf")
        self.lock = threading.Lock()

    def wait(self) -> None:
        """Sleep until this pull may send its next request, and note that it does."""
        with self.lock:
            now = time.perf_counter()
            at = max(now, self.last + self.spacing)
            self.last = at
        if at > now:
            time.sleep(at - now)


class _Fetched:
    """One page a walker brought back, with what it cost."""

    __slots__ = ("cpu", "page", "waited")

    def __init__(self, page: Page, *, cpu: float, waited: float) -> None:
        self.page, self.cpu, self.waited = page, cpu, waited


class _Cost:
    """What a page costs: its seconds and this process's CPU, lower medians of the last pages.

    The first page is left out: it may have opened the connection (a TLS handshake is a round
    trip or two more) or met a server's cold start.

    Example:
        >>> cost = _Cost()
        >>> for seconds in (0.9, 0.2, 0.3):
        ...     page = Page([], has_more=True, request_id=None, seconds=seconds)
        ...     cost.note(_Fetched(page, cpu=0.01, waited=0))
        >>> cost.medians()
        (0.2, 0.01)
    """

    def __init__(self) -> None:
        self.first_seen = False
        self.seconds: deque[float] = deque(maxlen=COST_PAGES)
        self.cpus: deque[float] = deque(maxlen=COST_PAGES)

    def note(self, fetched: _Fetched) -> None:
        """Count one page's cost (not the first's)."""
        if not self.first_seen:
            self.first_seen = True
            return
        self.seconds.append(fetched.page.seconds)
        self.cpus.append(fetched.cpu)

    def medians(self) -> tuple[float, float]:
        """The lower medians of the pages noted (zeros before any).

        Medians of many pages: the question is asked again after each page, and medians of
        the last four answered it by their noise sooner or later (pages at the rule's edge
        sliced by their twelfth page in ``bench/latency.py``). The lower middle of an even
        count: one slow page of two decides nothing.
        """
        if not self.seconds:
            return 0.0, 0.0
        return statistics.median_low(self.seconds), statistics.median_low(self.cpus)


def _fetch(
    listing: SliceSource,
    after: str | None,
    bounds: Mapping[str, str] | None,
    *,
    pace: _Stagger | None = None,
) -> _Fetched:
    if pace is not None:
        pace.wait()
    started, cpu = time.perf_counter(), time.process_time()
    page = listing.fetch_page(after, bounds=bounds)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return _Fetched(page, cpu=cpu, waited=max(0.0, wall - page.seconds))


class SlicedWalk(Iterator[Record]):
    """One pass over a listing that walks slices of it at once when that is faster.

    Args:
        listing: the listing (a :class:`~.pagination.Paginator`).
        field: the time field it is ordered by, newest first (``creation_time``).
        settings: the client's settings (rate limits, ``max_walks``).

    Attributes:
        cursor: the id of the last record handed out (``after=`` resumes after it).
        pages_fetched: list requests made, over every slice.
        items_returned: records handed out.
        max_items: the most this walk hands out (``None``: all).
        slices: slices walked (1: it stayed a single walk).
        most_walks: the most walks it ran at once.
        walking: the walks it runs now (1: one cursor, in the thread that iterates it).
    """

    def __init__(self, listing: SliceSource, field: str, settings: Settings) -> None:
        self.max_items = listing.max_items
        self.cursor = listing.after
        self.pages_fetched = 0
        self.items_returned = 0
        self.slices = 1
        self.most_walks = 1
        self.walking = 1
        self._listing = listing
        self._field = field
        self._limits = settings.rate_limit
        self._max_walks = settings.max_walks
        self._seen: set[str] = set()
        self._records = self._run()

    def __next__(self) -> Record:
        return next(self._records)

    # -- handing out ------------------------------------------------------------------------

    def _full(self) -> bool:
        return self.max_items is not None and self.items_returned >= self.max_items

    def _give(self, records: list[Record]) -> Iterator[Record]:
        for record in records:
            if self._full():
                return
            record_id = record.get("id")
            if isinstance(record_id, str):
                if record_id in self._seen:  # on two slices' common millisecond
                    continue
                self._seen.add(record_id)
                self.cursor = record_id
            self.items_returned += 1
            yield record

    # -- the walk ---------------------------------------------------------------------------

    def _rate(self) -> float:
        return max((n / window for n, window in self._limits), default=0.0)

    def _walks(self, cost: _Cost) -> int:
        seconds, cpu = cost.medians()
        return walks_needed(self._rate(), seconds, cpu=cpu, most=self._max_walks)

    def _may_cut(self, waited: float) -> bool:
        longest = max(self._limits, key=lambda pair: pair[1], default=None)
        if longest is None or len(self._limits) < 2:
            return True
        return self.pages_fetched < longest[0] // 2 and waited <= longest[1] / 10

    def _run(self) -> Iterator[Record]:
        listing = self._listing
        head: list[Record] = []
        cost = _Cost()
        after = self.cursor
        while not self._full():
            fetched = _fetch(listing, after, None)
            page = fetched.page
            self.pages_fetched += 1
            if page.last_id is not None and page.last_id == after:
                raise repeated(page, listing.path, after)
            head.extend(page.data)
            yield from self._give(page.data)
            if page.ends(listing.page_size) or self._full():
                return
            after = page.last_id
            cost.note(fetched)
            if self.pages_fetched < HEAD_PAGES or not self._may_cut(fetched.waited):
                continue
            walks = self._walks(cost)
            if walks > 1:
                yield from self._sliced(head, after, walks, cost)
                return

    def _one_walk(self, after: str | None) -> Iterator[Record]:
        self.walking = 1
        left = None if self.max_items is None else self.max_items - self.items_returned
        walk = Walk(self._listing, after=after, max_items=left, resumed=True)
        try:
            for record in walk:
                yield from self._give([record])
        finally:
            self.pages_fetched += walk.pages_fetched

    def _sliced(
        self, head: list[Record], after: str | None, walks: int, cost: _Cost
    ) -> Iterator[Record]:
        listing = self._listing
        plan = SlicePlan(page_size=listing.page_size, field=self._field, params=listing.params)
        try:
            plan.start(head, after=after)
        except Unsliceable as why:
            log.info("GET %s stays one walk: %s", listing.path, why)
            yield from self._one_walk(self.cursor)
            return
        self.walking = walks
        merge = _Merge(len(head))
        inflight: dict[Future[_Fetched], Slice] = {}
        pool = ThreadPoolExecutor(max_workers=self._max_walks, thread_name_prefix="oncehub-walk")
        pace = _Stagger(self._limits)

        def send(piece: Slice) -> None:
            bounds = plan.sent(piece)  # a walk up sends its cursor in them, as before=
            after = None if piece.upward else piece.after
            inflight[pool.submit(_fetch, listing, after, bounds, pace=pace)] = piece

        failure: OnceHubError | None = None
        unfit: Unsliceable | None = None
        try:
            send(plan.slices[0])
            waited = 0.0
            while inflight:
                while len(inflight) < walks and failure is None and self._may_cut(waited):
                    piece = plan.cut(wanted=self.max_items)
                    if piece is None:
                        break
                    send(piece)
                self.most_walks = max(self.most_walks, len(inflight))
                done, _ = wait(inflight, return_when=FIRST_COMPLETED)
                for future in done:
                    piece = inflight.pop(future)
                    try:
                        fetched = future.result()
                        self.pages_fetched += 1
                        page, waited = fetched.page, fetched.waited
                        repeats = page.last_id is not None and page.last_id == piece.after
                        if repeats and not piece.upward:  # (the plan checks a walk up's)
                            raise repeated(page, listing.path, piece.after)
                    except OnceHubError as exc:
                        failure = failure or exc
                        continue
                    plan.accept(piece, page.data, ended=page.ends(listing.page_size))
                    cost.note(fetched)
                for piece in plan.slices if failure is None else ():
                    if piece.pages and not (piece.done or piece.busy or _parked(plan, piece)):
                        send(piece)  # its next page (a walk that meets another may wait on it)
                # Asked again after every page: one slow page that sliced cuts one slice, and
                # no more once the pages after it say one walk keeps up. A walker's CPU here is
                # the process's during its page (the other walks' and the hand-out's too): it
                # errs towards fewer walks.
                walks = self._walks(cost)
                self.walking = max(2, walks, len(inflight))  # pages come from pool threads
                self.slices = len(plan.slices)
                yield from self._give(merge.ready(plan.slices))
                if self._full() or failure is not None:
                    break
        except Unsliceable as why:
            unfit = why
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
        if unfit is not None:
            log.info("GET %s goes on as one walk: %s", listing.path, unfit)
            yield from self._one_walk(self.cursor)
        if failure is not None:
            raise failure


def _parked(plan: SlicePlan, piece: Slice) -> bool:
    """Whether ``piece`` waits on its partner's page in flight (a page or less is left)."""
    other = piece.partner
    if other is None or not other.busy or piece.done:
        return False
    down, up = (other, piece) if piece.upward else (piece, other)
    rho = plan.density(down)
    if rho is None or down.last is None:
        return False
    floor = up.top if up.top is not None else up.lo
    return floor is not None and rho * (down.last - floor) <= plan.page_size


class _Merge:
    """Where the hand-out stands: slice by slice, in the listing's order."""

    def __init__(self, given: int) -> None:
        self.index, self.position = 0, given

    def ready(self, slices: list[Slice]) -> list[Record]:
        """The records that follow what was handed out, up to the first unfinished slice."""
        out: list[Record] = []
        while self.index < len(slices):
            piece = slices[self.index]
            if piece.upward and not piece.done:  # its records grow at the front
                break
            out.extend(piece.records[self.position :])
            self.position = len(piece.records)
            if not piece.done:
                break
            self.index, self.position = self.index + 1, 0
        return out

"""Client-side rate limiting against the sandbox's enforced limits (OnceHub's real numbers)."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
import requests

from oncehub_nb import PullInterrupted, RateLimitError
from oncehub_nb._config import rate_limit_notices
from oncehub_nb._http import limits
from oncehub_nb._http.buckets import limits_folder
from oncehub_nb._http.deadline import Watch
from oncehub_nb._http.limits import SharedLimiter
from oncehub_nb._http.pacing import WAITING_NOTE
from oncehub_nb.sandbox import Sandbox
from tests.conftest import client_for


@pytest.mark.slow
def test_3000_bookings_with_real_limits_stay_within_them(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = make_sandbox(bookings=3000, seed=11)  # 5 requests/s per key, 200 per 5 min per IP
    assert sorted(sb.rate_limit) == [(5, 1.0), (200, 300.0)]
    with client_for(sb) as hub:  # the client's default limits are OnceHub's
        assert hub.settings.rate_limit == ((5, 1.0), (200, 300.0))
        hub.validate()
        # a tight loop of single gets as well as the paged pull
        for booking in sb.ground_truth("bookings")[:12]:
            hub.bookings.get(booking["id"])
        ids = [b["id"] for b in hub.bookings.list()]
    assert len(ids) == len(set(ids)) == 3000
    stats = sb.stats()
    # The client spaces its requests 25 ms inside each window. The sandbox shares
    # this process's interpreter lock, and on a machine loaded far past its cores (a load of 7
    # on 2 here) a request can reach it late enough to land next to a later one: that once cost
    # one 429 of 44, waited out. More than one means the limiter itself is wrong.
    refused = stats["responses"].get("429", 0)
    assert refused <= 1, stats
    assert stats["rate_limited"] == refused
    assert stats["requests"]["GET /v2/bookings"] == 30 + refused


def test_without_the_client_limiter_the_sandbox_does_limit(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = make_sandbox(bookings=5, seed=1)
    with client_for(sb, rate_limit=False, max_wait=0) as hub:
        with pytest.raises(RateLimitError) as info:
            for _ in range(20):
                hub.validate()
    assert info.value.error_type == "rate_limit_error"
    assert sb.stats()["rate_limited"] >= 1


def test_429s_are_waited_out_within_max_wait_not_max_retries(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = make_sandbox(bookings=5, seed=1, rate_limit=False)
    sb.inject("429", count=8, retry_after=0.01)
    with client_for(sb, max_retries=1, rate_limit=((50, 1.0), (200, 300.0))) as hub:
        assert hub.validate()  # eight 429s, one retry allowed for other failures
    assert sb.stats()["requests"]["GET /v2/test"] == 9


def test_max_wait_bounds_the_waits_after_429(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(bookings=5, seed=1, rate_limit=False)
    sb.inject("429", count=50, retry_after=3)
    waits: list[float] = []
    # The waits are not slept (a fake sleep) but max_wait also counts real time: seconds, so
    # the three loopback exchanges of a busy machine stay well inside the margin.
    with client_for(sb, max_wait=7) as hub:
        hub.transport.sleep = waits.append
        with pytest.raises(RateLimitError) as info:
            hub.validate()
    assert waits == [3, 3]  # a third wait would end after 7 s
    assert info.value.response is not None and info.value.status_code == 429


def test_max_wait_bounds_the_wait_for_a_turn(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(bookings=5, seed=1, rate_limit=False)
    with client_for(sb, max_wait=0.3, rate_limit=((5, 60.0), (200, 300.0))) as hub:
        for _ in range(5):
            hub.validate()
        started = time.monotonic()
        with pytest.raises(RateLimitError, match=r"max_wait=0\.3") as info:
            hub.validate()  # the account's 5 a minute are spent
    assert 0.2 < time.monotonic() - started < 5
    assert info.value.response is None
    assert sb.stats()["requests"]["GET /v2/test"] == 5  # the sixth was never sent


def test_a_pull_that_cannot_get_a_turn_in_time_keeps_what_arrived(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = make_sandbox(bookings=250, seed=2, rate_limit=False)
    with client_for(sb, max_wait=0.2, rate_limit=((2, 60.0), (200, 300.0))) as hub:
        with pytest.raises(PullInterrupted) as info:
            hub.bookings.to_frame(progress=False)
        stop = info.value
        assert len(stop.frame) == 200 and isinstance(stop.__cause__, RateLimitError)
    with client_for(sb) as again:  # another account's budget: the rest
        rest = again.bookings.to_frame(after=stop.cursor, progress=False)
    assert stop.frame["id"].tolist() + rest["id"].tolist() == [
        b["id"] for b in sb.ground_truth("bookings")
    ]


def test_a_429_slows_every_client_on_the_machine(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(bookings=5, seed=1, rate_limit=False)
    sb.inject("429", count=1, retry_after=0.5)
    limits = ((5, 1.0), (200, 300.0))
    with client_for(sb, rate_limit=limits) as hub:
        hub.transport.sleep = lambda _seconds: None
        hub.validate()
    # Another limiter on the same budgets (another process's, in effect) saw the pause, and
    # the tenth of the IP budget the 429 took away.
    other = SharedLimiter(sb.base_url, limits, folder=limits_folder())
    ip = other.buckets("someone")[0]
    assert ip.count_since(0) == 2 + 200 + 20  # two sent, the pause, the tenth
    other.close()


def test_the_progress_bar_says_when_it_waits_for_the_rate_limit(
    make_sandbox: Callable[..., Sandbox],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(limits, "NOTICE_AFTER", 0.0)  # announce every wait
    sb = make_sandbox(bookings=300, seed=3, rate_limit=False)
    notes: list[str | None] = []
    with client_for(sb, rate_limit=((1, 0.2), (200, 300.0))) as hub:
        with rate_limit_notices(notes.append):
            frame = hub.bookings.to_frame(progress=True)
    assert len(frame) == 300
    assert notes.count(WAITING_NOTE) == 2  # a wait before each page after the first
    assert WAITING_NOTE in capsys.readouterr().err


@pytest.mark.parametrize("adapter", ["ours", "another"])
def test_a_pause_after_the_turn_counts_from_when_the_request_is_written(
    make_sandbox: Callable[..., Sandbox], adapter: str
) -> None:
    """A pause between a request's turn and its write (here a slow request hook; a garbage
    collection in a pull) moves its turn to the write: the next request waits a whole window
    from when the first left, not from its turn. With an adapter of someone else's mounted,
    the turn is dated as the adapter is called."""
    sb = make_sandbox(bookings=5, seed=1, rate_limit=False)
    written: list[float] = []

    def slow_first(request: object) -> None:
        if not written:
            time.sleep(0.2)
        written.append(time.monotonic())

    with client_for(sb, rate_limit=((1, 0.3),)) as hub:
        if adapter == "another":
            hub.transport.session.mount("http://", requests.adapters.HTTPAdapter())
        hub.transport.hooks["request"].append(slow_first)
        hub.validate()
        hub.validate()
    assert written[1] - written[0] >= 0.3


def test_a_watch_dates_its_request_once_and_a_failure_to_date_it_does_not_stop_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[int] = []
    watch = Watch(lambda: calls.append(1))
    watch.note(object())
    watch.note(object())  # the pool handed out a second connection: the same request
    assert calls == [1]

    def locked() -> None:
        raise OSError("the budget file is locked")

    with caplog.at_level("WARNING", logger="oncehub_nb.http"):
        Watch(locked).note(object())
    assert "could not be dated again" in caplog.text

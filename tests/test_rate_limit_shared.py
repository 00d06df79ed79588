"""The shared budgets, two limiters on one folder: each has its own connection and file lock,
exactly as two processes would (tests/test_rate_limit_processes.py runs real processes)."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import pytest

from oncehub_nb._http import limits
from oncehub_nb._http.buckets import budget_path, limits_folder
from oncehub_nb._http.limits import SHRINK, SharedLimiter, shared_limiter

BASE = "http://127.0.0.1:9/v2"


def _pair(tmp_path: Path, pairs: tuple[tuple[int, float], ...]) -> tuple[SharedLimiter, ...]:
    return tuple(SharedLimiter(BASE, pairs, folder=tmp_path) for _ in range(2))


def _turns(limiter: SharedLimiter, name: str = "acct", most: int = 1000) -> int:
    taken = 0
    while taken < most and limiter.try_acquire(name, blocking=False):
        taken += 1
    return taken


def test_two_limiters_on_one_folder_share_the_account_budget(tmp_path: Path) -> None:
    a, b = _pair(tmp_path, ((5, 60.0), (200, 120.0)))
    assert _turns(a, most=3) == 3
    assert _turns(b) == 2  # the account's 5 per minute: 3 taken by the other limiter
    assert _turns(b, "another account") == 5
    a.close()
    b.close()


def test_every_account_shares_the_ip_budget(tmp_path: Path) -> None:
    a, b = _pair(tmp_path, ((100, 60.0), (8, 120.0)))
    assert _turns(a, "one", most=3) == 3
    assert _turns(b, "two") == 5
    assert _turns(a, "three") == 0


def test_the_files_are_named_by_digests_and_hold_no_credential(tmp_path: Path) -> None:
    key = "key-0123456789abcdef-very-secret"
    limiter = SharedLimiter(BASE, ((5, 1.0), (200, 300.0)), folder=tmp_path)
    assert limiter.try_acquire(key)
    limiter.close()
    names = sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".sqlite")
    assert names == sorted(
        [budget_path(tmp_path, "ip", BASE).name, budget_path(tmp_path, "account", BASE, key).name]
    )
    for path in tmp_path.iterdir():
        data = path.read_bytes() if path.is_file() else b""
        assert key[:8].encode() not in data and b"127.0.0.1" not in data
        assert key[:8] not in path.name and "127" not in path.name


def test_a_429_with_retry_after_pauses_every_limiter_until_then(tmp_path: Path) -> None:
    a, b = _pair(tmp_path, ((5, 60.0), (200, 300.0)))
    started = time.monotonic()  # the pause runs from the 429, not from the next try
    a.slow_down("acct", retry_after=0.4)
    assert not b.try_acquire("acct", blocking=False)
    assert not b.try_acquire("someone else", blocking=False)  # the IP budget is paused too
    assert b.try_acquire("acct", timeout=5)
    assert 0.3 < time.monotonic() - started < 3


def test_a_429_without_retry_after_shrinks_the_ip_budget_and_gives_it_back_gradually(
    tmp_path: Path,
) -> None:
    a, b = _pair(tmp_path, ((500, 1.0), (100, 60.0)))
    assert _turns(a, most=10) == 10
    a.slow_down("acct")  # 10 requests in the last seconds: not the per-second limit's edge
    unseen = int(100 * SHRINK)
    assert _turns(b, most=100) == 100 - 10 - unseen  # for the other limiter too
    ip, account = b.buckets("acct")
    interval = ip.rates[0].interval
    now = ip.now()
    # Still counted at now, at the middle of the window to come, after it (a row stamped in
    # this very millisecond leaves at now + interval: within it).
    left = [ip.count_since(now - interval + step) for step in (0, interval // 2, interval + 1)]
    assert left[0] == 100  # 10 + 80 sent, 10 unseen
    assert left[0] - left[2] == 100  # every one leaves within the window (none in the future) ...
    # ... the unseen ones one at a time: about half of them by the middle of the window
    assert unseen * 0.3 < left[0] - left[1] < unseen * 0.7
    assert account.count_since(now - 60_000) == 90  # the account's own budget is not touched


def test_a_429_at_the_per_second_edge_pauses_the_account_only(tmp_path: Path) -> None:
    a, b = _pair(tmp_path, ((5, 30.0), (100, 60.0)))
    assert _turns(a, most=5) == 5  # the account's limit, just sent
    a.slow_down("acct")
    ip, account = b.buckets("acct")
    assert ip.count_since(0) == 5  # nothing taken from the IP budget
    assert account.count_since(0) == 5 + 5  # the account's window is full for one window
    assert not b.try_acquire("acct", blocking=False)


def test_threads_share_the_budget(tmp_path: Path) -> None:
    limiter = SharedLimiter(BASE, ((20, 60.0), (200, 300.0)), folder=tmp_path)
    got: list[bool] = []
    threads = [
        threading.Thread(target=lambda: got.extend(_turns(limiter) * [True])) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(got) == 20


def test_a_clock_set_back_does_not_block(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    a, b = _pair(tmp_path, ((5, 60.0), (200, 300.0)))
    ip = a.buckets("acct")[0]
    ip.record_unseen([ip.now() + 3_600_000] * 200)  # a clock that was an hour ahead
    with caplog.at_level(logging.WARNING, logger="oncehub_nb.http"):
        assert b.try_acquire("acct", blocking=False)
    assert "clock was set back" in caplog.text


def test_an_unwritable_cache_folder_keeps_the_budget_in_the_process(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with caplog.at_level(logging.WARNING, logger="oncehub_nb.http"):
        limiter = SharedLimiter(BASE, ((3, 60.0), (200, 300.0)), folder=blocker / "sub")
        assert _turns(limiter) == 3
    assert "ONCEHUB_CACHE_DIR" in caplog.text
    limiter.close()


def test_the_folder_comes_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ONCEHUB_CACHE_DIR", str(tmp_path))
    assert limits_folder() == tmp_path / "rate-limits"
    limiter = shared_limiter(BASE, ((5, 1.0), (200, 300.0)))
    assert limiter.folder == tmp_path / "rate-limits"
    assert limiter is shared_limiter(BASE, ((5, 1.0), (200, 300.0)))
    monkeypatch.setenv("ONCEHUB_CACHE_DIR", str(tmp_path / "other"))
    assert shared_limiter(BASE, ((5, 1.0), (200, 300.0))) is not limiter


def test_a_wait_past_the_threshold_is_announced_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(limits, "NOTICE_AFTER", 0.05)
    limiter = SharedLimiter(BASE, ((2, 0.3), (200, 300.0)), folder=tmp_path)
    notes: list[str] = []
    for _ in range(3):
        assert limiter.try_acquire("acct", timeout=5, notify=lambda: notes.append("wait"))
    assert notes == ["wait"]  # the third turn waited for the window
    limiter.close()


def test_every_window_gets_the_same_few_milliseconds_of_margin() -> None:
    """The jitter the margin absorbs is milliseconds whatever the window's length."""
    margins = set()
    for short, long in (((5, 1.0), (200, 300.0)), ((5, 0.05), (200, 15.0))):
        limiter = SharedLimiter(BASE, (short, long), folder=None)
        (ip,), (account,) = (limiter.buckets("acct")[0].rates, limiter.buckets("acct")[1].rates)
        limiter.close()
        margins |= {account.interval - short[1] * 1000, ip.interval - long[1] * 1000}
    assert margins == {limits._WINDOW_MARGIN_MS}


def test_a_turn_held_up_before_its_send_counts_from_when_it_leaves(tmp_path: Path) -> None:
    """A pause between a turn and its send (a garbage collection, a busy machine) would
    otherwise let later requests follow the held-up one closer than the window allows."""
    limiter = SharedLimiter(BASE, ((2, 0.2),), folder=tmp_path)
    assert limiter.try_acquire("acct", blocking=False)
    time.sleep(0.1)  # held up between its turn and its send
    left = time.time()
    limiter.leaving("acct")
    assert limiter.try_acquire("acct", blocking=False)  # the second of 2
    assert limiter.try_acquire("acct", timeout=5)  # the third: once the first leaves the window
    assert time.time() - left >= 0.2  # counted from when the first left, not from its turn
    limiter.close()


def test_only_a_late_turn_is_moved_and_only_once(tmp_path: Path) -> None:
    limiter = SharedLimiter(BASE, ((5, 60.0),), folder=tmp_path)
    (bucket,) = limiter.buckets("acct")
    assert limiter.try_acquire("acct", blocking=False)
    assert not bucket.redate()  # sent at once: left as it is
    assert not bucket.redate()  # and nothing is left to move
    assert limiter.try_acquire("acct", blocking=False)
    time.sleep(0.02)
    moved_at = bucket.now()
    assert bucket.redate()
    assert bucket.count_since(moved_at) == 1 and bucket.count() == 2
    limiter.close()

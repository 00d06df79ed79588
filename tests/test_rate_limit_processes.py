"""Real processes pulling from one account at once share its rate limits (and the IP's).

Each worker (tests/_limit_worker.py) is a fresh Python, like a notebook kernel, with the test's
cache folder (inherited ``ONCEHUB_CACHE_DIR``). The sandbox enforces its limits per key and per
client IP, as OnceHub does: here 5 per 20 ms per key and 40 per second per IP, so a few
thousand bookings in pages of 50 take several windows of the binding (IP) limit.
"""

from __future__ import annotations

import bisect
import json
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from oncehub_nb._http.buckets import budget_path, limits_folder
from oncehub_nb._http.limits import shared_limiter
from oncehub_nb.sandbox import Sandbox

WORKER = Path(__file__).with_name("_limit_worker.py")
ROOT = Path(__file__).parents[1]
LIMITS = [(5, 0.02), (40, 1.0)]
PAGE = 50


def _sandbox(make_sandbox: Callable[..., Sandbox], bookings: int) -> Sandbox:
    sb = make_sandbox(bookings=bookings, seed=23)
    sb.set_rate_limit(LIMITS)
    return sb


def _start(sb: Sandbox, count: int, *, threads: int = 1) -> list[subprocess.Popen[str]]:
    spec = {
        "base": sb.base_url,
        "key": sb.api_key,
        "limits": LIMITS,
        "page_size": PAGE,
        "threads": threads,
        "start": time.time() + 2.0,  # every worker has imported the SDK by then
    }
    return [
        subprocess.Popen(
            [sys.executable, str(WORKER), json.dumps(spec)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for _ in range(count)
    ]


def _results(procs: list[subprocess.Popen[str]]) -> list[dict[str, Any]]:
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=90)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    return results


def _most_in(stamps: list[float], window: float) -> int:
    """The most requests any span of ``window`` seconds holds."""
    stamps = sorted(stamps)
    return max(bisect.bisect_left(stamps, t + window) - i for i, t in enumerate(stamps))


def _check(
    sb: Sandbox, results: list[dict[str, Any]], pulls: int, *, all_sent: bool = True
) -> None:
    truth = [b["id"] for b in sb.ground_truth("bookings")]
    got = [pull for result in results for pull in result["pulls"]]
    assert len(got) == pulls
    assert [pull["interrupted"] for pull in got] == [None] * pulls
    assert all(pull["ids"] == truth for pull in got)
    # Together they never sent more than either limit allows in any window.
    sends = [t for result in results for t in result["sends"]]
    assert _most_in(sends, LIMITS[1][1]) <= LIMITS[1][0]
    assert _most_in(sends, LIMITS[0][1]) <= LIMITS[0][0]
    stats = sb.stats()
    assert stats["responses"].get("429", 0) <= 2  # a request that was slow to arrive, at most
    if all_sent:  # every request was one of theirs: none was wasted
        assert stats["requests"]["GET /v2/bookings"] == len(sends)


@pytest.mark.slow
def test_two_processes_share_one_budget(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = _sandbox(make_sandbox, 2000)  # 40 pages each: two IP windows together
    _check(sb, _results(_start(sb, 2)), pulls=2)


@pytest.mark.slow
def test_threads_and_processes_draw_from_the_same_budget(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = _sandbox(make_sandbox, 1500)  # 30 pages a pull, 4 pulls: three IP windows
    _check(sb, _results(_start(sb, 2, threads=2)), pulls=4)


@pytest.mark.slow
def test_three_processes_and_one_killed_mid_pull_does_not_stall_the_others(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = _sandbox(make_sandbox, 2000)
    procs = _start(sb, 3)
    while sb.stats()["requests"].get("GET /v2/bookings", 0) < 30:
        time.sleep(0.005)
    procs[0].send_signal(signal.SIGKILL)  # mid-pull, perhaps holding the file lock
    procs[0].communicate()
    started = time.monotonic()
    survivors = _results(procs[1:])
    # 80 pages left at most, 40 a second: two windows, with room for a slow machine.
    assert time.monotonic() - started < 20
    _check(sb, survivors, pulls=2, all_sent=False)


@pytest.mark.slow
def test_a_process_killed_holding_the_budgets_lock_leaves_nothing_that_blocks(
    tmp_path: Path,
) -> None:
    base = "http://127.0.0.1:9/v2"
    limiter = shared_limiter(base, ((5, 1.0), (200, 300.0)))
    lock = str(budget_path(limits_folder(), "ip", base)) + ".lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import sys, time
                from filelock import FileLock
                held = FileLock({lock!r})
                held.acquire()
                print("held", flush=True)
                time.sleep(120)
            """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    done = threading.Event()
    waiter = threading.Thread(target=lambda: limiter.try_acquire("acct") and done.set())
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        waiter.start()
        assert not done.wait(0.5)  # the lock is the one the budget takes: it waits for it
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.communicate()
    assert done.wait(10)
    waiter.join()

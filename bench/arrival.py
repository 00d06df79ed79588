"""From the limiter's turn to the server's count: the jitter the limiter's window margin absorbs.

The client (its own process, as in ``bench/latency.py``) pulls 6,000 bookings from a sandbox
answering after 250 ms, with OnceHub's limits at real speed. For every request it notes when
the limiter let it go (the transport's request hook runs right after the turn; a turn held up
is dated again a little later, as the pool hands the request its connection); the sandbox, in
this process, notes when it counts the request against its limits (as it arrives, before the
latency: when the account's budget, the second of its two, lets it in). Both clocks are
``time.perf_counter`` (the system's monotonic clock on Linux, one for every process), and the
two are matched by URL. Printed: the delay's median, 99th percentile and maximum over every
request of every pull, and the full garbage collections of each process longer than 5 ms.

This is loopback: a real network's delays vary more (the margin's comment in
``oncehub_nb/_http/limits.py`` says how a 429 is handled then).

Run from the repository root: .venv/bin/python -m bench.arrival [--pulls N]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from typing import Any

PAUSES: list[tuple[float, float]] = []  # (start, seconds) of this process's long collections


def _watch_collections() -> None:
    started: dict[str, float] = {}

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started["at"] = time.perf_counter()
        elif info.get("generation") == 2:
            seconds = time.perf_counter() - started.get("at", time.perf_counter())
            if seconds > 0.005:
                PAUSES.append((started["at"], seconds))

    gc.callbacks.append(note)


def _key(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.unquote(f"{parts.path}?{parts.query}")


def client(base: str) -> None:
    """The child process: one pull; each request's turn time and URL as JSON on stdout."""
    from oncehub_nb import OnceHub

    _watch_collections()
    turns: list[tuple[float, str]] = []
    key = os.environ["BENCH_SANDBOX_KEY"]  # not on the command line, where ps shows it
    with OnceHub(api_key=key, api_base=base, env={}, rate_limit=((5, 1.0), (200, 300.0))) as hub:
        hub.transport.hooks["request"].append(lambda r: turns.append((time.perf_counter(), r.url)))
        hub.bookings.to_frame(progress=False)
    print(json.dumps({"turns": turns, "pauses": PAUSES}))


def pull() -> dict[str, Any]:
    from flask import request

    from oncehub_nb.sandbox import Sandbox

    counted: dict[str, float] = {}
    with Sandbox(bookings=6_000, seed=11, latency_ms=250) as sb:
        admit = sb.state.admit_account

        def noted(*args: Any, **kwargs: Any) -> Any:
            admitted = admit(*args, **kwargs)
            counted[_key(request.full_path)] = time.perf_counter()
            return admitted

        sb.state.admit_account = noted  # type: ignore[method-assign]
        ours = len(PAUSES)
        with tempfile.TemporaryDirectory() as tmp:
            env = {**os.environ, "ONCEHUB_CACHE_DIR": tmp, "BENCH_SANDBOX_KEY": sb.api_key}
            done = subprocess.run(  # noqa: S603 - this script, with our own arguments
                [sys.executable, "-m", "bench.arrival", "--client", sb.base_url],
                check=True,
                capture_output=True,
                text=True,
                env=env,
            )
        refused = sb.stats()["responses"].get("429", 0)
    out = json.loads(done.stdout)
    # A retried request has the same URL: only the last count of each is kept, so the turn
    # matched to it is the last one too.
    last_turn = {_key(url): at for at, url in out["turns"]}
    delays = [(counted[k] - at) * 1000 for k, at in last_turn.items() if k in counted]
    return {
        "delays": delays,
        "429": refused,
        "client pauses": [s * 1000 for _, s in out["pauses"]],
        "sandbox pauses": [s * 1000 for _, s in PAUSES[ours:]],
    }


def main() -> None:
    if sys.argv[1:2] == ["--client"]:
        client(sys.argv[2])
        return
    parser = argparse.ArgumentParser(
        prog="python -m bench.arrival", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--pulls", type=int, default=5, help="pulls to time; default 5")
    pulls = parser.parse_args().pulls
    if pulls < 1:
        parser.error("--pulls: 1 or more")
    _watch_collections()
    delays: list[float] = []
    print("6,000 bookings, 250 ms, OnceHub's limits at real speed; one line a pull")
    for _ in range(pulls):
        got = pull()
        delays += got["delays"]
        print(
            f"  {len(got['delays'])} requests, 429s {got['429']}, turn to count at most "
            f"{max(got['delays']):.1f} ms; full collections over 5 ms: client "
            f"{[round(p) for p in got['client pauses']]} ms, sandbox "
            f"{[round(p) for p in got['sandbox pauses']]} ms"
        )
    delays.sort()
    print(
        f"turn to count over {len(delays)} requests: median {statistics.median(delays):.1f} ms, "
        f"99th percentile {delays[int(len(delays) * 0.99)]:.1f} ms, most {delays[-1]:.1f} ms"
    )


if __name__ == "__main__":
    main()

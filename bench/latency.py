"""Pulls under latency, side by side in one run: one cursor walk next to sliced walks.

1. 6,000 bookings, the sandbox answering each request after 0, 100 and 250 ms, OnceHub's
   limits at real speed (5 per second, 200 per 5 minutes) in the sandbox and in the client:
   ``to_frame()`` with ``max_walks=1`` (one cursor walk, as before) next to the default
   (slices when the round trip holds the pull back). Printed: requests, seconds, requests per
   second as a share of the 5 allowed, the 429s, and whether the frame equals the sandbox's
   ground truth. Each pull gets a fresh sandbox (a fresh 5-minute budget).
2. 40,000 bookings under both limits, time-scaled 20x (5 per 50 ms, 200 per 15 s), no
   latency: requests, 429s, and the rate after the first window's burst as a share of the
   binding limit (200 per 15 s).

The client runs in a child process, the sandbox in this one: the real API is not in the
client's process, and a sandbox sharing the client's interpreter lock answers late whenever the
client is busy decoding (up to 40 ms here), which is not what a client meets in practice.

Nothing is asserted; the figures go to docs/explanation/performance.md.
Run from the repository root: .venv/bin/python -m bench.latency [--quick]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd

from oncehub_nb import OnceHub
from oncehub_nb.frames.build import records_to_frame
from oncehub_nb.sandbox import Sandbox

ALLOWED = 5.0


def truth_frame(sb: Sandbox, hub: OnceHub) -> pd.DataFrame:
    return records_to_frame(sb.ground_truth("bookings"), hub.bookings.frame_columns())


def client(base: str, key: str, max_walks: int, limits: str, out: str) -> None:
    """The child process: one pull, its timings as JSON on stdout, the frame to ``out``."""
    stamps: list[float] = []
    sends: list[float] = []  # perf_counter is the system's monotonic clock: comparable here
    rate_limits = tuple(tuple(pair) for pair in json.loads(limits))
    with OnceHub(
        api_key=key, api_base=base, env={}, max_walks=max_walks, rate_limits=rate_limits
    ) as hub:
        hub.transport.hooks["response"].append(lambda r: stamps.append(time.perf_counter()))
        hub.transport.hooks["request"].append(lambda r: sends.append(time.perf_counter()))
        started = time.perf_counter()
        listing = hub.bookings.list()
        frame = hub.bookings.to_frame(progress=False)
        seconds = time.perf_counter() - started
    frame.to_pickle(out)
    _ = listing
    print(json.dumps({"seconds": seconds, "stamps": [t - started for t in stamps], "sends": sends}))


def run_client(sb: Sandbox, *, max_walks: int, limits: tuple[tuple[int, float], ...]) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "frame.pkl")
        done = subprocess.run(  # noqa: S603 - this script, with our own arguments
            [sys.executable, "-m", "bench.latency", "--client", sb.base_url, sb.api_key,
             str(max_walks), json.dumps(limits), out],
            check=True, capture_output=True, text=True,
        )
        return json.loads(done.stdout), pd.read_pickle(out)  # noqa: S301 - our own file


def pull(n: int, latency_ms: int, *, max_walks: int, seed: int) -> dict[str, Any]:
    with Sandbox(bookings=n, seed=seed, latency_ms=latency_ms) as sb:
        timing, frame = run_client(sb, max_walks=max_walks, limits=((5, 1.0), (200, 300.0)))
        with OnceHub(api_key=sb.api_key, api_base=sb.base_url, env={}) as hub:
            right = frame.equals(truth_frame(sb, hub))
        stats = sb.stats()
    made = stats["requests"]["GET /v2/bookings"]
    seconds, stamps = timing["seconds"], timing["stamps"]
    return {
        "requests": made,
        "seconds": seconds,
        "rate": made / seconds,
        "429": stats["responses"].get("429", 0),
        "right": right,
        # after the first second's burst of 5: the steady pace, against the 5/s allowed
        "steady": (made - 5) / (stamps[-1] - stamps[4]) if made > 5 else float("nan"),
    }


def latency_table(n: int, latencies: tuple[int, ...]) -> None:
    print(f"1. {n:,} bookings, OnceHub's limits at real speed, one pull per row pair")
    print("   latency  walk       requests  seconds  req/s  of 5/s  steady  429  frame = truth")
    for latency in latencies:
        rows = {}
        for label, walks in (("one walk", 1), ("sliced", 4)):
            rows[label] = r = pull(n, latency, max_walks=walks, seed=11)
            print(
                f"   {latency:4d} ms  {label:9s}  {r['requests']:8d}  {r['seconds']:7.2f}  "
                f"{r['rate']:5.2f}  {r['rate'] / ALLOWED:6.0%}  {r['steady'] / ALLOWED:6.0%}  "
                f"{r['429']:3d}  {r['right']}"
            )
        one, sliced = rows["one walk"], rows["sliced"]
        print(f"           sliced / one walk: {sliced['seconds'] / one['seconds']:.2f} of the time")


def rate_limited(n: int = 40_000, *, max_walks: int) -> dict[str, Any]:
    with Sandbox(bookings=n, seed=6, time_scale=0.05) as sb:
        limits = tuple(sb.rate_limits)
        timing, frame = run_client(sb, max_walks=max_walks, limits=limits)
        with OnceHub(api_key=sb.api_key, api_base=sb.base_url, env={}) as hub:
            right = frame.equals(truth_frame(sb, hub))
        stats = sb.stats()
    made = stats["requests"]["GET /v2/bookings"]
    stamps = timing["stamps"]
    burst, window = max(limits, key=lambda pair: pair[1])
    steady = (made - burst) / (stamps[-1] - stamps[burst - 1])
    return {
        "requests": made, "seconds": timing["seconds"], "429": stats["responses"].get("429", 0),
        "share": steady / (burst / window), "right": right,
    }


def rate_limited_table() -> None:
    print("2. 40,000 bookings, both limits time-scaled 20x (5 per 0.05 s, 200 per 15 s), no latency")
    print("   walk       requests  seconds  429  after the first 200: share of 200 per 15 s  frame = truth")
    for label, walks in (("one walk", 1), ("default", 4)):
        r = rate_limited(max_walks=walks)
        print(
            f"   {label:9s}  {r['requests']:8d}  {r['seconds']:7.2f}  {r['429']:3d}  "
            f"{r['share']:42.1%}  {r['right']}"
        )


def main() -> None:
    if sys.argv[1:2] == ["--client"]:
        client(*sys.argv[2:4], int(sys.argv[4]), *sys.argv[5:7])
        return
    quick = "--quick" in sys.argv
    latency_table(6_000, (250,) if quick else (0, 100, 250))
    if not quick:
        rate_limited_table()


if __name__ == "__main__":
    main()

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

Nothing is asserted; the figures go to docs/explanation/performance.md.
Run from the repository root: .venv/bin/python -m bench.latency [--quick]
"""

from __future__ import annotations

import statistics
import sys
import time
from typing import Any

import pandas as pd

from oncehub_nb import OnceHub
from oncehub_nb.frames.build import records_to_frame
from oncehub_nb.sandbox import Sandbox

ALLOWED = 5.0


def truth_frame(sb: Sandbox, hub: OnceHub) -> pd.DataFrame:
    return records_to_frame(sb.ground_truth("bookings"), hub.bookings.frame_columns())


def pull(n: int, latency_ms: int, *, max_walks: int, seed: int) -> dict[str, Any]:
    with Sandbox(bookings=n, seed=seed, latency_ms=latency_ms) as sb:
        stamps: list[float] = []
        with OnceHub(
            api_key=sb.api_key, api_base=sb.base_url, env={}, max_walks=max_walks
        ) as hub:
            hub.transport.hooks["response"].append(lambda r: stamps.append(time.perf_counter()))
            started = time.perf_counter()
            frame = hub.bookings.to_frame(progress=False)
            seconds = time.perf_counter() - started
            walk = hub.bookings.list().last_walk  # type: ignore[attr-defined]
            right = frame.equals(truth_frame(sb, hub))
        stats = sb.stats()
    del walk
    made = stats["requests"]["GET /v2/bookings"]
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
        stamps: list[float] = []
        with OnceHub(
            api_key=sb.api_key, api_base=sb.base_url, env={}, rate_limits=limits,
            max_walks=max_walks,
        ) as hub:
            hub.transport.hooks["response"].append(lambda r: stamps.append(time.perf_counter()))
            started = time.perf_counter()
            frame = hub.bookings.to_frame(progress=False)
            seconds = time.perf_counter() - started
            right = frame.equals(truth_frame(sb, hub))
        stats = sb.stats()
    made = stats["requests"]["GET /v2/bookings"]
    burst, window = max(limits, key=lambda pair: pair[1])
    steady = (made - burst) / (stamps[-1] - stamps[burst - 1])
    return {
        "requests": made, "seconds": seconds, "429": stats["responses"].get("429", 0),
        "share": steady / (burst / window), "right": right, "limits": limits,
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
    quick = "--quick" in sys.argv
    latency_table(6_000, (250,) if quick else (0, 100, 250))
    if not quick:
        rate_limited_table()
    _ = statistics  # medians are taken by the reader: one pull per row, shared noisy machine


if __name__ == "__main__":
    main()

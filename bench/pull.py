"""Pulls against the sandbox, measured side by side in one run (nothing is asserted).

1. SDK ``to_frame()`` of 10,000 bookings next to the hand-written floor (a ``requests`` loop,
   limit 100, the same cursor, then ``pd.json_normalize``), loopback, rate limits off; the
   connections the sandbox accepted for each pull (it keeps them alive: one is ideal), and the
   sandbox's own throughput for a page of 100 from bare ``http.client`` keep-alive connections.
2. With the sandbox's rate limits on (time-scaled 20x): achieved rate as a fraction of the
   allowed rate, and the 429s.
3. Incremental re-sync: requests with nothing changed, and with k changed bookings.

Run: .venv/bin/python bench/pull.py
"""

from __future__ import annotations

import http.client
import math
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import requests

from oncehub_nb import OnceHub
from oncehub_nb.sandbox import Sandbox

ROUNDS = 5


def raw_requests_per_second(sb: Sandbox, *, connections: int, seconds: float = 3.0) -> float:
    """The sandbox's own throughput: GET /bookings?limit=100 from bare keep-alive connections."""
    done = [0] * connections
    stop = time.perf_counter() + seconds

    def worker(slot: int) -> None:
        connection = http.client.HTTPConnection(sb.host, sb.port, timeout=30)
        while time.perf_counter() < stop:
            connection.request("GET", "/v2/bookings?limit=100", headers={"API-Key": sb.api_key})
            connection.getresponse().read()
            done[slot] += 1
        connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - started)


def floor_pull(base: str, key: str) -> tuple[pd.DataFrame, int]:
    """The hand-written floor: what a careful analyst would write with requests alone."""
    records: list[dict[str, Any]] = []
    after, count = None, 0
    with requests.Session() as http:
        while True:
            params = {"limit": "100", **({"after": after} if after else {})}
            body = http.get(f"{base}/bookings", params=params, headers={"API-Key": key}).json()
            count += 1
            records += body["data"]
            if not body["data"] or not body.get("has_more"):
                break
            after = body["data"][-1]["id"]
    return pd.json_normalize(records), count


def pull_vs_floor() -> None:
    n = 10_000
    with Sandbox(bookings=n, seed=5, rate_limit=False) as sb:
        sdk, floor, sdk_requests, sdk_connections, floor_connections = [], [], 0, 0, 0
        with OnceHub(api_key=sb.api_key, api_base=sb.base_url, env={}, rate_limit=False) as hub:
            for _ in range(ROUNDS):
                sb.reset_stats()
                started = time.perf_counter()
                frame = hub.bookings.to_frame(progress=False)
                sdk.append(time.perf_counter() - started)
                stats = sb.stats()
                sdk_requests = stats["requests"]["GET /v2/bookings"]
                sdk_connections = max(sdk_connections, stats["connections"])
                sb.reset_stats()
                started = time.perf_counter()
                _, floor_requests = floor_pull(sb.base_url, sb.api_key)
                floor.append(time.perf_counter() - started)
                floor_connections = max(floor_connections, sb.stats()["connections"])
        raw = {c: raw_requests_per_second(sb, connections=c) for c in (1, 4)}
    s, f = statistics.median(sdk), statistics.median(floor)
    print(f"1. {n:,} bookings over loopback, rate limits off, median of {ROUNDS} rounds")
    print(
        f"   SDK to_frame (typed):             {s:6.2f} s, {sdk_requests} list requests, "
        f"{sdk_requests / s:5.1f} requests/s, at most {sdk_connections} new connection(s) a pull"
    )
    print(
        f"   floor: requests loop + normalize: {f:6.2f} s, {floor_requests} list requests, "
        f"{floor_requests / f:5.1f} requests/s, at most {floor_connections} new connection(s) a pull"
    )
    print(
        f"   ratio SDK / floor: {s / f:.2f}   (API default page size 10: {math.ceil(n / 10)} requests)"
    )
    print(
        "   the sandbox alone, GET /bookings?limit=100 from bare keep-alive clients: "
        f"{raw[1]:.1f} requests/s on 1 connection, {raw[4]:.1f} on 4"
    )
    assert len(frame) == n


def rate_limited() -> None:
    n = 40_000  # 400 pages: two windows of the per-IP limit (200 per 5 min, here per 15 s)
    with Sandbox(bookings=n, seed=6, time_scale=0.05) as sb:
        limits = list(sb.rate_limit)
        stamps: list[float] = []
        with OnceHub(
            api_key=sb.api_key, api_base=sb.base_url, env={}, rate_limit=tuple(limits)
        ) as hub:
            hub.transport.hooks["response"].append(lambda _r: stamps.append(time.perf_counter()))
            started = time.perf_counter()
            frame = hub.bookings.to_frame(progress=False)
            elapsed = time.perf_counter() - started
        stats = sb.stats()
    made = stats["requests"]["GET /v2/bookings"]
    burst, window = max(limits, key=lambda pair: pair[1])  # the binding limit for long pulls
    # Steady state: the requests after the first window's burst, against the limit's rate.
    steady = (made - burst) / (stamps[-1] - stamps[burst - 1])
    print(f"2. {n:,} bookings with the sandbox's limits on {limits} (OnceHub's, 20x faster)")
    print(
        f"   {made} requests in {elapsed:.2f} s, 429 responses: {stats['responses'].get('429', 0)}"
    )
    print(
        f"   after the first burst of {burst}: {steady:.1f} requests/s where {burst} per "
        f"{window:g} s allows {burst / window:.1f}: {steady / (burst / window):.0%} of the allowed rate"
    )
    assert len(frame) == n


def resync() -> None:
    n, k = 5_000, 150
    with Sandbox(bookings=n, seed=7, rate_limit=False) as sb, tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bookings.parquet"
        with OnceHub(api_key=sb.api_key, api_base=sb.base_url, env={}, rate_limit=False) as hub:
            hub.bookings.sync(path, progress=False)
            sb.reset_stats()
            hub.bookings.sync(path, progress=False)
            unchanged = sb.stats()["requests"]["GET /v2/bookings"]
            # Past bookings (a no-show needs a start in the past, whatever the time of day).
            targets = [b["id"] for b in sb.ground_truth("bookings") if b["status"] == "completed"]
            for booking_id in targets[:k]:
                hub.bookings.mark_no_show(booking_id)
            sb.reset_stats()
            frame = hub.bookings.sync(path, progress=False)
            changed = sb.stats()["requests"]["GET /v2/bookings"]
    right = (frame.set_index("id").loc[targets[:k], "status"] == "no_show").all()
    print(
        f"3. re-sync of {n:,} bookings: nothing changed -> {unchanged} request; "
        f"{k} changed -> {changed} requests (ceil(k/100) = {math.ceil(k / 100)}), "
        f"result {'right' if right and len(frame) == n else 'WRONG'}"
    )


def main() -> None:
    pull_vs_floor()
    rate_limited()
    resync()


if __name__ == "__main__":
    main()

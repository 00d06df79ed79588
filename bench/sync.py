"""Incremental sync next to a full pull, in one run against the sandbox (no rate limits).

Run: .venv/bin/python bench/sync.py  (prints medians and ratios; nothing is asserted)
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from oncehub_nb import OnceHub
from oncehub_nb.sandbox import Sandbox

BOOKINGS = 5000
ROUNDS = 5
CHANGED = 20


def main() -> None:
    with (
        Sandbox(bookings=BOOKINGS, seed=3, rate_limit=False) as sb,
        tempfile.TemporaryDirectory() as tmp,
    ):
        path = Path(tmp) / "bookings.parquet"
        with OnceHub(api_key=sb.api_key, api_base=sb.base_url, env={}, rate_limit=False) as hub:
            hub.bookings.sync(path, progress=False)  # the first call is a full pull
            full, incremental, full_requests, incremental_requests = [], [], [], []
            # Past bookings: a no-show needs a start in the past, whatever the time of day.
            targets = [b["id"] for b in sb.ground_truth("bookings") if b["status"] == "completed"]
            for round_ in range(ROUNDS):
                for booking_id in targets[round_ * CHANGED : (round_ + 1) * CHANGED]:
                    hub.bookings.mark_no_show(booking_id)
                sb.reset_stats()
                started = time.perf_counter()
                hub.bookings.to_frame(progress=False)
                full.append(time.perf_counter() - started)
                full_requests.append(sb.stats()["requests"]["GET /v2/bookings"])
                sb.reset_stats()
                started = time.perf_counter()
                frame = hub.bookings.sync(path, progress=False)
                incremental.append(time.perf_counter() - started)
                incremental_requests.append(sb.stats()["requests"]["GET /v2/bookings"])
                assert len(frame) == BOOKINGS
    f, i = statistics.median(full), statistics.median(incremental)
    fr, ir = statistics.median(full_requests), statistics.median(incremental_requests)
    print(f"{BOOKINGS} bookings, {CHANGED} changed between runs, median of {ROUNDS} rounds")
    print(f"  full pull (to_frame):     {f * 1000:8.0f} ms, {fr:.0f} list requests")
    print(f"  incremental sync (sync):  {i * 1000:8.0f} ms, {ir:.0f} list requests")
    print(f"  ratio full / incremental: {f / i:.1f}x time, {fr / ir:.0f}x requests")
    print("  (with OnceHub's limits, 5/s and 200 per 5 min, the request ratio is what counts)")


if __name__ == "__main__":
    main()

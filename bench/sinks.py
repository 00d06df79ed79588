"""DuckDB and dlt syncs of 10,000 bookings: first load, nothing changed, k changed.

Run: .venv/bin/python -m bench.sinks  (prints list requests, counted by the sandbox, and
seconds; nothing is asserted). No rate limits: the request counts are what OnceHub's limits
would charge; the seconds are this machine's loopback.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from oncehub_nb import OnceHub
from oncehub_nb.sandbox import Sandbox

BOOKINGS = 10_000
CHANGES = (0, 50, 250)


def _requests(sb: Sandbox) -> int:
    return int(sb.stats()["requests"].get("GET /v2/bookings", 0))


def _change(hub: OnceHub, targets: list[str], k: int) -> None:
    for booking_id in targets[:k]:
        hub.bookings.mark_no_show(booking_id)
    del targets[:k]


def main() -> None:
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    with (
        Sandbox(bookings=BOOKINGS, seed=3, rate_limit=False) as sb,
        tempfile.TemporaryDirectory() as tmp,
        OnceHub(api_key=sb.api_key, api_base=sb.base_url, env={}, rate_limit=False) as hub,
    ):
        os.environ.setdefault("DLT_DATA_DIR", tmp)
        import dlt

        from oncehub_nb.dlt import oncehub_source

        targets = [b["id"] for b in sb.ground_truth("bookings") if b["status"] == "completed"]
        db = Path(tmp) / "bookings.duckdb"
        pipeline = dlt.pipeline(
            "bench_sinks",
            destination=dlt.destinations.duckdb(str(Path(tmp) / "warehouse.duckdb")),
            dataset_name="oncehub",
            pipelines_dir=str(Path(tmp) / "pipelines"),
        )

        def duck() -> None:
            hub.bookings.sync(db, progress=False)

        def load() -> None:
            pipeline.run(oncehub_source(hub, resources=["bookings"]))

        print(f"{BOOKINGS} bookings; list requests to /bookings and seconds per sync")
        print(f"  {'sink':<8}{'run':<18}{'requests':>9}{'seconds':>9}")
        for name, run in (("duckdb", duck), ("dlt", load)):
            for label, k in (("first (full)", None), *((f"{k} changed", k) for k in CHANGES)):
                if k:
                    _change(hub, targets, k)
                sb.reset_stats()
                started = time.perf_counter()
                run()
                elapsed = time.perf_counter() - started
                print(f"  {name:<8}{label:<18}{_requests(sb):>9}{elapsed:>9.2f}")
        print("  (k changed: expected ceil(k/100) requests; nothing changed: 1)")


if __name__ == "__main__":
    main()

"""Reliability summary: every fault scenario and the shared-token-file concurrency check.

Run: .venv/bin/python -m bench.reliability  (from the repository root; one table; exit status 1
if any figure is wrong)

The scenarios are the very functions the tests run (tests/reliability_scenarios.py).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from tests.reliability_concurrency import concurrency_check
from tests.reliability_scenarios import SCENARIOS


def main() -> int:
    started = time.perf_counter()
    rows = []
    print(
        f"{'scenario':<24} {'fault':<36} {'req':>4} {'bound':>5} {'faults':>6} "
        f"{'lost':>4} {'dup':>3} {'stops':>5} {'leaks':>5} {'s':>5}  ok"
    )
    for run in SCENARIOS.values():
        r = run()
        rows.append(r)
        stops = ",".join(r.interrupted_by) or "-"
        print(
            f"{r.name:<24} {r.fault:<36} {r.requests:>4} {r.request_bound:>5} "
            f"{r.faults_injected:>6} {r.lost:>4} {r.duplicates:>3} {len(r.interrupted_by):>5} "
            f"{r.secrets_found:>5} {r.seconds:>5.1f}  {'yes' if r.ok else 'NO'}"
            + (f"  (stopped by {stops}, resumed)" if r.interrupted_by else "")
        )
    with tempfile.TemporaryDirectory() as tmp:
        c = concurrency_check(Path(tmp), processes=3, threads=4, kill=True)
    print(
        f"\nconcurrency: {c.processes} processes x {c.threads} threads, {c.calls} API calls, "
        f"{c.expiries} expiries, {c.refreshes_server} refreshes (clients: "
        f"{c.refreshes_clients}), invalid_grant {c.invalid_grant}, token file read "
        f"{c.file_reads} times ({c.file_invalid} invalid, {c.file_mode_bad} not 0600), rewriter "
        f"SIGKILLed mid-write: {'yes' if c.killed and c.killed_writes else 'no'}, "
        f"processes working after it: {c.survivors_after_kill}/{c.processes}, errors "
        f"{len(c.errors)}  {'yes' if c.ok else 'NO'}"
    )
    total = time.perf_counter() - started
    summary = {
        "scenarios run": len(rows) + 1,
        "requests made": sum(r.requests for r in rows) + c.calls + c.refreshes_server,
        "faults injected": sum(r.faults_injected for r in rows),
        "bookings expected": sum(r.expected for r in rows),
        "bookings lost": sum(r.lost for r in rows),
        "duplicates": sum(r.duplicates for r in rows),
        "pulls stopped then resumed": sum(1 for r in rows if r.interrupted_by),
        "invalid_grant": c.invalid_grant,
        "secrets checked": max(r.secrets_checked for r in rows),
        "secrets found in logs/outputs": sum(r.secrets_found for r in rows),
        "time (s)": f"{total:.1f}",
    }
    print("\nsummary")
    for name, value in summary.items():
        print(f"  {name:<32} {value}")
    return 0 if all(r.ok for r in rows) and c.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())

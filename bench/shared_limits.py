"""Processes pulling at once from one account: the shared rate limit, side by side in one run.

Each process is a fresh Python (a notebook kernel's stand-in) pulling every booking with
``hub.bookings.to_frame()`` from one sandbox that enforces OnceHub's limits per key and per
client IP, time-scaled 20x (5 per 0.05 s, 200 per 15 s). For 1, 2 and 3 processes, and 3 with
one of them killed (SIGKILL) mid-pull, it prints:

* the time until the last process finished, and whether every surviving process got exactly
  the sandbox's ground truth;
* interruptions (``PullInterrupted``) and responses of 429 (the sandbox's count);
* the fraction of the binding limit's rate the processes used together: the list requests
  after the first window's burst of 200, over the time they took, against 200 per 15 s
  (``bench/pull.py``'s measure, over every process's responses merged).

``--baseline DIR`` runs the same pulls with another copy of the package as well (for example
the previous release: ``git archive main oncehub_nb | tar -x -C /tmp/main``), alternating
rounds, so "today" and "now" are measured side by side on the same noisy machine.

Run from the repository root: ``python -m bench.shared_limits [--bookings 20000] [--rounds 3]``
(``--time-scale 1 --processes 1`` times one process at OnceHub's real speed; ``--max-walks 1``
keeps every pull one cursor walk).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SCALE = 0.05  # OnceHub's windows 20x faster


def worker(spec: dict[str, Any]) -> None:
    """One process: wait for the common start, pull everything, print what happened (JSON)."""
    if spec.get("package"):  # before the repository's own copy (the current directory)
        sys.path.insert(0, spec["package"])
    import dataclasses

    import oncehub_nb
    from oncehub_nb import OnceHub, PullInterrupted, Settings

    stamps: list[float] = []
    result: dict[str, Any] = {"interrupted": False, "error": None}
    limits = tuple(tuple(pair) for pair in spec["limits"])
    # A --baseline copy from before the one rate_limit setting names the pairs rate_limits.
    older = "rate_limits" in {field.name for field in dataclasses.fields(Settings)}
    with OnceHub(
        api_key=os.environ["BENCH_SANDBOX_KEY"],  # not on the command line, where ps shows it
        api_base=spec["base"],
        env={},
        **({"rate_limits": limits} if older else {"rate_limit": limits}),  # type: ignore[arg-type]
        # (only when asked: a --baseline from before max_walks does not know it)
        **({"max_walks": spec["max_walks"]} if spec.get("max_walks") is not None else {}),
    ) as hub:
        hub.transport.hooks["response"].append(lambda _response: stamps.append(time.time()))
        while time.time() < spec["start"]:
            time.sleep(0.005)
        try:
            ids = hub.bookings.to_frame(progress=False)["id"].tolist()
        except PullInterrupted as stop:
            ids = [r["id"] for r in stop.records]
            result.update(interrupted=True, error=f"{type(stop.__cause__).__name__}")
    result["package"] = str(Path(oncehub_nb.__file__).parents[1])
    print(json.dumps({**result, "ids": ids, "stamps": stamps, "end": time.time()}))


def run(
    sb: Any,
    processes: int,
    *,
    package: Path | None,
    kill_after: int | None = None,
    max_walks: int | None = None,
) -> dict[str, Any]:
    """Start ``processes`` pulls together on ``sb``; optionally SIGKILL the first one mid-pull."""
    sb.set_rate_limit(sb.rate_limit)  # the sandbox's budgets start empty
    sb.reset_stats()
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "ONCEHUB_CACHE_DIR": cache, "BENCH_SANDBOX_KEY": sb.api_key}
        start = time.time() + 1.5  # every interpreter started and imported by then
        spec = {
            "base": sb.base_url,
            "limits": sb.rate_limit,
            "start": start,
            "package": str(package) if package else None,
            "max_walks": max_walks,
        }
        procs = [
            subprocess.Popen(  # noqa: S603 - this interpreter, this module
                [sys.executable, "-m", "bench.shared_limits", "--worker", json.dumps(spec)],
                cwd=ROOT,
                env=env,
                stdout=subprocess.PIPE,
                text=True,
            )
            for _ in range(processes)
        ]
        killed = None
        if kill_after is not None:
            while sb.stats()["requests"].get("GET /v2/bookings", 0) < kill_after:
                time.sleep(0.01)
            procs[0].send_signal(signal.SIGKILL)
            killed = procs[0]
        outputs = [p.communicate()[0] for p in procs]
    results = [json.loads(out) for p, out in zip(procs, outputs, strict=True) if p is not killed]
    stats = sb.stats()
    truth = [b["id"] for b in sb.ground_truth("bookings")]
    stamps = sorted(s for r in results for s in r["stamps"])
    burst, window = sb.rate_limit[-1]
    steady = None
    if len(stamps) > burst + 1:
        steady = (len(stamps) - burst) / (stamps[-1] - stamps[burst - 1]) / (burst / window)
    expected = str(package or ROOT)
    assert all(r["package"] == expected for r in results), "a worker imported the wrong copy"
    return {
        "seconds": max(r["end"] for r in results) - start,
        "complete": all(r["ids"] == truth for r in results if not r["interrupted"]),
        "interrupted": sum(r["interrupted"] for r in results),
        "errors": sorted({r["error"] for r in results if r["error"]}),
        "429": stats["responses"].get("429", 0),
        "requests": stats["requests"].get("GET /v2/bookings", 0),
        "steady": steady,
    }


def _round(r: dict[str, Any]) -> str:
    return f"{r['seconds']:.1f}s/{r['429']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bookings", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--baseline", type=Path, help="another copy of oncehub_nb to compare")
    parser.add_argument(
        "--time-scale", type=float, default=SCALE, help="the sandbox's time_scale (1: real speed)"
    )
    parser.add_argument(
        "--processes", type=int, nargs="+", default=[1, 2, 3], help="the runs (3 adds 3 killed)"
    )
    parser.add_argument(
        "--max-walks", type=int, help="the client's max_walks (1: every pull one cursor walk)"
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(json.loads(args.worker))
        return
    from oncehub_nb.sandbox import Sandbox

    versions: list[tuple[str, Path | None]] = [("now", None)]
    if args.baseline:
        versions.insert(0, ("baseline", args.baseline.resolve()))
    names = {1: "1 process", 2: "2 processes", 3: "3 processes"}
    scenarios: list[tuple[str, int, int | None]] = [(names[n], n, None) for n in args.processes]
    if 3 in args.processes:
        scenarios.append(("3, one killed", 3, 100))
    rows: dict[tuple[str, str], list[dict[str, Any]]] = {}
    speed = "real speed" if args.time_scale == 1 else f"{1 / args.time_scale:g}x faster"
    with Sandbox(bookings=args.bookings, seed=5, time_scale=args.time_scale) as sb:
        print(
            f"{args.bookings:,} bookings per process, one account, sandbox limits "
            f"{sb.rate_limit} (OnceHub's, {speed}); {args.rounds} rounds, medians"
        )
        for _ in range(args.rounds):
            for label, n, kill in scenarios:
                for version, package in versions:
                    rows.setdefault((label, version), []).append(
                        run(sb, n, package=package, kill_after=kill, max_walks=args.max_walks)
                    )
    print(
        f"\n{'':<16}{'version':<10}{'seconds':>8}{'429s':>6}{'interrupted':>12}"
        f"{'complete':>10}{'requests':>9}{'binding rate used':>19}  (each round)"
    )
    for (label, version), runs in rows.items():
        steady = [r["steady"] for r in runs if r["steady"] is not None]
        used = f"{statistics.median(steady):.0%}" if steady else "-"
        print(
            f"{label:<16}{version:<10}{statistics.median(r['seconds'] for r in runs):>8.1f}"
            f"{statistics.median(r['429'] for r in runs):>6.0f}"
            f"{sum(r['interrupted'] for r in runs):>12}"
            f"{sum(r['complete'] for r in runs):>7}/{len(runs)}"
            f"{statistics.median(r['requests'] for r in runs):>9.0f}{used:>19}"
            f"  ({', '.join(_round(r) for r in runs)})"
        )
        errors = sorted({e for r in runs for e in r["errors"]})
        if errors:
            print(f"{'':<26}interrupted by: {', '.join(errors)}")


if __name__ == "__main__":
    main()

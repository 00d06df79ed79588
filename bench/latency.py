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

With ``--spread N`` it runs instead N default pulls (slices when the round trip holds the pull
back) at 250 ms, each on a sandbox of another seed (50, 51, ...: another spread of creation
times, so other slices), and prints each pull's two shares (over the whole call, and from the
first request sent to the last answer in) and how many reach 95%: one seed's median can hide a
data set the slicing serves badly. About 15 s a pull.

Nothing is asserted; the figures go to docs/explanation/performance.md.
Run from the repository root: .venv/bin/python -m bench.latency [--quick] [--runs N] [--spread N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
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


def client(base: str, max_walks: int, limits: str, out: str) -> None:
    """The child process: one pull, its timings as JSON on stdout, the frame to ``out``."""
    key = os.environ["BENCH_SANDBOX_KEY"]  # not on the command line, where ps shows it
    stamps: list[float] = []
    sends: list[float] = []
    rate_limit = tuple(tuple(pair) for pair in json.loads(limits))
    with OnceHub(
        api_key=key, api_base=base, env={}, max_walks=max_walks, rate_limit=rate_limit
    ) as hub:
        hub.transport.hooks["response"].append(lambda r: stamps.append(time.perf_counter()))
        hub.transport.hooks["request"].append(lambda r: sends.append(time.perf_counter()))
        started = time.perf_counter()
        frame = hub.bookings.to_frame(progress=False)
        seconds = time.perf_counter() - started
    frame.to_pickle(out)
    relative = {"stamps": [t - started for t in stamps], "sends": [t - started for t in sends]}
    print(json.dumps({"seconds": seconds, **relative}))


def run_client(sb: Sandbox, *, max_walks: int, limits: tuple[tuple[int, float], ...]) -> Any:
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "frame.pkl")
        # A fresh budget folder: a later sandbox may get an earlier one's port (same API base).
        env = {
            **os.environ,
            "ONCEHUB_CACHE_DIR": str(Path(tmp) / "cache"),
            "BENCH_SANDBOX_KEY": sb.api_key,
        }
        done = subprocess.run(  # noqa: S603 - this script, with our own arguments
            [
                sys.executable,
                "-m",
                "bench.latency",
                "--client",
                sb.base_url,
                str(max_walks),
                json.dumps(limits),
                out,
            ],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        return json.loads(done.stdout), pd.read_pickle(out)  # noqa: S301 - our own file


def pull(n: int, latency_ms: int, *, max_walks: int, seed: int) -> dict[str, Any]:
    with Sandbox(bookings=n, seed=seed, latency_ms=latency_ms) as sb:
        timing, frame = run_client(sb, max_walks=max_walks, limits=((5, 1.0), (200, 300.0)))
        with OnceHub(api_key=sb.api_key, api_base=sb.base_url, env={}) as hub:
            right = frame.equals(truth_frame(sb, hub))
        stats = sb.stats()
    made = stats["requests"]["GET /v2/bookings"]
    seconds, stamps, sends = timing["seconds"], timing["stamps"], timing["sends"]
    return {
        "requests": made,
        "seconds": seconds,
        # the whole to_frame() call, the typed frame's build included
        "rate": made / seconds,
        # from the first request sent to the last answer in: what the limiter sees
        "phase": made / (stamps[-1] - sends[0]),
        # pages the single walk needs, per second of the whole call
        "useful": n // 100 / seconds,
        "429": stats["responses"].get("429", 0),
        "right": right,
    }


def _median(rows: list[dict[str, Any]], key: str) -> float:
    return float(statistics.median(r[key] for r in rows))


def latency_table(n: int, latencies: tuple[int, ...], runs: int) -> None:
    print(f"1. {n:,} bookings, OnceHub's limits at real speed, medians of {runs} runs")
    print("   requests/s as a share of the 5 allowed: over the whole to_frame() call (frame build")
    print("   included), over the requests (first sent to last answered), and the single walk's")
    print(f"   {n // 100} pages per second of the whole call")
    print(
        "   latency  walk       requests  seconds  whole  requests  pages  429s (each run)  frame = truth"
    )
    for latency in latencies:
        rows: dict[str, list[dict[str, Any]]] = {"one walk": [], "sliced": []}
        for _ in range(runs):  # interleaved: the machine's load is shared by both
            for label, walks in (("one walk", 1), ("sliced", 4)):
                rows[label].append(pull(n, latency, max_walks=walks, seed=11))
        for label, got in rows.items():
            print(
                f"   {latency:4d} ms  {label:9s}  {_median(got, 'requests'):8.0f}  "
                f"{_median(got, 'seconds'):7.2f}  {_median(got, 'rate') / ALLOWED:5.1%}  "
                f"{_median(got, 'phase') / ALLOWED:8.1%}  {_median(got, 'useful') / ALLOWED:5.1%}  "
                f"{[r['429'] for r in got]!s:15s}  {all(r['right'] for r in got)}"
            )
        ratio = _median(rows["sliced"], "seconds") / _median(rows["one walk"], "seconds")
        print(f"           sliced / one walk: {ratio:.2f} of the time (medians)")


def rate_limited(n: int = 40_000, *, max_walks: int) -> dict[str, Any]:
    with Sandbox(bookings=n, seed=6, time_scale=0.05) as sb:
        limits = tuple(sb.rate_limit)
        timing, frame = run_client(sb, max_walks=max_walks, limits=limits)
        with OnceHub(api_key=sb.api_key, api_base=sb.base_url, env={}) as hub:
            right = frame.equals(truth_frame(sb, hub))
        stats = sb.stats()
    made = stats["requests"]["GET /v2/bookings"]
    stamps = timing["stamps"]
    burst, window = max(limits, key=lambda pair: pair[1])
    steady = (made - burst) / (stamps[-1] - stamps[burst - 1])
    return {
        "requests": made,
        "seconds": timing["seconds"],
        "429": stats["responses"].get("429", 0),
        "share": steady / (burst / window),
        "right": right,
    }


def rate_limited_table(runs: int) -> None:
    print(
        "2. 40,000 bookings, both limits time-scaled 20x (5 per 0.05 s, 200 per 15 s), no latency,"
    )
    print(
        f"   medians of {runs} runs; the client's limiter allows at most "
        f"{_limiter_share():.2%} of 200 per 15 s (its window margin)"
    )
    print(
        "   walk       requests  seconds  429s (each run)  after the first 200: share of 200 per 15 s  frame = truth"
    )
    rows: dict[str, list[dict[str, Any]]] = {"one walk": [], "default": []}
    for _ in range(runs):
        for label, walks in (("one walk", 1), ("default", 4)):
            rows[label].append(rate_limited(max_walks=walks))
    for label, got in rows.items():
        print(
            f"   {label:9s}  {_median(got, 'requests'):8.0f}  {_median(got, 'seconds'):7.2f}  "
            f"{[r['429'] for r in got]!s:15s}  {_median(got, 'share'):42.1%}  "
            f"{all(r['right'] for r in got)}"
        )


def _limiter_share() -> float:
    """What the shared limiter's longest window lets through, against the scaled 200 per 15 s."""
    from oncehub_nb._http.limits import SharedLimiter

    limiter = SharedLimiter("http://127.0.0.1:1/v2", ((5, 0.05), (200, 15.0)), folder=None)
    rate = limiter.buckets()[0].rates[-1]
    limiter.close()
    return (rate.limit / rate.interval * 1000) / (200 / 15)


def spread_table(pulls: int, latency_ms: int = 250, first_seed: int = 50) -> None:
    print(
        f"3. 6,000 bookings at {latency_ms} ms, the default (may slice), one pull on each of "
        f"{pulls} sandboxes (seeds {first_seed}-{first_seed + pulls - 1})"
    )
    got = [pull(6_000, latency_ms, max_walks=4, seed=first_seed + i) for i in range(pulls)]
    for label, key in (("whole call", "rate"), ("first request sent to last answer", "phase")):
        shares = [round(r[key] / ALLOWED, 3) for r in got]  # counted as printed
        print(f"   share of the 5 allowed over the {label}, each pull:")
        print("     " + ", ".join(f"{share:.1%}" for share in shares))
        print(
            f"     at least 95%: {sum(share >= 0.95 for share in shares)} of {pulls}; median "
            f"{statistics.median(shares):.1%}, lowest {min(shares):.1%}"
        )
    print(
        f"   requests {min(r['requests'] for r in got)}-{max(r['requests'] for r in got)}; "
        f"429s {sum(r['429'] for r in got)}; every frame = truth: {all(r['right'] for r in got)}"
    )


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not 1 or more")
    return value


def main() -> None:
    if sys.argv[1:2] == ["--client"]:  # the child process (run_client), not for a user
        client(sys.argv[2], int(sys.argv[3]), *sys.argv[4:6])
        return
    parser = argparse.ArgumentParser(
        prog=".venv/bin/python -m bench.latency",
        description=__doc__.split("\n\n")[0],
        epilog="Run from the repository root, with the dev install (it starts the sandbox).",
    )
    parser.add_argument("--quick", action="store_true", help="one run, 250 ms only")
    parser.add_argument(
        "--runs", type=_positive, default=3, help="runs per row (medians); default 3"
    )
    parser.add_argument(
        "--spread",
        type=_positive,
        metavar="N",
        help="instead of the tables: one pull at 250 ms on each of N sandboxes (seeds 50 to "
        "50+N-1), about 15 s a pull; --quick and --runs do not apply",
    )
    args = parser.parse_args()
    if args.spread is not None:
        spread_table(args.spread)
        return
    latency_table(6_000, (250,) if args.quick else (0, 100, 250), 1 if args.quick else args.runs)
    if not args.quick:
        rate_limited_table(args.runs)


if __name__ == "__main__":
    main()

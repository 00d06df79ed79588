"""Records -> typed DataFrame: our schema builder next to pandas.json_normalize, in one run.

Run: .venv/bin/python bench/frames.py  (prints medians and the ratio; no timing is asserted)
"""

from __future__ import annotations

import statistics
import time

import pandas as pd

from oncehub_nb._frames import records_to_frame
from oncehub_nb.resources.bookings import BOOKING_COLUMNS
from oncehub_nb.sandbox import Sandbox

ROUNDS = 7


def median_seconds(func: object) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        func()  # type: ignore[operator]
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    with Sandbox(bookings=10_000, seed=1, rate_limit=False) as sb:
        records = sb.ground_truth("bookings")
    ours = median_seconds(lambda: records_to_frame(records, BOOKING_COLUMNS))
    normalize = median_seconds(lambda: pd.json_normalize(records))
    print(f"{len(records)} bookings, median of {ROUNDS} rounds")
    print(f"  records_to_frame (typed, {len(BOOKING_COLUMNS)} columns): {ours * 1000:8.1f} ms")
    print(f"  pandas.json_normalize (untyped, all fields): {normalize * 1000:8.1f} ms")
    print(f"  ratio ours / json_normalize: {ours / normalize:.2f}")


if __name__ == "__main__":
    main()

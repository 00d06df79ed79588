"""Frame building alone: 100,000 booking records, ours next to pandas.json_normalize, one run.

Run: .venv/bin/python bench/frames.py  (prints medians, peak memory and ratios; asserts nothing)
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pandas as pd

from oncehub_nb.frames.build import records_to_frame
from oncehub_nb.resources.bookings import Bookings
from oncehub_nb.sandbox._data import generate

RECORDS = 100_000
ROUNDS = 5


def median_seconds(func: Callable[[], Any]) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def peak_mib(func: Callable[[], Any]) -> float:
    tracemalloc.start()
    func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    base = generate(bookings=RECORDS // 10, seed=1).live("bookings")
    records = [dict(r, id=f"{r['id']}{i}") for i in range(10) for r in base]
    ours = lambda: records_to_frame(records, Bookings.columns)  # noqa: E731
    theirs = lambda: pd.json_normalize(records)  # noqa: E731
    t_ours, t_theirs = median_seconds(ours), median_seconds(theirs)
    m_ours, m_theirs = peak_mib(ours), peak_mib(theirs)
    frame = ours()
    typed = frame.dtypes.astype(str).value_counts().to_dict()
    print(f"{len(records):,} booking records, median of {ROUNDS} rounds (peak memory: tracemalloc)")
    print(
        f"  records_to_frame (typed, {len(frame.columns)} columns): {t_ours:6.2f} s  {m_ours:7.0f} MiB"
    )
    print(f"  pandas.json_normalize (untyped):          {t_theirs:6.2f} s  {m_theirs:7.0f} MiB")
    print(
        f"  ratio ours / json_normalize: time {t_ours / t_theirs:.2f}, memory {m_ours / m_theirs:.2f}"
    )
    print(f"  our dtypes: {typed}")


if __name__ == "__main__":
    main()

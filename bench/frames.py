"""Frame building alone: 100,000 booking records, ours next to pandas.json_normalize, one run.

Then to_frame's buffer (:class:`~oncehub_nb.frames.buffer.ColumnBuffer`) fed page by page,
typing early (as in a sliced pull) and at the end (a single walk): the time spent feeding, the
tail left after the last page, and the whole build of the same records.

Run: .venv/bin/python bench/frames.py  (prints medians, peak memory and ratios; asserts nothing)
"""

from __future__ import annotations

import statistics
import time
import tracemalloc
from collections.abc import Callable
from typing import Any

import pandas as pd

from oncehub_nb.frames.buffer import ColumnBuffer
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
    buffered(records)


def buffered(records: list[dict[str, Any]]) -> None:
    print(f"to_frame's buffer, fed 100 records at a time, median of {ROUNDS} rounds")
    print("  records  typing    feeding  after the last page  whole build")
    for count in (6_000, 40_000):
        some = records[:count]
        whole = median_seconds(lambda: records_to_frame(some, Bookings.columns))  # noqa: B023
        for label, early in (("early", True), ("at end", False)):
            feeding, tails = [], []
            for _ in range(ROUNDS):
                buffer = ColumnBuffer(Bookings.columns)
                buffer.early = lambda early=early: early  # type: ignore[misc]
                started = time.perf_counter()
                for start in range(0, count - 100, 100):
                    buffer.add(some[start : start + 100])
                fed = time.perf_counter()
                buffer.frame(some)
                feeding.append(fed - started)
                tails.append(time.perf_counter() - fed)
            print(
                f"  {count:7,}  {label:7s}  {statistics.median(feeding):7.3f} s  "
                f"{statistics.median(tails):17.3f} s  {whole:9.3f} s"
            )


if __name__ == "__main__":
    main()

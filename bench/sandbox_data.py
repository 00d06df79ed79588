"""How fast the sandbox generates its data: 1,000 next to 10,000 bookings, in one run.

Run: .venv/bin/python bench/sandbox_data.py  (prints medians and the ratio; nothing is asserted)
"""

from __future__ import annotations

import statistics
import time

from oncehub_nb.sandbox._data import generate

ROUNDS = 5


def median_seconds(bookings: int) -> float:
    times = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        generate(bookings=bookings, seed=1)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> None:
    small, large = median_seconds(1_000), median_seconds(10_000)
    print(f"median of {ROUNDS} rounds")
    print(f"   1,000 bookings: {small * 1000:8.1f} ms")
    print(f"  10,000 bookings: {large * 1000:8.1f} ms")
    print(f"  ratio 10k / 1k:  {large / small:.1f} (10 would be linear)")


if __name__ == "__main__":
    main()

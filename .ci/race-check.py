"""Checks that the preloaded libfaketime survives setenv() racing threads that wait for the GIL.

Run it under LD_PRELOAD; it exits 0 after SECONDS, or dies of SIGSEGV if the library reads the
environment from threads that do not hold the GIL (the wheel's prebuilt library does, in its
pthread_cond_timedwait wrapper: see .ci/build-libfaketime). Four threads spin, so the GIL changes
hands every few milliseconds, while the main thread adds and removes variables, as the test
fixtures do between tests.

Usage: python .ci/race-check.py SECONDS
"""

import os
import sys
import threading
import time

stop = threading.Event()


def spin() -> None:
    """Keeps this thread asking for the GIL, reading the (faked) clock now and then."""
    n = 0
    while not stop.is_set():
        n += 1
        if n % 1000 == 0:
            time.time()


threads = [threading.Thread(target=spin) for _ in range(4)]
for thread in threads:
    thread.start()
deadline = time.monotonic() + float(sys.argv[1])
rounds = 0
while time.monotonic() < deadline:
    names = [f"ONCEHUB_RACE_CHECK_{rounds}_{k}" for k in range(50)]
    for name in names:
        os.environ[name] = "x" * 100
    for name in names:
        del os.environ[name]
    rounds += 1
stop.set()
for thread in threads:
    thread.join()
print(f"race check: {rounds} rounds of 50 variables set and unset, no crash")

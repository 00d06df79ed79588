"""A kernel of its own: pulls every booking from a sandbox, drawing on the shared rate limit.

Run by tests/test_rate_limit_processes.py as: python _limit_worker.py SPEC_JSON, where SPEC has
``base``, ``key``, ``limits``, ``start`` (a Unix time to begin at, so the processes pull at
once), optional ``threads`` (pulls in threads of this process) and ``page_size``. Prints one JSON
line: the ids each pull got, whether it was interrupted, and the time each request was let
through (``sends``, the transport's request hook: after the limiter, before the socket).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from typing import Any

from oncehub_nb import OnceHub, PullInterrupted


def pull(spec: dict[str, Any], sends: list[float]) -> dict[str, Any]:
    with OnceHub(
        api_key=spec["key"],
        api_base=spec["base"],
        env={},
        rate_limit=tuple(tuple(pair) for pair in spec["limits"]),
        page_size=spec.get("page_size", 100),
        backoff_base=0.05,
        # One walk: the sends are stamped in the request hook, after the turn; in a sliced
        # pull that hook runs in a walker thread, which a busy machine can delay past the
        # limiter's margin (the budget itself is shared either way: tests/test_sliced_*).
        max_walks=1,
    ) as hub:
        hub.transport.hooks["request"].append(lambda _request: sends.append(time.time()))
        try:
            ids = hub.bookings.to_frame(progress=False)["id"].tolist()
        except PullInterrupted as stop:
            return {"ids": [r["id"] for r in stop.records], "interrupted": repr(stop.__cause__)}
    return {"ids": ids, "interrupted": None}


def main() -> None:
    spec = json.loads(sys.argv[1])
    sends: list[float] = []
    results: list[dict[str, Any]] = []
    while time.time() < spec["start"]:
        time.sleep(0.005)
    threads = [
        threading.Thread(target=lambda: results.append(pull(spec, sends)))
        for _ in range(spec.get("threads", 1))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps({"pulls": results, "sends": sends}))


if __name__ == "__main__":
    main()

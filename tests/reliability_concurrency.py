"""Processes x threads sharing one token file through expiries and rotation (issue 8).

Run by ``tests/test_concurrency.py`` and ``bench/reliability.py``; the worker and rewriter
processes are this module run again (``python -m tests.reliability_concurrency worker ...``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from oncehub_nb import OnceHub
from oncehub_nb.auth import FileTokenStore, OAuthAuth, OAuthConfig
from oncehub_nb.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[1]


# -- concurrency: processes x threads sharing one token file ---------------------------------


@dataclasses.dataclass
class ConcurrencyResult:
    """What the shared-token-file run did."""

    processes: int = 0
    threads: int = 0
    calls: int = 0
    errors: list[str] = dataclasses.field(default_factory=list)
    invalid_grant: int = 0
    refreshes_server: int = 0
    refreshes_clients: int = 0
    expiries: int = 0
    token_generations: int = 0
    file_reads: int = 0
    file_invalid: int = 0
    file_mode_bad: int = 0
    killed: bool = False
    killed_writes: int = 0
    survivors_after_kill: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """No error, no invalid_grant, one refresh per expiry, the file always valid."""
        return (
            not self.errors
            and self.invalid_grant == 0
            and self.refreshes_server == self.refreshes_clients == self.expiries > 0
            and self.file_invalid == 0
            and self.file_mode_bad == 0
            and self.file_reads > 0
            and (not self.killed or self.survivors_after_kill == self.processes)
        )


TTL = 1
LEEWAY = 1.0
#: The leeway the client really uses: at most a tenth of the lifetime (auth.oauth.LEEWAY_FRACTION).
EFFECTIVE_LEEWAY = min(LEEWAY, 0.1 * TTL)


def concurrency_check(
    directory: Path, *, processes: int = 3, threads: int = 4, kill: bool = True
) -> ConcurrencyResult:
    """Processes x threads calling the API through one token file over ~5 expiries."""
    from tests.oauth_helpers import config_for, sign_in

    started = time.perf_counter()
    result = ConcurrencyResult(processes=processes, threads=threads)
    with Sandbox(bookings=5, rate_limit=False, access_token_ttl=TTL) as sb:
        config = config_for(sb)
        store = FileTokenStore(directory / "tokens")
        path = store.path(config.profile)
        settings = json.dumps(sb.oauth_settings("confidential"))
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        marker = directory / "rewriter-killed"
        worker_args = ("worker", settings, str(store.directory), sb.base_url, str(threads))

        def spawn(*args: str) -> subprocess.Popen[str]:
            return subprocess.Popen(
                [sys.executable, "-m", "tests.reliability_concurrency", *args],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=ROOT,
                env=env,
            )

        workers = [spawn(*worker_args, str(marker)) for _ in range(processes)]
        rewriter = spawn("rewriter", settings, str(store.directory)) if kill else None
        for worker in workers:  # started and imported: a slow start must not eat expiries
            assert worker.stdout is not None
            if worker.stdout.readline().strip() != "ready":
                result.errors.append("a worker did not start")
        first = sign_in(sb, config, store)
        # A refresh falls due every TTL - leeway = 0.9 s; stop half-way between the 6th and 7th.
        deadline = (first.obtained_at or time.time()) + 6.5 * (TTL - EFFECTIVE_LEEWAY)
        for worker in workers:  # all at once
            assert worker.stdin is not None
            worker.stdin.write(f"{deadline}\n")
            worker.stdin.flush()

        # This process reads the file throughout and notes every token generation.
        generations: dict[str, float] = {first.access_token: first.expires_at or 0.0}
        stop_reading = threading.Event()

        def read_file() -> None:
            while not stop_reading.is_set():
                try:
                    text = path.read_text(encoding="utf-8")
                    mode = path.stat().st_mode & 0o777
                except FileNotFoundError:
                    result.file_invalid += 1
                    continue
                result.file_reads += 1
                if mode != 0o600:
                    result.file_mode_bad += 1
                try:
                    record = json.loads(text)
                    generations.setdefault(record["access_token"], float(record["expires_at"]))
                except (ValueError, KeyError, TypeError):
                    result.file_invalid += 1
                time.sleep(0.003)

        reader = threading.Thread(target=read_file, daemon=True)
        reader.start()
        if rewriter is not None:
            time.sleep(1.6)  # past the first refresh
            (directory / "kill-now").touch()  # the rewriter stops inside its next write ...
            mid_write = directory / "mid-write"
            waited = time.monotonic()
            while not mid_write.exists() and time.monotonic() - waited < 10:
                time.sleep(0.005)
            rewriter.send_signal(signal.SIGKILL)  # ... and dies there, holding the file lock
            rewriter.communicate(timeout=10)  # reaps it and closes its pipes
            result.killed = rewriter.returncode == -signal.SIGKILL
            leftovers = list(store.directory.glob(".*.tmp"))
            result.killed_writes = len(leftovers)
            marker.touch()
        outputs = []
        for worker in workers:
            out, err = worker.communicate(timeout=60)
            if worker.returncode != 0:
                result.errors.append(f"worker exit {worker.returncode}: {err[-500:]}")
                continue
            outputs.append(json.loads(out.strip().splitlines()[-1]))
        stop_reading.set()
        reader.join(timeout=5)
        for output in outputs:
            result.calls += output["calls"]
            result.errors += output["errors"]
            result.refreshes_clients += output["refreshes"]
            if output["calls_after_kill"] > 0:
                result.survivors_after_kill += 1
        final = json.loads(path.read_text(encoding="utf-8"))
        generations.setdefault(final["access_token"], float(final["expires_at"]))
        stats = sb.oauth_stats()
        result.invalid_grant = stats["invalid_grant"]
        result.refreshes_server = stats["refreshes"]
        result.token_generations = len(generations)
        # An expiry: a token whose refresh point (expires_at - leeway) came before the deadline.
        result.expiries = sum(
            1 for exp in generations.values() if exp - EFFECTIVE_LEEWAY < deadline
        )
    result.seconds = time.perf_counter() - started
    return result


def _worker(settings: str, directory: str, api_base: str, threads: int, marker: str) -> None:
    """Call the API from ``threads`` threads until the deadline the parent sends on stdin."""
    config = OAuthConfig(**json.loads(settings))
    store = FileTokenStore(directory)
    session = OAuthAuth(config, store=store, leeway=LEEWAY)
    calls = [0]
    after_kill = [0]
    errors: list[str] = []
    lock = threading.Lock()
    killed = Path(marker)

    def loop(hub: OnceHub) -> None:
        while time.time() < deadline:
            try:
                hub.validate()
                with lock:
                    calls[0] += 1
                    if killed.exists():  # the rewriter was killed: do we keep working?
                        after_kill[0] += 1
            except Exception as exc:  # reported to the parent
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}"[:300])
            time.sleep(0.02)

    with OnceHub(auth=session, api_base=api_base, env={}, rate_limit=False) as hub:
        print("ready", flush=True)
        deadline = float(sys.stdin.readline())
        pool = [threading.Thread(target=loop, args=(hub,)) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
    out = {
        "calls": calls[0],
        "errors": errors,
        "refreshes": session.refresh_count,
        "calls_after_kill": after_kill[0],
    }
    print(json.dumps(out))


def _rewriter(settings: str, directory: str) -> None:
    """Rewrite the token file (same content, under the lock) until killed mid-write.

    Once ``kill-now`` exists, the next write stops after its temporary file is written and
    flushed, but before it replaces the token file, says so (``mid-write``) and waits to be
    killed: the SIGKILL lands inside ``FileTokenStore.write`` with the file lock held.
    """
    config = OAuthConfig(**json.loads(settings))
    store = FileTokenStore(directory)
    arm, inside = Path(directory).parent / "kill-now", Path(directory).parent / "mid-write"
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        real_fsync(fd)
        if arm.exists():
            inside.touch()
            time.sleep(60)

    os.fsync = fsync  # this throwaway process only
    while True:
        with store.lock(config.profile):
            token = store.load_token(config.profile)
            if token is not None:
                store.save_token(config.profile, token)
        time.sleep(0.005)


def main(argv: list[str]) -> None:
    """Entry point of the worker processes."""
    if argv[0] == "worker":
        _worker(argv[1], argv[2], argv[3], int(argv[4]), argv[5])
    elif argv[0] == "rewriter":
        _rewriter(argv[1], argv[2])
    else:
        raise SystemExit(f"unknown mode {argv[0]!r}")


if __name__ == "__main__":
    main(sys.argv[1:])

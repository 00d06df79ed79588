"""Two kernels sharing one token file through repeated expiries with rotation."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from oncehub_nb.auth import FileTokenStore
from oncehub_nb.sandbox import Sandbox
from tests.oauth_helpers import config_for, sign_in

WORKER = Path(__file__).with_name("_share_token_worker.py")


@pytest.mark.slow
def test_two_processes_five_expiries_five_refreshes(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    # Tokens live 1 s and are refreshed 0.1 s before expiry (the leeway is at most a tenth of
    # the lifetime): one refresh per 0.9 s of running.
    sb = make_sandbox(bookings=5, rate_limit=False, access_token_ttl=1, rotate_refresh_tokens=True)
    config = config_for(sb)
    store = FileTokenStore(tmp_path / "tokens")
    settings = dict(sb.oauth_settings("confidential"))
    workers = [
        subprocess.Popen(
            [
                sys.executable,
                str(WORKER),
                json.dumps(settings),
                str(tmp_path / "tokens"),
                sb.base_url,
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).parents[1],
        )
        for _ in range(2)
    ]
    for worker in workers:  # started and imported: a slow start must not eat expiries
        assert worker.stdout is not None and worker.stdout.readline().strip() == "ready"
    first = sign_in(sb, config, store)
    # Refresh k falls due at obtained_at + 0.9 k seconds; stop half-way between the 5th and 6th.
    deadline = (first.obtained_at or time.time()) + 5.5 * 0.9
    for worker in workers:  # both at once: they run side by side until the deadline
        assert worker.stdin is not None
        worker.stdin.write(f"{deadline}\n")
        worker.stdin.flush()
    results = []
    for worker in workers:
        out, err = worker.communicate(timeout=60)
        assert worker.returncode == 0, err
        results.append(json.loads(out.strip().splitlines()[-1]))
    for result in results:
        assert result["errors"] == []
        assert result["calls"] > 20
    stats = sb.oauth_stats()
    assert stats["invalid_grant"] == 0
    # Every token the kernels used came from the sign-in or from exactly one refresh by one of
    # them: no expiry refreshed twice, no refreshed token left unused. A machine so loaded that
    # both kernels sleep through a whole 0.9 s window skips that expiry, never duplicates it;
    # that includes the first window, when the sign-in's token is due before either kernel's
    # first call (one CI run: 5 refreshes, all 5 refreshed tokens used, the sign-in's not).
    used = set().union(*(r["tokens"] for r in results))
    refreshed = used - {first.access_token[:8]}
    assert stats["refreshes"] == sum(r["refreshes"] for r in results) == len(refreshed), (
        stats,
        results,
    )
    assert 4 <= stats["refreshes"] <= 5, (stats, results)
    assert json.loads((store.path(config.profile)).read_text())["access_token"]

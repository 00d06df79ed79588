"""Many threads in several processes sharing one token file, through expiries with rotation.

The scenario (in :mod:`tests.reliability_concurrency`, also run by ``bench/reliability.py``):
3 processes x 4 threads call the API for ~6.5 s with 2-second tokens refreshed 1 s early, while
this process reads the token file every few milliseconds and a fourth process, rewriting the
file under the lock, is SIGKILLed in the middle of a write.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.reliability_concurrency import concurrency_check


@pytest.mark.slow
@pytest.mark.timeout(90)
def test_processes_and_threads_share_one_token_file(tmp_path: Path) -> None:
    result = concurrency_check(tmp_path, processes=3, threads=4, kill=True)
    assert result.errors == []
    assert result.invalid_grant == 0
    # one refresh per expiry, made by exactly one of the processes
    assert result.expiries >= 3, result
    assert result.refreshes_server == result.expiries, result
    assert result.refreshes_clients == result.refreshes_server, result
    assert result.token_generations == result.expiries + 1
    # the file was valid JSON, mode 0600, at every one of hundreds of reads
    assert result.file_reads > 100
    assert (result.file_invalid, result.file_mode_bad) == (0, 0)
    # the rewriter died inside a write (its temporary file is left) and everyone went on
    assert result.killed and result.killed_writes == 1
    assert result.survivors_after_kill == result.processes
    assert result.calls > 100
    assert result.ok

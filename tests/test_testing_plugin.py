"""The pytest plugin, as a user meets it: a fresh test folder, fixtures only, network blocked."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

USER_TEST = """
import pytest

def test_refresh(oncehub_replay):
    replay = oncehub_replay("refresh-rotation")
    hub = replay.hub
    hub.validate()
    replay.clock.advance(3570)
    assert hub.validate().endswith(".example.com")
    assert replay.unplayed() == ["POST https://sandbox.invalid/oauth/token"]  # old token reuse

def test_paged(oncehub_replay):
    frame = oncehub_replay("bookings-paged").hub.bookings.to_frame(progress=False)
    assert len(frame) == 60

@pytest.mark.vcr
def test_own_cassette(oncehub_sandbox):
    import requests
    sb = oncehub_sandbox
    r = requests.get(sb.base_url + "/test", headers={"API-Key": sb.api_key})
    assert r.status_code == 200

@pytest.fixture
def vcr_config(oncehub_vcr_config):
    return oncehub_vcr_config
"""


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_users_own_tests_replay_and_record_with_the_plugin(tmp_path: Path) -> None:
    (tmp_path / "test_user.py").write_text(textwrap.dedent(USER_TEST))
    recorded = _pytest(
        tmp_path, "--record-mode=once", "--block-network", "--allowed-hosts=127.0.0.1"
    )
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    cassette = tmp_path / "cassettes" / "test_user" / "test_own_cassette.yaml"
    text = cassette.read_text()
    assert "<API_KEY_1>" in text and "Date:" not in text and "127.0.0.1" not in text, text

    replayed = _pytest(tmp_path, "--block-network")  # record mode none: cassettes only
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr
    assert "3 passed" in replayed.stdout


def test_the_plugin_is_import_light() -> None:
    code = (
        "import sys, oncehub_nb.testing.plugin, oncehub_nb.testing; "
        "print(sorted(m for m in ('pandas', 'vcr', 'flask') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

"""`oncehub-nb login / status / logout` run as a user would: a real process reading stdin."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from oncehub_nb.sandbox import Sandbox
from oncehub_nb.sandbox._times import ANCHOR_ENV

CLI = [sys.executable, "-m", "oncehub_nb.cli"]


def _env(sb: Sandbox, token_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCEHUB_") or k == ANCHOR_ENV}
    env["ONCEHUB_TOKEN_DIR"] = str(token_dir)
    env["ONCEHUB_API_BASE"] = sb.base_url
    for name, value in sb.oauth_settings("public").items():
        if value:
            env[f"ONCEHUB_{name.upper()}"] = value
    return env


def _run(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], env=env, input=stdin, capture_output=True, text=True, timeout=60
    )


def test_oauth_login_status_logout(make_sandbox: Callable[..., Sandbox], tmp_path: Path) -> None:
    sb = make_sandbox(bookings=10, rate_limit=False)
    env = _env(sb, tmp_path / "tokens")
    process = subprocess.Popen(
        [*CLI, "login"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None and process.stdin is not None
    url = ""
    while not url:
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else ""
        if "/oauth/authorize?" in line:
            url = line.strip()
    redirect = sb.consent(url, allow=True)  # the user presses Allow in the browser ...
    out, err = process.communicate(f"  '{redirect}'  \n", timeout=60)  # ... and pastes the address
    assert process.returncode == 0, err
    assert "Connected as" in out
    code = redirect.split("code=")[1].split("&")[0]
    assert code not in out and code not in err

    token_file = next((tmp_path / "tokens").glob("token-*.json"))
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    status = _run(["status"], env)
    assert status.returncode == 0, status.stderr
    assert "client sandbox-public-app: token" in status.stdout
    access = __import__("json").loads(token_file.read_text())["access_token"]
    assert access not in status.stdout and access[:4] + "…" in status.stdout

    logout = _run(["logout"], env)
    assert logout.returncode == 0, logout.stderr
    assert "token revoked and deleted" in logout.stdout
    assert not token_file.exists()
    assert sb.oauth_stats()["revocations"] == 1


def test_api_key_login_is_checked_and_stored(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(bookings=10, rate_limit=False)
    env = _env(sb, tmp_path / "tokens")
    bad = _run(["login", "--api-key"], env, stdin="not-the-key-0123456789\n")
    assert bad.returncode == 1
    assert "AuthenticationError" in bad.stderr
    assert "not-the-key-0123456789" not in bad.stdout + bad.stderr
    good = _run(["login", "--api-key"], env, stdin=f"{sb.api_key}\n")
    assert good.returncode == 0, good.stderr
    assert sb.api_key not in good.stdout + good.stderr
    status = _run(["status"], env)
    assert sb.api_key[:4] + "…" in status.stdout and sb.api_key not in status.stdout
    assert "files in" in status.stdout
    logout = _run(["logout"], env)
    assert "Stored API key deleted" in logout.stdout


def test_wrong_paste_gives_a_plain_message(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(bookings=5, rate_limit=False)
    result = _run(
        ["login"], _env(sb, tmp_path), stdin="https://evil.example/callback?code=x&state=y\n"
    )
    assert result.returncode == 1
    assert "InvalidRedirectURL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", ["login", "status", "logout"])
def test_auth_commands_have_help(command: str) -> None:
    result = subprocess.run([*CLI, command, "--help"], capture_output=True, text=True, check=True)
    assert "Usage:" in result.stdout

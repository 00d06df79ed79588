"""`oncehub-nb login --device` run as a user would: a real process, the sandbox's real clock."""

from __future__ import annotations

import itertools
import subprocess
from collections.abc import Callable
from pathlib import Path

import requests

from oncehub_nb.sandbox import Sandbox
from tests.test_cli_login import CLI, _env


def _login(sb: Sandbox, tmp_path: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, "login", "--device"],
        env=_env(sb, tmp_path / "tokens"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_device_login_from_the_console(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(bookings=3, rate_limit=False)
    sb.oauth.configure(device_interval=1)
    process = _login(sb, tmp_path)
    assert process.stdout is not None
    shown: list[str] = []
    while not any("Enter the code" in line for line in shown):
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else ""
        shown.append(line)
    complete = next(line for line in shown if "user_code=" in line).split("in: ")[1].strip(" )\n")
    page = requests.get(complete, timeout=5)  # the user opens the page and presses Allow
    ticket = page.text.split('name="ticket" value="')[1].split('"')[0]
    user_code = complete.split("user_code=")[1]
    answer = requests.post(
        complete.split("?")[0],
        data={"ticket": ticket, "user_code": user_code, "decision": "allow"},
        timeout=5,
    )
    assert "Signed in" in answer.text
    out, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert "Connected as" in out and user_code in "".join(shown)
    [times] = sb.oauth.devices.poll_times()
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))
    token_file = next((tmp_path / "tokens").glob("token-*.json"))
    assert oct(token_file.stat().st_mode & 0o777) == "0o600"
    device_codes = list(sb.oauth.devices.records)
    assert device_codes and not any(code in out + err for code in device_codes)


def test_device_login_denied_and_expired(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(bookings=3, rate_limit=False)
    sb.oauth.configure(device_interval=1, device_auto_decision="deny")
    denied = _login(sb, tmp_path)
    out, err = denied.communicate(timeout=30)
    sb.oauth.configure(device_interval=1, device_auto_decision="none", device_code_ttl=1.5)
    expired = _login(sb, tmp_path)
    assert denied.returncode == 1 and "AuthorizationDenied" in err and "denied" in err
    out2, err2 = expired.communicate(timeout=30)
    assert expired.returncode == 1 and "DeviceCodeExpired" in err2 and "expired" in err2
    for code in sb.oauth.devices.records:
        assert code not in out + err + out2 + err2

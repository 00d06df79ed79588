from __future__ import annotations

import re
import subprocess
import sys

from click.testing import CliRunner

from oncehub_nb.cli import main


def test_demo_prints_the_summary_without_secrets() -> None:
    result = CliRunner().invoke(main, ["demo", "--bookings", "420", "--seed", "5"])
    assert result.exit_code == 0, result.output
    out = result.output
    # 5 pages; a 429 on a machine loaded far past its cores is waited out (and counted)
    assert re.search(r"Pulled 420 bookings in [56] list requests", out), out[:400]
    assert re.search(r"Starting times: \d{4}-\d\d-\d\d to \d{4}-\d\d-\d\d", out)
    assert "Bookings by status:" in out
    counts = [
        int(m)
        for m in re.findall(
            r"^  (?:requested|scheduled|rescheduled|completed|canceled|no_show)\s+(\d+)$", out, re.M
        )
    ]
    assert sum(counts) == 420
    assert re.search(r"^  total\s+420$", out, re.M)
    assert "datetime64[" in out and "category" in out
    assert "API-Key" not in out and "export ONCEHUB_API_KEY" not in out
    # the OAuth part: sign-in, an API call with the token, a refresh before expiry
    assert "Code exchanged" in out
    assert re.search(r"\d+ scheduled bookings", out)
    assert "Refreshed before expiry" in out and "refresh token rotated" in out


def test_every_command_has_help() -> None:
    runner = CliRunner()
    for command in ([], ["demo"], ["sandbox"]):
        result = runner.invoke(main, [*command, "--help"])
        assert result.exit_code == 0
        assert "Usage:" in result.output


def test_missing_extra_gives_the_pip_command() -> None:
    code = (
        "import sys; sys.modules['flask'] = None\n"
        "from click.testing import CliRunner\n"
        "from oncehub_nb.cli import main\n"
        "r = CliRunner().invoke(main, ['demo'])\n"
        "print(r.exit_code); print(r.output)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.startswith("1\n")
    assert "pip install '/path/to/clone[sandbox]'" in out.stdout


def test_sandbox_command_prints_a_working_admin_token() -> None:
    import requests

    process = subprocess.Popen(
        [sys.executable, "-m", "oncehub_nb.cli", "sandbox", "--port", "0", "--bookings", "3"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        exports = {}
        for line in process.stdout:
            if line.startswith("Press Ctrl-C"):
                break
            if line.strip().startswith("export "):
                name, _, value = line.strip().removeprefix("export ").partition("=")
                exports[name] = value.strip("'")
        root = exports["ONCEHUB_API_BASE"].removesuffix("/v2")
        token = exports["ONCEHUB_SANDBOX_ADMIN_TOKEN"]
        assert len(token) >= 32
        stats = f"{root}/_sandbox/stats"
        assert requests.get(stats, headers={"Sandbox-Admin-Token": token}, timeout=5).ok
        assert requests.get(stats, timeout=5).status_code == 401
    finally:
        process.terminate()
        process.communicate(timeout=10)

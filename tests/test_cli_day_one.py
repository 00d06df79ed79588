"""Day one on the command line (issue 15): real `oncehub-nb` processes, as a new user runs them.

* every command finds credentials the same way: --api-key, then ONCEHUB_API_KEY, then the key
  `oncehub-nb login --api-key` kept;
* a bad `-o` path fails in one line before any request;
* `logout` removes unfinished sign-ins; exports honour the umask.
"""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from oncehub_nb.sandbox import Sandbox
from oncehub_nb.sandbox._times import ANCHOR_ENV

#: The console script pip installed next to this interpreter (.venv/bin/oncehub-nb).
EXE = str(Path(sys.executable).with_name("oncehub-nb"))


def _env(sb: Sandbox, token_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCEHUB_") or k == ANCHOR_ENV}
    env.update(ONCEHUB_TOKEN_DIR=str(token_dir), ONCEHUB_API_BASE=sb.base_url, **extra)
    return env


def _run(
    args: list[str], env: dict[str, str], *, stdin: str = "", **kwargs: object
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [EXE, *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,  # type: ignore[call-overload]
    )


def _api_requests(sb: Sandbox) -> int:
    return sum(sb.stats()["requests"].values())


def test_the_console_script_is_the_one_tested() -> None:
    assert Path(EXE).is_file() and os.access(EXE, os.X_OK), EXE


# -- item 2: one way to find credentials ------------------------------------------------------


def test_bookings_uses_the_key_login_kept(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(bookings=30, seed=3, rate_limit=False)
    env = _env(sb, tmp_path / "tokens")
    login = _run(["login", "--api-key"], env, stdin=f"{sb.api_key}\n")
    assert login.returncode == 0, login.stderr
    out = tmp_path / "out.parquet"
    export = _run(["bookings", "-o", str(out)], env)  # no flags, no ONCEHUB_API_KEY
    assert export.returncode == 0, export.stderr
    assert len(pd.read_parquet(out)) == 30
    assert f"Wrote 30 bookings to {out}" in export.stderr
    assert sb.api_key not in export.stdout + export.stderr


def test_the_lookup_order_is_flag_then_environment_then_saved_key(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(bookings=5, rate_limit=False)
    env = _env(sb, tmp_path / "tokens")
    assert _run(["login", "--api-key"], env, stdin=f"{sb.api_key}\n").returncode == 0
    out = str(tmp_path / "out.csv")
    wrong = "not-the-key-0123456789abcdef"
    # ONCEHUB_API_KEY wins over the saved key: a wrong one is used (and refused) ...
    env_first = _run(["bookings", "-o", out], {**env, "ONCEHUB_API_KEY": wrong})
    assert env_first.returncode == 1 and "AuthenticationError" in env_first.stderr
    status = _run(["status"], {**env, "ONCEHUB_API_KEY": wrong})
    assert "from ONCEHUB_API_KEY" in status.stdout
    # ... and --api-key wins over ONCEHUB_API_KEY.
    flag_first = _run(
        ["bookings", "--api-key", sb.api_key, "-o", out], {**env, "ONCEHUB_API_KEY": wrong}
    )
    assert flag_first.returncode == 0, flag_first.stderr
    for result in (env_first, status, flag_first):
        assert wrong not in result.stdout + result.stderr
        assert sb.api_key not in result.stdout + result.stderr


def test_no_credentials_is_one_line_naming_every_way(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(bookings=1, rate_limit=False)
    result = _run(["bookings", "-o", str(tmp_path / "out.csv")], _env(sb, tmp_path / "tokens"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for way in ("--api-key", "ONCEHUB_API_KEY", "oncehub-nb login --api-key"):
        assert way in lines[0]
    assert _api_requests(sb) == 0


# -- item 3: the output path is checked before the pull ---------------------------------------


def _unwritable_folder(request: pytest.FixtureRequest) -> Path:
    """A folder the CLI process cannot create files in.

    Root writes through any mode bits, so for root this is ``/sys`` (sysfs refuses new files
    even to root; the interpreter lives under /root, so dropping to nobody is not an option).
    """
    if os.geteuid() == 0:
        folder = Path("/sys")
    else:
        folder = Path(tempfile.mkdtemp(prefix="oncehub-ro-"))
        folder.chmod(0o555)

        def remove() -> None:
            folder.chmod(0o755)
            shutil.rmtree(folder)

        request.addfinalizer(remove)
    with pytest.raises(PermissionError):  # the premise: creating a file there fails
        os.close(tempfile.mkstemp(dir=folder)[0])
    return folder


@pytest.mark.parametrize("case", ["missing folder", "not writable", "wrong suffix", "a folder"])
def test_a_bad_output_path_fails_before_any_request(
    make_sandbox: Callable[..., Sandbox],
    tmp_path: Path,
    case: str,
    request: pytest.FixtureRequest,
) -> None:
    sb = make_sandbox(bookings=250, rate_limit=False)
    if case == "missing folder":
        target, expected = tmp_path / "missing-dir" / "x.csv", "does not exist; create it first"
    elif case == "not writable":
        target = _unwritable_folder(request) / "x.parquet"
        expected = "cannot write in the folder"
    elif case == "wrong suffix":
        target, expected = tmp_path / "x.xlsx", "use a .parquet or .csv file name"
    else:
        target, expected = tmp_path / "folder.csv", "that is a folder"
        target.mkdir()
    env = _env(sb, tmp_path / "tokens")
    result = _run(["bookings", "--api-key", sb.api_key, "-o", str(target)], env)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stderr
    assert "Traceback" not in result.stderr and ".tmp" not in result.stderr
    assert _api_requests(sb) == 0
    assert not target.exists() or target.is_dir()


# -- item 6: leftovers -----------------------------------------------------------------------


def test_logout_removes_unfinished_sign_ins(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(bookings=1, rate_limit=False)
    tokens = tmp_path / "tokens"
    env = _env(sb, tokens)
    for name, value in sb.oauth_settings("public").items():
        if value:
            env[f"ONCEHUB_{name.upper()}"] = value
    for _ in range(2):  # two sign-ins abandoned: a wrong address pasted
        failed = _run(["login"], env, stdin="https://evil.example/callback?code=x&state=y\n")
        assert failed.returncode == 1
    pending = sorted(tokens.glob("pending-*.json"))
    assert len(pending) == 2
    assert all("code_verifier" in p.read_text() for p in pending)
    logout = _run(["logout"], env)
    assert logout.returncode == 0, logout.stderr
    assert "2 unfinished sign-in(s) deleted" in logout.stdout
    assert not list(tokens.glob("pending-*"))


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_exports_honour_the_umask(sandbox: Sandbox, tmp_path: Path, umask: int, mode: int) -> None:
    env = _env(sandbox, tmp_path / "tokens", ONCEHUB_API_KEY=sandbox.api_key)
    for name in ("out.csv", "out.parquet"):
        out = tmp_path / name
        result = _run(["bookings", "--max-items", "5", "-o", str(out)], env, umask=umask)
        assert result.returncode == 0, result.stderr
        assert stat.S_IMODE(out.stat().st_mode) == mode, (name, oct(out.stat().st_mode))
    assert not list(tmp_path.glob(".*.tmp"))


def test_bookings_uses_a_kept_oauth_token_when_there_is_no_key(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(bookings=12, rate_limit=False)
    env = _env(sb, tmp_path / "tokens")
    for name, value in sb.oauth_settings("public").items():
        if value:
            env[f"ONCEHUB_{name.upper()}"] = value
    login = subprocess.Popen(
        [EXE, "login"],
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert login.stdout is not None
    url = ""
    while not url:
        line = login.stdout.readline()
        assert line, login.stderr.read() if login.stderr else ""
        url = line.strip() if "/oauth/authorize?" in line else ""
    _out, err = login.communicate(f"{sb.consent(url, allow=True)}\n", timeout=60)
    assert login.returncode == 0, err
    out = tmp_path / "out.csv"
    export = _run(["bookings", "-o", str(out)], env)  # no key anywhere: the kept token
    assert export.returncode == 0, export.stderr
    assert len(pd.read_csv(out)) == 12

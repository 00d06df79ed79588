"""`oncehub-nb bookings`: export to Parquet / CSV from the environment's key and base."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from oncehub_nb.cli import main
from oncehub_nb.sandbox import Sandbox


def _expected(sandbox: Sandbox, since: str, status: set[str]) -> set[str]:
    moment = dt.datetime.fromisoformat(since).replace(tzinfo=dt.UTC)
    return {
        b["id"]
        for b in sandbox.ground_truth()
        if b["status"] in status
        and dt.datetime.fromisoformat(b["starting_time"].replace("Z", "+00:00")) > moment
    }


def test_export_parquet_from_environment(sandbox: Sandbox, tmp_path: Path) -> None:
    out = tmp_path / "out.parquet"
    env = {"ONCEHUB_API_KEY": sandbox.api_key, "ONCEHUB_API_BASE": sandbox.base_url}
    args = ["bookings", "--since", "2026-01-01", "--status", "scheduled", "-o", str(out)]
    result = CliRunner(env=env).invoke(main, args)
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out)
    assert set(frame["id"]) == _expected(sandbox, "2026-01-01", {"scheduled"})
    assert str(frame["starting_time"].dtype).endswith("UTC]")
    assert json.loads(frame["attendees"].iloc[0])  # lists are JSON text in files
    assert f"Wrote {len(frame)} bookings" in result.stderr
    assert sandbox.api_key not in result.output


def test_export_csv_with_options_and_progress_on_stderr(sandbox: Sandbox, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    args = [
        "bookings", "--since", "2026-03-01", "--status", "completed", "--status", "canceled",
        "--api-key", sandbox.api_key, "--api-base", sandbox.base_url, "--progress", "-o", str(out),
    ]  # fmt: skip
    result = CliRunner(env={"ONCEHUB_API_KEY": None}).invoke(main, args)
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(out)
    assert set(frame["id"]) == _expected(sandbox, "2026-03-01", {"completed", "canceled"})
    assert "records" in result.stderr and "records" not in result.stdout


def test_export_errors_are_one_line(sandbox: Sandbox, tmp_path: Path) -> None:
    runner = CliRunner(env={"ONCEHUB_API_KEY": None, "ONCEHUB_API_BASE": sandbox.base_url})
    no_key = runner.invoke(main, ["bookings", "-o", str(tmp_path / "a.parquet")])
    assert no_key.exit_code == 1 and "ONCEHUB_API_KEY" in no_key.output
    bad_suffix = runner.invoke(
        main, ["bookings", "--api-key", sandbox.api_key, "-o", str(tmp_path / "a.xlsx")]
    )
    assert bad_suffix.exit_code == 2 and ".parquet or .csv" in bad_suffix.output
    bad_date = runner.invoke(
        main, ["bookings", "--api-key", sandbox.api_key, "--since", "soon", "-o", "x.csv"]
    )
    assert bad_date.exit_code == 1 and "--since" in bad_date.output
    assert "Traceback" not in bad_date.output
    assert not list(tmp_path.iterdir())


def test_bookings_command_has_help() -> None:
    result = CliRunner().invoke(main, ["bookings", "--help"])
    assert result.exit_code == 0
    assert "ONCEHUB_API_KEY" in result.output and "--since" in result.output

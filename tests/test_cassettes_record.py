"""A clean re-record changes nothing but the fields cassettes/README.md says may change."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from oncehub_nb.cli import main
from oncehub_nb.testing import SCENARIOS, cassette_dir

ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
VOLATILE = [
    (re.compile(r"WHK-[A-Z0-9]+"), "WHK-*"),
    (re.compile(r"EVNT-[A-Z0-9]+"), "EVNT-*"),
    (re.compile(r"t=\d+,s=[0-9a-f]{64}"), "t=*,s=*"),
]


def _normalised(text: str) -> str:
    """Mask what the README lists: ids, signatures and times stamped during the recording."""
    now = dt.datetime.now(dt.UTC)

    def stamp(match: re.Match[str]) -> str:
        moment = dt.datetime.fromisoformat(match.group(0).replace("Z", "+00:00"))
        return "<NOW>" if abs(moment - now) < dt.timedelta(days=1) else match.group(0)

    for pattern, replacement in VOLATILE:
        text = pattern.sub(replacement, text)
    return ISO.sub(stamp, text)


@pytest.mark.slow
def test_rerecording_everything_changes_only_the_listed_fields(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["cassettes", "record", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.count("recorded ") == len(SCENARIOS)
    for name in SCENARIOS:
        fresh = (tmp_path / f"{name}.yaml").read_text()
        shipped = (cassette_dir() / f"{name}.yaml").read_text()
        if name not in ("sync-incremental", "webhook-delivery"):
            assert fresh == shipped, name  # byte for byte
        else:
            assert _normalised(fresh) == _normalised(shipped), name


def test_record_only_one_and_unknown_names(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["cassettes", "record", "--only", "nope", "--dir", str(tmp_path)])
    assert result.exit_code == 2 and "unknown scenario" in result.output
    result = runner.invoke(
        main, ["cassettes", "record", "--only", "api-key-valid", "--dir", str(tmp_path)]
    )
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == ["api-key-valid.yaml"]
    listed = runner.invoke(main, ["cassettes", "list"]).output
    assert all(name in listed for name in SCENARIOS)

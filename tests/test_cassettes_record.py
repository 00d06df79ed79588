"""A clean re-record gives the shipped cassettes byte for byte, whatever the date."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from oncehub_nb.cli import main
from oncehub_nb.testing import SCENARIOS, cassette_dir


@pytest.mark.slow
def test_rerecording_everything_gives_the_same_bytes(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["cassettes", "record", "--dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.output.count("recorded ") == len(SCENARIOS)
    for name in SCENARIOS:
        fresh = (tmp_path / f"{name}.yaml").read_text()
        shipped = (cassette_dir() / f"{name}.yaml").read_text()
        # byte for byte, on any date: the recording sandbox runs on the scenario's clock
        assert fresh == shipped, name


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

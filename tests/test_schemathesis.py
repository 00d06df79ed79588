"""An independent contract fuzzer: schemathesis, every check, against the sandbox in both profiles.

``st run --checks all`` generates requests from OnceHub's official spec (valid and invalid ones,
every operation, the stateful phase included) and checks each answer: no 5xx, documented
statuses and content types, answers valid against the schema, invalid requests refused, valid
ones accepted, 405 with ``Allow``, authentication not ignored. The ``spec`` profile is fuzzed
with the official spec; the ``live`` profile with the spec plus the documented departures
(``oncehub_nb.sandbox.live_spec``). Failures that are quirks of the spec kept on purpose are in
``tests/fuzz/allow-list.toml``, one justification per quirk; anything else fails.

Bounded: a few examples per operation and a fixed seed here (the suite must stay fast);
``python -m tests.test_schemathesis`` prints the allow-list as a schemathesis baseline for a
longer run by hand (see docs/how-to/sandbox.md).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from oncehub_nb.sandbox import Sandbox, live_spec
from tests._spec import require_spec

# Not imported here (it runs as its own process, like a user's `st run`), so that its hypothesis
# set-up never touches this process's property-based tests.
if importlib.util.find_spec("schemathesis") is None:  # pragma: no cover - a test extra
    pytest.skip("schemathesis is not installed (the test extra)", allow_module_level=True)

ALLOW_LIST = Path(__file__).parent / "fuzz" / "allow-list.toml"
#: schemathesis's failure class for each check this allow-list uses.
FAILURES = {
    "positive_data_acceptance": "RejectedPositiveData",
    "status_code_conformance": "UndefinedStatusCode",
    "use_after_free": "UseAfterFree",  # its signature is empty: no status
}
EXAMPLES, SEED = 8, 16


def baseline() -> dict[str, Any]:
    """The allow-list as a schemathesis baseline file (format 1), one entry per failure."""
    quirks = tomllib.loads(ALLOW_LIST.read_text(encoding="utf-8"))["quirk"]
    entries: dict[tuple[str, str, str], dict[str, Any]] = {}
    for quirk in quirks:
        signature = str(quirk.get("status", ""))
        for operation in quirk["operations"]:
            key = (operation, quirk["check"], signature)
            entry = entries.setdefault(
                key,
                {
                    "operation": operation,
                    "check": quirk["check"],
                    "failure": FAILURES[quirk["check"]],
                    "signature": signature,
                    "why": [],
                },
            )
            entry["why"].append(quirk["why"])
    return {"format_version": 1, "entries": list(entries.values())}


def test_the_allow_list_is_short_and_justified() -> None:
    quirks = tomllib.loads(ALLOW_LIST.read_text(encoding="utf-8"))["quirk"]
    assert len(quirks) <= 15
    for quirk in quirks:
        assert quirk["check"] in FAILURES and len(quirk["why"]) > 40
        assert quirk["operations"] and 400 <= quirk.get("status", 400) < 500  # never a 5xx
    assert len(baseline()["entries"]) < 50


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["live", "spec"])
def test_schemathesis_finds_nothing_outside_the_allow_list(profile: str, tmp_path: Path) -> None:
    raw = json.loads(require_spec().read_text(encoding="utf-8"))
    schema = tmp_path / "schema.json"  # a temporary copy: never written into the repository
    schema.write_text(json.dumps(live_spec(raw) if profile == "live" else raw), encoding="utf-8")
    allowed = tmp_path / "allow.json"
    allowed.write_text(json.dumps(baseline()), encoding="utf-8")
    report = tmp_path / "report.json"
    with Sandbox(bookings=60, seed=3, rate_limit=False, profile=profile) as sb:
        command = [
            sys.executable, "-m", "schemathesis.cli", "run", str(schema),
            "--url", sb.base_url, "--header", f"API-Key: {sb.api_key}",
            "--checks", "all", "--max-examples", str(EXAMPLES), "--seed", str(SEED),
            "--workers", "1", "--request-timeout", "10", "--baseline", str(allowed),
            "--report", "json", "--report-json-path", str(report),
        ]  # fmt: skip
        run = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=110,
            cwd=tmp_path,
            check=False,
        )
        served = sb.stats()
    assert run.returncode == 0, run.stdout[-6000:]
    result = json.loads(report.read_text(encoding="utf-8"))
    assert result["operations"]["tested"] == 38
    assert result["test_cases"]["generated"] > 300
    assert not [f for f in result["failures"] if f["code"] == "ST101"]  # no server error
    assert not any(status.startswith("5") for status in served["responses"])
    assert sb.api_key not in run.stdout


if __name__ == "__main__":  # the allow-list as a baseline, for `st run --baseline FILE`
    json.dump(baseline(), sys.stdout, indent=1)

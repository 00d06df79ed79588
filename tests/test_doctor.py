"""`hub.doctor()` and `oncehub-nb doctor` (issue 15): the read-only probe of an account.

Against the sandbox it reports the known departures and nothing else; against a sandbox made to
misbehave (tests/_misbehave.py) it reports each planted departure; its report holds no value from
the account and passes the secret scanner; it never writes to the account.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from oncehub_nb import OnceHub
from oncehub_nb.doctor import KINDS, KNOWN, DoctorReport
from oncehub_nb.sandbox import Sandbox
from oncehub_nb.sandbox._times import ANCHOR_ENV
from oncehub_nb.testing.scan import scan_text
from tests._misbehave import PLANTED, PLANTED_EMAIL, misbehave
from tests.conftest import client_for

EXE = str(Path(sys.executable).with_name("oncehub-nb"))
#: What the sandbox (seed 7, 1,050 bookings) departs from the schemas: each a known departure.
SANDBOX_DEPARTURES = {
    ("/bookings", "unexpected-null", field)
    for field in (
        "booking_calendar",
        "booking_page",
        "cancel_reschedule_information",
        "cancel_reschedule_information.user_id",
        "cancel_url",
        "form_submission",
        "form_submission.mobile_phone",
        "form_submission.note",
        "ics_url",
        "location_description",
        "reschedule_url",
        "rescheduled_booking_id",
        "virtual_conferencing",
    )
}
ENDPOINTS = [
    "/bookings", "/booking-calendars", "/booking-pages", "/master-pages", "/event-types",
    "/users", "/teams", "/contacts", "/webhooks", "/notifications/sms",
]  # fmt: skip


def _keys(findings: list[object]) -> set[tuple[str, str, str]]:
    return {(f.endpoint, f.kind, f.field) for f in findings}  # type: ignore[attr-defined]


def _assert_scrubbed(text: str, sb: Sandbox) -> None:
    """No value from the account: no ids, emails, keys, hosts; the scanner finds nothing."""
    assert not re.search(r"\b(BKNG|USR|CTC|TM|BKC|BP|MP|ET|WHK|SMS)-[A-Z0-9]", text)
    assert "@" not in text and sb.api_key not in text and "127.0.0.1" not in text
    assert PLANTED_EMAIL not in text
    for record in sb.ground_truth("users"):
        assert record["first_name"] not in text and record["last_name"] not in text
    assert scan_text(text, path="report.json", env={"ONCEHUB_API_KEY": sb.api_key}) == []


@pytest.fixture(scope="module")
def doctor_sandbox() -> Sandbox:
    with Sandbox(bookings=1050, seed=7, rate_limit=False) as sb:
        yield sb  # type: ignore[misc]


def test_against_the_sandbox_only_known_departures(doctor_sandbox: Sandbox) -> None:
    with client_for(doctor_sandbox, rate_limit=False) as hub:
        report = hub.doctor()
    assert report.accepted and report.ok
    assert [e.path for e in report.endpoints] == ENDPOINTS
    assert all(e.status == "ok" and e.records > 0 for e in report.endpoints)
    assert report.new == []
    assert _keys(report.known) == SANDBOX_DEPARTURES
    assert all(f.known == KNOWN[(f.endpoint, f.kind, f.field)] for f in report.known)
    paged = {e.path: e.pages for e in report.endpoints}
    assert paged["/bookings"] == 2 and paged["/teams"] == 1  # a next page only where there is one
    assert report.rate_limit_headers == {}  # the sandbox, like OnceHub's docs, has none
    _assert_scrubbed(report.to_json(), doctor_sandbox)


def test_against_a_misbehaving_sandbox_each_departure_is_found(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = misbehave(make_sandbox(bookings=150, seed=7, rate_limit=False))
    with client_for(sb, rate_limit=False) as hub:
        report = hub.doctor()
    assert _keys(report.new) == PLANTED
    assert not report.ok
    by_key = {(f.endpoint, f.kind, f.field): f for f in report.new}
    mismatch = by_key["/bookings", "type-mismatch", "duration_minutes"]
    assert (mismatch.expected, mismatch.observed, mismatch.count) == ("integer", "string", 100)
    assert by_key["/bookings", "unknown-field", "extra_field"].observed == "string"
    assert by_key["/bookings", "cursor-stuck", "after"].count == 100
    assert {f.kind for f in report.findings} <= set(KINDS)
    _assert_scrubbed(report.to_json(), sb)
    table = report.table()
    assert "5 new finding(s)." in table and PLANTED_EMAIL not in table


def test_the_probe_only_reads(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(bookings=120, seed=2, rate_limit=False)
    with client_for(sb, rate_limit=False) as hub:
        hub.doctor()
    requests = sb.stats()["requests"]
    assert requests and all(route.startswith("GET ") for route in requests), requests
    assert sum(requests.values()) <= 1 + 2 * len(ENDPOINTS)


def test_a_refused_key_stops_the_probe(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(bookings=5, rate_limit=False)
    with OnceHub(api_key="not-the-key-0123456789", api_base=sb.base_url, env={}) as hub:
        report = hub.doctor()
    assert not report.accepted and not report.ok and report.endpoints == []
    assert "refused: AuthenticationError (HTTP 401)" in report.table()
    assert set(sb.stats()["requests"]) == {"GET /v2/test"}


def _cli_env(sb: Sandbox, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCEHUB_") or k == ANCHOR_ENV}
    env.update(
        ONCEHUB_TOKEN_DIR=str(tmp_path / "tokens"),
        ONCEHUB_API_BASE=sb.base_url,
        ONCEHUB_API_KEY=sb.api_key,
        ONCEHUB_RATE_LIMIT="off",
    )
    return env


def test_the_command_prints_a_table_and_writes_a_clean_report(
    doctor_sandbox: Sandbox, tmp_path: Path
) -> None:
    env = _cli_env(doctor_sandbox, tmp_path)
    report = tmp_path / "report.json"
    run = subprocess.run(
        [EXE, "doctor", "-o", str(report)], env=env, capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert "credential accepted" in run.stdout and "All clear: nothing new." in run.stdout
    assert "/bookings" in run.stdout and "Known departures:" in run.stdout
    assert f"Report written to {report}" in run.stderr
    data = json.loads(report.read_text())
    assert data["summary"] == {"known": len(SANDBOX_DEPARTURES), "new": 0}
    assert data["server"] == "another server (loopback)"
    _assert_scrubbed(report.read_text(), doctor_sandbox)
    scan = subprocess.run(
        [EXE, "scan", str(report)], env=env, capture_output=True, text=True, timeout=60
    )
    assert scan.returncode == 0, scan.stdout + scan.stderr
    assert doctor_sandbox.api_key not in run.stdout + run.stderr


def test_the_command_exits_1_on_new_findings(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = misbehave(make_sandbox(bookings=150, seed=7, rate_limit=False))
    report = tmp_path / "report.json"
    run = subprocess.run(
        [EXE, "doctor", "-o", str(report)],
        env=_cli_env(sb, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 1, run.stderr
    assert "New findings:" in run.stdout and "5 new finding(s)." in run.stdout
    for _endpoint, kind, field in PLANTED:
        assert re.search(rf"{re.escape(kind)}\s+{re.escape(field)}\s", run.stdout), (kind, field)
    assert json.loads(report.read_text())["summary"]["new"] == 5
    _assert_scrubbed(report.read_text(), sb)


def test_the_command_checks_the_report_path_first(
    make_sandbox: Callable[..., Sandbox], tmp_path: Path
) -> None:
    sb = make_sandbox(bookings=5, rate_limit=False)
    run = subprocess.run(
        [EXE, "doctor", "-o", str(tmp_path / "missing" / "r.json")],
        env=_cli_env(sb, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2 and len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert sum(sb.stats()["requests"].values()) == 0


def test_the_doctor_imports_only_the_core_below_the_client() -> None:
    """Every import of the doctor's modules, module level or inside functions (the
    import-linter contracts in pyproject.toml say the same, for indirect imports too)."""
    allowed = (
        "oncehub_nb._config",
        "oncehub_nb._files",
        "oncehub_nb._errors",
        "oncehub_nb._http",
        "oncehub_nb._version",
    )
    allowed += ("oncehub_nb.doctor", "oncehub_nb.frames", "oncehub_nb.resources")
    package = Path(__file__).resolve().parents[1] / "oncehub_nb" / "doctor"
    seen = set()
    for file in package.glob("*.py"):
        for node in ast.walk(ast.parse(file.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                seen.add(node.module)
            elif isinstance(node, ast.Import):
                seen.update(alias.name for alias in node.names)
    ours = {name for name in seen if name.split(".")[0] == "oncehub_nb"}
    assert ours and all(name.startswith(allowed) for name in ours), sorted(ours)


def test_a_report_round_trips_as_json(tmp_path: Path) -> None:
    report = DoctorReport(
        version="0", server="another server", credential="accepted", accepted=True
    )
    path = report.write(tmp_path / "r.json")
    assert json.loads(path.read_text())["summary"] == {"known": 0, "new": 0}
    assert oct(path.stat().st_mode & 0o777) != "0o600"  # a report is not a secret either

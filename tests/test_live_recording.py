"""Recording your own flows against a real account (issue 15), proven on a sandbox that does
not look like the sandbox: a foreign-shaped key, other people's names, real mail domains, real-
looking phone numbers and UUID request ids (tests/_foreign.py).

* `oncehub-nb cassettes record --live` (a real process) keeps cassettes that scan clean, with
  none of the planted values in them, and they replay offline;
* the pytest plugin's recording mode does the same for a user's own test, and fails a test whose
  cassette still holds personal data (deleting that cassette);
* the scanner's personal rules, one by one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from oncehub_nb.sandbox import Sandbox
from oncehub_nb.sandbox._times import ANCHOR_ENV
from oncehub_nb.testing import LiveRecordingError, PersonalData, record_live, replay_live
from oncehub_nb.testing.scan import scan_paths, scan_text
from tests._foreign import FOREIGN_KEY, foreign

EXE = str(Path(sys.executable).with_name("oncehub-nb"))


def _env(sb: Sandbox, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ONCEHUB_") or k == ANCHOR_ENV}
    env.update(
        ONCEHUB_TOKEN_DIR=str(tmp_path / "tokens"),
        ONCEHUB_API_BASE=sb.base_url,
        ONCEHUB_API_KEY=FOREIGN_KEY,
        ONCEHUB_RATE_LIMIT="off",
    )
    return env


def _assert_none_planted(folder: Path, planted: set[str]) -> None:
    """The independent check: no planted value, in any spelling, in any cassette."""
    assert len(planted) > 20, planted  # the wrapper really planted people
    for cassette in folder.rglob("*.yaml"):
        text = cassette.read_text(encoding="utf-8")
        assert FOREIGN_KEY not in text, cassette
        for value in planted:
            for spelling in {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)}:
                assert spelling.strip('"') not in text, (cassette.name, value)


@pytest.fixture
def foreign_sandbox(make_sandbox: Callable[..., Sandbox]) -> tuple[Sandbox, set[str]]:
    sb = make_sandbox(bookings=150, seed=11, api_key=FOREIGN_KEY, rate_limit=False)
    return sb, foreign(sb).planted


def test_record_live_keeps_clean_cassettes_that_replay_offline(
    foreign_sandbox: tuple[Sandbox, set[str]], tmp_path: Path
) -> None:
    sb, planted = foreign_sandbox
    folder = tmp_path / "live"
    run = subprocess.run(
        [EXE, "cassettes", "record", "--live", "--dir", str(folder)],
        env=_env(sb, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    names = sorted(p.stem for p in folder.glob("*.yaml"))
    assert names == ["live-bookings-paged", "live-resources", "live-validate"]
    assert "no secret and no personal data left" in run.stderr
    assert "bookings 150, pages 2" in run.stdout
    assert FOREIGN_KEY not in run.stdout + run.stderr
    _assert_none_planted(folder, planted)
    scan = subprocess.run(
        [EXE, "scan", "--personal", str(folder)],
        env=_env(sb, tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert scan.returncode == 0, scan.stdout
    assert scan_paths([folder], env={"ONCEHUB_API_KEY": FOREIGN_KEY}, personal=True) == []
    text = (folder / "live-bookings-paged.yaml").read_text(encoding="utf-8")
    assert "<API_KEY_1>" in text and "person-1@example.invalid" in text

    sb.stop()  # offline from here on: the replays answer from the cassettes alone
    with replay_live(folder / "live-validate.yaml") as hub:
        assert hub.validate().endswith("@example.invalid")
    with replay_live(folder / "live-bookings-paged.yaml") as hub:
        frame = hub.bookings.to_frame(max_items=300, progress=False)
    assert len(frame) == 150 and str(frame["starting_time"].dtype).endswith("UTC]")
    assert frame["form_submission.email"].dropna().str.endswith("@example.invalid").all()


USER_TEST = """
import pytest
from oncehub_nb import OnceHub

@pytest.fixture
def vcr_config(oncehub_vcr_config):
    return oncehub_vcr_config

@pytest.mark.vcr
def test_my_report():
    with OnceHub.from_env() as hub:  # live: my key and base; replayed: from the cassette
        frame = hub.contacts.to_frame(max_items=40, progress=False)
    assert len(frame) == 40
    assert frame["email"].notna().all()
"""


def _user_pytest(folder: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            *args,
        ],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_plugin_records_a_users_own_test_clean(
    foreign_sandbox: tuple[Sandbox, set[str]], tmp_path: Path
) -> None:
    sb, planted = foreign_sandbox
    user = tmp_path / "user"
    user.mkdir()
    (user / "test_report.py").write_text(textwrap.dedent(USER_TEST))
    env = _env(sb, tmp_path)
    recorded = _user_pytest(user, env, "--record-mode=once", "--allowed-hosts=127.0.0.1")
    assert recorded.returncode == 0, recorded.stdout + recorded.stderr
    cassette = user / "cassettes" / "test_report" / "test_my_report.yaml"
    assert cassette.is_file()
    _assert_none_planted(user / "cassettes", planted)
    assert scan_paths([cassette], env={"ONCEHUB_API_KEY": FOREIGN_KEY}, personal=True) == []
    sb.stop()
    # Replayed with any key: the cassette holds the placeholder, and values are not compared.
    env["ONCEHUB_API_KEY"] = "any-other-value-0123456789"
    replayed = _user_pytest(user, env, "--block-network")  # record mode none
    assert replayed.returncode == 0, replayed.stdout + replayed.stderr


LEAKY_CONFTEST = """
from oncehub_nb.testing._personal import PersonalData

# A scrubber that misses everything: the scan after the test must catch it.
PersonalData.scrub_body = lambda self, text: text
PersonalData.scrub_text = lambda self, text: text
"""


def test_the_plugin_fails_a_test_whose_cassette_holds_personal_data(
    foreign_sandbox: tuple[Sandbox, set[str]], tmp_path: Path
) -> None:
    sb, planted = foreign_sandbox
    user = tmp_path / "user"
    user.mkdir()
    (user / "test_report.py").write_text(textwrap.dedent(USER_TEST))
    (user / "conftest.py").write_text(textwrap.dedent(LEAKY_CONFTEST))
    run = _user_pytest(user, _env(sb, tmp_path), "--record-mode=once", "--allowed-hosts=127.0.0.1")
    assert run.returncode == 1, run.stdout
    assert "was deleted (values masked)" in run.stdout and "personal-email" in run.stdout
    assert not (user / "cassettes" / "test_report" / "test_my_report.yaml").exists()
    for value in planted:
        if "@" in value:
            assert value not in run.stdout  # findings are masked


def test_record_live_refuses_a_cassette_the_scan_does_not_pass(
    foreign_sandbox: tuple[Sandbox, set[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sb, planted = foreign_sandbox
    monkeypatch.setattr(PersonalData, "scrub_body", lambda self, text: text)
    monkeypatch.setattr(PersonalData, "scrub_text", lambda self, text: text)
    with pytest.raises(LiveRecordingError, match="not kept") as caught:
        record_live(
            tmp_path, api_key=FOREIGN_KEY, only=("live-validate",), env={},
            api_base=sb.base_url, rate_limit=False,
        )  # fmt: skip
    assert {f.rule for f in caught.value.findings} == {"personal-email"}
    assert not list(tmp_path.glob("*.yaml"))
    assert not any(value in str(caught.value) for value in planted)


@pytest.mark.parametrize(
    ("line", "rule"),
    [
        ('"email": "siobhan.oconnor@gmail.com"', "personal-email"),
        ('"phone": "+44 7700 912345"', "personal-phone"),
        ('"mobile_phone": "1-5305550123"', "personal-phone"),
        ('"subject": "Call with Dagný"', "personal-known"),
    ],
)
def test_the_personal_rules(line: str, rule: str) -> None:
    found = scan_text(line, env={}, personal=True, known=["Dagný"])
    assert [f.rule for f in found] == [rule]
    assert scan_text(line, env={}) == [] or rule == "personal-known"  # off unless asked


@pytest.mark.parametrize(
    "line",
    [
        '"email": "person-3@example.invalid"',
        '"email": "kevin.hernandez@martin-mcmillan.example.com"',
        '"phone": "+1-555-010-0042"',
        '"starting_time": "2026-06-01T09:00:00.000+00:00"',
        '"id": "BKNG-0123456789AB", "amount_charged": 12000',
    ],
)
def test_fakes_examples_and_other_numbers_pass(line: str) -> None:
    assert scan_text(line, env={}, personal=True) == []

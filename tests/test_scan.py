"""The leak scanner: clean on the repository, loud on a planted token, quiet on ids and hashes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from oncehub_nb.cli import main
from oncehub_nb.testing.scan import scan_paths, scan_text

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "Zq8bP2xLw9KcV4mN7tRy1sUaQ3"  # real-looking, made up
TARGETS = [p for p in (ROOT / "cassettes", ROOT / "notebooks", ROOT / "docs") if p.exists()]


def test_the_repository_has_no_findings() -> None:
    assert scan_paths(TARGETS, env={}) == []
    result = CliRunner().invoke(main, ["scan", *map(str, TARGETS)], env={})
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ('"access_token": "<ACCESS_TOKEN_1>"', f'"access_token": "{TOKEN}"'),  # secret field
        ("Bearer <ACCESS_TOKEN_1>", f"Bearer {TOKEN}"),  # header value
        ("code=<CODE_1>", f"code={TOKEN}"),  # query
        ('"scope": "read write"', f'"scope": "read write {TOKEN}"'),  # token-shaped, anywhere
    ],
)
def test_a_planted_token_in_a_cassette_copy_fails_the_scan(
    tmp_path: Path, old: str, new: str
) -> None:
    copy = tmp_path / "refresh-rotation.yaml"
    text = (ROOT / "cassettes" / "refresh-rotation.yaml").read_text()
    assert old in text
    copy.write_text(text.replace(old, new, 1))
    result = CliRunner().invoke(main, ["scan", str(tmp_path)], env={})
    assert result.exit_code == 1
    assert f"{copy}:" in result.output and TOKEN not in result.output  # file:line, masked
    assert TOKEN[:4] + "…" in result.output


def _notebook_copy(tmp_path: Path) -> tuple[Path, dict]:
    source = ROOT / "notebooks" / "03-replay-recorded-flows.ipynb"
    copy = tmp_path / source.name
    shutil.copy(source, copy)
    return copy, json.loads(copy.read_text())


def test_a_token_in_notebook_outputs_or_widget_state_is_found(tmp_path: Path) -> None:
    copy, nb = _notebook_copy(tmp_path)
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
    cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": [f"token {TOKEN}\n"]}]
    copy.write_text(json.dumps(nb, indent=1))
    assert [f.rule for f in scan_paths([copy], env={})] == ["token-shaped"]
    copy, nb = _notebook_copy(tmp_path)
    nb["metadata"]["widgets"] = {
        "application/vnd.jupyter.widget-state+json": {
            "state": {"m1": {"state": {"value": f"{TOKEN}", "description": "API key"}}}
        }
    }
    copy.write_text(json.dumps(nb, indent=1))
    findings = scan_paths([copy], env={})
    assert findings and findings[0].line > 1 and TOKEN not in str(findings[0])


def test_live_environment_secrets_are_found_even_when_low_entropy(tmp_path: Path) -> None:
    (tmp_path / "notes.md").write_text("key is plainpassword1 here\n")
    env = {"ONCEHUB_CLIENT_SECRET": "plainpassword1"}
    assert [(f.line, f.rule) for f in scan_paths([tmp_path], env=env)] == [(1, "live-secret")]
    result = CliRunner().invoke(main, ["scan", str(tmp_path)], env=env)
    assert result.exit_code == 1 and "plainpassword1" not in result.output


@pytest.mark.parametrize(
    "line",
    [
        '"id":"BKNG-6ZEVK2D0OFJ2","owner":"USR-1Q7NIG2CKR","contact":"CTC-FJBOSK6DUIV2ZC"',
        "Request-Id: req_844a74bfec312ab6 req_replay000001",
        '"transaction_id":"ch_B4kR2sT9xW1yZ0aQ7pL3mN8v"',
        "sha256=uc5n9LjwhgRdvQnayNywuIpnLxIeGYkAUvSDeezg7Hs",
        'integrity: "sha512-Xy9Pq2Lm4Nb6Vc8Tr0Yw1Ua3Sd5Fg7Hj9Kl2Zx4Cv6Bn8Mq0We2Rt4Yu6Io8Pa=="',
        "hash = 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
        "uuid 3f2a8b1c-4d5e-6f70-8192-a3b4c5d6e7f8 and event c8519fp86udprrjhjh8fg9ebmr",
        '"image/png": "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk"',
        'hub = OnceHub(api_key="...")  # or api_key=os.environ["ONCEHUB_API_KEY"]',
        "client_secret=None, state=replay-1-decc4bb617cd98effbcbc0be0c7e51c7fe",
        'OAuthConfig.from_env(client_secret="not-the-secret-0123456789")',
        "Authorization:\n      - Basic <CLIENT_CREDENTIALS_1>",
        "test_a_planted_token_in_a_cassette_copy_fails_the_scan OAuthAuth.refresh_count",
    ],
)
def test_ids_hashes_and_placeholders_are_not_secrets(line: str) -> None:
    assert scan_text(line, env={}) == []


def test_yaml_header_lists_are_checked() -> None:
    findings = scan_text(f"    API-Key:\n    - {TOKEN}\n", env={})
    assert [(f.line, f.rule) for f in findings] == [(2, "secret-field")]


@pytest.mark.parametrize(
    "line",
    [
        '{"access_token": "plain-words-as-a-token"}',
        '{"Access_Token" : "plain-words-as-a-token", "token_type": "Bearer"}',
        "uri: https://sandbox.invalid/cb?access_token=plain-words-as-a-token&x=1",
        "'access_token': 'plain-words-as-a-token'",
    ],
)
def test_an_access_token_field_is_a_finding_whatever_its_value(line: str) -> None:
    # low entropy, all lower case: the token-shaped rule alone would miss it
    assert scan_text("plain-words-as-a-token", env={}) == []
    assert [f.rule for f in scan_text(line, env={})] == ["secret-field"]

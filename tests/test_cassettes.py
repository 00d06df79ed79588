"""Every recorded scenario replays offline; the scrubber removes secrets in both directions."""

from __future__ import annotations

import base64
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from vcr.errors import CannotOverwriteExistingCassetteException
from vcr.request import Request

from oncehub_nb import ReauthorizationRequired
from oncehub_nb.testing import (
    REPLAY_API_BASE,
    SCENARIOS,
    Scrubber,
    cassette_dir,
    cassette_path,
    replay,
)

ROOT = Path(__file__).resolve().parent.parent
pytestmark = (
    pytest.mark.block_network
)  # pytest-recording: no socket may connect, not even 127.0.0.1


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_replays_offline(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    slept: list[float] = []
    real_sleep = time.sleep
    main = threading.get_ident()

    def watched_sleep(seconds: float) -> None:
        if threading.get_ident() == main:
            slept.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(time, "sleep", watched_sleep)
    with replay(name) as run:
        assert run.run() == run.scenario.expected
        assert run.unplayed() == []  # every recorded exchange was needed
    assert sum(slept) == 0  # no backoff sleeps, no real waiting: the kit's clock moves instead


def test_cassettes_and_scenarios_match_and_readme_lists_them() -> None:
    assert cassette_dir() == ROOT / "cassettes"
    files = {p.stem for p in (ROOT / "cassettes").glob("*.yaml")}
    assert files == set(SCENARIOS)
    readme = (ROOT / "cassettes" / "README.md").read_text()
    for name in SCENARIOS:
        assert f"`{name}`" in readme
        assert cassette_path(name).stat().st_size < 150_000


def test_a_request_not_in_the_cassette_is_refused() -> None:
    with replay("api-key-valid") as run:
        assert "@" in run.hub.validate()
        with pytest.raises(CannotOverwriteExistingCassetteException):
            run.hub.bookings.get("BKNG-NOT-RECORDED")


def test_a_tester_drives_refresh_rotation_with_the_kit_clock() -> None:
    with replay("refresh-rotation") as run:
        hub = run.hub
        assert hub.settings.api_base == REPLAY_API_BASE
        hub.validate()
        first = run.store.load_token(run.oauth_config().profile)
        run.clock.advance(3570)
        hub.validate()
        second = run.store.load_token(run.oauth_config().profile)
        assert first is not None and second is not None
        assert (first.access_token, second.access_token) == ("<ACCESS_TOKEN_1>", "<ACCESS_TOKEN_2>")
        assert second.refresh_token == "<REFRESH_TOKEN_2>"


def test_the_retry_after_401_must_use_the_new_token() -> None:
    with replay("oauth-401-refresh-retry") as run:
        hub = run.hub
        hub.validate()
        session: Any = hub.auth
        session.refresh = lambda *_, **__: session.current_token  # "forgets" to refresh
        with pytest.raises(CannotOverwriteExistingCassetteException):
            hub.validate()


def test_unknown_scenario_and_no_client_scenarios() -> None:
    with pytest.raises(KeyError, match="refresh-rotation"):
        cassette_path("nope")
    with replay("oauth-denied") as run, pytest.raises(ValueError, match="no signed-in client"):
        run.hub  # noqa: B018


def test_revoked_replay_raises_reauthorization_required_for_users_too() -> None:
    with replay("refresh-revoked-reauthorize") as run:
        hub = run.hub
        hub.validate()
        run.clock.advance(3600)
        with pytest.raises(ReauthorizationRequired):
            hub.validate()


# -- the scrubber ------------------------------------------------------------------------------

SECRET = "Zq8bP2xLw9KcV4mN7tRy1sUa"
OTHER = "Hh3kL0pQ9wErT5yU2iOp7aSd"


def _response(body: str, **headers: str) -> dict[str, Any]:
    return {
        "status": {"code": 200, "message": "OK"},
        "headers": {k.replace("_", "-"): [v] for k, v in headers.items()},
        "body": {"string": body.encode()},
    }


def test_scrubbing_both_directions_with_stable_placeholders() -> None:
    s = Scrubber(hosts={"http://127.0.0.1:5123": "https://sandbox.invalid"}, env={})
    basic = base64.b64encode(f"app:{OTHER}".encode()).decode()
    request = Request(
        "POST",
        f"http://127.0.0.1:5123/oauth/token?api_key={SECRET}x",
        f"grant_type=refresh_token&refresh_token={SECRET}&client_secret={OTHER}",
        {"Authorization": f"Basic {basic}", "Content-Type": "application/x-www-form-urlencoded"},
    )
    out = s.before_record_request(request)
    assert out.uri == "https://sandbox.invalid/oauth/token?api_key=<API_KEY_1>"
    assert out.body == b"grant_type=refresh_token&refresh_token=<REFRESH_TOKEN_1>" + (
        b"&client_secret=<CLIENT_SECRET_1>"
    )
    assert out.headers["Authorization"] == "Basic <CLIENT_CREDENTIALS_1>"
    response = s.before_record_response(
        _response(
            f'{{"access_token": "{SECRET}1", "refresh_token": "{SECRET}", "secret": "{OTHER}"}}',
            Date="Mon, 01 Jun 2026 00:00:00 GMT",
            Server="Werkzeug",
            Location=f"http://127.0.0.1:5123/cb?code={OTHER}9&state=s",
            Set_Cookie=f"session={SECRET}2; Path=/; HttpOnly",
            Request_Id="req_0123456789abcdef",
            Content_Length="999",
        )
    )
    text = response["body"]["string"].decode()
    assert text == (
        '{"access_token": "<ACCESS_TOKEN_1>", "refresh_token": "<REFRESH_TOKEN_1>", '
        '"secret": "<CLIENT_SECRET_1>"}'
    )
    headers = response["headers"]
    assert "Date" not in headers and "Server" not in headers
    assert headers["Location"] == ["https://sandbox.invalid/cb?code=<CODE_1>&state=s"]
    assert headers["Set-Cookie"] == ["session=<COOKIE_1>; Path=/; HttpOnly"]
    assert headers["Request-Id"] == ["req_replay000001"]
    assert headers["Content-Length"] == [str(len(text))]
    bearer = Request("GET", "http://127.0.0.1:5123/v2/test", None, {})
    bearer.headers["Authorization"] = f"Bearer {SECRET}1"
    assert s.before_record_request(bearer).headers["Authorization"] == "Bearer <ACCESS_TOKEN_1>"
    again = s.before_record_request(s.before_record_request(request))  # idempotent
    assert again.body == out.body and again.uri == out.uri
    assert SECRET not in str(s.before_record_response(response)) and OTHER not in text


def test_the_sandbox_admin_token_never_lands() -> None:
    s = Scrubber(hosts={"http://127.0.0.1:5123": "https://sandbox.invalid"}, env={})
    request = Request("GET", "http://127.0.0.1:5123/_sandbox/stats", None, {})
    request.headers["Sandbox-Admin-Token"] = SECRET
    out = s.before_record_request(request)
    assert out.headers["Sandbox-Admin-Token"] == "<ADMIN_TOKEN_1>"
    body = f'{{"admin_token": "{SECRET}", "seen": "{SECRET}"}}'
    answer = s.before_record_response(_response(body))
    assert SECRET not in str(answer)
    live = Scrubber(env={"ONCEHUB_SANDBOX_ADMIN_TOKEN": OTHER})
    body = live.before_record_request(Request("POST", "https://x/v2/test", f"t={OTHER}", {})).body
    assert OTHER.encode() not in body


def test_live_environment_secrets_never_land() -> None:
    s = Scrubber(env={"ONCEHUB_API_KEY": SECRET})
    out = s.before_record_request(Request("GET", "https://x/v2/test", f"note {SECRET}", {}))
    assert out.body == b"note <API_KEY_1>"


DEVICE_GRANT_FORM = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"


@pytest.mark.parametrize(
    ("name", "polls"),
    [("device-granted", 3), ("device-slow-down", 3), ("device-denied", 2), ("device-expired", 2)],
)
def test_device_cassettes_hold_no_device_code_and_one_poll_per_wait(name: str, polls: int) -> None:
    text = cassette_path(name).read_text()
    # every device_code, in the JSON answer and in each token request, is the placeholder
    values = re.findall(r'device_code(?:"\s*:\s*"|=)([^"&\s]+)', text)
    assert values and set(values) == {"<DEVICE_CODE_1>"}
    assert text.count(DEVICE_GRANT_FORM) == polls == SCENARIOS[name].expected["polls"]
    waits = SCENARIOS[name].expected.get("waits")
    if waits is not None:  # each token request came a full interval after the last answer
        assert len(waits) >= polls and all(w >= 5.0 for w in waits[:polls])
    with replay(name) as run:
        assert run.run() == SCENARIOS[name].expected
        assert run.clock() - 1_780_272_000.0 == sum(waits or [5.0] * polls)

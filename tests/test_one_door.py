"""The one send path: every request (API, code exchange, refresh, revocation) leaves through it.

Real servers on loopback (tests/http_doubles.py) play a token endpoint that redirects, an API
that drips bytes, one that sends too much, one that cannot be reached.
"""

from __future__ import annotations

import re
import time
import traceback
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from oncehub_nb import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    NotFoundError,
    OnceHub,
    TokenExchangeError,
)
from oncehub_nb._config import Settings
from oncehub_nb._http.credentials import Policy
from oncehub_nb._http.transport import Transport
from oncehub_nb.auth import AuthorizationFlow, MemoryTokenStore, OAuthAuth, OAuthConfig, Token
from tests.http_doubles import drip, drip_headers, json_answer, redirect_to, serve

ROOT = Path(__file__).resolve().parents[1]
REDIRECT = "http://127.0.0.1:8765/callback"
TOKEN = "access-token-0123456789abcdef"
REFRESH = "refresh-token-0123456789abcdef"


def _config(token_url: str, **more: str) -> OAuthConfig:
    return OAuthConfig(
        client_id="app",
        client_secret="secret-0123456789abcdef",
        redirect_uri=REDIRECT,
        authorize_url="https://auth.example/authorize",
        token_url=token_url,
        **more,
    )


def _quiet(**settings: object) -> Transport:
    return Transport(Settings.resolve(env={}, rate_limit=False, backoff_base=0.01, **settings))


def _stored(store: MemoryTokenStore, config: OAuthConfig, *, expired: bool) -> Token:
    now = time.time()
    token = Token(
        access_token=TOKEN,
        refresh_token=REFRESH,
        expires_at=now - 10 if expired else now + 3600,
        obtained_at=now - 3600,
    )
    store.save_token(config.profile, token)
    return token


@pytest.mark.parametrize("status", [307, 308])
def test_token_requests_are_never_sent_where_a_redirect_points(status: int) -> None:
    with serve(lambda h: json_answer(b"{}")(h), host="127.0.0.2") as (elsewhere, caught):
        with serve(redirect_to(f"{elsewhere}/steal", status)) as (endpoint, _seen):
            config = _config(f"{endpoint}/token", revoke_url=f"{endpoint}/revoke")
            sender = _quiet()
            # the code exchange
            store = MemoryTokenStore()
            flow = AuthorizationFlow(config, store=store, sender=sender)
            state = parse_qs(urlsplit(flow.start()).query)["state"][0]
            with pytest.raises(TokenExchangeError, match="redirect") as exchanged:
                flow.finish(f"{REDIRECT}?code=the-code-0123456789&state={state}")
            assert "nothing was sent there" in str(exchanged.value)
            # the refresh: refused, and the stored refresh token is kept
            stored = _stored(store, config, expired=True)
            auth = OAuthAuth(config, store=store)
            with pytest.raises(TokenExchangeError, match="redirect"):
                auth.refresh(sender)
            assert store.load_token(config.profile) == stored
            # the revocation
            with pytest.raises(TokenExchangeError, match="redirect"):
                auth.revoke(sender)
    assert caught.requests == []  # the code, verifier and refresh token never left home


def test_an_api_redirect_with_a_non_utf8_location_is_a_typed_error() -> None:
    with serve(redirect_to(b"http://elsewhere.example/\xff\xfe", 302)) as (base, seen):
        with OnceHub(api_key="k" * 24, api_base=f"{base}/v2", env={}, rate_limit=False) as hub:
            with pytest.raises(APIStatusError, match="redirect") as info:
                hub.validate()
    assert info.value.status_code == 302
    assert len(seen.requests) == 1


@pytest.mark.parametrize("server", ["body", "headers"])
def test_the_timeout_bounds_the_whole_request(server: str) -> None:
    # 40 bytes, one every 0.3 s, would take 12 s; each read alone is well within 1 s.
    answer = drip(b'{"message": "' + b"x" * 25 + b'"}', every=0.3)
    if server == "headers":
        answer = drip_headers(every=0.3)
    with serve(answer) as (base, _):
        hub = OnceHub(
            api_key="k" * 24, api_base=f"{base}/v2", env={}, rate_limit=False, timeout=1,
            max_retries=0,
        )  # fmt: skip
        started = time.monotonic()
        with pytest.raises(APITimeoutError, match="within 1 s"):
            hub.validate()
        elapsed = time.monotonic() - started
        hub.close()
    assert elapsed < 3.0, elapsed  # the deadline (1 s), not the drip (12 s)


def test_a_body_over_the_cap_is_refused() -> None:
    body = b"[" + b"1," * 5000 + b"1]"
    with serve(json_answer(body)) as (base, _):
        with OnceHub(
            api_key="k" * 24, api_base=f"{base}/v2", env={}, rate_limit=False,
            max_response_bytes=4096,
        ) as hub:  # fmt: skip
            with pytest.raises(APIResponseValidationError, match="larger than 4096"):
                hub.transport.request("GET", "/bookings")


def test_an_unreachable_server_fails_fast_and_says_so_first() -> None:
    hub = OnceHub(api_key="k" * 24, api_base="http://127.0.0.1:1/v2", env={})
    started = time.monotonic()
    with pytest.raises(APIConnectionError) as info:
        hub.validate()
    elapsed = time.monotonic() - started
    lines = "".join(traceback.format_exception(info.value)).splitlines()
    assert elapsed < 2.0, elapsed  # refused is retried once, not five times
    assert str(info.value).startswith("Could not reach 127.0.0.1")
    assert len(lines) <= 25, "\n".join(lines)
    assert sum("Traceback" in line for line in lines) <= 2  # at most one chained cause


def test_an_api_base_without_v2_gets_a_hint() -> None:
    with serve(json_answer(b'{"type": "invalid_request_error", "message": "Nope"}', 404)) as (
        base,
        _,
    ):
        with OnceHub(api_key="k" * 24, api_base=base, env={}, rate_limit=False) as hub:
            with pytest.raises(NotFoundError, match=r"https://api\.oncehub\.com/v2"):
                hub.validate()


def test_a_token_request_is_not_sent_again_after_a_read_timeout() -> None:
    with serve(drip(b'{"access_token": "' + b"a" * 30 + b'"}', every=0.5)) as (base, seen):
        config = _config(f"{base}/token")
        store = MemoryTokenStore()
        stored = _stored(store, config, expired=True)
        with pytest.raises(APITimeoutError):
            OAuthAuth(config, store=store).refresh(_quiet(timeout=0.5, max_retries=3))
    assert len(seen.requests) == 1  # the server may have rotated already: never twice
    assert store.load_token(config.profile) == stored


def test_the_door_retries_by_policy() -> None:
    answers = iter([503, 503, 200])

    def flaky(handler: object) -> None:
        json_answer(b"{}", next(answers))(handler)  # type: ignore[arg-type]

    with serve(flaky) as (base, seen):
        sender = _quiet()
        request = requests.Request("POST", f"{base}/token").prepare()
        assert sender.send(request, policy=Policy.TOKEN).status_code == 200
        assert len(seen.requests) == 3
    with serve(json_answer(b"{}", 500)) as (base, seen):
        request = requests.Request("POST", f"{base}/token").prepare()
        assert _quiet().send(request, policy=Policy.TOKEN).status_code == 500
        assert len(seen.requests) == 1  # a 500 may have acted: a token call is not repeated


def test_no_isinstance_on_credential_kinds_above_auth() -> None:
    kinds = r"isinstance\([^)]*\b(ApiKeyAuth|OAuthAuth|DeferredAuth|NoCredential|Credential)\b"
    found = []
    for path in (ROOT / "oncehub_nb").rglob("*.py"):
        relative = path.relative_to(ROOT / "oncehub_nb").as_posix()
        if relative.startswith(("auth/", "_http/")):
            continue
        found += [f"{relative}: {m.group(0)}" for m in re.finditer(kinds, path.read_text())]
    assert found == []

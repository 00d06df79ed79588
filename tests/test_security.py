"""The client-side checklist of RFC 9700 / RFC 6749 section 10, one test per behaviour.

Each test is listed in ``docs/explanation/security.md`` and fails if its behaviour is removed.
Everything runs against the sandbox on 127.0.0.1 or with fakes.
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import logging
import os
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from oncehub_nb import (
    APIStatusError,
    ConfigurationError,
    InvalidRedirectURL,
    OnceHub,
    ReauthorizationRequired,
    StateMismatch,
    TokenExchangeError,
)
from oncehub_nb.auth import (
    AuthorizationFlow,
    FileTokenStore,
    MemoryTokenStore,
    OAuthAuth,
    OAuthConfig,
    Token,
)
from oncehub_nb.auth.grants import exchange_code, refresh_grant
from oncehub_nb.sandbox import Sandbox
from tests.oauth_helpers import config_for, sender, sign_in
from tests.reliability_scenarios import capture, count_leaks, describe, sandbox_secrets

REDIRECT = "http://127.0.0.1:8765/callback"


@pytest.fixture
def sb(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox(bookings=120, seed=5, time_scale=0.01)


def spy_flow(config: OAuthConfig, calls: list[tuple[str, str, str, str]], **kw: Any) -> Any:
    def exchange(cfg: Any, code: str, verifier: str, redirect: str, state: str) -> Any:
        calls.append((code, verifier, redirect, state))
        return {"access_token": "access-" + "a" * 30, "refresh_token": "r" * 30, "expires_in": 60}

    return AuthorizationFlow(config, store=kw.pop("store", MemoryTokenStore()), exchange=exchange)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


# -- state (RFC 9700 2.1, 4.7; RFC 6749 10.12) -------------------------------------------------


def test_state_is_random_single_use_and_checked_before_any_token_request() -> None:
    config = OAuthConfig(client_id="app", redirect_uri=REDIRECT)
    calls: list[tuple[str, str, str, str]] = []
    flow = spy_flow(config, calls)
    states = {query(flow.start())["state"] for _ in range(20)}
    assert len(states) == 20 and min(len(s) for s in states) >= 43  # 32 random bytes, b64
    state = states.pop()
    with pytest.raises(StateMismatch):  # a forged state: nothing is sent
        flow.finish(f"{REDIRECT}?code=c0de&state=forged-{state}")
    with pytest.raises(StateMismatch):  # no state at all
        flow.finish(f"{REDIRECT}?code=c0de")
    assert calls == []
    flow.finish(f"{REDIRECT}?code=c0de&state={state}")
    assert [c[3] for c in calls] == [state]
    with pytest.raises(StateMismatch):  # the same redirect again: state is single use
        flow.finish(f"{REDIRECT}?code=c0de&state={state}")
    assert len(calls) == 1


# -- PKCE (RFC 9700 2.1.1, RFC 7636) ----------------------------------------------------------


@pytest.mark.parametrize("secret", [None, "s3cret-0123456789abcdef"])
def test_pkce_s256_on_every_sign_in_with_the_matching_verifier(secret: str | None) -> None:
    config = OAuthConfig(client_id="app", client_secret=secret, redirect_uri=REDIRECT)
    calls: list[tuple[str, str, str, str]] = []
    flow = spy_flow(config, calls)
    params = query(flow.start())
    assert params["code_challenge_method"] == "S256"
    flow.finish(f"{REDIRECT}?code=c0de&state={params['state']}")
    verifier = calls[0][1]
    assert 43 <= len(verifier) <= 128
    digest = hashlib.sha256(verifier.encode()).digest()
    assert params["code_challenge"] == base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
    assert params["code_challenge"] != verifier  # never "plain"
    again = query(flow.start())  # a fresh verifier for the next sign-in
    flow.finish(f"{REDIRECT}?code=c0de&state={again['state']}")
    assert calls[1][1] != verifier and again["code_challenge"] != params["code_challenge"]


# -- exact redirect URI (RFC 9700 2.1, 4.1; RFC 6749 10.6) ---------------------------------------


@pytest.mark.parametrize(
    "pasted",
    [
        "http://127.0.0.1:8766/callback?code=c&state={s}",  # other port
        "http://127.0.0.2:8765/callback?code=c&state={s}",  # other host
        "https://127.0.0.1:8765/callback?code=c&state={s}",  # other scheme
        "http://127.0.0.1:8765/callback/x?code=c&state={s}",  # other path
        "http://evil.example/callback?code=c&state={s}",
    ],
)
def test_only_this_apps_exact_redirect_uri_is_accepted(pasted: str) -> None:
    calls: list[tuple[str, str, str, str]] = []
    flow = spy_flow(OAuthConfig(client_id="app", redirect_uri=REDIRECT), calls)
    state = query(flow.start())["state"]
    with pytest.raises(InvalidRedirectURL):
        flow.finish(pasted.format(s=state))
    assert calls == []


def test_the_code_is_redeemed_with_the_redirect_uri_it_was_issued_for() -> None:
    calls: list[tuple[str, str, str, str]] = []
    flow = spy_flow(OAuthConfig(client_id="app", redirect_uri=REDIRECT), calls)
    state = query(flow.start())["state"]
    flow.finish(f"{REDIRECT}/?code=c&state={state}")  # a trailing slash is the same place
    assert calls[0][2] == REDIRECT


# -- no tokens or secrets in URLs (RFC 9700 4.3; RFC 6750 2.3) ---------------------------------


def test_no_token_or_secret_ever_travels_in_a_url(sb: Sandbox) -> None:
    config, store = config_for(sb), MemoryTokenStore()
    flow = AuthorizationFlow(config, store=store)
    authorize_url = flow.start()
    assert config.client_secret and config.client_secret not in authorize_url
    sign_in(sb, config, store)  # a second, complete sign-in
    urls: list[str] = []
    authorizations: list[str] = []

    def watch(response: requests.Response, *args: Any, **kwargs: Any) -> None:
        urls.append(response.request.url or "")
        authorizations.append(str(response.request.headers.get("Authorization", "")))

    with OnceHub.from_oauth(
        config, store=store, api_base=sb.base_url, rate_limit=sb.rate_limit, env={}
    ) as hub:
        hub.transport.hooks["response"].append(watch)  # every exchange, token calls included
        list(hub.bookings.list())
        token = store.load_token(config.profile)
        assert token is not None
        sb.expire_access_token(token.access_token)  # force a refresh on the way
        hub.validate()
    secrets = sandbox_secrets(sb, config)
    assert len(urls) >= 3
    assert count_leaks(urls, secrets) == 0
    api = [a for u, a in zip(urls, authorizations, strict=True) if u.startswith(sb.base_url)]
    assert api and all(a.startswith("Bearer ") for a in api)  # the header, not the query


# -- TLS except loopback (RFC 9700 2.6; RFC 6749 10.9) -------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: OnceHub(api_key="k" * 20, api_base="http://api.oncehub.com/v2", env={}),
        lambda: OAuthConfig(client_id="a", token_url="http://app.oncehub.com/oauth/token"),
        lambda: OAuthConfig(client_id="a", authorize_url="http://10.0.0.1/authorize"),
        lambda: OAuthConfig(client_id="a", redirect_uri="http://example.com/cb"),
        lambda: OAuthConfig(client_id="a", revoke_url="http://example.com/revoke"),
    ],
)
def test_plain_http_is_refused_except_to_loopback(make: Callable[[], Any]) -> None:
    with pytest.raises(ConfigurationError, match="http"):
        make()
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ


# -- credentials go to the API host only ---------------------------------------------------


@pytest.fixture
def redirecting_server() -> Iterator[tuple[str, dict[str, str]]]:
    """An "API" on 127.0.0.1 that redirects to a catcher on 127.0.0.2."""
    caught: dict[str, str] = {}

    class Catcher(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            caught.update(dict(self.headers))
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    catcher = http.server.ThreadingHTTPServer(("127.0.0.2", 0), Catcher)
    target = f"http://127.0.0.2:{catcher.server_port}/steal"

    class Redirector(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    api = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Redirector)
    servers = [catcher, api]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{api.server_port}/v2", caught
    for server in servers:
        server.shutdown()
        server.server_close()


def test_api_key_is_never_sent_to_a_redirect_target(
    redirecting_server: tuple[str, dict[str, str]],
) -> None:
    api_base, caught = redirecting_server
    key = "api-key-that-must-stay-home-0123456789"
    with OnceHub(api_key=key, api_base=api_base, env={}, rate_limit=False) as hub:
        with pytest.raises(APIStatusError, match="redirect") as info:
            hub.validate()
    assert caught == {}  # the redirect was not followed at all
    assert key not in str(info.value)


# -- refresh tokens: rotation, saved before use, protected storage (RFC 9700 2.2.2, 4.14) ---------


def test_rotated_refresh_token_is_saved_before_the_new_token_is_used(sb: Sandbox) -> None:
    config, store = config_for(sb), MemoryTokenStore()
    first = sign_in(sb, config, store)
    stored_when_used: list[Token | None] = []
    now = [(first.expires_at or 0) + 1]
    session = OAuthAuth(config, store=store, clock=lambda: now[0])

    def watch(response: requests.Response) -> None:
        if (response.request.url or "").startswith(sb.base_url):  # an API call, not the refresh
            stored_when_used.append(store.load_token(config.profile))

    with OnceHub(auth=session, api_base=sb.base_url, env={}, rate_limit=False) as hub:
        hub.transport.hooks["response"].append(watch)
        hub.validate()
    current = session.current_token
    assert current is not None and current.refresh_token != first.refresh_token
    assert stored_when_used == [current]  # already in the store when the API saw it
    with pytest.raises(TokenExchangeError, match="invalid_grant"):
        refresh_grant(config, first.refresh_token or "", sender=sender())  # the old one is retired


def test_refused_refresh_deletes_the_stored_token(sb: Sandbox) -> None:
    config, store = config_for(sb), MemoryTokenStore()
    token = sign_in(sb, config, store)
    sb.revoke_token(token.refresh_token or "")
    now = [(token.expires_at or 0) + 1]
    session = OAuthAuth(config, store=store, clock=lambda: now[0])
    with pytest.raises(ReauthorizationRequired):
        session.ensure_token(sender())
    assert store.load_token(config.profile) is None
    assert session.current_token is None


def test_token_and_pending_sign_in_files_are_private_from_creation(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "tokens")
    created_modes: list[int] = []
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:  # the temporary file, before it is moved in
        created_modes.append(stat.S_IMODE(os.stat(src).st_mode))
        real_replace(src, dst)

    config = OAuthConfig(client_id="app", redirect_uri=REDIRECT)
    old_umask = os.umask(0)  # even with a permissive umask
    try:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(os, "replace", replace)
            AuthorizationFlow(config, store=store).start()
            store.save_token(config.profile, Token(access_token="x" * 30, refresh_token="y" * 30))
    finally:
        os.umask(old_umask)
    assert created_modes and set(created_modes) == {0o600}
    assert stat.S_IMODE(store.directory.stat().st_mode) == 0o700
    files = list(store.directory.glob("*.json"))
    assert len(files) == 2
    assert {stat.S_IMODE(f.stat().st_mode) for f in files} == {0o600}


# -- least privilege (RFC 9700 2.3) ----------------------------------------------------------------


def test_only_the_configured_scope_is_requested(sb: Sandbox) -> None:
    config = config_for(sb, scope="read")
    assert query(AuthorizationFlow(config, store=MemoryTokenStore()).start())["scope"] == "read"
    unscoped = OAuthConfig(client_id="app", redirect_uri=REDIRECT)
    assert "scope" not in query(AuthorizationFlow(unscoped, store=MemoryTokenStore()).start())
    token = sign_in(sb, config, MemoryTokenStore())
    assert token.scope == "read"


# -- revocation on sign-out (RFC 7009; RFC 9700 4.14) --------------------------------------


def test_sign_out_revokes_the_refresh_token_at_the_server(sb: Sandbox) -> None:
    config, store = config_for(sb), MemoryTokenStore()
    token = sign_in(sb, config, store)
    assert OAuthAuth(config, store=store).revoke(sender()) is True
    assert store.load_token(config.profile) is None
    with pytest.raises(TokenExchangeError, match="invalid_grant"):
        refresh_grant(config, token.refresh_token or "", sender=sender())


# -- no secrets in logs, reprs or errors (RFC 9700 4.3; DESIGN section 4) -------------------


def test_no_secret_in_debug_logs_reprs_or_error_messages(sb: Sandbox) -> None:
    config, store = config_for(sb), MemoryTokenStore()
    with capture() as texts:
        flow = AuthorizationFlow(config, store=store)
        url = flow.start()
        redirect = sb.consent(url)
        token = flow.finish(redirect)
        texts += [repr(flow), repr(config), repr(token), repr(store)]
        with OnceHub.from_oauth(
            config, store=store, api_base=sb.base_url, rate_limit=sb.rate_limit, env={}
        ) as hub:
            hub.validate()
            sb.expire_access_token(token.access_token)
            hub.validate()  # 401, refresh, retry: all at DEBUG
            session = hub.auth
            assert isinstance(session, OAuthAuth)
            texts += [repr(hub), str(hub), hub._repr_html_(), repr(session)]
            texts.append(repr(session.current_token))
        wrong = config_for(sb, client_secret="wrong-secret-0123456789abcdef")
        bad = AuthorizationFlow(wrong, store=MemoryTokenStore())
        with pytest.raises(TokenExchangeError) as refused:
            bad.finish(sb.consent(bad.start()))
        texts += describe(refused.value)
        with pytest.raises(TokenExchangeError) as reused:  # the used code, straight to the server
            code, state = query(redirect)["code"], query(redirect)["state"]
            exchange_code(config, code, "v" * 64, config.redirect_uri, state, sender=sender())
        texts += describe(reused.value)
        with OnceHub(api_key=sb.api_key, api_base=sb.base_url, env={}) as keyed:
            texts.append(repr(keyed))
            logging.getLogger("oncehub_nb.test").debug("key %s", sb.api_key)
    secrets = [*sandbox_secrets(sb, config), "wrong-secret-0123456789abcdef", code]
    assert len(texts) > 20
    leaks = [(t[:80], s[:4]) for t in texts for s in secrets if s in t]
    assert leaks == []

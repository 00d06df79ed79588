"""The OAuth client against the sandbox's authorization server, over real HTTP on 127.0.0.1."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests

from oncehub_nb import (
    AuthorizationDenied,
    OnceHub,
    PermissionDeniedError,
    ReauthorizationRequired,
    StateMismatch,
    TokenExchangeError,
)
from oncehub_nb.auth import AuthorizationFlow, MemoryTokenStore, OAuthAuth, Token
from oncehub_nb.auth.grants import exchange_code
from oncehub_nb.sandbox import Sandbox
from tests.oauth_helpers import config_for, sender, sign_in


@pytest.fixture
def sb(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox(bookings=250, seed=2, time_scale=0.01)


def client(sb: Sandbox, config: Any, store: Any, **kwargs: Any) -> OnceHub:
    return OnceHub.from_oauth(
        config,
        store=store,
        api_base=sb.base_url,
        rate_limit=sb.rate_limit,
        env={},
        **kwargs,
    )


@pytest.mark.parametrize("kind", ["confidential", "public"])
def test_full_flow_then_bookings(sb: Sandbox, kind: str) -> None:
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ
    config = config_for(sb, kind)
    store = MemoryTokenStore()
    token = sign_in(sb, config, store)
    assert token.refresh_token and token.expires_at
    with client(sb, config, store) as hub:
        assert "@" in hub.validate()
        ids = [b["id"] for b in hub.bookings.list()]
    assert len(ids) == 250
    stats = sb.oauth_stats()
    assert stats["token_requests"] == {"authorization_code": 1}
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ


def test_deny_is_authorization_denied(sb: Sandbox) -> None:
    flow = AuthorizationFlow(config_for(sb), store=MemoryTokenStore())
    with pytest.raises(AuthorizationDenied, match="access_denied"):
        flow.finish(sb.consent(flow.start(), allow=False))
    assert sb.oauth_stats()["token_requests"] == {}


def test_reused_code_is_refused_by_the_server(sb: Sandbox) -> None:
    config = config_for(sb)
    seen: list[tuple[str, str, str, str]] = []

    def remember(cfg: Any, code: str, verifier: str, redirect: str, state: str) -> Any:
        seen.append((code, verifier, redirect, state))
        return exchange_code(cfg, code, verifier, redirect, state, sender=sender())

    store = MemoryTokenStore()
    flow = AuthorizationFlow(config, store=store, exchange=remember)
    redirect = sb.consent(flow.start())
    flow.finish(redirect)
    with pytest.raises(StateMismatch):  # the client refuses a second use itself ...
        flow.finish(redirect)
    with pytest.raises(TokenExchangeError, match="invalid_grant"):  # ... and so does the server
        exchange_code(config, *seen[0], sender=sender())


def test_wrong_client_secret_and_wrong_redirect(sb: Sandbox) -> None:
    wrong_secret = config_for(sb, client_secret="not-the-secret-0123456789")
    flow = AuthorizationFlow(wrong_secret, store=MemoryTokenStore())
    with pytest.raises(TokenExchangeError, match="invalid_client"):
        flow.finish(sb.consent(flow.start()))
    other_redirect = config_for(sb, redirect_uri="http://127.0.0.1:1/callback")
    flow = AuthorizationFlow(other_redirect, store=MemoryTokenStore())
    url = flow.start()
    redirect = sb.consent(url)
    assert redirect.startswith("http://127.0.0.1:1/callback?")
    # a code issued for one redirect URI cannot be redeemed with another
    good = config_for(sb)
    flow2 = AuthorizationFlow(good, store=MemoryTokenStore())
    state = flow2.start().split("state=")[1].split("&")[0]
    code = redirect.split("code=")[1].split("&")[0]
    with pytest.raises(TokenExchangeError, match="invalid_grant"):
        exchange_code(good, code, "x" * 64, good.redirect_uri, state, sender=sender())


def test_expired_code(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(bookings=5, code_ttl=0.2, rate_limit=False)
    flow = AuthorizationFlow(config_for(sb), store=MemoryTokenStore())
    redirect = sb.consent(flow.start())
    threading.Event().wait(0.4)
    with pytest.raises(TokenExchangeError, match="invalid_grant"):
        flow.finish(redirect)


def test_refresh_before_expiry_with_rotation(sb: Sandbox) -> None:
    config, store = config_for(sb), MemoryTokenStore()
    first = sign_in(sb, config, store)
    now = [first.obtained_at or 0.0]
    refreshed: list[Token] = []
    session = OAuthAuth(
        config, store=store, clock=lambda: now[0], on_token_refreshed=refreshed.append
    )
    with OnceHub(auth=session, api_base=sb.base_url, env={}, rate_limit=False) as hub:
        hub.validate()
        assert refreshed == []
        now[0] = (first.expires_at or 0) - 30  # inside the 60 s leeway
        hub.validate()
    assert len(refreshed) == 1
    new = store.load_token(config.profile)
    assert new == refreshed[0]
    assert new is not None and new.refresh_token != first.refresh_token  # rotated and saved
    assert sb.oauth_stats()["refreshes"] == 1
    with pytest.raises(TokenExchangeError, match="invalid_grant"):  # the old one is dead
        from oncehub_nb.auth.grants import refresh_grant

        refresh_grant(config, first.refresh_token or "", sender=sender())


def test_32_threads_sharing_an_expired_token_refresh_once(sb: Sandbox) -> None:
    config, store = config_for(sb), MemoryTokenStore()
    first = sign_in(sb, config, store)
    now = [(first.expires_at or 0) + 10]  # already expired for everyone
    session = OAuthAuth(config, store=store, clock=lambda: now[0])
    barrier = threading.Barrier(32)
    errors: list[BaseException] = []
    with OnceHub(auth=session, api_base=sb.base_url, env={}, rate_limit=False) as hub:

        def work() -> None:
            try:
                barrier.wait()
                hub.validate()
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(32)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert errors == []
    assert sb.oauth_stats()["token_requests"].get("refresh_token") == 1
    assert session.refresh_count == 1


def test_401_on_a_valid_looking_token_refreshes_once_and_retries(sb: Sandbox) -> None:
    config, store = config_for(sb), MemoryTokenStore()
    token = sign_in(sb, config, store)
    with client(sb, config, store) as hub:
        hub.validate()
        assert sb.expire_access_token(token.access_token)  # server-side; client still trusts it
        sb.reset_stats()
        assert "@" in hub.validate()
    stats = sb.stats()
    assert stats["responses"] == {"401": 1, "200": 1}
    assert sb.oauth_stats()["refreshes"] == 1


def test_refused_refresh_clears_the_token_and_asks_to_sign_in(sb: Sandbox) -> None:
    config, store = config_for(sb), MemoryTokenStore()
    token = sign_in(sb, config, store)
    called: list[bool] = []
    hub = client(sb, config, store, on_reauthorization_required=lambda: called.append(True))
    with hub:
        sb.revoke_token(token.refresh_token or "")
        sb.expire_access_token(token.access_token)
        with pytest.raises(ReauthorizationRequired, match="Sign in again"):
            hub.validate()
    assert called == [True]
    assert store.load_token(config.profile) is None
    with pytest.raises(ReauthorizationRequired, match="No token is stored"):
        client(sb, config, store)


def test_tolerates_string_expires_in_and_widened_scope(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = make_sandbox(bookings=5, rate_limit=False, expires_in_as_string=True, widen_scope=True)
    config = config_for(sb, scope="read")
    store = MemoryTokenStore()
    token = sign_in(sb, config, store)
    assert token.expires_at and token.expires_at > (token.obtained_at or 0) + 3000
    assert set(token.scope.split()) == {"read", "write"}
    with client(sb, config, store) as hub:
        assert hub.validate()


def test_read_scope_cannot_write(sb: Sandbox) -> None:
    config, store = config_for(sb, scope="read"), MemoryTokenStore()
    sign_in(sb, config, store)
    booking = next(b for b in sb.ground_truth("bookings") if b["status"] == "scheduled")
    with client(sb, config, store) as hub:
        with pytest.raises(PermissionDeniedError, match="write"):
            hub.transport.request("POST", f"/bookings/{booking['id']}/no-show")


def test_sign_out_revokes_at_the_server(sb: Sandbox) -> None:
    config, store = config_for(sb), MemoryTokenStore()
    token = sign_in(sb, config, store)
    session = OAuthAuth(config, store=store)
    assert session.revoke(sender()) is True
    assert store.load_token(config.profile) is None
    assert sb.oauth_stats()["revocations"] == 1
    bearer = {"Authorization": f"Bearer {token.access_token}"}
    assert requests.get(f"{sb.base_url}/test", headers=bearer, timeout=5).status_code == 401


def test_a_503_from_the_token_endpoint_is_retried(sb: Sandbox) -> None:
    config, store = config_for(sb), MemoryTokenStore()
    first = sign_in(sb, config, store)
    sb.oauth.configure(token_endpoint_down=1)
    now = [(first.expires_at or 0) + 1]
    session = OAuthAuth(config, store=store, clock=lambda: now[0])
    with OnceHub(
        auth=session, api_base=sb.base_url, env={}, rate_limit=False, backoff_base=0.01
    ) as hub:
        assert hub.validate()  # the refresh met one 503 and was sent again
    assert session.refresh_count == 1


def test_token_endpoint_down_beyond_retries_is_a_typed_error(sb: Sandbox) -> None:
    config, store = config_for(sb), MemoryTokenStore()
    first = sign_in(sb, config, store)
    sb.oauth.configure(token_endpoint_down=3)
    now = [(first.expires_at or 0) + 1]
    session = OAuthAuth(config, store=store, clock=lambda: now[0])
    settings = {"env": {}, "rate_limit": False, "backoff_base": 0.01, "max_retries": 1}
    with OnceHub(auth=session, api_base=sb.base_url, **settings) as hub:
        with pytest.raises(TokenExchangeError, match="temporarily_unavailable"):
            hub.validate()
        assert store.load_token(config.profile) == first  # kept: the next call can retry
        sb.oauth.configure(token_endpoint_down=0)
        assert hub.validate()

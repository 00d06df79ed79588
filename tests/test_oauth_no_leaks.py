"""A whole OAuth session with DEBUG logging on: no secret in logs, reprs or error messages."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import pytest

from oncehub_nb import OnceHub, OnceHubError
from oncehub_nb.auth import AuthorizationFlow, MemoryTokenStore, OAuthAuth
from oncehub_nb.auth.grants import exchange_code
from oncehub_nb.sandbox import Sandbox
from tests.oauth_helpers import config_for, sender


def test_debug_logs_reprs_and_errors_hold_no_secret(
    make_sandbox: Callable[..., Sandbox], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    sb = make_sandbox(bookings=20, rate_limit=False)
    config = config_for(sb)
    store = MemoryTokenStore()
    secrets: list[str] = [config.client_secret or ""]

    def exchange(cfg: Any, code: str, verifier: str, redirect: str, state: str) -> Any:
        secrets.extend([code, verifier])
        return exchange_code(cfg, code, verifier, redirect, state, sender=sender())

    flow = AuthorizationFlow(config, store=store, exchange=exchange)
    token = flow.finish(sb.consent(flow.start()))
    secrets += [token.access_token, token.refresh_token or ""]
    now = [token.obtained_at or 0.0]
    session = OAuthAuth(config, store=store, clock=lambda: now[0])
    texts: list[str] = []
    with OnceHub(auth=session, api_base=sb.base_url, env={}, rate_limit=False) as hub:
        hub.validate()
        list(hub.bookings.list())
        now[0] = (token.expires_at or 0) + 1  # force a refresh
        hub.validate()
        refreshed = store.load_token(config.profile)
        assert refreshed is not None and refreshed.access_token != token.access_token
        secrets += [refreshed.access_token, refreshed.refresh_token or ""]
        texts += [repr(hub), repr(session), repr(refreshed), repr(config), repr(flow), repr(store)]
    # failures: a refused code, a refused refresh, a bad key
    for action in (
        lambda: exchange_code(
            config, secrets[1], secrets[2], config.redirect_uri, "s", sender=sender()
        ),
        lambda: OAuthAuth(config_for(sb, client_secret=secrets[0][::-1]), store=store).refresh(
            sender()
        ),
    ):
        with pytest.raises(OnceHubError) as info:
            action()
        texts.append(str(info.value))
    texts.append(caplog.text)
    assert len([s for s in secrets if len(s) >= 16]) == 7
    assert "Obtained token" in caplog.text  # requests-oauthlib's DEBUG lines were captured ...
    for secret in secrets:
        for text in texts:
            assert secret not in text  # ... and masked

"""What comes back from outside (files, keyrings, pasted text, short-lived tokens) is checked."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from oncehub_nb import (
    AuthorizationDenied,
    ConfigurationError,
    OnceHub,
    StateMismatch,
    TokenExchangeError,
)
from oncehub_nb.auth import (
    AuthorizationFlow,
    FileTokenStore,
    KeyringTokenStore,
    MemoryTokenStore,
    OAuthAuth,
    OAuthConfig,
    Token,
)
from oncehub_nb.auth.validate import token_fields
from oncehub_nb.sandbox import Sandbox
from tests.oauth_helpers import config_for, sign_in

CONFIG = OAuthConfig(
    client_id="app", redirect_uri="http://127.0.0.1:8765/callback", token_url="https://t.invalid/t"
)


def _flow(store: Any, exchange: Callable[..., Any] | None = None) -> AuthorizationFlow:
    def refuse(*args: Any) -> Any:
        raise AssertionError("no token request may be sent")

    return AuthorizationFlow(CONFIG, store=store, exchange=exchange or refuse)


# -- token files and pending sign-ins ---------------------------------------------------------


def test_a_token_file_with_a_wrong_type_is_a_clear_error(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path)
    store.write(CONFIG.profile, {"access_token": "a" * 20, "expires_at": "soon"})
    with pytest.raises(ConfigurationError, match=r"damaged.*expires_at"):
        OAuthAuth(CONFIG, store=store)
    assert json.loads(store.path(CONFIG.profile).read_text())["expires_at"] == "soon"  # kept


@pytest.mark.parametrize(
    "damage",
    [
        {"expires_at": float("nan")},
        {"expires_at": "later"},
        {"code_verifier": "short"},
        {"state": 5},
        {"redirect_uri": None},
    ],
)
def test_a_damaged_pending_sign_in_is_refused_and_forgotten(damage: dict[str, Any]) -> None:
    store = MemoryTokenStore()
    flow = _flow(store)
    state = parse_qs(urlsplit(flow.start()).query)["state"][0]
    (name,) = store.names("pending-")
    store.write(name, {**(store.read(name) or {}), **damage})
    assert flow.pending() == []  # a damaged record is not shown as a sign-in in progress
    with pytest.raises(StateMismatch, match="damaged"):
        flow.finish(f"{CONFIG.redirect_uri}?code=c0de-0123456789&state={state}")
    assert store.names("pending-") == []


def test_forget_pending_removes_unfinished_sign_ins() -> None:
    store = MemoryTokenStore()
    flow = _flow(store)
    flow.start()
    flow.start()
    assert len(flow.pending()) == 2
    assert flow.forget_pending(expired_only=False) == 2
    assert store.names("pending-") == []


# -- the token folder and its lock files ------------------------------------------------------


def test_a_symlinked_lock_file_is_refused(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path / "tokens")
    store.write("token-x", {"access_token": "a" * 20})
    target = tmp_path / "elsewhere"
    (tmp_path / "tokens" / "token-x.json.lock").symlink_to(target)
    with pytest.raises(ConfigurationError, match="link"), store.lock("token-x"):
        pass
    assert not target.exists()  # not followed


def test_a_token_folder_of_another_user_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tokens"
    folder.mkdir(mode=0o700)
    monkeypatch.setattr(os, "getuid", lambda: os.stat(folder).st_uid + 1)
    with pytest.raises(ConfigurationError, match="another user"):
        FileTokenStore(folder).write("token-x", {"access_token": "a" * 20})


def test_a_keyring_without_a_backend_is_a_clear_error() -> None:
    keyring = pytest.importorskip("keyring")
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        store = KeyringTokenStore()
        with pytest.raises(ConfigurationError, match="keyring"):
            store.read("token-x")
        with pytest.raises(ConfigurationError, match="keyring"):
            store.write("token-x", {"access_token": "a" * 20})
    finally:
        keyring.set_keyring(previous)


# -- pasted addresses: the state first ----------------------------------------------------------


def test_an_error_is_only_believed_once_its_state_matches() -> None:
    store = MemoryTokenStore()
    flow = _flow(store)
    state = parse_qs(urlsplit(flow.start()).query)["state"][0]
    planted = "error=access_denied&error_description=Call%20+1-555-0100%20to%20restore"
    with pytest.raises(StateMismatch) as unbound:
        flow.finish(f"{CONFIG.redirect_uri}?{planted}&state=someone-elses")
    assert "555" not in str(unbound.value)  # a forged error's text is never shown
    with pytest.raises(AuthorizationDenied, match="restore"):
        flow.finish(f"{CONFIG.redirect_uri}?{planted}&state={state}")


def test_a_wrong_state_does_not_spend_the_sign_in() -> None:
    store = MemoryTokenStore()
    answered = {"access_token": "a" * 20, "token_type": "Bearer", "expires_in": 60}
    flow = _flow(store, exchange=lambda *args: answered)
    state = parse_qs(urlsplit(flow.start()).query)["state"][0]
    with pytest.raises(StateMismatch, match="newest link"):
        flow.finish(f"{CONFIG.redirect_uri}?code=c0de-0123456789&state=older")
    token = flow.finish(f"{CONFIG.redirect_uri}?code=c0de-0123456789&state={state}")
    assert token.access_token == "a" * 20  # the right address still connects


# -- expires_in and the leeway -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [(3600, 3600.0), ("60", 60.0), (0, None), (-5, None), (True, None), ("soon", None),
     (float("inf"), None), (float("nan"), None), (10**400, 10 * 365 * 86400.0), (None, None)],
)  # fmt: skip
def test_expires_in_has_a_safe_meaning(raw: Any, seconds: float | None) -> None:
    assert token_fields({"access_token": "a" * 20, "expires_in": raw})["expires_in"] == seconds


def test_answers_that_are_not_tokens_are_token_exchange_errors() -> None:
    good = "a" * 20
    bodies = [
        {"access_token": "a b"},
        {"access_token": 5},
        {"access_token": good, "token_type": "mac"},
        [],
        None,
        {"access_token": good, "refresh_token": 5},
    ]
    for body in bodies:
        with pytest.raises(TokenExchangeError):
            Token.from_response(body)  # type: ignore[arg-type]


def test_six_second_tokens_are_refreshed_about_once_per_lifetime(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = make_sandbox(bookings=5, rate_limit=False, access_token_ttl=6)
    config, store = config_for(sb), MemoryTokenStore()
    first = sign_in(sb, config, store)
    now = [first.obtained_at or 0.0]
    auth = OAuthAuth(config, store=store, clock=lambda: now[0])  # default leeway: 60 s
    with OnceHub(auth=auth, api_base=sb.base_url, env={}, rate_limit=False) as hub:
        for _ in range(25):  # 25 calls over 10 s of the credential's clock
            hub.validate()
            now[0] += 0.4
    # A fixed 60 s leeway would have refreshed on every one of the 25 calls.
    assert auth.refresh_count <= 4, auth.refresh_count
    assert sb.oauth_stats()["refreshes"] == auth.refresh_count >= 1

"""What sign-ins leave behind (issue 15, item 6): lock files, and the client secret in a repr."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from oncehub_nb import InvalidRedirectURL, StateMismatch
from oncehub_nb.auth import AuthorizationFlow, FileTokenStore, OAuthConfig
from oncehub_nb.sandbox import Sandbox


def test_lock_files_do_not_pile_up(make_sandbox: Callable[..., Sandbox], tmp_path: Path) -> None:
    sb = make_sandbox(bookings=1, rate_limit=False)
    store = FileTokenStore(tmp_path / "tokens")
    config = OAuthConfig(**sb.oauth_settings("public"))
    attempts = 12
    for attempt in range(attempts):
        flow = AuthorizationFlow(config, store=store)
        redirect = sb.consent(flow.start(), allow=True)
        if attempt % 3 == 0:  # finished
            flow.finish(redirect)
        elif attempt % 3 == 1:  # a stale address pasted: an unknown state
            with pytest.raises(StateMismatch):
                flow.finish(redirect.replace("state=", "state=x"))
        else:  # an address of another site
            with pytest.raises(InvalidRedirectURL):
                flow.finish("https://elsewhere.example/cb?code=x&state=y")
    locks = sorted(p.name for p in store.directory.iterdir() if p.name.endswith(".lock"))
    # One for the app's token, one shared by every pending sign-in: not one per attempt.
    assert len(locks) <= 2, locks


def test_keyring_store_lock_files_are_bounded_too(tmp_path: Path) -> None:
    from oncehub_nb.auth import KeyringTokenStore

    store = KeyringTokenStore(lock_dir=tmp_path)  # only its locks are used: no backend needed
    for n in range(10):
        with store.lock(f"pending-app-{n:032x}"):
            pass
    with store.lock("token-app-0123"):
        pass
    assert len(list(tmp_path.glob("*.lock"))) == 2


def test_the_oauth_config_repr_shows_none_of_the_client_secret() -> None:
    secret = "Zk7QpXw2-confidential-client-secret"
    config = OAuthConfig(client_id="app", client_secret=secret)
    text = repr(config)
    for size in range(2, len(secret) + 1):
        assert secret[:size] not in text, size
    assert "client_secret='<set, hidden>'" in text
    assert "client_secret=None" in repr(OAuthConfig(client_id="app"))

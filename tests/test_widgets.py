"""The sign-in panel, driven headless with Button.click() against a sandbox on 127.0.0.1."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pytest

import oncehub_nb
from oncehub_nb import MissingDependencyError, ReauthorizationRequired
from oncehub_nb.auth import MemoryTokenStore, OAuthConfig
from oncehub_nb.notebook.panel import LoginPanel
from oncehub_nb.sandbox import Sandbox


@pytest.fixture
def sb(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox(bookings=20, seed=4, rate_limit=False)


def make_panel(sb: Sandbox, store: Any = None, **kwargs: Any) -> LoginPanel:
    kwargs.setdefault("config", OAuthConfig(**sb.oauth_settings("public")))
    return oncehub_nb.login_panel(
        store=store if store is not None else MemoryTokenStore(),
        api_base=sb.base_url,
        rate_limit=False,
        env={},
        catch_redirect=False,
        **kwargs,
    )


def widget_state_text() -> str:
    return json.dumps(w.Widget.get_manager_state(drop_defaults=False), default=str)


def test_oauth_tab_first_only_with_an_app(sb: Sandbox) -> None:
    assert make_panel(sb).tabs.titles == ("Sign in (OAuth)", "API key")
    assert make_panel(sb, config=None).tabs.titles == ("API key", "Sign in (OAuth)")


def test_api_key_wrong_then_right(sb: Sandbox) -> None:
    store = MemoryTokenStore()
    panel = make_panel(sb, store=store, config=None)
    with pytest.raises(ReauthorizationRequired, match="Not signed in yet"):
        panel.client.validate()
    panel.key.value = "not-the-key-0123456789"
    panel.key_connect.click()
    assert panel.key.value == ""  # cleared at once, even when wrong
    assert "did not accept that API key" in panel.status.value
    assert not panel.connected
    panel.key.value = f"  {sb.api_key} "
    panel.key_connect.click()
    assert panel.key.value == ""
    assert panel.connected and "Connected as" in panel.status.value
    assert panel.connected_box.layout.display is None
    assert panel.sign_in_box.layout.display == "none"
    assert sb.api_key[:4] + "…" in panel.details.value and "memory" in panel.details.value
    assert sb.api_key not in widget_state_text()
    assert panel.client.validate() == panel.client.account
    assert oncehub_nb.auth.tokens.load_api_key(store, sb.base_url) == sb.api_key
    html = panel.client._repr_html_()
    assert sb.api_key not in html and sb.api_key[:4] + "…" in html
    panel.sign_out_button.click()
    assert not panel.connected and "no longer kept" in panel.status.value
    assert oncehub_nb.auth.tokens.load_api_key(store, sb.base_url) is None
    with pytest.raises(ReauthorizationRequired):
        panel.client.bookings.to_frame()


def test_empty_key_and_empty_address_are_explained(sb: Sandbox) -> None:
    panel = make_panel(sb)
    panel.key_connect.click()
    assert "empty" in panel.status.value
    panel.oauth_connect.click()
    assert "Paste the address" in panel.status.value


def test_oauth_deny_restart_then_allow(sb: Sandbox) -> None:
    store = MemoryTokenStore()
    panel = make_panel(sb, store=store)
    first = panel.authorize_url
    assert first.split("?")[0] in panel.link.value and "noopener" in panel.link.value
    assert panel.restart.layout.display == "none"
    panel.pasted.value = sb.consent(first, allow=False)
    panel.oauth_connect.click()
    assert panel.pasted.value == ""
    assert "Access was denied" in panel.status.value
    assert panel.restart.layout.display is None  # one click to start again
    panel.restart.click()
    second = panel.authorize_url
    assert second != first and "New sign-in link" in panel.status.value
    redirect = sb.consent(second)
    panel.pasted.value = redirect
    panel.oauth_connect.click()
    assert panel.pasted.value == ""
    assert panel.connected, panel.status.value
    assert panel.link.value == ""  # the link (with its state) is not kept
    assert "OAuth token" in panel.details.value and "Expires" in panel.details.value
    assert len(panel.client.bookings.to_frame(progress=False)) == 20
    token = store.load_token(OAuthConfig(**sb.oauth_settings("public")).profile)
    assert token is not None
    state = widget_state_text()
    for secret in (token.access_token, token.refresh_token or "", redirect):
        assert secret not in state
    panel.sign_out_button.click()
    assert "revoked" in panel.status.value and sb.oauth_stats()["revocations"] == 1
    assert store.load_token(OAuthConfig(**sb.oauth_settings("public")).profile) is None
    panel.connect_redirect(redirect)  # the used address again: stale
    assert "stale" in panel.status.value and panel.restart.layout.display is None


def test_wrong_address_keeps_the_link(sb: Sandbox) -> None:
    panel = make_panel(sb)
    link = panel.authorize_url
    panel.pasted.value = "https://example.com/somewhere?code=x&state=y"
    panel.oauth_connect.click()
    assert "not this app's redirect address" in panel.status.value
    assert panel.authorize_url == link and panel.restart.layout.display == "none"


def test_network_failure_is_plain(sb: Sandbox) -> None:
    panel = oncehub_nb.login_panel(
        store=MemoryTokenStore(),
        api_base="http://127.0.0.1:9/v2",
        env={},
        max_retries=0,
        rate_limit=False,
        catch_redirect=False,
    )
    panel.connect_api_key("some-key-0123456789abc")
    assert "Could not reach http://127.0.0.1:9/v2" in panel.status.value


def test_reuse_and_force(sb: Sandbox) -> None:
    store = MemoryTokenStore()
    panel = make_panel(sb, store=store)
    assert panel.connect_redirect(sb.consent(panel.authorize_url))
    again = make_panel(sb, store=store)
    assert again.connected and "Already signed in" in again.status.value
    assert not make_panel(sb, store=store, force=True).connected


def test_everything_shown_is_escaped(sb: Sandbox) -> None:
    panel = make_panel(sb, config=None)
    panel.connect_api_key(sb.api_key)
    panel.client.account = "<img src=x onerror=alert(1)>"
    panel._show_connected("")
    assert "<img" not in panel.details.value and "&lt;img" in panel.details.value
    assert "<img" not in panel.status.value
    assert "<img" not in panel.client._repr_html_()


def test_flow_repr_html_shows_no_state(sb: Sandbox) -> None:
    panel = make_panel(sb)
    url = panel.authorize_url
    state = url.split("state=")[1].split("&")[0]
    html = panel.connector.flow._repr_html_()  # type: ignore[union-attr]
    assert "Pending sign-ins" in html and "sandbox-public-app" in html and state not in html


def test_missing_ipywidgets_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [m for m in sys.modules if m.startswith("oncehub_nb.notebook.panel")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "ipywidgets", None)
    with pytest.raises(MissingDependencyError, match=r"pip install 'oncehub-nb\[notebooks\]'"):
        oncehub_nb.login_panel(store=MemoryTokenStore(), env={})

"""The sign-in panel, driven headless with the browser's messages, against a sandbox on 127.0.0.1.

``Front`` stands in for the panel's front end (``static/panel.js``): it sends what the page sends
(``ready``, ``connect_key`` with the typed value, ...) and records what the kernel sends back.
After every step the widget state (what a saved notebook keeps) is checked for the secrets.
"""

from __future__ import annotations

import json
import sys
import time
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


class Front:
    """What the page does: send messages, keep what the kernel sends (never synced)."""

    def __init__(self, panel: LoginPanel) -> None:
        self.panel = panel
        self.received: list[dict[str, Any]] = []
        self.link: str | None = None
        panel.widget.tell = self._receive  # type: ignore[method-assign]

    def _receive(self, message: dict[str, Any]) -> None:
        self.received.append(message)
        if message["type"] in ("hello", "link"):
            self.link = message["link"]

    def send(self, kind: str, **content: Any) -> dict[str, Any] | None:
        before = len(self.received)
        self.panel.widget._handle_custom_msg({"type": kind, **content}, [])
        results = [m for m in self.received[before:] if m["type"] == "result"]
        return results[-1] if results else None

    @property
    def status(self) -> str:
        return self.panel.widget.status


def make_panel(sb: Sandbox, store: Any = None, **kwargs: Any) -> tuple[LoginPanel, Front]:
    kwargs.setdefault("config", OAuthConfig(**sb.oauth_settings("public")))
    panel = oncehub_nb.login_panel(
        store=store if store is not None else MemoryTokenStore(),
        api_base=sb.base_url,
        rate_limit=False,
        env={},
        catch_redirect=False,
        **kwargs,
    )
    front = Front(panel)
    front.send("ready")
    return panel, front


def saved_state() -> str:
    return json.dumps(w.Widget.get_manager_state(drop_defaults=False), default=str)


def assert_not_saved(*secrets: str) -> None:
    state = saved_state()
    for secret in secrets:
        assert secret and secret not in state, secret[:6]


def jargon_free(text: str) -> bool:
    return not any(word in text for word in ("api_key=", "ONCEHUB_", "Pass ", "()", "Error"))


def test_oauth_tab_first_only_with_an_app(sb: Sandbox) -> None:
    assert make_panel(sb)[0].widget.has_oauth
    assert not make_panel(sb, config=None)[0].widget.has_oauth


def test_handshake_answers_ready_with_the_link_as_a_message(sb: Sandbox) -> None:
    panel, front = make_panel(sb)
    assert panel.front_end.is_set()
    assert front.link == panel.authorize_url and "state=" in front.link
    panel.ping()
    assert not panel.front_end.is_set() and front.received[-1] == {"type": "ping"}
    front.send("ready")
    assert panel.front_end.is_set()
    state = panel.authorize_url.split("state=")[1].split("&")[0]
    assert_not_saved(state, panel.authorize_url)


def test_api_key_wrong_then_right(sb: Sandbox) -> None:
    store = MemoryTokenStore()
    panel, front = make_panel(sb, store=store, config=None)
    busy: list[bool] = []
    panel.widget.observe(lambda change: busy.append(change["new"]), names="busy")
    with pytest.raises(ReauthorizationRequired, match="Not signed in yet"):
        panel.client.validate()
    wrong = "not-the-key-0123456789"
    assert front.send("connect_key", value=wrong) == {"type": "result", "field": "key", "ok": False}
    assert busy == [True, False]  # Connect disabled while it checked
    assert "did not accept that API key" in front.status and panel.widget.tone == "error"
    assert jargon_free(front.status) and not panel.connected
    assert_not_saved(wrong)
    result = front.send("connect_key", value=f"  {sb.api_key} ")
    assert result == {"type": "result", "field": "key", "ok": True}
    assert panel.connected and panel.widget.connected
    facts = dict(panel.widget.facts)
    assert facts["Credential"] == f"API key {sb.api_key[:4]}…" and "memory" in facts["Stored in"]
    assert facts["Account"] == panel.client.account and facts["Connection"] == sb.base_url
    assert panel.widget.status == ""  # the title says it: no second success line
    assert_not_saved(sb.api_key, wrong)
    assert panel.client.validate() == panel.client.account
    assert oncehub_nb.auth.tokens.load_api_key(store, sb.base_url) == sb.api_key
    front.send("sign_out")
    assert not panel.widget.connected and "no longer kept" in front.status
    assert oncehub_nb.auth.tokens.load_api_key(store, sb.base_url) is None
    with pytest.raises(ReauthorizationRequired):
        panel.client.bookings.to_frame()


def test_empty_fields_are_explained_in_plain_words(sb: Sandbox) -> None:
    panel, front = make_panel(sb)
    front.send("connect_key", value="   ")
    assert "Enter your API key first" in front.status and jargon_free(front.status)
    front.send("connect_address", value="")
    assert "First paste the address" in front.status and jargon_free(front.status)
    assert not panel.widget.restart


def test_oauth_deny_restart_then_allow(sb: Sandbox) -> None:
    store = MemoryTokenStore()
    panel, front = make_panel(sb, store=store)
    first = front.link
    assert first is not None and not panel.widget.restart
    denied = sb.consent(first, allow=False)
    assert front.send("connect_address", value=denied)["ok"] is False  # type: ignore[index]
    assert "You pressed Deny" in front.status and panel.widget.restart
    front.send("restart")
    second = front.link
    assert second and second != first and "new sign-in link" in front.status
    redirect = sb.consent(second)
    assert front.send("connect_address", value=redirect)["ok"] is True  # type: ignore[index]
    assert panel.connected and front.link is None  # the link (with its state) is gone
    facts = dict(panel.widget.facts)
    assert facts["Credential"].startswith("OAuth token") and "Expires" in facts
    assert len(panel.client.bookings.to_frame(progress=False)) == 20
    token = store.load_token(OAuthConfig(**sb.oauth_settings("public")).profile)
    assert token is not None
    code = redirect.split("code=")[1].split("&")[0]
    state = redirect.split("state=")[1].split("&")[0]
    assert_not_saved(token.access_token, token.refresh_token or "", code, state, denied)
    front.send("sign_out")
    assert "revoked" in front.status and sb.oauth_stats()["revocations"] == 1
    assert store.load_token(OAuthConfig(**sb.oauth_settings("public")).profile) is None


def test_wrong_state_keeps_the_link_and_the_right_address_still_connects(sb: Sandbox) -> None:
    panel, front = make_panel(sb)
    other, _ = make_panel(sb)  # another notebook's sign-in
    redirect = sb.consent(panel.authorize_url)
    foreign = sb.consent(other.authorize_url)
    front.send("connect_address", value=foreign)
    assert "another sign-in link" in front.status and not panel.widget.restart
    cut = redirect.split("&state=")[0]
    front.send("connect_address", value=cut)
    assert "cut short" in front.status and not panel.widget.restart
    assert front.send("connect_address", value=redirect)["ok"] is True  # type: ignore[index]


def test_used_address_expired_link_and_expired_code(sb: Sandbox) -> None:
    panel, front = make_panel(sb)
    redirect = sb.consent(panel.authorize_url)
    assert panel.connect_redirect(redirect)
    panel.sign_out()
    front.send("connect_address", value=redirect)  # the used address, after signing out
    assert "another sign-in link" in front.status
    assert panel.connector.flow is not None
    panel.connector.flow.ttl = 0.3  # links last 0.3 s from now on
    panel.start_again()
    late = sb.consent(panel.authorize_url)
    time.sleep(0.4)
    front.send("connect_address", value=late)
    assert "link has expired" in front.status and panel.widget.restart
    panel.connector.flow.ttl = 600
    panel.start_again()
    sb.oauth.code_ttl = 0.2  # codes last 0.2 s
    slow = sb.consent(panel.authorize_url)
    time.sleep(0.4)
    front.send("connect_address", value=slow)
    assert "too much time passed" in front.status and panel.widget.restart
    front.send("connect_address", value=slow)  # again: the sign-in is spent
    assert "already finished or forgotten" in front.status


def test_wrong_address_keeps_the_link(sb: Sandbox) -> None:
    panel, front = make_panel(sb)
    link = front.link
    front.send("connect_address", value="https://example.com/somewhere?code=x&state=y")
    assert "not this app's redirect address" in front.status
    assert panel.authorize_url == link and not panel.widget.restart


def test_network_failure_and_no_plan_are_plain(sb: Sandbox) -> None:
    panel = oncehub_nb.login_panel(
        store=MemoryTokenStore(),
        api_base="http://127.0.0.1:9/v2",
        env={},
        max_retries=0,
        rate_limit=False,
        catch_redirect=False,
    )
    panel.connect_api_key("some-key-0123456789abc")
    assert "Could not reach OnceHub at http://127.0.0.1:9/v2" in panel.widget.status
    panel, front = make_panel(sb, config=None)
    front.send("connect_key", value=sb.no_plan_api_key)
    assert "plan has no API access" in front.status and jargon_free(front.status)


def test_reuse_and_force(sb: Sandbox) -> None:
    store = MemoryTokenStore()
    panel, _ = make_panel(sb, store=store)
    assert panel.connect_redirect(sb.consent(panel.authorize_url))
    again, front = make_panel(sb, store=store)
    assert again.connected and again.widget.connected and front.link is None
    assert not make_panel(sb, store=store, force=True)[0].connected


def test_stop_waiting_sets_the_flag(sb: Sandbox) -> None:
    panel, front = make_panel(sb)
    front.send("stop_waiting")
    assert panel.stop.is_set()


def test_views_are_text_and_the_static_picture_is_escaped(sb: Sandbox) -> None:
    panel, _ = make_panel(sb, config=None)
    html = panel.static_html()
    assert "Sign in to OnceHub" in html and "state=" not in html
    bundle = panel._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data and "text/html" in data
    panel.connect_api_key(sb.api_key)
    panel.client.account = "<img src=x onerror=alert(1)>"
    assert "<img" not in panel.static_html() and "&lt;img" in panel.static_html()
    assert sb.api_key not in panel.static_html() and sb.api_key not in repr(panel)


def test_flow_repr_html_shows_no_state(sb: Sandbox) -> None:
    panel, _ = make_panel(sb)
    url = panel.authorize_url
    state = url.split("state=")[1].split("&")[0]
    html = panel.connector.flow._repr_html_()  # type: ignore[union-attr]
    assert "Pending sign-ins" in html and "sandbox-public-app" in html and state not in html


def test_missing_anywidget_gives_install_hint(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [
        m
        for m in sys.modules
        if m.startswith(("oncehub_nb.notebook.panel", "oncehub_nb.notebook.widget"))
    ]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "anywidget", None)
    with pytest.raises(MissingDependencyError, match=r"pip install '/path/to/clone\[notebooks\]'"):
        oncehub_nb.login_panel(store=MemoryTokenStore(), env={})

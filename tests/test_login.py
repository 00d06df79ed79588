"""oncehub_nb.login(): console prompts, the notebook panel, catching a loopback redirect."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable
from typing import Any

import pytest
import requests

import oncehub_nb
from oncehub_nb import AuthorizationDenied, ConfigurationError, OnceHub
from oncehub_nb.auth import MemoryTokenStore, OAuthConfig
from oncehub_nb.notebook import login as _login
from oncehub_nb.sandbox import Sandbox


@pytest.fixture
def sb(make_sandbox: Callable[..., Sandbox]) -> Sandbox:
    return make_sandbox(bookings=15, seed=5, rate_limit=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def loopback_config(sb: Sandbox) -> OAuthConfig:
    redirect = f"http://127.0.0.1:{free_port()}/callback"
    return OAuthConfig(**sb.oauth_settings("public", redirect_uri=redirect))


def login(sb: Sandbox, **kwargs: Any) -> OnceHub:
    kwargs.setdefault("store", MemoryTokenStore())
    return oncehub_nb.login(api_base=sb.base_url, rate_limit=False, env={}, **kwargs)


class Browser:
    """Stands in for the user's browser: sees the printed link, presses Allow, follows."""

    def __init__(self, sb: Sandbox, *, allow: bool = True, follow: bool = True) -> None:
        self.sb, self.allow, self.follow = sb, allow, follow
        self.threads: list[threading.Thread] = []
        self.redirect: str | None = None
        self.answer: requests.Response | None = None

    def see(self, *texts: str) -> None:
        for word in " ".join(map(str, texts)).split():
            if "/oauth/authorize?" in word:
                thread = threading.Thread(target=self._go, args=(word,))
                thread.start()
                self.threads.append(thread)

    def _go(self, url: str) -> None:
        self.redirect = self.sb.consent(url, allow=self.allow)
        if self.follow:
            self.answer = requests.get(self.redirect, timeout=10)

    def join(self) -> None:
        for thread in self.threads:
            thread.join(10)


def test_console_api_key_then_reuse_then_force(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = MemoryTokenStore()
    monkeypatch.setattr("getpass.getpass", lambda prompt: sb.api_key)
    hub = login(sb, store=store)
    assert hub.account and "@" in hub.account
    assert "Kept in memory" in capsys.readouterr().out
    monkeypatch.setattr("getpass.getpass", pytest.fail)  # must not ask again
    again = login(sb, store=store)
    assert again.account == hub.account and "Already signed in" in capsys.readouterr().out
    monkeypatch.setattr("getpass.getpass", lambda prompt: "wrong-key-0123456789")
    with pytest.raises(oncehub_nb.AuthenticationError):
        login(sb, store=store, force=True)


def test_console_oauth_paste(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def paste(prompt: str) -> str:
        link = next(w for w in capsys.readouterr().out.split() if "/oauth/authorize?" in w)
        return sb.consent(link)

    monkeypatch.setattr("builtins.input", paste)
    config = OAuthConfig(**sb.oauth_settings("public"))
    hub = login(sb, config=config, catch_redirect=False)
    assert len(hub.bookings.to_frame(progress=False)) == 15
    assert sb.oauth_stats()["token_requests"] == {"authorization_code": 1}


def test_console_oauth_denied_raises(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def paste(prompt: str) -> str:
        link = next(w for w in capsys.readouterr().out.split() if "/oauth/authorize?" in w)
        return sb.consent(link, allow=False)

    monkeypatch.setattr("builtins.input", paste)
    with pytest.raises(AuthorizationDenied):
        login(sb, config=OAuthConfig(**sb.oauth_settings("public")), catch_redirect=False)


def test_console_oauth_caught_on_loopback(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    browser = Browser(sb)
    monkeypatch.setattr(_login, "print", browser.see, raising=False)
    monkeypatch.setattr("builtins.input", pytest.fail)  # no paste needed
    hub = login(sb, config=loopback_config(sb), catch_redirect=True, wait=20)
    browser.join()
    assert hub.validate() and browser.answer is not None
    assert "You can close this tab" in browser.answer.text
    assert "code=" not in browser.answer.text


def test_method_oauth_without_app_is_a_configuration_error(sb: Sandbox) -> None:
    with pytest.raises(ConfigurationError, match="method='oauth'"):
        login(sb, method="oauth")


def test_notebook_login_catches_the_redirect(sb: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[Any] = []
    browser = Browser(sb)
    monkeypatch.setattr(_login, "in_notebook", lambda: True)
    monkeypatch.setattr("IPython.display.display", shown.append)

    def display_and_browse(panel: Any) -> None:
        shown.append(panel)
        browser.see(panel.authorize_url)

    monkeypatch.setattr("IPython.display.display", display_and_browse)
    hub = login(sb, config=loopback_config(sb), catch_redirect=True, wait=20)
    browser.join()
    panel = shown[0]
    assert panel.connected and hub is panel.client
    assert "Connected as" in panel.status.value
    assert browser.answer is not None and "Signed in" in browser.answer.text
    assert panel._catcher is None  # the one-shot server is gone


def test_notebook_login_returns_the_client_the_panel_connects(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[Any] = []
    monkeypatch.setattr(_login, "in_notebook", lambda: True)
    monkeypatch.setattr("IPython.display.display", shown.append)
    hub = login(sb, config=OAuthConfig(**sb.oauth_settings("public")), catch_redirect=False)
    (panel,) = shown
    assert not panel.connected and hub is panel.client
    panel.pasted.value = sb.consent(panel.authorize_url)
    panel.oauth_connect.click()
    assert hub.validate() == hub.account


def test_notebook_login_interrupted_wait_falls_back_to_paste(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    shown: list[Any] = []
    monkeypatch.setattr(_login, "in_notebook", lambda: True)
    monkeypatch.setattr("IPython.display.display", shown.append)

    def interrupted(self: Any, timeout: float | None = None) -> bool:
        raise KeyboardInterrupt

    monkeypatch.setattr("oncehub_nb.notebook.panel.LoginPanel.wait", interrupted)
    hub = login(sb, config=loopback_config(sb), catch_redirect=True, wait=20)
    assert "paste the address" in capsys.readouterr().out
    (panel,) = shown
    assert panel._catcher is None and hub is panel.client
    assert panel.connect_redirect(sb.consent(panel.authorize_url))


def test_kernel_is_local_guesses() -> None:
    assert not _login.kernel_is_local({"SSH_CONNECTION": "1 2 3 4"})
    assert not _login.kernel_is_local({"JUPYTERHUB_API_URL": "http://hub/api"})
    assert not _login.in_notebook()

"""login() and login_async(): console prompts, the panel and its waits, a caught redirect."""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
import requests

import oncehub_nb
from oncehub_nb import AuthorizationDenied, ConfigurationError, OnceHub, ReauthorizationRequired
from oncehub_nb.auth import MemoryTokenStore, OAuthConfig
from oncehub_nb.notebook import login as _login
from oncehub_nb.notebook import signin as _signin
from oncehub_nb.notebook import waiting
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
    monkeypatch.setattr(_signin, "print", browser.see, raising=False)
    monkeypatch.setattr("builtins.input", pytest.fail)  # no paste needed
    hub = login(sb, config=loopback_config(sb), catch_redirect=True, wait=20)
    browser.join()
    assert hub.validate() and browser.answer is not None
    assert "You can close this tab" in browser.answer.text
    assert "code=" not in browser.answer.text


def test_method_oauth_without_app_is_a_configuration_error(sb: Sandbox) -> None:
    with pytest.raises(ConfigurationError, match="method='oauth'"):
        login(sb, method="oauth")


def browser_front(panel: Any) -> None:
    """Stand in for the panel's page: answer the kernel's "ping" with "ready", as panel.js does."""

    def tell(message: dict[str, Any]) -> None:
        if message["type"] == "ping":
            threading.Timer(0.05, send, args=({"type": "ready"},)).start()

    def send(content: dict[str, Any]) -> None:
        panel.widget._handle_custom_msg(content, [])

    panel.widget.tell = tell


@pytest.fixture
def notebook(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Pretend to be a notebook kernel; collect the panels shown (no browser unless asked)."""
    shown: list[Any] = []
    monkeypatch.setattr(_login, "in_notebook", lambda: True)
    monkeypatch.setattr("IPython.display.display", shown.append)
    return shown


def test_notebook_login_catches_the_redirect(
    sb: Sandbox, notebook: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = Browser(sb)

    def display_and_browse(panel: Any) -> None:
        notebook.append(panel)
        browser_front(panel)
        browser.see(panel.authorize_url)

    monkeypatch.setattr("IPython.display.display", display_and_browse)
    hub = login(sb, config=loopback_config(sb), catch_redirect=True, wait=20)
    browser.join()
    panel = notebook[0]
    assert panel.connected and hub is panel.client and panel.widget.connected
    assert browser.answer is not None and "Signed in" in browser.answer.text
    assert not panel.catching  # the one-shot server is gone
    assert panel.widget.waiting == ""


def test_a_click_while_login_waits_is_handled_at_once(
    sb: Sandbox, notebook: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key arrives 0.3 s into a 120 s wait: login() returns well within 1 s of it."""
    clicked: list[float] = []

    def display_and_type(panel: Any) -> None:
        notebook.append(panel)
        browser_front(panel)

        def press_connect() -> None:
            clicked.append(time.monotonic())
            panel.widget._handle_custom_msg({"type": "connect_key", "value": sb.api_key}, [])

        threading.Timer(0.3, press_connect).start()

    monkeypatch.setattr("IPython.display.display", display_and_type)
    hub = login(sb, wait=120)
    returned = time.monotonic()
    assert hub.validate() == hub.account
    assert returned - clicked[0] < 1.0


def test_login_without_an_answering_browser_returns_and_says_why(
    sb: Sandbox,
    notebook: list[Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(waiting, "BLOCKING_HANDSHAKE", 0.3)
    hub = login(sb, config=OAuthConfig(**sb.oauth_settings("public")), catch_redirect=False)
    (panel,) = notebook
    assert "await oncehub_nb.login_async()" in capsys.readouterr().out
    assert not panel.connected and hub is panel.client and panel.widget.waiting == ""
    assert panel.connect_redirect(sb.consent(panel.authorize_url))  # the panel still works
    assert hub.validate() == hub.account


def test_headless_login_does_not_wait(
    sb: Sandbox, notebook: list[Any], capsys: pytest.CaptureFixture[str]
) -> None:
    started = time.monotonic()
    hub = oncehub_nb.login(
        store=MemoryTokenStore(), api_base=sb.base_url, env={waiting.HEADLESS_ENV: "1"}
    )
    assert time.monotonic() - started < 2
    assert "not waiting" in capsys.readouterr().out and hub is notebook[0].client
    with pytest.raises(ReauthorizationRequired, match="ONCEHUB_NB_HEADLESS=1"):
        asyncio.run(
            oncehub_nb.login_async(
                store=MemoryTokenStore(), api_base=sb.base_url, env={waiting.HEADLESS_ENV: "1"}
            )
        )


def test_stop_waiting_and_timeout_raise_plain_errors(
    sb: Sandbox, notebook: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def display_and_stop(panel: Any) -> None:
        notebook.append(panel)
        browser_front(panel)
        threading.Timer(
            0.3, panel.widget._handle_custom_msg, ({"type": "stop_waiting"}, [])
        ).start()

    monkeypatch.setattr("IPython.display.display", display_and_stop)
    with pytest.raises(ReauthorizationRequired, match="You stopped waiting"):
        login(sb)
    assert "You can still sign in here" in notebook[-1].widget.status
    monkeypatch.setattr("IPython.display.display", lambda p: (notebook.append(p), browser_front(p)))
    with pytest.raises(ReauthorizationRequired, match="Nobody signed in within 1 s"):
        login(sb, wait=1)
    assert notebook[-1].widget.waiting == ""


def test_login_async_waits_for_the_click(
    sb: Sandbox, notebook: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    def display_and_type(panel: Any) -> None:
        notebook.append(panel)
        browser_front(panel)
        message = {"type": "connect_key", "value": sb.api_key}
        threading.Timer(0.3, panel.widget._handle_custom_msg, (message, [])).start()

    monkeypatch.setattr("IPython.display.display", display_and_type)
    hub = asyncio.run(
        oncehub_nb.login_async(store=MemoryTokenStore(), api_base=sb.base_url, env={}, wait=30)
    )
    assert hub.validate() == hub.account and notebook[0].widget.connected


def test_login_async_without_a_browser_raises(
    sb: Sandbox, notebook: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(waiting, "ASYNC_HANDSHAKE", 0.3)
    with pytest.raises(ReauthorizationRequired, match="No browser shows the sign-in panel"):
        asyncio.run(oncehub_nb.login_async(store=MemoryTokenStore(), api_base=sb.base_url, env={}))


def test_kernel_is_local_guesses() -> None:
    assert not _login.kernel_is_local({"SSH_CONNECTION": "1 2 3 4"})
    assert not _login.kernel_is_local({"JUPYTERHUB_API_URL": "http://hub/api"})
    assert not _login.in_notebook()


def test_a_sign_in_request_shows_no_secret_of_the_environment() -> None:
    from oncehub_nb.auth import MemoryTokenStore
    from oncehub_nb.notebook.signin import SignIn

    env = {"ONCEHUB_API_KEY": "secret-key-0123456789abcdef", "ONCEHUB_CLIENT_SECRET": "cs-98765"}
    sign_in = SignIn.resolve(store=MemoryTokenStore(), env=env, settings={"timeout": 5})
    shown = repr(sign_in)
    assert "secret-key-0123456789abcdef" not in shown and "cs-98765" not in shown
    assert "SignIn(" in shown

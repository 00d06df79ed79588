"""The panel's "Sign in with a code" tab, driven with the browser's messages, against a sandbox.

The background poll runs on a fake clock shared with the sandbox (its sleeps move the clock), so
intervals, ``slow_down`` and expiry are checked without a real second passing. After each step
the widget state, the status line and every message sent to the browser are checked for the
device code: it never leaves the kernel.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any

import ipywidgets as w
import pytest
import requests

import oncehub_nb
from oncehub_nb.auth import MemoryTokenStore, OAuthConfig
from oncehub_nb.notebook.device_tab import DENIED, EXPIRED
from oncehub_nb.notebook.panel import LoginPanel
from oncehub_nb.sandbox import Sandbox
from tests.oauth_helpers import FakeClock

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


class Front:
    """What the page does: send messages, keep what the kernel sends (never synced)."""

    def __init__(self, panel: LoginPanel) -> None:
        self.panel = panel
        self.received: list[dict[str, Any]] = []
        panel.widget.tell = self.received.append  # type: ignore[method-assign]

    def send(self, kind: str, **content: Any) -> None:
        self.panel.widget._handle_custom_msg({"type": kind, **content}, [])

    @property
    def codes(self) -> list[dict[str, Any]]:
        return [m for m in self.received if m["type"] == "device"]


@pytest.fixture
def sb(make_sandbox: Callable[..., Sandbox]) -> tuple[Sandbox, FakeClock]:
    sandbox = make_sandbox(bookings=5, seed=7, rate_limit=False)
    clock = FakeClock()
    sandbox.oauth.devices.clock = clock
    return sandbox, clock


def make_panel(
    sandbox: Sandbox, clock: FakeClock | None, *, env: dict[str, str] | None = None, **kw: Any
) -> tuple[LoginPanel, Front]:
    panel = oncehub_nb.login_panel(
        config=OAuthConfig(**sandbox.oauth_settings("public")),
        store=MemoryTokenStore(),
        api_base=sandbox.base_url,
        rate_limit=False,
        env={"SSH_CONNECTION": "10.0.0.2 5555 10.0.0.1 22"} if env is None else env,
        catch_redirect=False,
        **kw,
    )
    if clock is not None:
        panel.device.clock = clock
        panel.device.sleep = clock.sleep
    front = Front(panel)
    front.send("ready")
    return panel, front


def device_codes(sandbox: Sandbox) -> list[str]:
    return list(sandbox.oauth.devices.records)


def assert_nowhere(panel: LoginPanel, front: Front, secrets: list[str]) -> None:
    """Not in the saved widget state, the status line, nor any message the browser got."""
    seen = json.dumps(w.Widget.get_manager_state(drop_defaults=False), default=str)
    seen += panel.widget.status + json.dumps(front.received) + repr(panel) + panel.static_html()
    assert secrets
    for secret in secrets:
        assert len(secret) > 20 and secret not in seen


def test_code_tab_first_on_a_remote_kernel_only(sb: Any) -> None:
    sandbox, clock = sb
    remote, _ = make_panel(sandbox, clock)
    assert remote.widget.has_device and remote.widget.device_first
    local, _ = make_panel(sandbox, clock, env={}, device_first=False)
    assert local.widget.has_device and not local.widget.device_first
    guessed, _ = make_panel(sandbox, clock, env={})  # None: by kernel_is_local()
    assert guessed.widget.device_first is not oncehub_nb.notebook.login.kernel_is_local({})
    no_endpoint = oncehub_nb.login_panel(
        config=OAuthConfig(**{**sandbox.oauth_settings("public"), "device_authorization_url": ""}),
        store=MemoryTokenStore(),
        api_base=sandbox.base_url,
        env={"SSH_CONNECTION": "x"},
        catch_redirect=False,
    )
    assert not no_endpoint.widget.has_device and not no_endpoint.widget.device_first
    assert not no_endpoint.start_device()
    assert "a code, OAuth sign-in" in remote.static_html()


def test_two_pending_one_slow_down_then_connected(sb: Any) -> None:
    sandbox, clock = sb
    sandbox.oauth.configure(
        device_pending_polls=3, device_slow_down=3, device_auto_decision="allow"
    )
    panel, front = make_panel(sandbox, clock)
    front.send("device_start")
    panel.device.join(10)
    assert panel.connected and panel.widget.connected
    assert panel.client.validate().endswith("@martin-mcmillan.example.com")
    shown, ended = front.codes[1], front.codes[-1]  # [0] clears the page before asking
    assert shown["user_code"][4] == "-" and shown["link"].endswith(shown["user_code"])
    assert shown["page"] == f"{sandbox.root_url}/oauth/device/verify"
    assert shown["expires_in"] == 600
    assert set(shown) == {"type", "link", "page", "user_code", "expires_in"}
    assert ended == {"type": "device", "link": None, "user_code": None, "ended": "ok"}
    # pending, pending, slow_down (5 -> 10 s), token: 4 requests, never sooner than the interval
    assert clock.sleeps == [5.0, 5.0, 5.0, 10.0]
    assert sandbox.oauth_stats()["token_requests"] == {DEVICE_GRANT: 4}
    assert sandbox.oauth_stats()["device"]["too_fast"] == 0
    assert dict(panel.widget.facts)["Credential"].startswith("OAuth")
    assert_nowhere(panel, front, device_codes(sandbox))


def test_allow_on_the_verification_page(sb: Any) -> None:
    sandbox, clock = sb
    decided = threading.Event()
    panel, front = make_panel(sandbox, None)
    panel.device.clock = clock

    def sleep(seconds: float) -> None:  # the user presses Allow during the second wait
        clock.sleep(seconds)
        if len(clock.sleeps) == 2:
            code = panel.device.code
            assert code is not None
            page = requests.get(code.link, timeout=5).text
            ticket = page.split('name="ticket" value="')[1].split('"')[0]
            form = {"ticket": ticket, "user_code": code.user_code, "decision": "allow"}
            assert "Signed in" in requests.post(code.verification_uri, data=form, timeout=5).text
            decided.set()

    panel.device.sleep = sleep
    panel.start_device()
    panel.device.join(10)
    assert decided.is_set() and panel.connected
    assert sandbox.oauth_stats()["device"]["authorization_pending"] == 1
    assert_nowhere(panel, front, device_codes(sandbox))


def test_denied_then_a_new_code(sb: Any) -> None:
    sandbox, clock = sb
    sandbox.oauth.configure(device_pending_polls=1, device_auto_decision="deny")
    panel, front = make_panel(sandbox, clock)
    front.send("device_start")
    panel.device.join(10)
    assert not panel.connected and panel.widget.status == DENIED
    assert panel.widget.tone == "error" and front.codes[-1]["ended"] == "failed"
    sandbox.oauth.configure(device_pending_polls=0, device_auto_decision="allow")
    front.send("device_start", new=True)  # "Get a new code"
    panel.device.join(10)
    assert panel.connected
    assert len({m["user_code"] for m in front.codes if m["user_code"]}) == 2
    assert_nowhere(panel, front, device_codes(sandbox))


def test_expired_has_its_own_message(sb: Any) -> None:
    sandbox, clock = sb
    sandbox.oauth.configure(device_code_ttl=12)
    panel, front = make_panel(sandbox, clock)
    front.send("device_start")
    panel.device.join(10)
    assert panel.widget.status == EXPIRED and EXPIRED != DENIED
    assert "expired" in EXPIRED and not panel.connected
    assert clock.sleeps == [5.0, 5.0, 2.0]  # at 12 s the code is dead: no third request
    assert sandbox.oauth_stats()["token_requests"] == {DEVICE_GRANT: 2}
    assert_nowhere(panel, front, device_codes(sandbox))


def test_a_second_view_gets_the_same_code_and_close_cancels(sb: Any) -> None:
    sandbox, _clock = sb
    panel, front = make_panel(sandbox, None)  # real waits (5 s), cut short by the cancel
    panel.start_device()
    for _ in range(200):
        if panel.device.code is not None:
            break
        threading.Event().wait(0.01)
    code = panel.device.code
    assert code is not None
    front.send("device_start")  # the code tab shown again: no second code
    front.send("ready")  # a new view: it is told the code again
    assert [m["user_code"] for m in front.codes if m["user_code"]] == [code.user_code] * 3
    assert sandbox.oauth_stats()["device"]["codes_issued"] == 1
    panel.close()
    panel.device.join(2)
    assert not panel.device.running and front.codes[-1]["user_code"] is None
    assert sandbox.oauth_stats()["token_requests"] == {}  # cancelled before the first poll
    assert_nowhere(panel, front, device_codes(sandbox))


def test_sign_out_cancels_and_a_new_start_replaces(sb: Any) -> None:
    sandbox, clock = sb
    gate = threading.Event()
    panel, front = make_panel(sandbox, None)
    panel.device.clock = clock
    panel.device.sleep = lambda _s: gate.wait(5)
    panel.start_device()
    panel.start_device(new=True)  # the first is cancelled
    gate.set()
    panel.device.join(5)
    sandbox.oauth.configure(device_auto_decision="allow")
    gate.clear()
    panel.device.sleep = clock.sleep
    panel.start_device(new=True)
    panel.device.join(5)
    assert panel.connected
    front.send("sign_out")
    assert not panel.connected and not panel.device.running
    assert_nowhere(panel, front, device_codes(sandbox))

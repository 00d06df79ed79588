"""Sign in with a code (RFC 8628) in a real browser: the sandbox's verification page, and the
panel's code tab in real JupyterLab 4, driven by headless Chromium as a person.

The verification page: enter the code, Next, Allow (or Deny); the client's polls, on a fake clock
shared with the sandbox, then get the token (or ``access_denied``). The panel: on a kernel that
looks remote (``SSH_CONNECTION``) "Sign in with a code" is the first tab; it shows the code in
large type with a countdown; the link opens the verification page with the code filled in; Allow
there, and the waiting ``login_async()`` cell returns, the next cell's frame appears. The kernel
polls at the sandbox's interval (1 s here, on the real clock): the sandbox counts the token
requests and the gaps between them. The notebook is saved with widget state while the code is
shown and once connected; each save holds 0 device codes (and no other secret the kernel
handled). Skipped only when /usr/bin/chromium or playwright is missing.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oncehub_nb import AuthorizationDenied
from oncehub_nb.auth import MemoryTokenStore, OAuthConfig
from oncehub_nb.auth.device import DeviceFlow
from oncehub_nb.sandbox import Sandbox
from oncehub_nb.sandbox._times import ANCHOR_ENV
from tests._jupyter import (
    CHROMIUM,
    CONTRAST_JS,
    ERRORS_JS,
    FLAGS,
    SIGN_IN_CELLS,
    lowest,
    server,
    write_notebook,
)
from tests._jupyter import SECRETS_PRELUDE as PRELUDE
from tests._jupyter import SECRETS_PROBE as PROBE
from tests.oauth_helpers import FakeClock

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
CELLS = SIGN_IN_CELLS


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        real_clock = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=FLAGS, env=real_clock
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.mark.parametrize("allow", [True, False])
def test_the_verification_page(chromium: Any, allow: bool) -> None:
    clock = FakeClock()
    with Sandbox(bookings=3, seed=7, rate_limit=False) as sb:
        sb.oauth.devices.clock = clock
        config = OAuthConfig(**sb.oauth_settings("public"))
        flow = DeviceFlow(config, store=MemoryTokenStore(), clock=clock, sleep=clock.sleep)
        code = flow.start()
        assert flow.poll(code) is None  # authorization_pending
        page = chromium.new_page()
        try:
            page.goto(code.verification_uri)
            page.get_by_label("Enter the code shown in your notebook").fill(
                code.user_code.lower().replace("-", " ")  # typed loosely: still found
            )
            page.get_by_role("button", name="Next").click()
            assert page.locator("#code").inner_text() == code.user_code
            page.get_by_role("button", name="Allow" if allow else "Deny").click()
            done = "Signed in" if allow else "Access was denied"
            page.get_by_role("heading", name=done).wait_for()
            page.goto(code.link)  # the code is spent: the page says so
            assert "unknown, already used or expired" in page.content()
        finally:
            page.close()
        clock.sleep(code.interval)
        if allow:
            token = flow.poll(code)
            assert token is not None and flow.store.load_token(config.profile) == token
        else:
            with pytest.raises(AuthorizationDenied):
                flow.poll(code)
        assert sb.oauth_stats()["token_requests"] == {DEVICE_GRANT: 2}
        assert sb.oauth_stats()["device"]["too_fast"] == 0


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    base = tmp_path_factory.mktemp("browser-device")
    root = base / "root"
    root.mkdir()
    with Sandbox(bookings=12, seed=8) as sb:
        sb.oauth.configure(device_interval=1)  # real polling, quickly
        oauth = sb.oauth_settings("public")
        env = {
            k: v for k, v in os.environ.items() if not k.startswith("ONCEHUB_") or k == ANCHOR_ENV
        }
        env.update(
            ONCEHUB_API_BASE=sb.base_url,
            ONCEHUB_CLIENT_ID=oauth["client_id"],
            ONCEHUB_REDIRECT_URI=oauth["redirect_uri"],
            ONCEHUB_AUTHORIZE_URL=oauth["authorize_url"],
            ONCEHUB_TOKEN_URL=oauth["token_url"],
            ONCEHUB_DEVICE_AUTHORIZATION_URL=oauth["device_authorization_url"],
            ONCEHUB_SCOPE=oauth["scope"],
            ONCEHUB_TOKEN_DIR=str(base / "tokens"),
            ONCEHUB_NB_SECRETS_OUT=str(base / "secrets.json"),
            SSH_CONNECTION="10.0.0.2 5555 10.0.0.1 22",  # a remote kernel: the code tab first
        )
        yield {"sb": sb, "env": env, "root": root, "base": base}


def _save(page: Any, path: Path) -> str:
    before = path.stat().st_mtime_ns
    page.evaluate("async () => { await window.jupyterapp.commands.execute('docmanager:save'); }")
    deadline = time.monotonic() + 15
    while path.stat().st_mtime_ns == before and time.monotonic() < deadline:
        time.sleep(0.05)
    return path.read_text()


def _contrast(page: Any, label: str, figures: dict[str, Any]) -> None:
    found = page.evaluate(CONTRAST_JS)
    figures[label] = lowest(found)
    assert not [f for f in found if f["ratio"] < 4.5], (label, found)


def _theme(page: Any, dark: bool) -> None:
    name = "JupyterLab Dark" if dark else "JupyterLab Light"
    page.evaluate(
        "async (t) => { await window.jupyterapp.commands.execute('apputils:change-theme',"
        " {theme: t}); }",
        name,
    )
    page.wait_for_function(f"document.body.dataset.jpThemeLight === '{str(not dark).lower()}'")
    page.wait_for_timeout(300)


def test_the_code_tab_in_jupyterlab(world: dict[str, Any], chromium: Any, tmp_path: Path) -> None:
    sb: Sandbox = world["sb"]
    name = "device.ipynb"
    path = world["root"] / name
    write_notebook(path, [PRELUDE, *CELLS, PROBE])
    figures: dict[str, Any] = {}
    saves: dict[str, str] = {}
    with server("jupyterlab", world["root"], world["base"] / "lab", world["env"]) as front:
        context = chromium.new_context(viewport={"width": 1280, "height": 1000})
        context.set_default_timeout(30_000)
        page = context.new_page()
        try:
            page.goto(f"{front['base']}/lab/tree/{name}?reset&token={front['token']}")
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            page.wait_for_function(
                "(n) => { const w = window.jupyterapp?.shell.currentWidget;"
                " return w?.context?.path === n"
                " && w.sessionContext?.session?.kernel?.status === 'idle'; }",
                arg=name,
                timeout=60_000,
            )
            page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
            panel = page.locator(".oncehub-nb-panel").first
            code_tab = panel.get_by_role("tab", name="Sign in with a code")
            code_tab.wait_for(timeout=60_000)
            assert code_tab.get_attribute("aria-selected") == "true"
            assert panel.get_by_role("tab").first.inner_text() == "Sign in with a code"
            user_code = panel.locator(".onb-user-code")
            page.wait_for_function(
                "() => /^[A-Z]{4}-[A-Z]{4}$/.test("
                "document.querySelector('.onb-user-code')?.textContent || '')"
            )
            shown = user_code.inner_text()
            size = float(user_code.evaluate("n => parseFloat(getComputedStyle(n).fontSize)"))
            assert size >= 24, size  # large type
            countdown = panel.locator(".onb-countdown")
            first = countdown.inner_text()
            assert first.startswith(("The code works for 9:5", "The code works for 10:00"))
            page.wait_for_timeout(2200)
            assert countdown.inner_text() != first  # it counts down, live
            panel.get_by_role("button", name="Copy").click()
            panel.get_by_role("button", name="Copied").or_(
                panel.get_by_role("button", name="Press Ctrl+C")
            ).wait_for()
            _contrast(page, "light code tab", figures)
            _theme(page, dark=True)
            _contrast(page, "dark code tab", figures)
            _theme(page, dark=False)
            page.screenshot(path=str(tmp_path / "code-tab.png"))
            saves["code shown"] = _save(page, path)
            assert page.locator("table.dataframe").count() == 0  # the next cell waits
            with context.expect_page() as opened:
                panel.locator("a.oncehub-nb-verify").click()
            verify = opened.value
            assert verify.locator("#code").inner_text() == shown  # filled in by the link
            verify.get_by_role("button", name="Allow").click()
            verify.get_by_role("heading", name="Signed in").wait_for()
            verify.close()
            panel.get_by_text("Connected to OnceHub").wait_for(timeout=20_000)
            page.locator("table.dataframe", has_text="BKNG-").first.wait_for(timeout=60_000)
            assert page.evaluate(ERRORS_JS) == []
            saves["connected"] = _save(page, path)
            page.evaluate(
                "async (i) => { const nb = window.jupyterapp.shell.currentWidget.content;"
                " nb.activeCellIndex = i;"
                " await window.jupyterapp.commands.execute('notebook:run-cell'); }",
                len(CELLS) + 1,
            )
            out = Path(world["env"]["ONCEHUB_NB_SECRETS_OUT"])
            deadline = time.monotonic() + 30
            while not out.exists() and time.monotonic() < deadline:
                time.sleep(0.1)
        finally:
            context.close()
    device_codes = list(sb.oauth.devices.records)
    assert len(device_codes) == 1 and len(device_codes[0]) > 20
    secrets = json.loads(out.read_text())
    assert device_codes[0] in secrets  # the kernel held it (registered), and it stayed there
    for step, text in saves.items():
        assert json.loads(text)["metadata"].get("widgets"), f"{step}: no widget state saved"
        assert text.count(device_codes[0]) == 0, step
        assert [s[:6] for s in secrets if s in text] == [], step
        assert shown not in text, step  # the user code too was a message, never state
    # The kernel polled at the server's interval (1 s): every gap at least that long.
    [times] = sb.oauth.devices.poll_times()
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert all(gap >= 1.0 for gap in gaps), gaps
    device = sb.oauth_stats()["device"]
    assert device["too_fast"] == 0 and device["granted"] == 1
    assert sb.oauth_stats()["token_requests"][DEVICE_GRANT] == len(times)
    figures["token requests"] = len(times)
    figures["gaps (s)"] = [round(g, 2) for g in gaps]
    figures["device codes in each save"] = dict.fromkeys(saves, 0)
    print(json.dumps(figures, indent=1))

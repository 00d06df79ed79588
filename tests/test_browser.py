"""The sign-in panel in real JupyterLab 4 and Notebook 7, driven by headless Chromium as a person.

One sandbox, one JupyterLab, one Notebook 7 and one Chromium for this module (module-scoped,
not session-scoped: Playwright's sync API keeps an event loop running in this thread while it is
open, which would break ``asyncio.run`` in the tests that come after). Each front end gets
the same journey on a two-cell notebook (``hub = await oncehub_nb.login_async(...)``, then
``hub.bookings.to_frame()``), started with Run All: a wrong key (Enter, answered while the cell
waits), an empty key, another sign-in's address, Deny and Start again, then Allow and Connect;
the frame appears only then, with no error output anywhere. Then, in the dark theme: Sign out, a
wrong key again, the right key. After every step (typing, failed, pasted, connecting,
connected) the notebook is saved, widget state included, and each saved file is scanned for the
exact secrets (the kernel's own: API keys, codes, state, PKCE verifier, tokens; and every value
typed or pasted). Every text of the panel is measured against its background (WCAG 2 contrast)
in the light and the dark theme. The sync ``login()`` on this kernel is checked to return with
its note instead of freezing the panel. Screenshots go to the test's temporary folder (or
``$ONCEHUB_NB_SCREENSHOT_DIR``). Skipped only when /usr/bin/chromium or playwright is missing.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from oncehub_nb.auth import AuthorizationFlow, MemoryTokenStore, OAuthConfig
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

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(240)]

JOURNEY = SIGN_IN_CELLS
SYNC_LOGIN = (
    "import oncehub_nb\nfrom oncehub_nb.auth import MemoryTokenStore\n\n"
    "hub = oncehub_nb.login(store=MemoryTokenStore())"
)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The sandbox, the kernels' environment and the folder the servers serve."""
    base = tmp_path_factory.mktemp("browser")
    root = base / "root"
    root.mkdir()
    with Sandbox(bookings=30, seed=8) as sb:
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
            ONCEHUB_REVOKE_URL=oauth["revoke_url"] or "",
            ONCEHUB_SCOPE=oauth["scope"],
            ONCEHUB_TOKEN_DIR=str(base / "tokens"),
            ONCEHUB_NB_SECRETS_OUT=str(base / "secrets.json"),
        )
        yield {"sb": sb, "env": env, "root": root, "base": base, "oauth": oauth}


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    with sync_api.sync_playwright() as p:
        # Chromium runs on the real clock: under a preloaded libfaketime (.ci/run's shifted-clock
        # run) its compositor stalls and screenshots time out. JupyterLab, the kernels and the
        # sandbox keep the shifted clock; what is tested is theirs, not the browser's.
        real_clock = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=FLAGS, env=real_clock
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module", params=["jupyterlab", "notebook"])
def front_end(request: pytest.FixtureRequest, world: dict[str, Any]) -> Iterator[dict[str, Any]]:
    with server(request.param, world["root"], world["base"] / request.param, world["env"]) as s:
        yield s


class Page:
    """One notebook open in a front end, with the few commands the journey needs."""

    def __init__(self, context: Any, front: dict[str, Any], name: str, shots: Path) -> None:
        self.context, self.front, self.name, self.shots = context, front, name, shots
        self.page = context.new_page()
        self.console: list[str] = []
        self.page.on("console", lambda msg: self.console.append(f"{msg.type}: {msg.text}"))
        # JupyterLab: ?reset, so the workspace does not reopen an earlier test's notebook.
        where = "lab/tree" if front["app"] == "jupyterlab" else "notebooks"
        self.page.goto(f"{front['base']}/{where}/{name}?reset&token={front['token']}")
        self.page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
        self.page.wait_for_function("window.jupyterapp !== undefined")
        self.page.wait_for_function(
            "(name) => { const w = window.jupyterapp.shell.currentWidget;"
            " return w?.context?.path === name"
            " && w.sessionContext?.session?.kernel?.status === 'idle'; }",
            arg=name,
            timeout=60_000,
        )

    def command(self, name: str, args: dict[str, Any] | None = None, *, wait: bool = True) -> None:
        script = "async ([n, a]) => { %s window.jupyterapp.commands.execute(n, a); }" % (
            "await" if wait else ""
        )
        self.page.evaluate(script, [name, args or {}])

    def run_cell(self, index: int) -> None:
        self.page.evaluate(
            """async (i) => {
                const nb = window.jupyterapp.shell.currentWidget.content;
                nb.activeCellIndex = i;
                await window.jupyterapp.commands.execute("notebook:run-cell");
            }""",
            index,
        )

    def theme(self, dark: bool) -> None:
        name = "JupyterLab Dark" if dark else "JupyterLab Light"
        self.command("apputils:change-theme", {"theme": name})
        self.page.wait_for_function(
            f"document.body.dataset.jpThemeLight === '{'false' if dark else 'true'}'"
        )
        self.page.wait_for_timeout(300)  # the theme's stylesheet applied

    def save(self, step: str, snapshots: dict[str, str], root: Path) -> None:
        path = root / self.name
        before = path.stat().st_mtime_ns
        self.command("docmanager:save")
        deadline = time.monotonic() + 15
        while path.stat().st_mtime_ns == before and time.monotonic() < deadline:
            time.sleep(0.05)
        snapshots[f"{self.front['app']}:{step}"] = path.read_text()

    def contrast(self, label: str, figures: dict[str, Any]) -> None:
        found = self.page.evaluate(CONTRAST_JS)
        assert found, "no panel text found"
        low, text = lowest(found)
        every = {f["text"]: round(f["ratio"], 2) for f in found}
        figures[f"{self.front['app']}:{label}"] = {"lowest": low, "text": text, "each": every}
        failing = [f for f in found if f["ratio"] < 4.5]
        assert not failing, (label, failing)

    def shot(self, label: str) -> None:
        panel = self.page.locator(".oncehub-nb-panel").first
        panel.scroll_into_view_if_needed()
        self.page.screenshot(path=str(self.shots / f"{self.front['app']}-{label}.png"))
        panel.screenshot(path=str(self.shots / f"{self.front['app']}-panel-{label}.png"))

    def status(self, text: str) -> None:
        self.page.locator(".oncehub-nb-panel .onb-status", has_text=text).wait_for(timeout=15_000)


def consent(context: Any, panel: Any, *, allow: bool) -> str:
    """Open the panel's sign-in link in a new tab, press Allow or Deny, read the address."""
    with context.expect_page() as opened:
        panel.locator("a.oncehub-nb-authorize").click()
    tab = opened.value
    tab.get_by_role("button", name="Allow" if allow else "Deny").click()
    tab.wait_for_selector("#url")
    address = str(tab.locator("#url").input_value())
    tab.close()
    return address


def query(address: str, name: str) -> str:
    return address.split(f"{name}=")[1].split("&")[0] if f"{name}=" in address else ""


def test_sign_in_journey(
    front_end: dict[str, Any], world: dict[str, Any], chromium: Any, tmp_path: Path
) -> None:
    started = time.monotonic()
    sb: Sandbox = world["sb"]
    app = front_end["app"]
    shots = Path(os.environ.get("ONCEHUB_NB_SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    name = f"journey-{app}.ipynb"
    write_notebook(world["root"] / name, [PRELUDE, *JOURNEY, PROBE])
    snapshots: dict[str, str] = {}
    figures: dict[str, Any] = {}
    typed: list[str] = []
    context = chromium.new_context(viewport={"width": 1280, "height": 1100})
    context.set_default_timeout(30_000)
    page = Page(context, front_end, name, shots)
    p = page.page
    try:
        page.theme(dark=False)
        page.command("notebook:run-all-cells", wait=False)  # Run All: login_async() waits
        panel = p.locator(".oncehub-nb-panel").first
        panel.locator("a.oncehub-nb-authorize[href]").wait_for(timeout=60_000)
        panel.locator(".onb-wait", has_text="This cell waits").wait_for()
        page.contrast("light sign-in", figures)
        page.shot("sign-in-light")
        panel.get_by_role("tab", name="API key").click()
        key = panel.get_by_placeholder("OnceHub API key")
        page.contrast("light key tab", figures)
        page.theme(dark=True)  # the waiting view and both tabs, dark
        page.contrast("dark key tab", figures)
        panel.get_by_role("tab", name="OAuth sign-in").click()
        page.contrast("dark sign-in while waiting", figures)
        page.theme(dark=False)

        # A wrong key: typed (saved while typing), then Enter while login_async() waits.
        panel.get_by_role("tab", name="API key").click()
        wrong = "wrong-key-" + sb.api_key[::-1][:16]
        typed.append(wrong)
        key.fill(wrong)
        page.save("typing", snapshots, world["root"])
        pressed = time.monotonic()
        key.press("Enter")
        page.status("did not accept that API key")
        figures[f"{app}:click latency while waiting (s)"] = round(time.monotonic() - pressed, 3)
        assert time.monotonic() - pressed < 1.0
        assert key.input_value() == wrong  # kept in the browser for a fix
        assert p.locator("table.dataframe").count() == 0  # the next cell has not run
        page.save("failed", snapshots, world["root"])
        page.contrast("light error", figures)
        key.fill("")
        key.press("Enter")
        page.status("Enter your API key first")

        # Another sign-in's address, then Deny and Start again, on the OAuth tab.
        panel.get_by_role("tab", name="OAuth sign-in").click()
        field = panel.get_by_placeholder("Paste the address of the page you landed on")
        other = AuthorizationFlow(OAuthConfig(**world["oauth"]), store=MemoryTokenStore())
        foreign = sb.consent(other.start())
        typed.append(foreign)
        field.fill(foreign)
        field.press("Enter")
        page.status("another sign-in link")
        assert field.input_value() == foreign
        assert panel.get_by_role("button", name="Start again").is_hidden()
        denied = consent(context, panel, allow=False)
        typed.append(denied)
        field.fill(denied)
        panel.get_by_role("button", name="Connect").first.click()
        page.status("You pressed Deny")
        panel.get_by_role("button", name="Start again").click()
        page.status("new sign-in link")
        page.theme(dark=True)
        page.contrast("dark info", figures)
        page.theme(dark=False)

        # Allow: paste (saved), Connect (saved while it checks), Connected (saved).
        address = consent(context, panel, allow=True)
        typed.append(address)
        assert query(address, "code") and query(address, "state")
        field.fill(address)
        page.save("pasted", snapshots, world["root"])
        sb.set_latency(1500)  # time to look at the panel while it checks
        pressed = time.monotonic()
        panel.get_by_role("button", name="Connect").first.click()
        panel.get_by_role("button", name="Checking…").wait_for()
        assert panel.get_by_role("button", name="Checking…").is_disabled()
        page.contrast("light connecting", figures)
        page.save("connecting", snapshots, world["root"])
        panel.get_by_text("Connected to OnceHub").wait_for()
        sb.set_latency(0)
        figures[f"{app}:connect with 1.5 s server latency (s)"] = round(
            time.monotonic() - pressed, 2
        )
        p.locator("table.dataframe", has_text="BKNG-").first.wait_for(timeout=60_000)
        outputs = p.locator(".jp-OutputArea-output").all_inner_texts()
        assert any("30 bookings" in text for text in outputs)
        assert p.evaluate(ERRORS_JS) == []  # no error output in any cell
        assert field.count() == 0 or field.is_hidden()
        page.save("connected", snapshots, world["root"])
        page.contrast("light connected", figures)
        page.shot("connected-light")

        # Dark theme: connected, Sign out, a wrong key, the right key.
        page.theme(dark=True)
        page.contrast("dark connected", figures)
        page.shot("connected-dark")
        panel.get_by_role("button", name="Sign out").click()
        page.status("revoked")
        page.contrast("dark sign-in", figures)
        panel.get_by_role("tab", name="API key").click()
        key.fill(wrong)
        key.press("Enter")
        page.status("did not accept that API key")
        page.contrast("dark error", figures)
        page.shot("error-dark")
        key.fill(sb.api_key)
        page.save("typing right key", snapshots, world["root"])
        sb.set_latency(1500)
        key.press("Enter")
        panel.get_by_role("button", name="Checking…").wait_for()
        page.contrast("dark connecting", figures)
        panel.get_by_text("Connected to OnceHub").wait_for()
        sb.set_latency(0)
        assert key.count() == 0 or key.is_hidden()
        page.save("connected with a key", snapshots, world["root"])
        page.theme(dark=False)
        page.run_cell(len(JOURNEY) + 1)  # the probe: every secret the kernel handled
    except Exception:
        p.screenshot(path=str(shots / f"{app}-failure.png"))
        print("\n".join(page.console[-30:]))
        raise
    finally:
        sb.set_latency(0)
        context.close()
    secrets = json.loads(Path(world["env"]["ONCEHUB_NB_SECRETS_OUT"]).read_text())
    secrets += [sb.api_key, sb.no_plan_api_key, *typed]
    secrets += [query(a, n) for a in typed for n in ("code", "state") if query(a, n)]
    assert len(secrets) > 8
    for step, text in snapshots.items():
        assert json.loads(text)["metadata"].get("widgets"), f"{step}: no widget state saved"
        leaked = [s[:6] + "…" for s in secrets if s in text]
        assert not leaked, f"{step} keeps secrets: {leaked}"
    figures[f"{app}:secrets in each save"] = dict.fromkeys(snapshots, 0)
    print(json.dumps(figures, indent=1))
    print(f"{app}: {time.monotonic() - started:.0f} s; screenshots in {shots}")


def test_sync_login_on_this_kernel_returns_with_a_note(
    front_end: dict[str, Any], world: dict[str, Any], chromium: Any, tmp_path: Path
) -> None:
    """ipykernel 7.4 cannot serve a blocking wait: login() says so within seconds; the next
    cell's error shows short (bench/notebook_signin.py has the whole kernel matrix)."""
    name = f"sync-{front_end['app']}.ipynb"
    write_notebook(world["root"] / name, [SYNC_LOGIN, "hub.validate()"])
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(30_000)
    try:
        page = Page(context, front_end, name, tmp_path)
        started = time.monotonic()
        page.command("notebook:run-all-cells", wait=False)
        note = page.page.locator(".jp-OutputArea-output", has_text="For Run All to wait for you")
        note.wait_for(timeout=30_000)
        waited = time.monotonic() - started
        assert waited < 15, waited
        panel = page.page.locator(".oncehub-nb-panel").first
        panel.locator("a.oncehub-nb-authorize[href]").wait_for()  # live once the cell ended
        # The next cell ran at once and failed: shown short, the message and the %tb hint.
        short = page.page.locator(".jp-OutputArea-output", has_text="run %tb in a new cell")
        short.wait_for()
        assert "Not signed in yet" in short.inner_text() and "Traceback" not in short.inner_text()
        (error,) = page.page.evaluate(ERRORS_JS)
        assert error.startswith("ReauthorizationRequired: Not signed in yet")
    finally:
        context.close()

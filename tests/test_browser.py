"""01-sign-in in JupyterLab, driven by headless Chromium as a person would, against the sandbox.

The test starts the sandbox (in this process) and JupyterLab on 127.0.0.1 (a free port, token
auth, no browser, a temporary root with a copy of ``notebooks/01-sign-in.ipynb``). The kernel
gets ``ONCEHUB_NB_INTERACTIVE=1`` and the sandbox's ``ONCEHUB_*`` settings, so the notebook uses
the panel for real (its ``sb.consent`` stand-ins stay idle). Chromium (Debian's, through
Playwright) runs the cells up to the panel, opens the sign-in link, presses Allow, copies the
address from the callback page, pastes it into the panel, presses Connect, sees "Connected", then
runs the remaining cells and waits for the bookings table. A screenshot is left in the test's
temporary folder (or in ``$ONCEHUB_NB_SCREENSHOT_DIR``). Skipped only when /usr/bin/chromium or
the playwright package is missing; CI installs both.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from oncehub_nb.sandbox import Sandbox
from oncehub_nb.sandbox._times import ANCHOR_ENV

CHROMIUM = "/usr/bin/chromium"
NOTEBOOK = Path(__file__).parent.parent / "notebooks" / "01-sign-in.ipynb"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is missing")

pytestmark = [pytest.mark.slow, pytest.mark.timeout(150)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The sandbox and a JupyterLab whose kernels sign in to it."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(NOTEBOOK, root / NOTEBOOK.name)
    port, token = free_port(), secrets.token_hex(16)
    news = tmp_path / "lab-settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    with Sandbox(bookings=30, seed=8) as sb:
        oauth = sb.oauth_settings("public")
        env = {
            k: v for k, v in os.environ.items() if not k.startswith("ONCEHUB_") or k == ANCHOR_ENV
        }
        env.update(
            ONCEHUB_NB_INTERACTIVE="1",
            ONCEHUB_API_BASE=sb.base_url,
            ONCEHUB_CLIENT_ID=oauth["client_id"],
            ONCEHUB_REDIRECT_URI=oauth["redirect_uri"],
            ONCEHUB_AUTHORIZE_URL=oauth["authorize_url"],
            ONCEHUB_TOKEN_URL=oauth["token_url"],
            ONCEHUB_REVOKE_URL=oauth["revoke_url"] or "",
            ONCEHUB_SCOPE=oauth["scope"],
            ONCEHUB_TOKEN_DIR=str(tmp_path / "tokens"),
            JUPYTER_CONFIG_DIR=str(tmp_path / "jupyter-config"),
            JUPYTER_RUNTIME_DIR=str(tmp_path / "jupyter-runtime"),
            JUPYTERLAB_SETTINGS_DIR=str(tmp_path / "lab-settings"),
            JUPYTERLAB_WORKSPACES_DIR=str(tmp_path / "lab-workspaces"),
            IPYTHONDIR=str(tmp_path / "ipython"),
        )
        command = [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            "--expose-app-in-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            *(["--allow-root"] if os.geteuid() == 0 else []),  # CI runs as root
        ]
        log = (tmp_path / "jupyterlab.log").open("w")
        server = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, (tmp_path / "jupyterlab.log").read_text()
                try:
                    if requests.get(f"{base}/api/status?token={token}", timeout=2).ok:
                        break
                except requests.ConnectionError:
                    pass
                assert time.monotonic() < deadline, "JupyterLab did not start in 60 s"
                time.sleep(0.3)
            yield {"url": f"{base}/lab/tree/{NOTEBOOK.name}?token={token}", "sb": sb, "root": root}
        finally:
            stop(server)
            log.close()


def stop(server: subprocess.Popen[bytes]) -> None:
    """End the server and its kernels: the process group it leads, and nothing else."""
    for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, sig)
        try:
            server.wait(grace)
            break
        except subprocess.TimeoutExpired:
            continue


def run_cells(page: Any, first: int, stop: int | None = None) -> None:
    """Run cells ``first`` to ``stop - 1`` one by one, as Shift+Enter on each would."""
    page.evaluate(
        """async ([first, stop]) => {
            const nb = window.jupyterapp.shell.currentWidget.content;
            const last = stop === null ? nb.widgets.length : stop;
            for (let i = first; i < last; i++) {
                nb.activeCellIndex = i;
                await window.jupyterapp.commands.execute("notebook:run-cell");
            }
        }""",
        [first, stop],
    )


def test_sign_in_in_jupyterlab(lab: dict[str, Any], tmp_path: Path) -> None:
    started = time.monotonic()
    shots = Path(os.environ.get("ONCEHUB_NB_SCREENSHOT_DIR") or tmp_path / "screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    cells = json.loads(NOTEBOOK.read_text())["cells"]
    panel_cell = next(
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "code" and "login_panel(" in "".join(c["source"])
    )
    sb: Sandbox = lab["sb"]
    with sync_api.sync_playwright() as p:
        # Chromium runs on the real clock: under a preloaded libfaketime (.ci/run's shifted-clock
        # run) its compositor stalls and screenshots time out. JupyterLab, the kernels and the
        # sandbox keep the shifted clock; what is tested is theirs, not the browser's.
        real_clock = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=FLAGS, env=real_clock
        )
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1400})
            context.grant_permissions(["clipboard-read", "clipboard-write"])
            context.set_default_timeout(30_000)
            page = context.new_page()
            console: list[str] = []
            page.on("console", lambda msg: console.append(f"{msg.type}: {msg.text}"))
            page.goto(lab["url"])
            page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
            page.wait_for_function("window.jupyterapp !== undefined")
            page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
            run_cells(page, 0, panel_cell + 1)  # up to and including the panel
            link = page.locator("a.oncehub-nb-authorize")
            link.wait_for(timeout=45_000)
            page.screenshot(path=str(shots / "01-sign-in-panel.png"))

            # The sign-in page opens in a new tab: press Allow, copy the address shown.
            with context.expect_page() as opened:
                link.click()
            consent = opened.value
            consent.get_by_role("button", name="Allow").click()
            consent.wait_for_selector("#url")
            address = consent.locator("#url").input_value()
            assert "code=" in address
            consent.locator("#copy").click()
            consent.wait_for_function("document.getElementById('copied').textContent !== ''")
            consent.close()

            # Back in the notebook: paste into the panel, Connect.
            field = page.get_by_placeholder("Paste the address of the page you were sent to")
            field.click()
            page.keyboard.press("Control+V")
            how = "pasted from the clipboard"
            if field.input_value() != address:  # no clipboard in this browser: type it
                field.fill(address)
                how = "typed (no clipboard)"
            page.locator(".widget-button", has_text="Connect").first.click()
            page.get_by_text("Connected as").wait_for()
            assert field.input_value() == ""  # cleared at once
            assert page.locator("a.oncehub-nb-authorize").count() == 0  # link gone
            page.locator(
                ".jp-OutputArea-output", has_text="Sign out"
            ).first.scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "01-sign-in-connected.png"))

            # Run the rest of the notebook; the bookings frame appears.
            run_cells(page, panel_cell + 1)
            page.locator("table.dataframe", has_text="BKNG-").first.wait_for(timeout=60_000)
            page.locator(".jp-OutputArea-output", has_text="OAuth token").first.wait_for()
            errors = page.locator('.jp-OutputArea-output[data-mime-type*="error"]')
            assert errors.count() == 0, errors.all_inner_texts()
            page.screenshot(path=str(shots / "01-sign-in-bookings.png"))
            page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        except Exception:
            page.screenshot(path=str(shots / "01-sign-in-failure.png"))
            print("\n".join(console[-30:]))
            raise
        finally:
            browser.close()
    assert sb.oauth_stats()["token_requests"] == {"authorization_code": 1}
    saved = (lab["root"] / NOTEBOOK.name).read_text()
    assert "BKNG-" in saved  # saved with its outputs ...
    assert sb.api_key not in saved and "code=" not in saved  # ... and without secrets
    print(f"address {how}; screenshots in {shots}; {time.monotonic() - started:.0f} s")

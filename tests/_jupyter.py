"""A JupyterLab or Notebook 7 server for the browser tests, and what a page needs from it.

One server per front end per test session (JupyterLab and Notebook 7 each take a few seconds to
start): on 127.0.0.1, a free port, token auth, no browser, a temporary root, news and update
checks off, widget-state saving on (so every save writes ``metadata.widgets``, as a user with
"Save Widget State Automatically" gets). Kernels inherit ``env``.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import requests

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settings_dir(base: Path) -> Path:
    """User settings both front ends read: no news, widget state saved with the notebook."""
    news = base / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True, exist_ok=True)
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    widgets = base / "@jupyter-widgets" / "jupyterlab-manager"
    widgets.mkdir(parents=True, exist_ok=True)
    (widgets / "plugin.jupyterlab-settings").write_text('{"saveState": true}')
    return base


@contextlib.contextmanager
def server(app: str, root: Path, work: Path, env: Mapping[str, str]) -> Iterator[dict[str, Any]]:
    """Start ``jupyterlab`` or ``notebook`` on ``root``; yield its base URL and token."""
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **env,
        "JUPYTER_CONFIG_DIR": str(work / "config"),
        "JUPYTER_RUNTIME_DIR": str(work / "runtime"),
        "JUPYTERLAB_SETTINGS_DIR": str(settings_dir(work / "settings")),
        "JUPYTERLAB_WORKSPACES_DIR": str(work / "workspaces"),
        "IPYTHONDIR": str(work / "ipython"),
    }
    app_class = "LabApp" if app == "jupyterlab" else "JupyterNotebookApp"
    command = [
        sys.executable,
        "-m",
        app,
        "--no-browser",
        f"--{app_class}.expose_app_in_browser=True",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        *(
            [
                "--LabApp.news_url=",
                "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            ]
            if app == "jupyterlab"
            else []
        ),
        *(["--allow-root"] if os.geteuid() == 0 else []),  # CI runs as root
    ]
    work.mkdir(parents=True, exist_ok=True)
    log_path = work / f"{app}.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        try:
            base = f"http://127.0.0.1:{port}"
            deadline = time.monotonic() + 90
            while True:
                assert process.poll() is None, log_path.read_text()
                with contextlib.suppress(requests.ConnectionError):
                    if requests.get(f"{base}/api/status?token={token}", timeout=2).ok:
                        break
                assert time.monotonic() < deadline, f"{app} did not start in 90 s"
                time.sleep(0.3)
            yield {"base": base, "token": token, "app": app, "log": log_path}
        finally:
            stop(process)


def stop(process: subprocess.Popen[bytes]) -> None:
    """End the server and its kernels: the process group it leads, and nothing else."""
    for sig, grace in ((signal.SIGTERM, 15), (signal.SIGKILL, 5)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(grace)
            break
        except subprocess.TimeoutExpired:
            continue


def write_notebook(path: Path, cells: list[str]) -> None:
    """A notebook of code cells, no outputs."""
    nb = {
        "cells": [
            {
                "cell_type": "code",
                "id": f"cell-{i}",
                "metadata": {},
                "source": c,
                "outputs": [],
                "execution_count": None,
            }
            for i, c in enumerate(cells)
        ],
        "metadata": {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        },
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    path.write_text(json.dumps(nb))


# Every text node inside the panel that is shown, with its colour against the colour behind it
# (ancestors' backgrounds composited), as WCAG 2 contrast ratios. Placeholders count as text.
CONTRAST_JS = """
() => {
  const parse = (c) => {
    const m = c.match(/rgba?\\(([^)]+)\\)/);
    if (!m) return [0, 0, 0, 0];
    const p = m[1].split(/[ ,/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => {
    const a = top[3] + under[3] * (1 - top[3]);
    if (a === 0) return [0, 0, 0, 0];
    const mix = (i) => (top[i] * top[3] + under[i] * under[3] * (1 - top[3])) / a;
    return [mix(0), mix(1), mix(2), a];
  };
  const background = (node) => {
    const layers = [];
    for (let n = node; n && n.nodeType === 1; n = n.parentElement) {
      layers.push(parse(getComputedStyle(n).backgroundColor));
    }
    let color = [255, 255, 255, 1];
    for (const layer of layers.reverse()) color = over(layer, color);
    return color;
  };
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (fg, bg) => {
    const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
    return (a + 0.05) / (b + 0.05);
  };
  const found = [];
  for (const panel of document.querySelectorAll(".oncehub-nb-panel")) {
    const walker = document.createTreeWalker(panel, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      const node = t.parentElement;
      if (!t.textContent.trim() || !node.getClientRects().length) continue;
      const bg = background(node);
      const fg = over(parse(getComputedStyle(node).color), bg);
      found.push({ text: t.textContent.trim().slice(0, 40), ratio: ratio(fg, bg) });
    }
    for (const input of panel.querySelectorAll("input")) {
      if (!input.getClientRects().length || input.value) continue;
      const bg = background(input);
      const fg = over(parse(getComputedStyle(input, "::placeholder").color), bg);
      found.push({ text: "placeholder: " + input.placeholder.slice(0, 28), ratio: ratio(fg, bg) });
    }
  }
  return found;
}
"""


def lowest(found: list[dict[str, Any]]) -> tuple[float, str]:
    """The lowest ratio measured and its text."""
    worst = min(found, key=lambda f: f["ratio"])
    return math.floor(worst["ratio"] * 100) / 100, worst["text"]


# The error outputs of the open notebook, read from its model (front ends render an error as
# stderr-styled text, so the DOM alone does not tell an error from a printed line).
ERRORS_JS = """
() => {
  const cells = window.jupyterapp.shell.currentWidget.content.model.cells;
  const found = [];
  for (let i = 0; i < cells.length; i++) {
    const outputs = cells.get(i).toJSON().outputs || [];
    for (const out of outputs) {
      if (out.output_type === "error") found.push(`${out.ename}: ${out.evalue}`);
    }
  }
  return found;
}
"""


#: The cells of the sign-in journey a browser test drives: sign in, then pull a frame.
SIGN_IN_CELLS = [
    "import oncehub_nb\nfrom oncehub_nb.auth import MemoryTokenStore\n\nstore = MemoryTokenStore()",
    "hub = await oncehub_nb.login_async(store=store, wait=600)",
    'frame = hub.bookings.to_frame(progress=False)\nprint(len(frame), "bookings")\nframe.head()',
]
#: First cell of a journey: note every secret the kernel registers from here on.
SECRETS_PRELUDE = """
from oncehub_nb._redact import watch_registrations as _watch
_WATCH = _watch()  # kept: a dropped context manager would stop watching at once
_SEEN = _WATCH.__enter__()
"""
#: Last cell: write the secrets seen to ONCEHUB_NB_SECRETS_OUT, for the test to look for.
SECRETS_PROBE = """
import json as _json, os as _os
from oncehub_nb._redact import registered_secrets as _secrets
_found = set(_secrets()) | set(_SEEN)
with open(_os.environ["ONCEHUB_NB_SECRETS_OUT"], "w") as _f:
    _json.dump(sorted(s for s in _found if s and len(s) >= 8), _f)
"""

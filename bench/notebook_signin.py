"""The kernel matrix of the notebook sign-in: does the panel answer while a cell waits?

Run: .venv/bin/python bench/notebook_signin.py  (needs /usr/bin/chromium; about 2 minutes)

For each front end (JupyterLab, Notebook 7), each kernel (this venv's ipykernel, and ipykernel
6.31 installed with ``pip install --no-deps --target`` into a temporary folder, which needs PyPI)
and each form (``hub = oncehub_nb.login(...)`` and ``hub = await oncehub_nb.login_async(...)``):
Run All on a three-cell notebook (versions, the sign-in, a ``to_frame()``), a wrong key typed and
Enter pressed 2 s into the wait, then the right key. One row each: how long the wrong key took to
be answered, whether the frame cell ran before the sign-in, how long after the right key the
frame appeared, error outputs, and the note ``login()`` prints where it cannot wait.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright

from oncehub_nb.sandbox import Sandbox
from tests._jupyter import CHROMIUM, ERRORS_JS, FLAGS, server

SETUP = (
    "import ipykernel, oncehub_nb\nfrom oncehub_nb.auth import MemoryTokenStore\n"
    "print('ipykernel', ipykernel.__version__)"
)
FORMS = {
    "login()": "hub = oncehub_nb.login(store=MemoryTokenStore(), wait=300)",
    "await login_async()": "hub = await oncehub_nb.login_async(store=MemoryTokenStore(), wait=300)",
}
FRAME = "print(len(hub.bookings.to_frame(progress=False)), 'bookings')"


def notebook(path: Path, kernel: str, cells: list[str]) -> None:
    path.write_text(
        json.dumps(
            {
                "cells": [
                    {
                        "cell_type": "code",
                        "id": f"c{i}",
                        "metadata": {},
                        "source": c,
                        "outputs": [],
                        "execution_count": None,
                    }
                    for i, c in enumerate(cells)
                ],
                "metadata": {"kernelspec": {"name": kernel, "display_name": kernel}},
                "nbformat": 4,
                "nbformat_minor": 5,
            }
        )
    )


def kernelspecs(share: Path, work: Path) -> list[str]:
    """This venv's kernel, and one with ipykernel 6.31 first on its path."""
    target = work / "ipykernel6"
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target)]
    subprocess.run([*pip, "ipykernel==6.31.0"], check=True)  # noqa: S603 - fixed arguments
    for name, extra in (("this-venv", {}), ("ipykernel-6", {"PYTHONPATH": str(target)})):
        spec = share / "kernels" / name
        spec.mkdir(parents=True)
        argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        (spec / "kernel.json").write_text(
            json.dumps({"argv": argv, "display_name": name, "language": "python", "env": extra})
        )
    return ["this-venv", "ipykernel-6"]


def journey(browser: object, front: dict[str, str], name: str, sb: Sandbox) -> dict[str, object]:
    page = browser.new_page(viewport={"width": 1200, "height": 900})  # type: ignore[attr-defined]
    where = "lab/tree" if front["app"] == "jupyterlab" else "notebooks"
    page.goto(f"{front['base']}/{where}/{name}?reset&token={front['token']}")
    page.wait_for_function(
        "(n) => { const w = window.jupyterapp?.shell.currentWidget;"
        " return w?.context?.path === n && w.sessionContext?.session?.kernel?.status === 'idle'; }",
        arg=name,
        timeout=90_000,
    )
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    panel = page.locator(".oncehub-nb-panel").first
    panel.get_by_role("tab", name="API key").click()
    key = panel.get_by_placeholder("OnceHub API key")
    time.sleep(2.0)
    key.fill("wrong-key-0123456789abcd")
    pressed = time.monotonic()
    key.press("Enter")
    panel.locator(".onb-status", has_text="did not accept").wait_for(timeout=30_000)
    answered = time.monotonic() - pressed
    time.sleep(1.0)  # a cell that did not wait has ended by now, and the frame cell has run
    early = bool(page.evaluate(ERRORS_JS))
    key.fill(sb.api_key)
    pressed = time.monotonic()
    key.press("Enter")
    panel.get_by_text("Connected to OnceHub").wait_for(timeout=30_000)
    frame = None
    if not early:
        page.locator(".jp-OutputArea-output", has_text="30 bookings").wait_for(timeout=30_000)
        frame = round(time.monotonic() - pressed, 2)
    texts = page.locator(".jp-OutputArea-output").all_inner_texts()
    row = {
        "kernel": next((t.strip() for t in texts if t.startswith("ipykernel")), "?"),
        "wrong key answered (s)": round(answered, 3),
        "next cell ran before sign-in": early,
        "frame after the right key (s)": frame,
        "error outputs": page.evaluate(ERRORS_JS),
        "login() note": any("For Run All to wait" in t for t in texts),
    }
    page.close()
    return row


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="oncehub-nb-bench-"))
    root = work / "root"
    root.mkdir()
    kernels = kernelspecs(work / "share", work)
    with Sandbox(bookings=30, seed=8) as sb:
        env = {k: v for k, v in os.environ.items() if not k.startswith("ONCEHUB_")}
        env.update(ONCEHUB_API_BASE=sb.base_url, JUPYTER_PATH=str(work / "share"))
        env["ONCEHUB_TOKEN_DIR"] = str(work / "tokens")
        for app in ("jupyterlab", "notebook"):
            with server(app, root, work / app, env) as front, sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=FLAGS)
                for kernel in kernels:
                    for form, cell in FORMS.items():
                        name = f"{app}-{kernel}-{len(form)}.ipynb"
                        notebook(root / name, kernel, [SETUP, cell, FRAME])
                        row = journey(browser, front, name, sb)
                        print(json.dumps({"front end": app, "form": form, **row}))
                browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

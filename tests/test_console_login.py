"""login() in a console works without the notebook extra (no ipywidgets, anywidget, ui-poll)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

from oncehub_nb.sandbox import Sandbox

SCRIPT = """
import os, sys

class Refuse:
    '''Act as if the notebook extra were not installed.'''

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("ipywidgets", "anywidget", "jupyter_ui_poll"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return None

sys.meta_path.insert(0, Refuse())
import getpass
getpass.getpass = lambda prompt="": os.environ["TEST_KEY"]

import oncehub_nb
from oncehub_nb.auth import MemoryTokenStore

hub = oncehub_nb.login(store=MemoryTokenStore(), api_base=os.environ["TEST_BASE"], env={})
print("ACCOUNT", hub.account)
loaded = [m for m in sys.modules if m.split(".")[0] in ("ipywidgets", "anywidget")]
print("WIDGETS", loaded)
try:
    oncehub_nb.login_panel(store=MemoryTokenStore(), env={})
except oncehub_nb.MissingDependencyError as exc:
    print("PANEL", exc)
"""


def test_console_login_needs_no_widgets(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(bookings=3, seed=2, rate_limit=False)
    env = {**os.environ, "TEST_KEY": sb.api_key, "TEST_BASE": sb.base_url}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, env=env
    )
    assert result.returncode == 0, result.stderr
    assert "ACCOUNT " in result.stdout and "@" in result.stdout
    assert "WIDGETS []" in result.stdout
    assert "PANEL the sign-in panel needs anywidget" in result.stdout
    assert "pip install '/path/to/clone[notebooks]'" in result.stdout
    assert sb.api_key not in result.stdout + result.stderr

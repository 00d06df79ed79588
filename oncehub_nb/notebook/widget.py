"""The sign-in panel's widget: an anywidget whose synced traits hold nothing secret.

Why anywidget: it is the maintained way to ship a custom Jupyter widget as one plain ES module
(``static/panel.js``, no build step) that works in JupyterLab 4, Notebook 7, VS Code and Colab,
and its ``model.send`` / :meth:`on_msg` pair carries a one-time message instead of a synced
trait. The standard ``ipywidgets.Password`` syncs its value to the kernel (and so into a saved
notebook's ``metadata.widgets``) on every keystroke; here the key and the pasted address stay in
the browser's ``<input>`` until Connect or Enter, then cross once as a message that is handed
to the panel and not kept. The sign-in link (it carries the OAuth ``state``) travels to the
browser as a message too, as do the code tab's link and user code (the device code never
does). What *is* synced (and saved) is listed in :data:`SYNCED`.

Example:
    >>> widget = SignInWidget(api_base="https://api.oncehub.com/v2")
    >>> shown = {k for k in widget.keys if not k.startswith("_")}  # + ESM, CSS and model names
    >>> sorted(shown - {"layout", "tabbable", "tooltip"}) == sorted(SYNCED)
    True
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anywidget
import traitlets

__all__ = ["SYNCED", "SignInWidget"]

STATIC = Path(__file__).parent / "static"

#: The traits the browser and a saved notebook see: none of them is ever a secret.
SYNCED = (
    "api_base",
    "busy",
    "catching",
    "connected",
    "device_first",
    "facts",
    "has_device",
    "has_oauth",
    "restart",
    "status",
    "tone",
    "waiting",
)


class SignInWidget(anywidget.AnyWidget):
    """The panel's view state; the panel (:class:`~oncehub_nb.notebook.panel.LoginPanel`) drives it.

    Attributes:
        api_base: the API root shown under the title.
        has_oauth: an OAuth app is configured (its tab comes first).
        has_device: the app has a device endpoint ("Sign in with a code" tab).
        device_first: the code tab comes first (a remote kernel).
        connected: show the connected view.
        busy: a key or address is being checked (fields and buttons disabled).
        catching: a local server catches the browser's redirect.
        restart: offer "Start again" (a new sign-in link).
        waiting: while a cell waits for the sign-in, what the panel says about it ("" otherwise).
        facts: the connected view's rows, ``[name, text]``, secrets already masked.
        status: the status line, plain text.
        tone: ``"info"``, ``"ok"`` or ``"error"``.
    """

    _esm = STATIC / "panel.js"
    _css = STATIC / "panel.css"

    api_base = traitlets.Unicode("").tag(sync=True)
    has_oauth = traitlets.Bool(False).tag(sync=True)
    has_device = traitlets.Bool(False).tag(sync=True)
    device_first = traitlets.Bool(False).tag(sync=True)
    connected = traitlets.Bool(False).tag(sync=True)
    busy = traitlets.Bool(False).tag(sync=True)
    catching = traitlets.Bool(False).tag(sync=True)
    restart = traitlets.Bool(False).tag(sync=True)
    waiting = traitlets.Unicode("").tag(sync=True)
    facts = traitlets.List(traitlets.List(traitlets.Unicode())).tag(sync=True)
    status = traitlets.Unicode("").tag(sync=True)
    tone = traitlets.Unicode("info").tag(sync=True)

    def say(self, text: str, tone: str = "info") -> None:
        """Set the status line (plain text; the browser shows it as text, never as HTML)."""
        with self.hold_sync():
            self.status = text
            self.tone = tone

    def tell(self, message: dict[str, Any]) -> None:
        """Send a one-time message to every view of this widget (not saved anywhere)."""
        self.send(message)

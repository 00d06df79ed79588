"""The sign-in panel: what it shows and what its buttons do (the widget is in ``widget.py``).

No secret is ever in widget state. The key and the pasted address reach the kernel as one
message each, when the user presses Connect or Enter (see :mod:`oncehub_nb.notebook.widget`);
they are handed to the :class:`~oncehub_nb.notebook.connect.Connector` and not kept. The sign-in
link, which carries the OAuth ``state``, is sent to the browser as a message, never synced. A
failed try leaves the typed text in the browser's field for a fix, and in no saved state.

The message handler may run off the kernel's main thread (ipykernel routes widget messages to a
subshell in JupyterLab and Notebook 7): it only updates the widget's traits, never prints or
displays anything.

Example:
    >>> from oncehub_nb.auth import MemoryTokenStore
    >>> panel = LoginPanel(store=MemoryTokenStore(), env={})
    >>> panel.widget.connected, panel.widget.has_oauth
    (False, False)
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from html import escape
from typing import TYPE_CHECKING, Any, Unpack

try:
    from oncehub_nb.notebook.widget import SignInWidget
except ImportError as exc:  # pragma: no cover - depends on the installed packages
    from oncehub_nb._errors import MissingDependencyError

    raise MissingDependencyError(
        "the sign-in panel needs anywidget and ipywidgets (and a notebook kernel)",
        extra="notebooks",
    ) from exc


if TYPE_CHECKING:
    from oncehub_nb._config import ClientSettings

from oncehub_nb._client import OnceHub
from oncehub_nb._display import facts_html
from oncehub_nb.auth.callback import CallbackServer
from oncehub_nb.auth.config import OAuthConfig
from oncehub_nb.auth.tokens import TokenStore
from oncehub_nb.notebook import waiting
from oncehub_nb.notebook.connect import Connector, Outcome
from oncehub_nb.notebook.device_tab import DeviceTab

__all__ = ["LoginPanel"]


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


class LoginPanel:
    """Sign in to OnceHub from a notebook: with a code, OAuth (link, then address) or an API key.

    Create it with :func:`oncehub_nb.login_panel` (or let :func:`oncehub_nb.login_async` show
    it and wait). The client is :attr:`client` from the start; it works once the panel says
    "Connected to OnceHub".

    Args:
        config: the OAuth app (``None``: API keys only).
        store: where keys, tokens and pending sign-ins are kept.
        force: ignore credentials that are already kept and sign in again.
        device_first: open on the "Sign in with a code" tab (when the app has a device
            endpoint); :func:`~oncehub_nb.login_panel` sets it on remote kernels.
        env: the environment for ``ONCEHUB_*`` variables.
        **settings: client settings (``api_base`` ...).

    Attributes:
        widget: the widget shown (:class:`~oncehub_nb.notebook.widget.SignInWidget`).
        connector: the widget-free sign-in logic.
        device: the "Sign in with a code" tab's logic (:class:`~.device_tab.DeviceTab`).
        front_end: set when a browser showing the panel answered (the "ready" handshake).
        stop: set when someone pressed "Stop waiting".

    Example:
        >>> import oncehub_nb
        >>> panel = oncehub_nb.login_panel(api_base=sb.base_url, store=store, env={})
        >>> panel.connected  # show it as a cell's last expression; sign in there
        False
        >>> outcome = panel.connector.connect_api_key(sb.api_key)  # what pasting a key does
        >>> panel.client.validate() == panel.client.account
        True

        In a notebook, ``hub = await panel.until_connected()`` waits for you in a cell.
    """

    def __init__(
        self,
        *,
        config: OAuthConfig | None = None,
        store: TokenStore,
        force: bool = False,
        device_first: bool = False,
        env: Mapping[str, str] | None = None,
        **settings: Unpack[ClientSettings],
    ) -> None:
        self.connector = Connector(config=config, store=store, env=env, **settings)
        self.front_end = threading.Event()
        self.stop = threading.Event()
        self._catcher: CallbackServer | None = None
        self.widget = SignInWidget(
            api_base=self.connector.api_base, has_oauth=self.connector.flow is not None
        )
        self.device = DeviceTab(self.connector, self.widget, self._apply)
        self.widget.has_device = self.device.available
        self.widget.device_first = self.device.available and device_first
        self.widget.on_msg(self._on_message)
        if not force and self.connector.reuse():
            self._show_connected()
        else:
            self._show_sign_in()

    # -- messages from the browser ---------------------------------------------------------

    def _on_message(self, _widget: Any, content: Any, _buffers: Any) -> None:
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "ready":
            self.front_end.set()
            self.widget.tell({"type": "hello", "link": self._link()})
            self.device.resend()
        elif kind == "device_start":
            self.device.start(new=content.get("new") is True)
        elif kind in ("connect_key", "connect_address"):
            field = "key" if kind == "connect_key" else "address"
            value = content.get("value")
            self._submit(field, value if isinstance(value, str) else "")
        elif kind == "restart":
            self.start_again()
        elif kind == "sign_out":
            self.sign_out()
        elif kind == "stop_waiting":
            self.stop.set()

    def _link(self) -> str | None:
        if self.connector.flow is None or self.connected:
            return None
        return self.connector.authorize_url()

    def _submit(self, field: str, value: str) -> None:
        with self.widget.hold_sync():
            self.widget.busy = True
            self.widget.say("Checking the key…" if field == "key" else "Connecting…")
        try:
            if field == "key":
                outcome = self.connector.connect_api_key(value)
            else:
                outcome = self.connector.connect_redirect(value)
        finally:
            del value  # nothing of it is kept here
            self.widget.busy = False
        self._apply(outcome)
        self.widget.tell({"type": "result", "field": field, "ok": outcome.ok})

    # -- views -----------------------------------------------------------------------------

    def _show_sign_in(self, *, new_link: bool = False) -> None:
        with self.widget.hold_sync():
            self.widget.connected = False
            self.widget.facts = []
            self.widget.restart = False
            self.widget.say("")
        if self.connector.flow is not None:
            self.widget.tell({"type": "link", "link": self.connector.authorize_url(new=new_link)})

    def _show_connected(self) -> None:
        rows = [[str(name), str(text)] for name, text in self.connector.hub.describe()]
        with self.widget.hold_sync():
            self.widget.facts = rows
            self.widget.connected = True
            self.widget.restart = False
            self.widget.waiting = ""
            self.widget.say("")
        self.widget.tell({"type": "link", "link": None})  # the link (state) is gone

    def _apply(self, outcome: Outcome) -> None:
        if outcome.ok:
            self._stop_catching()
            self.device.cancel()
            self._show_connected()
            return
        with self.widget.hold_sync():
            self.widget.restart = outcome.restart
            self.widget.say(outcome.message, "error")

    # -- actions (the buttons; also callable from code) ------------------------------------

    def connect_api_key(self, key: str) -> bool:
        """Connect with an API key, as typing it and pressing Connect does.

        Args:
            key: the key.

        Returns:
            ``True`` when connected; the panel says what happened either way.
        """
        self._submit("key", key)
        return self.connected

    def connect_redirect(self, address: str) -> bool:
        """Finish the OAuth sign-in, as pasting the address and pressing Connect does.

        Args:
            address: the address of the page the browser was sent to after Allow (or Deny).

        Returns:
            ``True`` when connected; the panel says what happened either way.
        """
        self._submit("address", address)
        return self.connected

    def start_device(self, *, new: bool = False) -> bool:
        """Show a code to enter on the verification page and wait for Allow in the background.

        What the "Sign in with a code" tab does; the panel says "Connected" once allowed.

        Args:
            new: give up the current code and request another ("Get a new code").

        Returns:
            ``False`` when the app has no device endpoint or the panel is connected.
        """
        return self.device.start(new=new)

    def start_again(self) -> None:
        """Make a new sign-in link (after a denied, expired or used one)."""
        self._stop_catching()
        self._show_sign_in(new_link=True)
        self.widget.say("A new sign-in link is ready: open it, press Allow, then come back.")

    def sign_out(self) -> None:
        """Sign out (revoke and delete the token, or forget the key) and show the sign-in view."""
        self.device.cancel()
        message = self.connector.sign_out()
        self._show_sign_in(new_link=True)
        self.widget.say(message)

    # -- catching the redirect -------------------------------------------------------------

    def catch_redirect(self, *, wait: float = 120.0) -> bool:
        """Listen on the loopback redirect address for the browser's redirect, for a while.

        The paste field stays usable. Does nothing (returns ``False``) when the redirect URI is
        not a loopback ``http://`` address with a port, or that address is busy.

        Args:
            wait: seconds to listen.

        Returns:
            ``True`` when listening.
        """
        config = self.connector.config
        if config is None or self.connected:
            return False
        self._stop_catching()
        self.connector.authorize_url()
        try:
            catcher = CallbackServer(
                config.redirect_uri,
                timeout=wait,
                expected_state=self.connector.expected_state,
                on_redirect=self._caught,
            )
            catcher.start()
        except (ValueError, OSError):
            return False
        self._catcher = catcher
        self.widget.catching = True
        return True

    @property
    def catching(self) -> bool:
        """``True`` while the local redirect catcher listens."""
        catcher = self._catcher
        return catcher is not None and catcher.running

    def stop_catching(self) -> None:
        """Stop the local redirect catcher (the paste field keeps working)."""
        self._stop_catching()

    def _caught(self, address: str) -> tuple[str, str]:
        outcome = self.connector.connect_redirect(address)
        self._apply(outcome)
        if outcome.ok:
            return "Signed in", "You can close this tab and go back to your notebook."
        return "Sign-in did not finish", outcome.message

    def _stop_catching(self) -> None:
        catcher, self._catcher = self._catcher, None
        self.widget.catching = False
        if catcher is not None and catcher.running:
            catcher.close()

    # -- waiting for the user --------------------------------------------------------------

    def wait(self, timeout: float = 120.0) -> bool:
        """Block this cell until the panel is connected, keeping the panel live where it can.

        Args:
            timeout: seconds to wait at most.

        Returns:
            ``True`` when connected; ``False`` when this kernel cannot keep the panel working
            while a cell blocks (use ``await panel.until_connected()`` there).

        Raises:
            ReauthorizationRequired: the time ran out, or "Stop waiting" was pressed.
        """
        return waiting.wait_blocking(self, timeout=timeout)

    async def until_connected(self, timeout: float = 120.0) -> OnceHub:
        """Wait (awaited: ``hub = await panel.until_connected()``) until the panel is connected.

        Args:
            timeout: seconds to wait at most.

        Returns:
            The connected client.

        Raises:
            ReauthorizationRequired: the time ran out, "Stop waiting" was pressed, the kernel
                was interrupted, or no browser shows the panel (a headless run).
        """
        await waiting.wait_async(self, timeout=timeout)
        return self.client

    def close(self) -> None:
        """Stop the redirect catcher and the code's polling, remove the widget; the client stays."""
        self._stop_catching()
        self.device.cancel()
        self.widget.close()

    def show_waiting(self, text: str) -> None:
        """Say in the panel that a cell waits (``""``: nobody waits any more)."""
        self.widget.waiting = text

    def say(self, text: str, tone: str = "info") -> None:
        """Set the panel's status line."""
        self.widget.say(text, tone)

    def ping(self) -> None:
        """Ask every browser showing the panel to answer "ready" (the handshake)."""
        self.front_end.clear()
        self.widget.tell({"type": "ping"})

    # -- public view -------------------------------------------------------------------------

    @property
    def client(self) -> OnceHub:
        """The client; it raises ``ReauthorizationRequired`` until the panel is connected."""
        return self.connector.hub

    @property
    def connected(self) -> bool:
        """``True`` once signed in."""
        return self.connector.connected

    @property
    def authorize_url(self) -> str:
        """The current sign-in link (what "Open the sign-in page" opens)."""
        return self.connector.authorize_url()

    def static_html(self) -> str:
        """A picture of the panel in plain HTML, for viewers that cannot run widgets.

        Exported HTML, the docs site and GitHub show this instead of a blank space; headless
        runs (``ONCEHUB_NB_HEADLESS=1``) show only this. It holds what the panel shows at
        display time, never a link or a secret.
        """
        if self.connected:
            return facts_html("Connected to OnceHub", self.connector.hub.describe())
        ways = "OAuth sign-in or an API key" if self.connector.flow is not None else "an API key"
        if self.device.available:
            ways = "a code, " + ways
        return (
            '<div class="oncehub-nb"><strong>Sign in to OnceHub</strong> '
            f"<span>{escape(self.connector.api_base)}</span>"
            f"<p>The sign-in panel ({ways}) appears here when this notebook runs in JupyterLab "
            "or Notebook 7.</p></div>"
        )

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        if waiting.headless(self.connector.env):  # no browser: nothing could show the widget
            return {"text/html": self.static_html(), "text/plain": repr(self)}
        bundle = self.widget._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict):
            data["text/html"] = self.static_html()
        return bundle

    def __repr__(self) -> str:
        state = f"connected as {self.client.account}" if self.connected else "not connected"
        return f"<LoginPanel {self.connector.api_base!r} {state}>"

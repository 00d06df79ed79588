"""The sign-in panel: standard ipywidgets only (JupyterLab 4, Notebook 7, VS Code, Colab).

Secrets never stay in widget state: the key and the pasted address are read and the field is
cleared in the same handler, before anything else runs, so the state the frontend saves into the
notebook (``metadata.widgets``) holds empty fields. The sign-in link is removed once connected.

Example:
    >>> from oncehub_nb.auth import MemoryTokenStore
    >>> panel = LoginPanel(store=MemoryTokenStore(), env={})
    >>> panel.status.value
    ''
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

try:
    import ipywidgets as w
except ImportError as exc:  # pragma: no cover - depends on the installed packages
    from oncehub_nb._errors import MissingDependencyError

    raise MissingDependencyError(
        "the sign-in panel needs ipywidgets (and a notebook kernel)", extra="notebooks"
    ) from exc

from oncehub_nb._client import OnceHub
from oncehub_nb._display import facts_html
from oncehub_nb.auth.callback import CallbackServer
from oncehub_nb.auth.config import OAuthConfig
from oncehub_nb.auth.tokens import TokenStore
from oncehub_nb.notebook.connect import Connector, Outcome

__all__ = ["LoginPanel"]

_COLORS = {"ok": "#1e7b34", "error": "#b42318", "info": "#52606d"}
_LINK = (
    '<a href="{url}" target="_blank" rel="noopener noreferrer" class="oncehub-nb-authorize" '
    'style="display:inline-block;padding:4px 14px;border-radius:3px;background:#2563eb;'
    'color:#fff;text-decoration:none;font-weight:600">Open the sign-in page ↗</a>'
)


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


class LoginPanel:
    """Sign in to OnceHub from a notebook: OAuth (link + pasted address) or an API key.

    Create it with :func:`oncehub_nb.login_panel`. The client is :attr:`client` from the start;
    it works once the panel says "Connected".

    Args:
        config: the OAuth app (``None``: API key only; the OAuth tab says how to configure one).
        store: where keys, tokens and pending sign-ins are kept.
        force: ignore credentials that are already kept and sign in again.
        env: the environment for ``ONCEHUB_*`` variables.
        **settings: client settings (``api_base`` ...).

    Attributes:
        widget: the panel's root widget (what is displayed).
        status: the status line.

    Example:
        >>> panel = oncehub_nb.login_panel()  # doctest: +SKIP
        >>> panel  # shows the panel; then, in the next cell:  # doctest: +SKIP
        >>> panel.client.bookings.to_frame()  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        config: OAuthConfig | None = None,
        store: TokenStore,
        force: bool = False,
        env: Mapping[str, str] | None = None,
        **settings: Any,
    ) -> None:
        self.connector = Connector(config=config, store=store, env=env, **settings)
        self._catcher: CallbackServer | None = None
        self._build()
        if not force and self.connector.reuse():
            self._show_connected("Already signed in.")
        else:
            self._show_sign_in()

    # -- building --------------------------------------------------------------------------

    def _build(self) -> None:
        base = escape(self.connector.api_base)
        self.title = w.HTML(f"<b>Sign in to OnceHub</b> <span style='color:#52606d'>{base}</span>")
        self.link = w.HTML("")
        self.pasted = w.Text(
            placeholder="Paste the address of the page you were sent to",
            layout=w.Layout(width="100%"),
        )
        self.oauth_connect = w.Button(description="Connect", button_style="primary")
        self.restart = w.Button(description="Start again", icon="refresh")
        self.key = w.Password(placeholder="OnceHub API key", layout=w.Layout(width="100%"))
        self.key_connect = w.Button(description="Connect", button_style="primary")
        self.status = w.HTML("")
        self.details = w.HTML("")
        self.sign_out_button = w.Button(description="Sign out", icon="sign-out")
        self.oauth_connect.on_click(lambda _b: self._on_oauth_connect())
        self.key_connect.on_click(lambda _b: self._on_key_connect())
        self.restart.on_click(lambda _b: self.start_again())
        self.sign_out_button.on_click(lambda _b: self.sign_out())
        if self.connector.flow is not None:
            oauth = w.VBox(
                [
                    w.HTML("<b>1.</b> Open the sign-in page, sign in and press <i>Allow</i>."),
                    self.link,
                    w.HTML("<b>2.</b> Paste the address of the page you land on, then Connect."),
                    w.HBox([self.pasted, self.oauth_connect]),
                ]
            )
        else:
            oauth = w.HTML(
                "No OAuth app is configured. Set <code>ONCEHUB_CLIENT_ID</code> (and the "
                "endpoints) or pass <code>config=OAuthConfig(...)</code>; or use an API key."
            )
        key = w.VBox(
            [
                w.HTML(
                    "Create a key in OnceHub under <i>gear icon &gt; Account Integrations &gt; "
                    "APIs &amp; Webhooks</i>, paste it here, then Connect."
                ),
                w.HBox([self.key, self.key_connect]),
            ]
        )
        if self.connector.flow is not None:
            self.tabs = w.Tab(children=[oauth, key], titles=("Sign in (OAuth)", "API key"))
        else:
            self.tabs = w.Tab(children=[key, oauth], titles=("API key", "Sign in (OAuth)"))
        self.sign_in_box = w.VBox([self.tabs, w.HBox([self.restart])])
        self.connected_box = w.VBox([self.details, self.sign_out_button])
        self.widget = w.VBox([self.title, self.sign_in_box, self.connected_box, self.status])

    # -- views -----------------------------------------------------------------------------

    def _say(self, text: str, kind: str) -> None:
        color = _COLORS[kind]
        self.status.value = (
            f"<span style='color:{color}'>{escape(text, quote=False)}</span>" if text else ""
        )

    def _show_sign_in(self, *, new_link: bool = False) -> None:
        self.connected_box.layout.display = "none"
        self.sign_in_box.layout.display = None
        self.restart.layout.display = "none"
        self.details.value = ""
        if self.connector.flow is not None:
            url = self.connector.authorize_url(new=new_link)
            self.link.value = _LINK.format(url=escape(url, quote=True))

    def _show_connected(self, lead: str) -> None:
        hub = self.connector.hub
        self.details.value = facts_html("Connected to OnceHub", hub.describe())
        self.link.value = ""  # the link (state, challenge) is not kept in the notebook
        self.sign_in_box.layout.display = "none"
        self.connected_box.layout.display = None
        self._say(f"{lead} Connected as {hub.account}.".strip(), "ok")

    def _apply(self, outcome: Outcome) -> None:
        if outcome.ok:
            self._show_connected("")
            self.stop_catching()
            return
        self._say(outcome.message, "error")
        self.restart.layout.display = None if outcome.restart else "none"

    # -- actions ---------------------------------------------------------------------------

    def _on_key_connect(self) -> None:
        text, self.key.value = self.key.value, ""  # read and clear at once
        self._say("Checking the key…", "info")
        self._apply(self.connector.connect_api_key(text))

    def _on_oauth_connect(self) -> None:
        text, self.pasted.value = self.pasted.value, ""  # read and clear at once
        self._say("Connecting…", "info")
        self._apply(self.connector.connect_redirect(text))

    def connect_api_key(self, key: str) -> bool:
        """Connect with an API key, as typing it and pressing Connect does.

        Args:
            key: the key.

        Returns:
            ``True`` when connected; the status line says what happened either way.
        """
        self._apply(self.connector.connect_api_key(key))
        return self.connected

    def connect_redirect(self, address: str) -> bool:
        """Finish the OAuth sign-in, as pasting the address and pressing Connect does.

        Args:
            address: the address of the page the browser was sent to after Allow (or Deny).

        Returns:
            ``True`` when connected; the status line says what happened either way.
        """
        self._apply(self.connector.connect_redirect(address))
        return self.connected

    def start_again(self) -> None:
        """Make a new sign-in link (after a denied, stale or refused one)."""
        self.stop_catching()
        self._show_sign_in(new_link=True)
        self._say("New sign-in link ready: open it, press Allow, paste the address.", "info")

    def sign_out(self) -> None:
        """Sign out (revoke and delete the token, or forget the key) and show the sign-in view."""
        message = self.connector.sign_out()
        self._show_sign_in(new_link=True)
        self._say(message, "info")

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
        self.stop_catching()
        url = self.connector.authorize_url()
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
        self.link.value = _LINK.format(url=escape(url, quote=True))
        self._say(
            f"Waiting for your browser (up to {_duration(wait)}). If it cannot come back to "
            "this computer, paste the address instead.",
            "info",
        )
        return True

    def _caught(self, address: str) -> tuple[str, str]:
        outcome = self.connector.connect_redirect(address)
        self._apply(outcome)
        if outcome.ok:
            return "Signed in", "You can close this tab and go back to your notebook."
        return "Sign-in did not finish", outcome.message

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the local redirect catcher is done (or ``timeout`` passes).

        Returns:
            ``True`` when connected.
        """
        catcher = self._catcher
        if catcher is not None:
            catcher.wait(timeout)
            catcher.close()
        return self.connected

    @property
    def catching(self) -> bool:
        """``True`` while the local redirect catcher listens."""
        return self._catcher is not None

    def stop_catching(self) -> None:
        """Stop listening for the browser's redirect (the paste field stays)."""
        catcher, self._catcher = self._catcher, None
        if catcher is not None and catcher.running:
            catcher.close()

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
        """The current sign-in link (what the "Open the sign-in page" button opens)."""
        return self.connector.authorize_url()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        state = f"connected as {self.client.account}" if self.connected else "not connected"
        return f"<LoginPanel {self.connector.api_base!r} {state}>"

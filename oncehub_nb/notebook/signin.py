"""One sign-in, as ``login()``, ``login_async()`` and ``login_panel()`` were asked for it.

:class:`SignIn` holds what they were given, resolved once (the OAuth app from ``ONCEHUB_*``,
the default token store), and does the steps they share: reuse what is kept, show the panel,
or ask in a console. The three public functions stay in :mod:`.login`; they differ only in
how they wait.

Example:
    >>> sign_in = SignIn.resolve(env={})
    >>> sign_in.config is None, sign_in.wait
    (True, 120.0)
"""

from __future__ import annotations

import dataclasses
import getpass
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from oncehub_nb._errors import ConfigurationError, MissingDependencyError

if TYPE_CHECKING:
    from oncehub_nb._client import OnceHub
    from oncehub_nb._config import ClientSettings
    from oncehub_nb.auth.config import OAuthConfig
    from oncehub_nb.auth.tokens import TokenStore
    from oncehub_nb.notebook.connect import Connector, Outcome
    from oncehub_nb.notebook.panel import LoginPanel

__all__ = ["SignIn", "kernel_is_local"]


def kernel_is_local(env: Mapping[str, str] | None = None) -> bool:
    """Guess whether the browser showing the notebook runs on this machine.

    ``False`` in Colab, Kaggle, JupyterHub, SSH sessions, containers and VS Code remotes: there
    the browser cannot reach a server on this machine's loopback address.

    Args:
        env: the environment (default ``os.environ``).

    Returns:
        The guess.

    Example:
        >>> kernel_is_local({"SSH_CONNECTION": "10.0.0.2 5555 10.0.0.1 22"})
        False
    """
    env = os.environ if env is None else env
    remote_vars = (  # noqa: SIM905 - one name a word keeps the list short
        "SSH_CONNECTION SSH_CLIENT SSH_TTY JUPYTERHUB_API_URL JUPYTERHUB_SERVICE_PREFIX "
        "KAGGLE_KERNEL_RUN_TYPE COLAB_RELEASE_TAG CODESPACES REMOTE_CONTAINERS "
        "VSCODE_REMOTE_CONTAINERS_SESSION"
    ).split()
    if any(env.get(name) for name in remote_vars) or "google.colab" in sys.modules:
        return False
    return not any(Path(p).exists() for p in ("/.dockerenv", "/run/.containerenv"))


@dataclasses.dataclass(frozen=True)
class SignIn:
    """What a sign-in was asked for, resolved (see :func:`~.login.login` for each argument).

    Build it with :meth:`resolve`.
    """

    config: OAuthConfig | None
    store: TokenStore
    # The environment holds ONCEHUB_API_KEY and other secrets: never in the repr.
    env: Mapping[str, str] = dataclasses.field(repr=False)
    settings: ClientSettings = dataclasses.field(repr=False)
    method: str | None = None
    force: bool = False
    catch_redirect: bool | None = None
    wait: float = 120.0

    @classmethod
    def resolve(
        cls,
        *,
        config: OAuthConfig | None = None,
        store: TokenStore | None = None,
        env: Mapping[str, str] | None = None,
        settings: ClientSettings | None = None,
        method: str | None = None,
        force: bool = False,
        catch_redirect: bool | None = None,
        wait: float = 120.0,
    ) -> SignIn:
        """Fill in the defaults: the OAuth app from ``ONCEHUB_*``, 0600 files as the store.

        Example:
            >>> SignIn.resolve(env={"ONCEHUB_CLIENT_ID": "app"}).config.client_id
            'app'
        """
        env = os.environ if env is None else env
        if config is None and (env.get("ONCEHUB_CLIENT_ID") or "").strip():
            from oncehub_nb.auth.config import OAuthConfig

            config = OAuthConfig.from_env(env)
        if store is None:
            from oncehub_nb.auth.stores import store_or_default

            store = store_or_default(store)
        return cls(config, store, env, settings or {}, method, force, catch_redirect, wait)

    def kept(self) -> OnceHub | None:
        """A client connected with what is already kept (``None``: nothing works, or ``force``).

        Example:
            >>> from oncehub_nb.auth import MemoryTokenStore
            >>> SignIn.resolve(store=MemoryTokenStore(), env={}).kept() is None
            True
        """
        if self.force:
            return None
        from oncehub_nb.notebook.connect import Connector

        connector = Connector(config=self.config, store=self.store, env=self.env, **self.settings)
        if not connector.reuse():
            return None
        print(f"Already signed in as {connector.hub.account} (force=True signs in again).")
        return connector.hub

    def new_panel(self, *, device_first: bool | None = None) -> LoginPanel:
        """The sign-in panel for this request, its redirect catcher started where it helps.

        Raises:
            MissingDependencyError: anywidget or ipywidgets is not installed.
        """
        try:
            from oncehub_nb.notebook.panel import LoginPanel
        except ImportError as exc:
            if isinstance(exc, MissingDependencyError):
                raise
            raise MissingDependencyError(  # pragma: no cover - depends on the installed packages
                "the sign-in panel needs anywidget and ipywidgets", extra="notebooks"
            ) from exc
        if device_first is None:
            device_first = not kernel_is_local(self.env)
        panel = LoginPanel(
            config=self.config,
            store=self.store,
            force=self.force,
            device_first=device_first,
            env=self.env,
            **self.settings,
        )
        catch = kernel_is_local(self.env) if self.catch_redirect is None else self.catch_redirect
        if catch and not panel.connected:
            panel.catch_redirect(wait=self.wait)
        return panel

    def shown_panel(self) -> LoginPanel:
        """A new panel (what is kept was tried already), displayed in the cell's output."""
        from IPython.display import display

        panel = dataclasses.replace(self, force=True).new_panel()
        display(panel)  # type: ignore[no-untyped-call]
        return panel

    def in_console(self) -> OnceHub:
        """Ask for the key, or show the link and take the redirect (caught or pasted).

        Raises:
            AuthError: the sign-in failed (denied, expired link, refused code or key).
            ConfigurationError: ``method="oauth"`` without an OAuth app, or a bad method.
        """
        from oncehub_nb.notebook.connect import Connector

        kept = self.kept()
        if kept is not None:
            return kept
        connector = Connector(config=self.config, store=self.store, env=self.env, **self.settings)
        method = self.method or ("oauth" if self.config is not None else "api_key")
        if method == "api_key":
            outcome = connector.connect_api_key(getpass.getpass("OnceHub API key (not shown): "))
        elif method == "oauth" and self.config is not None:
            outcome = self._oauth_in_console(connector, self.config)
        else:
            raise ConfigurationError(
                f"method={method!r}: use 'api_key', or 'oauth' with an OAuth app configured "
                "(config=OAuthConfig(...) or ONCEHUB_CLIENT_ID)"
            )
        if not outcome.ok:
            if outcome.error is not None:
                raise outcome.error
            raise ConfigurationError(outcome.message)
        print(outcome.message, f"Kept in {connector.stored_in}.")
        return connector.hub

    def _oauth_in_console(self, connector: Connector, config: OAuthConfig) -> Outcome:
        from oncehub_nb.auth.callback import CallbackServer
        from oncehub_nb.notebook.connect import Outcome

        print(f"1. Open this link, sign in and press Allow:\n\n   {connector.authorize_url()}\n")
        outcome = Outcome(False, "")
        if kernel_is_local(self.env) if self.catch_redirect is None else self.catch_redirect:
            results: list[Outcome] = []

            def finish(address: str) -> tuple[str, str]:
                results.append(connector.connect_redirect(address))
                if results[0].ok:
                    return "Signed in", "You can close this tab and go back to your notebook."
                return "Sign-in did not finish", results[0].message

            try:
                with CallbackServer(
                    config.redirect_uri,
                    timeout=self.wait,
                    expected_state=connector.expected_state,
                    on_redirect=finish,
                ) as catcher:
                    print(f"Waiting up to {self.wait:.0f} s for your browser to come back ...")
                    catcher.wait()
            except (ValueError, OSError):
                pass
            outcome = results[0] if results else outcome
        if not outcome.ok and outcome.error is None:
            outcome = connector.connect_redirect(
                input("2. Paste the address of the page you were sent to: ")
            )
        return outcome

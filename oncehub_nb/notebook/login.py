"""``login()``, ``login_async()`` and ``login_panel()``: signing in from a notebook or a console.

In a notebook, ``hub = await oncehub_nb.login_async()`` shows the sign-in panel and waits until
you are connected, while the panel keeps answering: Run All then runs the next cell only after
you signed in. ``oncehub_nb.login()`` does the same where the kernel can keep the panel working
while a cell blocks (ipykernel 6), and elsewhere returns at once with the client the panel
connects (it says so). In a console both ask for the key or the pasted address. When the OAuth
redirect URI is a loopback address with a port (``http://127.0.0.1:8765/callback``) and the kernel
runs on your own machine, a one-shot local server catches the browser's redirect, so no copy and
paste is needed; the paste field stays as the fallback (remote kernels, Colab, SSH, containers).

The widgets (anywidget, ipywidgets) are imported only when a panel is shown: the console sign-in
works without them.

Example:
    >>> import oncehub_nb
    >>> hub = await oncehub_nb.login_async()  # doctest: +SKIP
    >>> hub.bookings.to_frame(status="scheduled")  # doctest: +SKIP
"""

from __future__ import annotations

import asyncio
import getpass
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncehub_nb._display import in_notebook
from oncehub_nb._errors import ConfigurationError, MissingDependencyError

if TYPE_CHECKING:
    from oncehub_nb._client import OnceHub
    from oncehub_nb.auth.config import OAuthConfig
    from oncehub_nb.auth.tokens import TokenStore
    from oncehub_nb.notebook.panel import LoginPanel

__all__ = ["in_notebook", "kernel_is_local", "login", "login_async", "login_panel"]


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


def _setup(
    config: OAuthConfig | None, store: TokenStore | None, env: Mapping[str, str]
) -> tuple[OAuthConfig | None, TokenStore]:
    if config is None and (env.get("ONCEHUB_CLIENT_ID") or "").strip():
        from oncehub_nb.auth.config import OAuthConfig

        config = OAuthConfig.from_env(env)
    if store is None:
        from oncehub_nb.auth.stores import FileTokenStore

        store = FileTokenStore()
    return config, store


def login_panel(
    *,
    config: OAuthConfig | None = None,
    store: TokenStore | None = None,
    force: bool = False,
    catch_redirect: bool | None = None,
    wait: float = 120.0,
    device_first: bool | None = None,
    env: Mapping[str, str] | None = None,
    **settings: Any,
) -> LoginPanel:
    """The sign-in panel: with a code, OAuth (a link, then the pasted address) or an API key.

    The OAuth tab comes first when an app is configured (``config=`` or ``ONCEHUB_CLIENT_ID``);
    when the app also has a device endpoint (``ONCEHUB_DEVICE_AUTHORIZATION_URL``) the panel
    offers "Sign in with a code", first on a remote kernel (:func:`kernel_is_local`): open the
    link, enter the code shown, press Allow, and the panel connects; nothing is pasted back.
    The panel's :attr:`~oncehub_nb.notebook.panel.LoginPanel.client` works once it says "Connected".

    Args:
        config: the OAuth app (default: from ``ONCEHUB_*`` variables when
            ``ONCEHUB_CLIENT_ID`` is set; else API keys only).
        store: where keys and tokens are kept (default: 0600 files in the platform config dir).
        force: sign in again even when a working credential is kept.
        catch_redirect: listen on a loopback redirect URI for the browser's redirect (in the
            background, for ``wait`` seconds); ``None`` decides by :func:`kernel_is_local`.
        wait: seconds the redirect catcher listens.
        device_first: open on the "Sign in with a code" tab; ``None``: on a remote kernel.
        env: the environment for ``ONCEHUB_*`` variables (default ``os.environ``).
        **settings: client settings (``api_base``, ``rate_limits`` ...).

    Returns:
        The panel; show it as the cell's last expression or with ``display()``.

    Raises:
        MissingDependencyError: ipywidgets is not installed.

    Example:
        >>> panel = oncehub_nb.login_panel(api_base=sb.base_url)  # doctest: +SKIP
        >>> panel  # doctest: +SKIP
        >>> hub = panel.client  # after "Connected"  # doctest: +SKIP
    """
    env = os.environ if env is None else env
    try:
        from oncehub_nb.notebook.panel import LoginPanel
    except ImportError as exc:
        if isinstance(exc, MissingDependencyError):
            raise
        raise MissingDependencyError(  # pragma: no cover - depends on the installed packages
            "the sign-in panel needs anywidget and ipywidgets", extra="notebooks"
        ) from exc
    config, store = _setup(config, store, env)
    if device_first is None:
        device_first = not kernel_is_local(env)
    panel = LoginPanel(
        config=config, store=store, force=force, device_first=device_first, env=env, **settings
    )
    if catch_redirect is None:
        catch_redirect = kernel_is_local(env)
    if catch_redirect and not panel.connected:
        panel.catch_redirect(wait=wait)
    return panel


_CANNOT_WAIT = (
    "This kernel cannot keep the panel working while a cell waits, so login() returned without "
    "waiting. Sign in in the panel above, then run the next cell. For Run All to wait for you, "
    "write: hub = await oncehub_nb.login_async()"
)
_HEADLESS = (
    "No browser shows this notebook ({env}=1): not waiting for a sign-in. The client works once "
    "the panel is connected."
)


def _kept(
    config: OAuthConfig | None,
    store: TokenStore | None,
    env: Mapping[str, str],
    settings: dict[str, Any],
) -> OnceHub | None:
    """A client connected with what is already kept, or ``None`` (no panel made for it)."""
    from oncehub_nb.notebook.connect import Connector

    config, store = _setup(config, store, env)
    connector = Connector(config=config, store=store, env=env, **settings)
    if not connector.reuse():
        return None
    print(f"Already signed in as {connector.hub.account} (force=True signs in again).")
    return connector.hub


def _notebook_panel(
    config: OAuthConfig | None,
    store: TokenStore | None,
    catch_redirect: bool | None,
    wait: float,
    env: Mapping[str, str],
    settings: dict[str, Any],
) -> LoginPanel:
    from IPython.display import display

    config, store = _setup(config, store, env)
    panel = login_panel(
        config=config,
        store=store,
        force=True,  # what is kept was tried already
        catch_redirect=catch_redirect,
        wait=wait,
        env=env,
        **settings,
    )
    display(panel)  # type: ignore[no-untyped-call]
    return panel


def login(
    *,
    config: OAuthConfig | None = None,
    store: TokenStore | None = None,
    method: str | None = None,
    force: bool = False,
    catch_redirect: bool | None = None,
    wait: float = 120.0,
    env: Mapping[str, str] | None = None,
    **settings: Any,
) -> OnceHub:
    """Sign in and return a client: the panel in a notebook, prompts in a console.

    Nothing is asked when a working token or key is already kept (``force=True`` signs in
    again). In a notebook the panel appears and this waits (at most ``wait`` seconds) while the
    panel keeps answering, where the kernel allows it (ipykernel 6). On kernels that cannot
    serve a blocking wait (ipykernel 7.4), no browser answers the panel's handshake within a
    few seconds; then it returns at once with the client the panel connects, and says so: use
    ``await`` :func:`login_async` there. With ``ONCEHUB_NB_HEADLESS=1`` it never waits.

    Args:
        config: the OAuth app (default: from ``ONCEHUB_*`` when ``ONCEHUB_CLIENT_ID`` is set).
        store: where keys and tokens are kept (default: 0600 files in the config dir).
        method: ``"oauth"`` or ``"api_key"`` for the console; default OAuth when an app is
            configured, else an API key.
        force: sign in again even when a working credential is kept.
        catch_redirect: catch a loopback redirect with a local server; ``None`` decides by
            :func:`kernel_is_local`.
        wait: seconds to wait for you (and for the browser's redirect).
        env: the environment for ``ONCEHUB_*`` variables (default ``os.environ``).
        **settings: client settings (``api_base`` ...).

    Returns:
        The client (in a notebook that could not wait: the client the panel connects).

    Raises:
        AuthError: (console) the sign-in failed: denied, expired link, refused code or key.
        ReauthorizationRequired: (notebook) nobody signed in within ``wait`` seconds, or
            "Stop waiting" was pressed.
        ConfigurationError: ``method="oauth"`` without an OAuth app.

    Example:
        >>> hub = oncehub_nb.login()  # doctest: +SKIP
        >>> hub  # connection, account, masked credential, where it is kept  # doctest: +SKIP
    """
    from oncehub_nb.notebook.waiting import HEADLESS_ENV, headless

    env = os.environ if env is None else env
    if not in_notebook():
        return _console_login(config, store, method, force, catch_redirect, wait, env, settings)
    kept = None if force else _kept(config, store, env, settings)
    if kept is not None:
        return kept
    panel = _notebook_panel(config, store, catch_redirect, wait, env, settings)
    if headless(env):
        print(_HEADLESS.format(env=HEADLESS_ENV))
        return panel.client
    if not panel.wait(wait):
        print(_CANNOT_WAIT)
    return panel.client


async def login_async(
    *,
    config: OAuthConfig | None = None,
    store: TokenStore | None = None,
    method: str | None = None,
    force: bool = False,
    catch_redirect: bool | None = None,
    wait: float = 120.0,
    env: Mapping[str, str] | None = None,
    **settings: Any,
) -> OnceHub:
    """Sign in and return a connected client, waiting for you in a notebook cell (awaited).

    In a notebook it shows the panel and waits until you are connected (at most ``wait``
    seconds), while the panel keeps answering clicks; the next cell of a Run All runs only
    then. Where no browser shows the panel (a headless run) it raises instead of hanging:
    at once with ``ONCEHUB_NB_HEADLESS=1``, else when the panel's handshake gets no answer
    within 10 s. In a console it asks, as :func:`login` does. Arguments as for :func:`login`.

    Args:
        config: the OAuth app (default: from ``ONCEHUB_*`` when ``ONCEHUB_CLIENT_ID`` is set).
        store: where keys and tokens are kept (default: 0600 files in the config dir).
        method: ``"oauth"`` or ``"api_key"`` (console only).
        force: sign in again even when a working credential is kept.
        catch_redirect: catch a loopback redirect with a local server; ``None`` decides by
            :func:`kernel_is_local`.
        wait: seconds to wait for you.
        env: the environment for ``ONCEHUB_*`` variables (default ``os.environ``).
        **settings: client settings (``api_base`` ...).

    Returns:
        The connected client.

    Raises:
        ReauthorizationRequired: nobody signed in within ``wait``, "Stop waiting" was pressed,
            the kernel was interrupted, or no browser shows the panel.
        AuthError: (console) the sign-in failed.

    Example:
        >>> hub = await oncehub_nb.login_async()  # doctest: +SKIP
        >>> hub.bookings.to_frame()  # runs once you are connected  # doctest: +SKIP
    """
    from oncehub_nb.notebook.waiting import HEADLESS_ENV, headless

    env = os.environ if env is None else env
    if not in_notebook():
        return await asyncio.to_thread(
            _console_login, config, store, method, force, catch_redirect, wait, env, settings
        )
    kept = None if force else _kept(config, store, env, settings)
    if kept is not None:
        return kept
    panel = _notebook_panel(config, store, catch_redirect, wait, env, settings)
    if headless(env):
        from oncehub_nb._errors import ReauthorizationRequired

        panel.stop_catching()
        raise ReauthorizationRequired(
            f"No browser shows this notebook ({HEADLESS_ENV}=1), so nobody can sign in in the "
            "panel. Sign in beforehand: a kept token or key, or ONCEHUB_API_KEY."
        )
    return await panel.until_connected(wait)


def _console_login(
    config: OAuthConfig | None,
    store: TokenStore | None,
    method: str | None,
    force: bool,
    catch_redirect: bool | None,
    wait: float,
    env: Mapping[str, str],
    settings: dict[str, Any],
) -> OnceHub:
    from oncehub_nb.auth.callback import CallbackServer
    from oncehub_nb.notebook.connect import Connector, Outcome

    config, store = _setup(config, store, env)
    connector = Connector(config=config, store=store, env=env, **settings)
    if not force and connector.reuse():
        print(f"Already signed in as {connector.hub.account} (force=True signs in again).")
        return connector.hub
    method = method or ("oauth" if config is not None else "api_key")
    if method == "api_key":
        outcome = connector.connect_api_key(getpass.getpass("OnceHub API key (not shown): "))
    elif method == "oauth" and config is not None:
        print(f"1. Open this link, sign in and press Allow:\n\n   {connector.authorize_url()}\n")
        outcome = Outcome(False, "")
        if kernel_is_local(env) if catch_redirect is None else catch_redirect:
            results: list[Outcome] = []

            def finish(address: str) -> tuple[str, str]:
                results.append(connector.connect_redirect(address))
                if results[0].ok:
                    return "Signed in", "You can close this tab and go back to your notebook."
                return "Sign-in did not finish", results[0].message

            try:
                with CallbackServer(
                    config.redirect_uri,
                    timeout=wait,
                    expected_state=connector.expected_state,
                    on_redirect=finish,
                ) as catcher:
                    print(f"Waiting up to {wait:.0f} s for your browser to come back ...")
                    catcher.wait()
            except (ValueError, OSError):
                pass
            outcome = results[0] if results else outcome
        if not outcome.ok and outcome.error is None:
            outcome = connector.connect_redirect(
                input("2. Paste the address of the page you were sent to: ")
            )
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

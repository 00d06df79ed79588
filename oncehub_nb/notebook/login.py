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

In a notebook cell: ``hub = await oncehub_nb.login_async()``, then
``hub.bookings.to_frame(status="scheduled")`` in the next (the tutorial's notebooks do this in a
real browser, ``tests/test_browser.py``). With a key kept already, nothing is asked:

Example:
    >>> import oncehub_nb
    >>> from oncehub_nb.auth.tokens import save_api_key
    >>> save_api_key(store, sb.base_url, sb.api_key)  # what a first sign-in keeps
    >>> hub = oncehub_nb.login(api_base=sb.base_url, store=store, env={})  # doctest: +ELLIPSIS
    Already signed in as ... (force=True signs in again).
    >>> len(hub.bookings.to_frame(status="scheduled", progress=False)) > 0
    True
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import TYPE_CHECKING, Unpack

from oncehub_nb._display import in_notebook
from oncehub_nb.notebook.signin import SignIn, kernel_is_local

if TYPE_CHECKING:
    from oncehub_nb._client import OnceHub
    from oncehub_nb._config import ClientSettings
    from oncehub_nb.auth.config import OAuthConfig
    from oncehub_nb.auth.tokens import TokenStore
    from oncehub_nb.notebook.panel import LoginPanel

__all__ = ["in_notebook", "kernel_is_local", "login", "login_async", "login_panel"]


def login_panel(
    *,
    config: OAuthConfig | None = None,
    store: TokenStore | None = None,
    force: bool = False,
    catch_redirect: bool | None = None,
    wait: float = 120.0,
    device_first: bool | None = None,
    env: Mapping[str, str] | None = None,
    **settings: Unpack[ClientSettings],
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
        **settings: client settings (``api_base``, ``rate_limit`` ...).

    Returns:
        The panel; show it as the cell's last expression or with ``display()``.

    Raises:
        MissingDependencyError: ipywidgets is not installed.

    Example:
        >>> import oncehub_nb
        >>> from oncehub_nb.auth import MemoryTokenStore
        >>> panel = oncehub_nb.login_panel(api_base=sb.base_url, store=MemoryTokenStore(), env={})
        >>> panel.connected  # show it (the cell's last expression), then sign in there
        False
        >>> hub = panel.client  # works once the panel says "Connected"
    """
    sign_in = SignIn.resolve(
        config=config,
        store=store,
        env=env,
        settings=settings,
        force=force,
        catch_redirect=catch_redirect,
        wait=wait,
    )
    return sign_in.new_panel(device_first=device_first)


_CANNOT_WAIT = (
    "This kernel cannot keep the panel working while a cell waits, so login() returned without "
    "waiting. Sign in in the panel above, then run the next cell. For Run All to wait for you, "
    "write: hub = await oncehub_nb.login_async()"
)
_HEADLESS = (
    "No browser shows this notebook ({env}=1): not waiting for a sign-in. The client works once "
    "the panel is connected."
)


def login(
    *,
    config: OAuthConfig | None = None,
    store: TokenStore | None = None,
    method: str | None = None,
    force: bool = False,
    catch_redirect: bool | None = None,
    wait: float = 120.0,
    env: Mapping[str, str] | None = None,
    **settings: Unpack[ClientSettings],
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
        >>> import oncehub_nb
        >>> from oncehub_nb.auth.tokens import save_api_key
        >>> save_api_key(store, sb.base_url, sb.api_key)  # kept by an earlier sign-in
        >>> hub = oncehub_nb.login(api_base=sb.base_url, store=store, env={})  # doctest: +ELLIPSIS
        Already signed in as ... (force=True signs in again).
        >>> hub.validate() == hub.account
        True
    """
    from oncehub_nb.notebook.waiting import HEADLESS_ENV, headless

    sign_in = SignIn.resolve(
        config=config,
        store=store,
        env=env,
        settings=settings,
        method=method,
        force=force,
        catch_redirect=catch_redirect,
        wait=wait,
    )
    if not in_notebook():
        return sign_in.in_console()
    kept = sign_in.kept()
    if kept is not None:
        return kept
    panel = sign_in.shown_panel()
    if headless(sign_in.env):
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
    **settings: Unpack[ClientSettings],
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
        In a notebook: ``hub = await oncehub_nb.login_async()``. Elsewhere, ``asyncio.run``:

        >>> import asyncio
        >>> import oncehub_nb
        >>> from oncehub_nb.auth.tokens import save_api_key
        >>> save_api_key(store, sb.base_url, sb.api_key)  # kept by an earlier sign-in
        >>> hub = asyncio.run(oncehub_nb.login_async(api_base=sb.base_url, store=store, env={}))
        ... # doctest: +ELLIPSIS
        Already signed in as ... (force=True signs in again).
    """
    from oncehub_nb.notebook.waiting import HEADLESS_ENV, headless

    sign_in = SignIn.resolve(
        config=config,
        store=store,
        env=env,
        settings=settings,
        method=method,
        force=force,
        catch_redirect=catch_redirect,
        wait=wait,
    )
    if not in_notebook():
        return await asyncio.to_thread(sign_in.in_console)
    kept = sign_in.kept()
    if kept is not None:
        return kept
    panel = sign_in.shown_panel()
    if headless(sign_in.env):
        from oncehub_nb._errors import ReauthorizationRequired

        panel.stop_catching()
        raise ReauthorizationRequired(
            f"No browser shows this notebook ({HEADLESS_ENV}=1), so nobody can sign in in the "
            "panel. Sign in beforehand: a kept token or key, or ONCEHUB_API_KEY."
        )
    return await panel.until_connected(wait)

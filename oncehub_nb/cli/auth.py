"""``oncehub-nb login``, ``status`` and ``logout``: the console sign-in.

The OAuth settings come from ``ONCEHUB_*`` variables (``ONCEHUB_CLIENT_ID``,
``ONCEHUB_REDIRECT_URI``, ``ONCEHUB_AUTHORIZE_URL``, ``ONCEHUB_TOKEN_URL``, ``ONCEHUB_REVOKE_URL``,
``ONCEHUB_SCOPE``, ``ONCEHUB_CLIENT_SECRET``, ``ONCEHUB_DEVICE_AUTHORIZATION_URL``) or options;
a client secret is never taken on the command line (it would stay in the shell history). Tokens
and keys go to the file store (0600) or the system keyring.

Example:
    .. code-block:: bash

        oncehub-nb login --api-key        # asks for the key without echo, checks it, stores it
        oncehub-nb login                  # OAuth: prints the link, reads the pasted address
        oncehub-nb login --device         # OAuth with a code: open the page, enter the code
        oncehub-nb status
        oncehub-nb logout
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import time
from typing import Any

import click

from oncehub_nb._config import Settings
from oncehub_nb._errors import ConfigurationError
from oncehub_nb._redact import mask
from oncehub_nb.auth.stores import PENDING_PREFIX
from oncehub_nb.auth.tokens import api_key_record_name, load_api_key, save_api_key
from oncehub_nb.cli.common import friendly_errors
from oncehub_nb.cli.credentials import find_credential, make_store, store_option

__all__ = ["login", "logout", "status"]

_oauth_options = [
    click.option("--client-id", default=None, help="OAuth client id [ONCEHUB_CLIENT_ID]."),
    click.option("--redirect-uri", default=None, help="Registered redirect URI."),
    click.option("--authorize-url", default=None, help="Authorization endpoint."),
    click.option("--token-url", default=None, help="Token endpoint."),
    click.option("--revoke-url", default=None, help="Revocation endpoint (RFC 7009)."),
    click.option("--scope", default=None, help="Scopes to ask for, space separated."),
    click.option(
        "--device-authorization-url",
        default=None,
        help="Device authorization endpoint (RFC 8628) [ONCEHUB_DEVICE_AUTHORIZATION_URL].",
    ),
]


def _with_oauth_options(func: Any) -> Any:
    for option in reversed(_oauth_options):
        func = option(func)
    return store_option(
        click.option("--api-base", default=None, help="API root [ONCEHUB_API_BASE].")(func)
    )


def _oauth_config(**options: Any) -> Any:
    from oncehub_nb.auth.config import OAuthConfig

    return OAuthConfig.from_env(**{k: v for k, v in options.items() if v is not None})


def _expiry(expires_at: float | None) -> str:
    if expires_at is None:
        return "no expiry given"
    when = dt.datetime.fromtimestamp(expires_at, dt.UTC)
    left = expires_at - dt.datetime.now(dt.UTC).timestamp()
    state = f"in {left / 60:.0f} min" if left > 0 else "expired (refreshed on next use)"
    return f"{when:%Y-%m-%d %H:%M:%S} UTC, {state}"


@click.command()
@click.option("--api-key", "use_api_key", is_flag=True, help="Store an API key instead of OAuth.")
@click.option(
    "--device",
    "use_device",
    is_flag=True,
    help="Sign in with a code (RFC 8628): open the page shown, enter the code, press Allow.",
)
@_with_oauth_options
@friendly_errors
def login(
    use_api_key: bool, use_device: bool, api_base: str | None, store: str, **oauth: Any
) -> None:
    """Sign in and keep the credential: OAuth (link + pasted address, or a code) or an API key.

    OnceHub documents API keys (gear icon > Account Integrations > APIs & Webhooks); the OAuth
    endpoints are whatever you configure (the sandbox prints its own). ``--device`` needs the
    app's device authorization endpoint and suits remote machines: nothing is pasted back.
    """
    from oncehub_nb._client import OnceHub

    settings = Settings.resolve(api_base=api_base)
    target = make_store(store)
    if use_api_key:
        key = click.prompt("OnceHub API key (not shown)", hide_input=True).strip()
        with OnceHub(api_key=key, api_base=settings.api_base, env={}) as hub:
            account = hub.validate()
        save_api_key(target, settings.api_base, key)
        click.echo(f"API key {mask(key)} works for {account}; kept in {target.describe()}.")
        return
    config = _oauth_config(**oauth)
    token = _device_login(config, target) if use_device else _link_login(config, target)
    with OnceHub.from_oauth(config, store=target, api_base=settings.api_base) as hub:
        account = hub.validate()
    click.echo(
        f"Connected as {account}. Token kept in {target.describe()}; "
        f"expires {_expiry(token.expires_at)}."
    )


def _device_login(config: Any, target: Any) -> Any:
    from oncehub_nb.auth.device import DeviceFlow

    flow = DeviceFlow(config, store=target)
    code = flow.start()
    left = code.expires_at - time.monotonic()
    click.echo(f"1. Open {code.verification_uri}")
    if code.verification_uri_complete:
        click.echo(f"   (or, with the code filled in: {code.verification_uri_complete})")
    click.echo(f"2. Enter the code {code.user_code} and press Allow.")
    click.echo(f"Waiting for you (the code works for {left / 60:.0f} min) ...")
    return flow.wait(code)


def _link_login(config: Any, target: Any) -> Any:
    from oncehub_nb.auth.flow import AuthorizationFlow

    flow = AuthorizationFlow(config, store=target)
    click.echo("1. Open this link, sign in and press Allow:\n")
    click.echo(f"   {flow.start()}\n")
    pasted = click.prompt("2. Paste the address of the page you were sent to")
    return flow.finish(pasted)


@click.command()
@_with_oauth_options
@friendly_errors
def status(api_base: str | None, store: str, **oauth: Any) -> None:
    """Show what is signed in: API key and OAuth token (masked), store and expiry."""
    settings = Settings.resolve(api_base=api_base)
    target = make_store(store)
    click.echo(f"API base: {settings.api_base}")
    try:  # the key every command would use, found the way they all find it
        found = find_credential(None, api_base=settings.api_base, store=target, oauth=lambda: None)
    except ConfigurationError:
        click.echo("API key:  none (oncehub-nb login --api-key)")
    else:
        click.echo(f"API key:  {mask(found.api_key)} from {found.source}")
    if not (oauth.get("client_id") or os.environ.get("ONCEHUB_CLIENT_ID")):
        click.echo("OAuth:    no client configured (ONCEHUB_CLIENT_ID)")
        return
    config = _oauth_config(**oauth)
    token = target.load_token(config.profile)
    if token is None:
        click.echo(f"OAuth:    client {config.client_id}: not signed in (oncehub-nb login)")
        return
    click.echo(
        f"OAuth:    client {config.client_id}: token {mask(token.access_token)}, scope "
        f"'{token.scope}', expires {_expiry(token.expires_at)}, refresh token "
        f"{'yes' if token.refresh_token else 'no'}, in {target.describe()}"
    )


@click.command()
@_with_oauth_options
@friendly_errors
def logout(api_base: str | None, store: str, **oauth: Any) -> None:
    """Sign out: revoke the OAuth token at the server (when it can) and delete what is kept.

    Deletes the stored API key of this API base, the OAuth token of the configured app, and
    every unfinished sign-in (a started link that was never completed).
    """
    settings = Settings.resolve(api_base=api_base)
    target = make_store(store)
    pending = target.names(PENDING_PREFIX)
    for name in pending:  # started sign-ins that never finished: each holds a code verifier
        target.delete(name)
    if pending:
        click.echo(f"{len(pending)} unfinished sign-in(s) deleted.")
    if load_api_key(target, settings.api_base) is not None:
        target.delete(api_key_record_name(settings.api_base))
        click.echo("Stored API key deleted (it stays valid at OnceHub until you delete it there).")
    if oauth.get("client_id") or os.environ.get("ONCEHUB_CLIENT_ID"):
        from oncehub_nb._http.transport import standalone_transport
        from oncehub_nb.auth.oauth import OAuthAuth

        config = _oauth_config(**oauth)
        try:
            auth = OAuthAuth(config, store=target)
        except ConfigurationError:  # a damaged token file: logout is how to get rid of it
            target.delete(config.profile)
            click.echo(f"OAuth client {config.client_id}: damaged token record deleted.")
            return
        had_token = auth.current_token is not None
        with contextlib.closing(standalone_transport()) as transport:
            revoked = auth.revoke(transport)
        if not had_token:
            click.echo(f"OAuth client {config.client_id}: no token was stored.")
        elif revoked:
            click.echo(f"OAuth client {config.client_id}: token revoked and deleted.")
        else:
            click.echo(
                f"OAuth client {config.client_id}: token deleted (no revoke_url configured)."
            )

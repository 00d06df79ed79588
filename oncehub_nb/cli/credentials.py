"""How every ``oncehub-nb`` command finds its credentials: one lookup, one order.

1. ``--api-key`` on the command line;
2. the ``ONCEHUB_API_KEY`` variable;
3. the API key ``oncehub-nb login --api-key`` kept for this API base (in ``--store``);
4. the OAuth token ``oncehub-nb login`` kept, when an OAuth app is configured
   (``ONCEHUB_CLIENT_ID``).

The first one found is used; nothing found is a one-line error naming the three ways to give
a key. :func:`find_credential` only looks (no request is sent); :meth:`Credential.client`
builds the client.

Example:
    >>> from oncehub_nb.auth.stores import MemoryTokenStore
    >>> found = find_credential(None, api_base="https://api.oncehub.com/v2",
    ...                         store=MemoryTokenStore(), env={"ONCEHUB_API_KEY": "k" * 24})
    >>> found.source, found.api_key == "k" * 24
    ('ONCEHUB_API_KEY', True)
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import click

from oncehub_nb._errors import ConfigurationError
from oncehub_nb._redact import mask
from oncehub_nb.auth.tokens import TokenStore, load_api_key

if TYPE_CHECKING:
    from oncehub_nb._client import OnceHub
    from oncehub_nb.auth.config import OAuthConfig

__all__ = [
    "NO_CREDENTIALS",
    "Credential",
    "account_options",
    "find_credential",
    "make_store",
    "store_option",
]

NO_CREDENTIALS = (
    "No API key: pass --api-key, set ONCEHUB_API_KEY, or run `oncehub-nb login --api-key` once "
    "(create a key in OnceHub: gear icon > Account Integrations > APIs & Webhooks)."
)


@dataclasses.dataclass(frozen=True, repr=False)
class Credential:
    """A credential found for a command, and where it came from.

    Attributes:
        source: where it was found, for messages: ``--api-key``, ``ONCEHUB_API_KEY``, or the
            store (``files in ...``).
        api_key: the API key, or ``None`` for an OAuth token.
        oauth: the OAuth app whose stored token is used, or ``None`` for a key.
        store: the store the OAuth token (or the key) is kept in.

    Example:
        >>> Credential("--api-key", api_key="0123456789abcdef0123")
        Credential(api_key='0123…' from --api-key)
    """

    source: str
    api_key: str | None = None
    oauth: OAuthConfig | None = None
    store: TokenStore | None = None

    def client_kwargs(self) -> dict[str, Any]:
        """The credential argument of :class:`~oncehub_nb.OnceHub`: ``auth=`` (one slot for both).

        Returns:
            Keyword arguments for the client.

        Example:
            >>> sorted(Credential("x", api_key="0123456789abcdef0123").client_kwargs())
            ['auth']
        """
        if self.api_key is not None:
            from oncehub_nb.auth.api_key import ApiKeyAuth

            return {"auth": ApiKeyAuth(self.api_key, stored_in=self.source)}
        from oncehub_nb.auth.oauth import OAuthAuth

        assert self.oauth is not None  # one of the two is always set
        return {"auth": OAuthAuth(self.oauth, store=self.store)}

    def client(self, **settings: Any) -> OnceHub:
        """A client with this credential.

        Args:
            **settings: client settings (``api_base`` ...); ``None`` values are ignored.

        Returns:
            The client (use it in a ``with`` block).

        Example:
            >>> with Credential("x", api_key="0123456789abcdef0123").client() as hub:
            ...     hub.settings.api_base
            'https://api.oncehub.com/v2'
        """
        from oncehub_nb._client import OnceHub

        given = {k: v for k, v in settings.items() if v is not None}
        return OnceHub(**self.client_kwargs(), **given)

    def describe(self) -> str:
        """The credential in words, masked: ``API key 'abcd…' from ONCEHUB_API_KEY``."""
        if self.api_key is not None:
            return f"API key {mask(self.api_key)} from {self.source}"
        client_id = self.oauth.client_id if self.oauth is not None else "?"
        return f"OAuth token of client {client_id} from {self.source}"

    def __repr__(self) -> str:
        what = f"api_key={mask(self.api_key)!r}" if self.api_key else "oauth"
        return f"Credential({what} from {self.source})"


def find_credential(
    api_key: str | None,
    *,
    api_base: str,
    store: TokenStore,
    env: Mapping[str, str] | None = None,
    oauth: Callable[[], OAuthConfig | None] | None = None,
) -> Credential:
    """Find the credential a command uses, in the documented order (see the module).

    Args:
        api_key: the ``--api-key`` value, if given.
        api_base: the API base the saved key must belong to.
        store: where ``oncehub-nb login`` keeps keys and tokens.
        env: the environment (default ``os.environ``).
        oauth: returns the configured OAuth app, or ``None`` (default: from ``ONCEHUB_*``
            variables when ``ONCEHUB_CLIENT_ID`` is set).

    Returns:
        The first credential found.

    Raises:
        ConfigurationError: none was found (the message says how to give one).

    Example:
        >>> from oncehub_nb.auth.stores import MemoryTokenStore
        >>> from oncehub_nb.auth.tokens import save_api_key
        >>> store = MemoryTokenStore()
        >>> save_api_key(store, "https://api.oncehub.com/v2", "s" * 24)
        >>> find_credential(None, api_base="https://api.oncehub.com/v2", store=store, env={})
        Credential(api_key='ssss…' from memory (this process only))
    """
    env = os.environ if env is None else env
    if api_key is not None and api_key.strip():
        return Credential("--api-key", api_key=api_key)
    from_env = (env.get("ONCEHUB_API_KEY") or "").strip()
    if from_env:
        return Credential("ONCEHUB_API_KEY", api_key=from_env)
    saved = load_api_key(store, api_base)
    if saved:
        return Credential(store.describe(), api_key=saved, store=store)
    config = oauth() if oauth is not None else _oauth_from_env(env)
    if config is not None and store.load_token(config.profile) is not None:
        return Credential(store.describe(), oauth=config, store=store)
    raise ConfigurationError(NO_CREDENTIALS)


def _oauth_from_env(env: Mapping[str, str]) -> OAuthConfig | None:
    if not (env.get("ONCEHUB_CLIENT_ID") or "").strip():
        return None
    from oncehub_nb.auth.config import OAuthConfig

    return OAuthConfig.from_env(env)


def make_store(kind: str) -> TokenStore:
    """The store ``--store`` names: ``file`` (0600 files) or ``keyring``.

    Example:
        >>> make_store("file").describe().startswith("files in ")
        True
    """
    if kind == "keyring":
        from oncehub_nb.auth.stores import KeyringTokenStore

        return KeyringTokenStore()
    from oncehub_nb.auth.stores import store_or_default

    return store_or_default(None)


_KEY_HELP = "OnceHub API key (default: ONCEHUB_API_KEY, then the key `oncehub-nb login` kept)."


def account_options(key_help: str = _KEY_HELP) -> Callable[[Any], Any]:
    """``--api-key``, ``--api-base`` and ``--store``: where a command's credential comes from.

    Example:
        >>> @click.command()
        ... @account_options()
        ... def pull(api_key, api_base, store): ...
        >>> [option.name for option in pull.params]
        ['api_key', 'api_base', 'store']
    """

    def apply(func: Any) -> Any:
        func = store_option(func)
        func = click.option(
            "--api-base", envvar="ONCEHUB_API_BASE", show_envvar=True, help="API base URL."
        )(func)
        return click.option("--api-key", default=None, help=key_help)(func)

    return apply


def store_option(func: Any) -> Any:
    """The ``--store`` option every command that reads or keeps credentials shares."""
    return click.option(
        "--store",
        type=click.Choice(["file", "keyring"]),
        default="file",
        show_default=True,
        help="Where `oncehub-nb login` keeps keys and tokens.",
    )(func)

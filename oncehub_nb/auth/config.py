"""OAuth settings: the app (client id, secret, redirect URI, scope) and the endpoints.

Every field has an ``ONCEHUB_*`` variable. OnceHub's public API documents API keys only; the
defaults are the endpoints of the tutorial this project follows, and every one is configurable.

Example:
    >>> OAuthConfig.from_env({"ONCEHUB_CLIENT_ID": "my-app"}).authorize_url
    'https://app.oncehub.com/oauth/authorize'
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from typing import Any

from oncehub_nb._errors import ConfigurationError
from oncehub_nb._http.urls import check_url
from oncehub_nb._redact import register_secret
from oncehub_nb.auth.tokens import profile_name

__all__ = ["DEFAULT_AUTHORIZE_URL", "DEFAULT_TOKEN_URL", "OAuthConfig"]

DEFAULT_AUTHORIZE_URL = "https://app.oncehub.com/oauth/authorize"
DEFAULT_TOKEN_URL = "https://app.oncehub.com/oauth/token"  # noqa: S105 - a URL

_ENV = {
    "client_id": "ONCEHUB_CLIENT_ID",
    "client_secret": "ONCEHUB_CLIENT_SECRET",
    "redirect_uri": "ONCEHUB_REDIRECT_URI",
    "scope": "ONCEHUB_SCOPE",
    "authorize_url": "ONCEHUB_AUTHORIZE_URL",
    "token_url": "ONCEHUB_TOKEN_URL",
    "revoke_url": "ONCEHUB_REVOKE_URL",
    "device_authorization_url": "ONCEHUB_DEVICE_AUTHORIZATION_URL",
}


def _check_endpoint(name: str, url: str | None, *, required: bool) -> None:
    if not url:
        if required:
            raise ConfigurationError(f"{name} is required (argument or {_ENV[name]})")
        return
    check_url(url, what=f"{name} ({_ENV[name]})")


@dataclasses.dataclass(frozen=True, repr=False)
class OAuthConfig:
    """Where and as whom to run the OAuth flow. Every field has an ``ONCEHUB_*`` variable.

    Attributes:
        client_id: the app's client id (``ONCEHUB_CLIENT_ID``).
        client_secret: the secret of a confidential app (``ONCEHUB_CLIENT_SECRET``); ``None``
            for a public app, which relies on PKCE alone. Keep it out of notebooks.
        redirect_uri: the registered redirect URI, matched exactly (``ONCEHUB_REDIRECT_URI``).
        scope: the scopes to ask for, space separated (``ONCEHUB_SCOPE``).
        authorize_url: ``ONCEHUB_AUTHORIZE_URL``.
        token_url: ``ONCEHUB_TOKEN_URL``.
        revoke_url: the RFC 7009 revocation endpoint, if any (``ONCEHUB_REVOKE_URL``).
        device_authorization_url: the RFC 8628 device authorization endpoint, if any
            (``ONCEHUB_DEVICE_AUTHORIZATION_URL``): turns on "sign in with a code".

    Example:
        >>> config = OAuthConfig(client_id="app", client_secret="s3cr3t-0123456789abcdef")
        >>> "s3cr" in repr(config), "client_secret='<set, hidden>'" in repr(config)
        (False, True)
    """

    client_id: str
    client_secret: str | None = None
    redirect_uri: str = ""
    scope: str = ""
    authorize_url: str = DEFAULT_AUTHORIZE_URL
    token_url: str = DEFAULT_TOKEN_URL
    revoke_url: str | None = None
    device_authorization_url: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.client_id, str) or not self.client_id.strip():
            raise ConfigurationError("client_id is required (argument or ONCEHUB_CLIENT_ID)")
        if isinstance(self.scope, list | tuple):
            object.__setattr__(self, "scope", " ".join(self.scope))
        if self.client_secret is not None and not self.client_secret.strip():
            object.__setattr__(self, "client_secret", None)
        register_secret(self.client_secret, owner=self)
        _check_endpoint("authorize_url", self.authorize_url, required=True)
        _check_endpoint("token_url", self.token_url, required=True)
        _check_endpoint("revoke_url", self.revoke_url, required=False)
        _check_endpoint("device_authorization_url", self.device_authorization_url, required=False)
        _check_endpoint("redirect_uri", self.redirect_uri or None, required=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> OAuthConfig:
        """Build a config from ``ONCEHUB_CLIENT_ID`` and the other variables; arguments win.

        Args:
            env: the environment (default ``os.environ``).
            **overrides: any field.

        Returns:
            The config.

        Raises:
            ConfigurationError: a required value is missing or invalid (named in the message).

        Example:
            >>> OAuthConfig.from_env({"ONCEHUB_CLIENT_ID": "app"}).token_url
            'https://app.oncehub.com/oauth/token'
        """
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for field, var in _ENV.items():
            raw = (env.get(var) or "").strip()
            if raw:
                values[field] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        unknown = set(values) - set(_ENV)
        if unknown:
            raise ConfigurationError(f"unknown OAuth setting(s): {sorted(unknown)}")
        if "client_id" not in values:
            raise ConfigurationError("client_id is required (argument or ONCEHUB_CLIENT_ID)")
        return cls(**values)

    @property
    def profile(self) -> str:
        """The name tokens of this app at this server are stored under."""
        return profile_name(self.token_url, self.client_id)

    @property
    def is_public(self) -> bool:
        """A public client (no secret) authenticates with PKCE alone."""
        return self.client_secret is None

    def __repr__(self) -> str:
        # None of a client secret is shown, not even its first characters: a confidential
        # app's secret is long-lived, and a prefix narrows the search for it.
        secret = None if self.client_secret is None else "<set, hidden>"
        return (
            f"OAuthConfig(client_id={self.client_id!r}, client_secret={secret!r}, "
            f"redirect_uri={self.redirect_uri!r}, scope={self.scope!r}, "
            f"authorize_url={self.authorize_url!r}, token_url={self.token_url!r}, "
            f"revoke_url={self.revoke_url!r}, "
            f"device_authorization_url={self.device_authorization_url!r})"
        )

"""Token endpoint calls through requests-oauthlib: code exchange, refresh, revocation.

The requests go through a requests-oauthlib ``OAuth2Session`` (form encoding, client
authentication by HTTP Basic for confidential apps and by ``client_id`` in the body for public
ones, RFC 6749 error parsing), with our loopback adapter instead of the process-wide
``OAUTHLIB_INSECURE_TRANSPORT`` switch, and ``scope=None`` on the session so that a server
granting a wider scope than asked does not make oauthlib raise ``Warning("Scope has changed")``.

Example:
    >>> body = exchange_code(config, code, verifier, redirect_uri, state)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import requests

from oncehub_nb._errors import APIConnectionError, APITimeoutError, TokenExchangeError
from oncehub_nb._redact import redact_text, register_secret
from oncehub_nb.auth._loopback import mount_loopback, to_oauthlib_url
from oncehub_nb.auth.config import OAuthConfig

__all__ = ["OAuthServerError", "exchange_code", "refresh_grant", "revoke_token", "token_session"]

T = TypeVar("T")
TOKEN_TIMEOUT = 30.0


class OAuthServerError(TokenExchangeError):
    """The token endpoint answered with an RFC 6749 error; ``error`` holds its code."""

    def __init__(self, message: str, *, error: str) -> None:
        super().__init__(message)
        self.error = error


def token_session(config: OAuthConfig, *, state: str | None = None) -> Any:
    """A plain requests-oauthlib session for token endpoint calls (no token attached).

    Args:
        config: the app and endpoints.
        state: the verified state of the sign-in, when exchanging a code.

    Returns:
        An ``OAuth2Session`` with the loopback adapter mounted.
    """
    from requests_oauthlib import OAuth2Session

    session = OAuth2Session(
        client_id=config.client_id, redirect_uri=config.redirect_uri or None, state=state
    )
    mount_loopback(session)
    return session


def _client_auth(config: OAuthConfig) -> dict[str, Any]:
    if config.is_public:
        return {"include_client_id": True}
    return {"client_secret": config.client_secret}


def _call(action: str, func: Callable[[], T]) -> T:
    from oauthlib.oauth2.rfc6749.errors import OAuth2Error

    try:
        return func()
    except OAuth2Error as exc:
        error = str(getattr(exc, "error", "") or "error")
        description = redact_text(str(getattr(exc, "description", "") or ""))[:200]
        raise OAuthServerError(
            f"The token endpoint refused the {action}: {error}"
            + (f" ({description})" if description else "")
            + ". Sign in again; if it keeps failing, check client_id, client_secret and "
            "redirect_uri.",
            error=error,
        ) from None
    except requests.exceptions.Timeout:
        raise APITimeoutError(f"The token endpoint did not answer the {action} in time.") from None
    except requests.exceptions.RequestException as exc:
        raise APIConnectionError(
            f"Could not reach the token endpoint for the {action}: "
            f"{redact_text(type(exc).__name__)}. Check the network and token_url."
        ) from None
    except ValueError as exc:  # a body that is not a token response
        raise TokenExchangeError(
            f"The token endpoint's answer to the {action} is not a token: "
            f"{redact_text(str(exc))[:200]}"
        ) from None


def exchange_code(
    config: OAuthConfig, code: str, verifier: str, redirect_uri: str, state: str
) -> Mapping[str, Any]:
    """Exchange an authorization code (state already verified) for a token response.

    Args:
        config: the app and endpoints.
        code: the authorization code from the redirect.
        verifier: the PKCE code verifier of this sign-in.
        redirect_uri: the redirect URI the sign-in used.
        state: the sign-in's state (already checked against the pending sign-in).

    Returns:
        The token endpoint's JSON answer.

    Raises:
        TokenExchangeError: the endpoint refused (``invalid_grant`` ...).
    """
    register_secret(code, owner=config)
    session = token_session(config, state=state)
    session.redirect_uri = redirect_uri
    with session:
        body: Mapping[str, Any] = _call(
            "authorization code",
            lambda: session.fetch_token(
                to_oauthlib_url(config.token_url),
                code=code,
                code_verifier=verifier,
                timeout=TOKEN_TIMEOUT,
                **_client_auth(config),
            ),
        )
    return dict(body)


def refresh_grant(config: OAuthConfig, refresh_token: str) -> Mapping[str, Any]:
    """Use a refresh token (RFC 6749 section 6).

    Args:
        config: the app and endpoints.
        refresh_token: the current refresh token.

    Returns:
        The token endpoint's JSON answer (a rotated refresh token included, if any).

    Raises:
        OAuthServerError: the endpoint refused; ``error == "invalid_grant"`` means the refresh
            token is dead.
    """
    session = token_session(config)
    kwargs: dict[str, Any] = {"timeout": TOKEN_TIMEOUT}
    if config.is_public:
        kwargs["client_id"] = config.client_id
    else:
        kwargs["auth"] = requests.auth.HTTPBasicAuth(config.client_id, config.client_secret or "")
    with session:
        body: Mapping[str, Any] = _call(
            "refresh",
            lambda: session.refresh_token(
                to_oauthlib_url(config.token_url), refresh_token=refresh_token, **kwargs
            ),
        )
    return dict(body)


def revoke_token(config: OAuthConfig, token: str, *, hint: str) -> bool:
    """Revoke a token at the RFC 7009 endpoint, if one is configured.

    Args:
        config: the app and endpoints.
        token: the token to revoke.
        hint: ``refresh_token`` or ``access_token``.

    Returns:
        ``True`` when the server confirmed, ``False`` when no ``revoke_url`` is configured.

    Raises:
        TokenExchangeError: the server refused.
    """
    if not config.revoke_url:
        return False
    session = requests.Session()
    mount_loopback(session)
    auth = (
        None
        if config.is_public
        else requests.auth.HTTPBasicAuth(config.client_id, config.client_secret or "")
    )
    data = {"token": token, "token_type_hint": hint}
    if config.is_public:
        data["client_id"] = config.client_id
    with session:
        response = _call(
            "revocation",
            lambda: session.post(
                config.revoke_url or "", data=data, auth=auth, timeout=TOKEN_TIMEOUT
            ),
        )
    if response.status_code != 200:
        raise TokenExchangeError(
            f"The revocation endpoint answered HTTP {response.status_code}; the token may still "
            "be valid until it expires."
        )
    return True

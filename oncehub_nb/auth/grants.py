"""Token endpoint calls: code exchange, refresh, revocation, all through the one send path.

requests-oauthlib stays the OAuth engine: its ``OAuth2Session`` builds the grant requests (form
encoding; client authentication by HTTP Basic for a confidential app, by ``client_id`` in the
body for a public one), runs its compliance hooks (where provider quirks go) and parses the
answers (RFC 6749 errors included). Only the sending is ours: :class:`GrantSession` hands every
prepared request to the transport's :meth:`~oncehub_nb._http.transport.Transport.send`, so a
token request is never redirected (a 307 to another host would re-post the code, the verifier or
the refresh token there), has a total deadline and a size cap, and is retried only where the
server cannot have acted (``Policy.TOKEN``).

Plain http is allowed to this machine only (the sandbox). oauthlib refuses every ``http://`` URL
unless ``OAUTHLIB_INSECURE_TRANSPORT`` is set for the whole process, which would allow plain
http to any host; instead oauthlib is given the ``https://`` spelling of a loopback URL and the
session sends it to the configured ``http://`` address.

Every answer is checked at the boundary (:mod:`oncehub_nb.auth.validate`): whatever a broken
token endpoint sends, the caller gets :class:`~oncehub_nb.TokenExchangeError` (or an
:class:`OAuthServerError` carrying the RFC 6749 ``error`` code), never a raw exception.

Example:
    >>> import base64, hashlib, secrets
    >>> from urllib.parse import parse_qs, urlencode, urlsplit
    >>> verifier = secrets.token_urlsafe(48)
    >>> digest = hashlib.sha256(verifier.encode()).digest()
    >>> query = urlencode({"response_type": "code", "client_id": config.client_id,
    ...     "redirect_uri": config.redirect_uri, "scope": "read", "state": "s1",
    ...     "code_challenge": base64.urlsafe_b64encode(digest).rstrip(b"=").decode(),
    ...     "code_challenge_method": "S256"})
    >>> landed = sb.consent(f"{config.authorize_url}?{query}")  # the sandbox presses Allow
    >>> code = parse_qs(urlsplit(landed).query)["code"][0]
    >>> body = exchange_code(config, code, verifier, config.redirect_uri, "s1", sender=transport)
    >>> sorted(body), body["token_type"]
    (['access_token', 'expires_at', 'expires_in', 'refresh_token', 'scope', 'token_type'], 'Bearer')
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import requests
from requests_oauthlib import OAuth2Session

from oncehub_nb._errors import OnceHubError, TokenExchangeError, decode_json
from oncehub_nb._http.credentials import Policy, Sender
from oncehub_nb._http.urls import is_loopback_url
from oncehub_nb._redact import redact_text
from oncehub_nb.auth.config import OAuthConfig
from oncehub_nb.auth.validate import refresh_token_in

__all__ = [
    "GrantSession",
    "MalformedTokenResponse",
    "OAuthServerError",
    "call_grant",
    "client_auth",
    "exchange_code",
    "refresh_grant",
    "revoke_token",
]

T = TypeVar("T")


class OAuthServerError(TokenExchangeError):
    """The token endpoint answered with an RFC 6749 error; ``error`` holds its code.

    Example:
        >>> OAuthServerError("refused", error="invalid_grant").error
        'invalid_grant'
    """

    def __init__(self, message: str, *, error: str) -> None:
        super().__init__(message)
        self.error = error


class MalformedTokenResponse(TokenExchangeError):
    """The token endpoint's answer is not a usable token response.

    Attributes:
        rotated_refresh_token: a new refresh token found in the broken answer, if any: the
            server may already have retired the old one, so the caller keeps this one.
    """

    def __init__(self, message: str, *, rotated_refresh_token: str | None = None) -> None:
        super().__init__(message)
        self.rotated_refresh_token = rotated_refresh_token


def oauthlib_url(url: str) -> str:
    """The ``https://`` spelling of a loopback ``http://`` URL, for oauthlib's checks.

    Example:
        >>> oauthlib_url("http://127.0.0.1:8080/oauth/token")
        'https://127.0.0.1:8080/oauth/token'
        >>> oauthlib_url("http://example.com/token")
        'http://example.com/token'
    """
    if url.lower().startswith("http://") and is_loopback_url(url):
        return "https://" + url[len("http://") :]
    return url


class GrantSession(OAuth2Session):  # type: ignore[misc]
    """requests-oauthlib's session, sending through the transport (one door).

    Args:
        config: the app and endpoints.
        sender: the transport.
        state: the verified ``state`` of the sign-in (code exchange only).
        client: the oauthlib client that builds the grant (default: the authorization-code
            client; the device grant passes oauthlib's ``DeviceClient``).

    Attributes:
        last_response: the token endpoint's last answer (kept to rescue a rotated refresh
            token from a malformed body).
    """

    def __init__(
        self,
        config: OAuthConfig,
        sender: Sender,
        *,
        state: str | None = None,
        client: Any = None,
    ) -> None:
        # scope=None: a server granting more than asked must not make oauthlib raise
        # Warning("Scope has changed").
        super().__init__(
            client_id=config.client_id,
            client=client,
            redirect_uri=config.redirect_uri or None,
            state=state,
        )
        self._sender = sender
        urls = (config.token_url, config.revoke_url, config.device_authorization_url)
        self._real_urls = {oauthlib_url(u): u for u in urls if u}
        self.last_response: requests.Response | None = None

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        """Send through the transport (never redirected, deadline, cap, Policy.TOKEN)."""
        url = request.url or ""
        for spelled, real in self._real_urls.items():
            if url.startswith(spelled) and spelled != real:
                request.url = real + url[len(spelled) :]
        response = self._sender.send(request, policy=Policy.TOKEN)
        self.last_response = response
        if response.is_redirect or 300 <= response.status_code < 400:
            where = redact_text(str(response.headers.get("Location", "")))[:120]
            raise TokenExchangeError(
                f"The token endpoint answered with a redirect (HTTP {response.status_code} to "
                f"{where!r}). It was not followed, so nothing was sent there; check token_url "
                "and revoke_url (ONCEHUB_TOKEN_URL, ONCEHUB_REVOKE_URL)."
            )
        return response


def client_auth(config: OAuthConfig) -> dict[str, Any]:
    """``fetch_token`` keywords authenticating the app: Basic for a confidential one.

    Example:
        >>> client_auth(OAuthConfig(client_id="app"))
        {'include_client_id': True}
    """
    if config.is_public:
        return {"include_client_id": True}
    return {"client_secret": config.client_secret}


def _rotated(session: GrantSession, previous: str | None) -> str | None:
    """A refresh token in the last answer, even a broken one (the server may have rotated)."""
    if session.last_response is None:
        return None
    try:
        body = decode_json(session.last_response)
    except ValueError:
        return None
    value = refresh_token_in(body)
    return value if value != previous else None


def call_grant(
    action: str, session: GrantSession, func: Callable[[], T], *, previous: str | None = None
) -> T:
    """Run a grant call of ``session``, turning whatever it raises into the project's errors.

    Args:
        action: what is asked, for the messages ("refresh" ...).
        session: the session the call sends through.
        func: the call.
        previous: the refresh token sent, if any (a rotated one in a broken answer is kept).

    Returns:
        What ``func`` returns.

    Raises:
        OAuthServerError: an RFC 6749 error answer (its code in ``error``).
        MalformedTokenResponse: an answer that is not a token response.
    """
    from oauthlib.oauth2.rfc6749.errors import MissingTokenError, OAuth2Error

    try:
        return func()
    except MissingTokenError:
        raise MalformedTokenResponse(
            f"The token endpoint's answer to the {action} has no access token. Try again; if it "
            "keeps failing, the server (token_url) is misbehaving.",
            rotated_refresh_token=_rotated(session, previous),
        ) from None
    except OAuth2Error as exc:
        error = getattr(exc, "error", None)
        error = error if isinstance(error, str) and error.isprintable() else "error"
        description = getattr(exc, "description", None)
        description = redact_text(description)[:200] if isinstance(description, str) else ""
        raise OAuthServerError(
            f"The token endpoint refused the {action}: {error[:60]}"
            + (f" ({description})" if description else "")
            + ". Sign in again; if it keeps failing, check client_id, client_secret and "
            "redirect_uri.",
            error=error,
        ) from None
    except OnceHubError:
        raise
    except (
        ValueError,
        TypeError,
        AttributeError,
        KeyError,
        IndexError,
        OverflowError,
        RecursionError,
        UnicodeError,
        Warning,
    ):  # whatever oauthlib trips on in a body that is not a token response
        raise MalformedTokenResponse(
            f"The token endpoint's answer to the {action} is not a token response. Try again; "
            "if it keeps failing, the server (token_url) is misbehaving.",
            rotated_refresh_token=_rotated(session, previous),
        ) from None


def exchange_code(
    config: OAuthConfig,
    code: str,
    verifier: str,
    redirect_uri: str,
    state: str,
    *,
    sender: Sender,
) -> Mapping[str, Any]:
    """Exchange an authorization code (state already verified) for a token response.

    Args:
        config: the app and endpoints.
        code: the authorization code from the redirect.
        verifier: the PKCE code verifier of this sign-in.
        redirect_uri: the redirect URI the sign-in used.
        state: the sign-in's state (already checked against the pending sign-in).
        sender: the transport.

    Returns:
        The token endpoint's answer, as requests-oauthlib parsed it.

    Raises:
        OAuthServerError: the endpoint refused (``invalid_grant`` ...).
        TokenExchangeError: a redirect, or an answer that is not a token.
    """
    with GrantSession(config, sender, state=state) as session:
        session.redirect_uri = redirect_uri
        body: Mapping[str, Any] = call_grant(
            "authorization code",
            session,
            lambda: session.fetch_token(
                oauthlib_url(config.token_url),
                code=code,
                code_verifier=verifier,
                **client_auth(config),
            ),
        )
    return dict(body)


def refresh_grant(config: OAuthConfig, refresh_token: str, *, sender: Sender) -> Mapping[str, Any]:
    """Use a refresh token (RFC 6749 section 6).

    Args:
        config: the app and endpoints.
        refresh_token: the current refresh token.
        sender: the transport.

    Returns:
        The token endpoint's answer (a rotated refresh token included, if any).

    Raises:
        OAuthServerError: the endpoint refused; ``error == "invalid_grant"`` means the refresh
            token is dead.
        MalformedTokenResponse: the answer is not a token (``rotated_refresh_token`` holds a
            new refresh token found in it, if any).
    """
    kwargs: dict[str, Any] = {}
    if config.is_public:
        kwargs["client_id"] = config.client_id
    else:
        kwargs["auth"] = requests.auth.HTTPBasicAuth(config.client_id, config.client_secret or "")
    with GrantSession(config, sender) as session:
        body: Mapping[str, Any] = call_grant(
            "refresh",
            session,
            lambda: session.refresh_token(
                oauthlib_url(config.token_url), refresh_token=refresh_token, **kwargs
            ),
            previous=refresh_token,
        )
    return dict(body)


def revoke_token(config: OAuthConfig, token: str, *, hint: str, sender: Sender) -> bool:
    """Revoke a token at the RFC 7009 endpoint, if one is configured.

    requests-oauthlib has no revocation call, so the form is built here (RFC 7009 section 2.1)
    and sent through the same session, hence the same door.

    Args:
        config: the app and endpoints.
        token: the token to revoke.
        hint: ``refresh_token`` or ``access_token``.
        sender: the transport.

    Returns:
        ``True`` when the server confirmed, ``False`` when no ``revoke_url`` is configured.

    Raises:
        TokenExchangeError: the server refused, or redirected.
    """
    if not config.revoke_url:
        return False
    data = {"token": token, "token_type_hint": hint}
    auth = None
    if config.is_public:
        data["client_id"] = config.client_id
    else:
        auth = requests.auth.HTTPBasicAuth(config.client_id, config.client_secret or "")
    with GrantSession(config, sender) as session:
        response = session.post(
            oauthlib_url(config.revoke_url), data=data, auth=auth, withhold_token=True
        )
    if response.status_code != 200:
        raise TokenExchangeError(
            f"The revocation endpoint answered HTTP {response.status_code}; the token may still "
            "be valid until it expires."
        )
    return True

"""In-memory :class:`RequestValidator` for the sandbox's OAuth 2.0 authorization server.

oauthlib does the protocol work (grant checks, PKCE, error bodies); this module only answers its
questions about clients, codes and tokens. Every method runs under :attr:`MemoryValidator.lock`
(an ``RLock``), and the routes hold the same lock around a whole oauthlib call, so a token request
(``validate_code`` ... ``save_token`` ... ``invalidate_authorization_code``) is atomic and a code
can never be redeemed twice by two racing requests.
"""

from __future__ import annotations

import base64
import binascii
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote_plus

from oauthlib.common import Request
from oauthlib.oauth2 import RequestValidator

from oncehub_nb.sandbox._oauth_device import DEVICE_GRANT
from oncehub_nb.sandbox._oauth_records import SCOPES, Client, Code, Grant, is_loopback_callback


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    header = request.headers.get("Authorization", "")
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, sep, secret = decoded.partition(":")
    if not sep:
        return None
    # RFC 6749 2.3.1: both parts are form-urlencoded before base64.
    return unquote_plus(client_id), unquote_plus(secret)


def basic_client_id(headers: dict[str, str]) -> str:
    """The client id of an HTTP Basic ``Authorization`` header (``""`` when there is none).

    Example:
        >>> basic_client_id({"Authorization": "Basic YXBwOnNlY3JldA=="})
        'app'
    """
    credentials = _basic_credentials(Request("http://127.0.0.1/", headers=headers))
    return credentials[0] if credentials else ""


class MemoryValidator(RequestValidator):  # type: ignore[misc]
    """Clients, codes and tokens held in memory; the policy oauthlib asks about.

    Args:
        clients: The registered clients.
        callback_url: Returns ``<root_url>/oauth/callback`` (known once the server is bound).
        settings: Returns the live knobs object (``code_ttl``, ``rotate_refresh_tokens`` ...).

    Example:
        >>> v = MemoryValidator([Client("c", None, "App")], lambda: "http://h/cb", lambda: None)
        >>> v.validate_redirect_uri("c", "http://localhost:8080/callback", None)
        True
    """

    def __init__(
        self, clients: list[Client], callback_url: Callable[[], str], settings: Callable[[], Any]
    ) -> None:
        self.lock = threading.RLock()
        self.clients = {client.client_id: client for client in clients}
        self._callback_url = callback_url
        self._settings = settings
        self.codes: dict[str, Code] = {}
        self.access: dict[str, Grant] = {}
        self.refresh: dict[str, Grant] = {}

    # -- clients --------------------------------------------------------------------------

    def client_authentication_required(self, request: Request, *args: Any, **kwargs: Any) -> bool:
        """Confidential clients, and any request that carries a secret, must authenticate."""
        if _basic_credentials(request) is not None or request.client_secret is not None:
            return True
        client = self.clients.get(request.client_id or "")
        return client is None or not client.public

    def authenticate_client(self, request: Request, *args: Any, **kwargs: Any) -> bool:
        """Check a confidential client's secret, from HTTP Basic or the form body."""
        credentials = _basic_credentials(request)
        if credentials is None:
            credentials = (request.client_id or "", request.client_secret or "")
        client = self.clients.get(credentials[0])
        if client is None or client.secret is None:
            return False
        if not secrets.compare_digest(credentials[1].encode(), client.secret.encode()):
            return False
        request.client = client
        return True

    def authenticate_client_id(
        self, client_id: str, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        """Identify a public client by ``client_id`` alone."""
        client = self.clients.get(client_id or "")
        if client is None or not client.public:
            return False
        request.client = client
        return True

    def validate_client_id(
        self, client_id: str, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        """Known client ids only."""
        return client_id in self.clients

    def validate_redirect_uri(
        self, client_id: str, redirect_uri: str, request: Request, *args: Any, **kwargs: Any
    ) -> bool:
        """The sandbox callback exactly, or a loopback ``/callback`` on any port."""
        return client_id in self.clients and (
            redirect_uri == self._callback_url() or is_loopback_callback(redirect_uri)
        )

    def get_default_redirect_uri(
        self, client_id: str, request: Request, *args: Any, **kwargs: Any
    ) -> str | None:
        """None: several URIs are registered, so ``redirect_uri`` is required."""
        return None

    def validate_response_type(
        self, client_id: str, response_type: str, client: Any, request: Request, *a: Any, **k: Any
    ) -> bool:
        """Authorization code only."""
        return response_type == "code"

    def validate_grant_type(
        self, client_id: str, grant_type: str, client: Any, request: Request, *a: Any, **k: Any
    ) -> bool:
        """Authorization code, refresh token and device code (RFC 8628) grants."""
        return grant_type in ("authorization_code", "refresh_token", DEVICE_GRANT)

    def validate_device_code(
        self, client_id: str, code: str, request: Request, *a: Any, **k: Any
    ) -> str | None:
        """RFC 8628: the status of a device code, from the provider's device grants."""
        devices = getattr(self._settings(), "devices", None)
        return None if devices is None else devices.status(client_id, code, request)

    def validate_scopes(
        self, client_id: str, scopes: list[str], client: Any, request: Request, *a: Any, **k: Any
    ) -> bool:
        """``read`` and ``write`` only."""
        return bool(scopes) and all(scope in SCOPES for scope in scopes)

    def get_default_scopes(self, client_id: str, request: Request, *a: Any, **k: Any) -> list[str]:
        """``read`` when the client asks for no scope."""
        return ["read"]

    def is_pkce_required(self, client_id: str, request: Request) -> bool:
        """Public clients must use PKCE."""
        client = self.clients.get(client_id or "")
        return client is None or client.public

    # -- codes ----------------------------------------------------------------------------

    def save_authorization_code(
        self, client_id: str, code: dict[str, str], request: Request, *a: Any, **k: Any
    ) -> None:
        """Remember a fresh code with its redirect URI, scopes and PKCE challenge."""
        with self.lock:
            self.codes[code["code"]] = Code(
                client_id=client_id,
                redirect_uri=request.redirect_uri,
                scopes=list(request.scopes),
                challenge=request.code_challenge,
                challenge_method=request.code_challenge_method,
                expires_at=time.monotonic() + float(self._settings().code_ttl),
            )

    def validate_code(
        self, client_id: str, code: str, client: Any, request: Request, *a: Any, **k: Any
    ) -> bool:
        """Accept an unused, unexpired code of this client; a reused one revokes its tokens."""
        with self.lock:
            grant = self.codes.get(code)
            if grant is None or grant.client_id != client_id:
                return False
            if grant.used:
                # RFC 6749 4.1.2: refuse, and revoke every token issued from this code.
                self.revoke_origin(code)
                return False
            if time.monotonic() >= grant.expires_at:
                return False
            # RFC 6749 5.2: a redirect_uri that differs from the authorization request's is an
            # invalid grant (oauthlib's confirm_redirect_uri failure would say invalid_request).
            if request.redirect_uri is not None and request.redirect_uri != grant.redirect_uri:
                return False
            scopes = list(grant.scopes)
            if self._settings().widen_scope:
                scopes = list(SCOPES)
            request.scopes = scopes
            request.user = "sandbox-owner"
            return True

    def confirm_redirect_uri(
        self, client_id: str, code: str, redirect_uri: str, client: Any, request: Request, *a: Any
    ) -> bool:
        """The token request's redirect URI must equal the authorization request's."""
        with self.lock:
            grant = self.codes.get(code)
            return grant is not None and redirect_uri == grant.redirect_uri

    def get_code_challenge(self, code: str, request: Request) -> str | None:
        """The PKCE challenge sent with the authorization request, if any."""
        with self.lock:
            grant = self.codes.get(code)
            return None if grant is None else grant.challenge

    def get_code_challenge_method(self, code: str, request: Request) -> str | None:
        """The PKCE method sent with the authorization request."""
        with self.lock:
            grant = self.codes.get(code)
            return None if grant is None else grant.challenge_method

    def invalidate_authorization_code(
        self, client_id: str, code: str, request: Request, *a: Any, **k: Any
    ) -> None:
        """Mark the code used (kept, so that a replay is detected)."""
        with self.lock:
            if code in self.codes:
                self.codes[code].used = True

    # -- tokens ---------------------------------------------------------------------------

    def save_bearer_token(self, token: dict[str, Any], request: Request, *a: Any, **k: Any) -> None:
        """Store a new access token (and refresh token), retiring a rotated refresh token."""
        with self.lock:
            old = self.refresh.get(request.refresh_token or "")
            origin = old.origin if old is not None else request.code
            scopes = str(token.get("scope", "")).split() or list(request.scopes)
            access = token["access_token"]
            refresh_token = token.get("refresh_token")
            self.access[access] = Grant(
                client_id=request.client_id,
                scopes=scopes,
                expires_at=time.monotonic() + float(request.expires_in),
                origin=origin,
                refresh_token=refresh_token,
            )
            if refresh_token is None:
                return
            if old is not None and refresh_token != request.refresh_token:
                old.revoked = old.rotated = True  # kept: a later reuse is detected
            record = self.refresh.setdefault(
                refresh_token, Grant(request.client_id, scopes, expires_at=None, origin=origin)
            )
            record.access_tokens.add(access)

    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: Request, *a: Any, **k: Any
    ) -> bool:
        """A live refresh token issued to this client; a rotated-out one revokes its family."""
        with self.lock:
            record = self.refresh.get(refresh_token)
            if record is None or record.client_id != client.client_id:
                return False
            if record.rotated and self._settings().detect_refresh_reuse:
                # RFC 9700 4.14.2: a rotated-out refresh token came back, so it leaked (or a
                # client is confused): revoke the whole family, the live tokens included.
                self.revoke_origin(record.origin)
                return False
            if not record.active(time.monotonic()):
                return False
            request.user = "sandbox-owner"
            return True

    def get_original_scopes(self, refresh_token: str, request: Request, *a: Any, **k: Any) -> Any:
        """The scopes the refresh token was issued with."""
        with self.lock:
            record = self.refresh.get(refresh_token)
            return [] if record is None else list(record.scopes)

    def rotate_refresh_token(self, request: Request) -> bool:
        """Follow the ``rotate_refresh_tokens`` knob."""
        return bool(self._settings().rotate_refresh_tokens)

    def validate_bearer_token(self, token: str, scopes: list[str], request: Request) -> bool:
        """A live access token holding ``scopes``; ``request.token_problem`` says why not."""
        with self.lock:
            grant = self.access.get(token or "")
            if grant is None or not grant.active(time.monotonic()):
                request.token_problem = "invalid_token"  # noqa: S105 - an error code
                return False
            missing = [scope for scope in scopes or [] if scope not in grant.scopes]
            if missing:
                request.token_problem = "insufficient_scope"  # noqa: S105
                request.missing_scope = missing[0]
                return False
            request.client_id = grant.client_id
            request.scopes = list(grant.scopes)
            return True

    # -- revocation -----------------------------------------------------------------------

    def revoke_token(
        self, token: str, token_type_hint: str | None, request: Request, *a: Any, **k: Any
    ) -> None:
        """RFC 7009: revoke a token of the requesting client (refresh takes its access tokens).

        Unknown tokens, and other clients' tokens, are ignored: the answer is 200 anyway.
        """
        self.revoke(token, client_id=request.client_id)

    def revoke(self, token: str, *, client_id: str | None = None) -> bool:
        """Revoke an access or refresh token; ``True`` when one was found.

        Example:
            >>> v = MemoryValidator([], lambda: "", lambda: None)
            >>> v.revoke("unknown")
            False
        """
        with self.lock:
            grant = self.access.get(token) or self.refresh.get(token)
            if grant is None or (client_id is not None and grant.client_id != client_id):
                return False
            grant.revoked = True
            for access in grant.access_tokens:
                if access in self.access:
                    self.access[access].revoked = True
            return True

    def revoke_origin(self, code: str) -> None:
        """Revoke every token that descends from authorization code ``code``.

        Example:
            >>> MemoryValidator([], lambda: "", lambda: None).revoke_origin("c")
        """
        with self.lock:
            for grant in [*self.access.values(), *self.refresh.values()]:
                if grant.origin == code:
                    grant.revoked = True

    def expire(self, token: str) -> bool:
        """Expire an access token now (the client still thinks it valid).

        Example:
            >>> MemoryValidator([], lambda: "", lambda: None).expire("unknown")
            False
        """
        with self.lock:
            grant = self.access.get(token)
            if grant is None:
                return False
            grant.expires_at = time.monotonic() - 1
            return True

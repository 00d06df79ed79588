"""The OAuth credential: a stored token, refreshed before expiry and after a 401.

It plugs into the client like an API key (``OnceHub(auth=OAuthAuth(config))``), and every request
it makes itself (refresh, revocation) goes through the client's transport, the one send path.
requests-oauthlib's ``auto_refresh_url`` is not used: it refreshes only once the token has expired
by the wall clock (no leeway), never on a 401, and copies the request's keyword arguments into
the refresh body (requests-oauthlib issue 390). Instead:

* before each request, a token that expires within the *leeway* is refreshed. The leeway is
  ``min(leeway, 10 % of the token's lifetime)``: 60 s for an hour-long token, 0.6 s for a
  6-second one, so a short-lived token is refreshed about once per lifetime instead of on every
  call, while a long one still leaves a minute for clock skew and time in flight;
* a 401 on a token that looked valid triggers one refresh, and the transport sends the request
  once more;
* one refresh at a time per token: a thread lock plus the store's lock (a file lock for the file
  store), and the token is re-read under the lock, so threads and kernels sharing a token file
  make one refresh request, and a rotated refresh token is never used twice;
* the new token, with a rotated refresh token, is saved *before* it is used; when a refresh answer
  is broken but carries a new refresh token, that refresh token is saved too (the server may have
  retired the old one), so a stored refresh token is never lost;
* ``invalid_grant`` on refresh clears the stored token and raises
  :class:`~oncehub_nb.ReauthorizationRequired`.

Example:
    >>> from oncehub_nb.auth.stores import MemoryTokenStore
    >>> auth = OAuthAuth(OAuthConfig(client_id="app"), store=MemoryTokenStore())
    >>> auth.describe()[0]
    ('Credential', 'OAuth: no token (sign in: oncehub_nb.login())')
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests

from oncehub_nb._errors import OnceHubError, ReauthorizationRequired, TokenExchangeError
from oncehub_nb._http.credentials import Credential, Sender
from oncehub_nb._redact import fingerprint, mask
from oncehub_nb.auth.config import OAuthConfig
from oncehub_nb.auth.grants import (
    MalformedTokenResponse,
    OAuthServerError,
    refresh_grant,
    revoke_token,
)
from oncehub_nb.auth.stores import store_or_default
from oncehub_nb.auth.tokens import Token, TokenStore, describe_expiry
from oncehub_nb.auth.validate import refresh_token_in

__all__ = ["DEFAULT_LEEWAY", "LEEWAY_FRACTION", "OAuthAuth", "RefreshGrant"]

DEFAULT_LEEWAY = 60.0
#: The leeway never exceeds this share of the token's lifetime.
LEEWAY_FRACTION = 0.1

#: ``(config, refresh_token, sender) -> token response``: the refresh grant (injectable).
RefreshGrant = Callable[[OAuthConfig, str, Sender], Mapping[str, Any]]


def _default_refresh(config: OAuthConfig, refresh_token: str, sender: Sender) -> Mapping[str, Any]:
    return refresh_grant(config, refresh_token, sender=sender)


class OAuthAuth(Credential):
    """The credential for API calls with an OAuth token from a store.

    Args:
        config: the app and endpoints.
        store: where the token is (default: the file store in the platform config dir).
        leeway: refresh when the token expires within this many seconds (at most 10 % of the
            token's lifetime; see the module docstring).
        on_token_refreshed: called with the new :class:`Token` after each refresh (the role of
            requests-oauthlib's ``token_updater``); the token is already saved then.
        on_reauthorization_required: called (no arguments) when the stored token is gone or
            refused, just before :class:`~oncehub_nb.ReauthorizationRequired` is raised.
        clock: the time function for expiry decisions (tests and replays control it).
        refresh: the refresh grant (default: requests-oauthlib through the transport).

    Attributes:
        refresh_count: refreshes this credential made itself.

    Example:
        >>> from oncehub_nb import OnceHub
        >>> token = flow.finish(sb.consent(flow.start()))  # sign in: the token is in store
        >>> hub = OnceHub(auth=OAuthAuth(config, store=store), api_base=sb.base_url)
        >>> hub.validate()
        'kevin.hernandez@martin-mcmillan.example.com'
        >>> hub.auth
        OAuthAuth(client_id='sandbox-public-app', token=Token(access_token='...…', ...), store=...)
    """

    def __init__(
        self,
        config: OAuthConfig,
        *,
        store: TokenStore | None = None,
        leeway: float = DEFAULT_LEEWAY,
        on_token_refreshed: Callable[[Token], None] | None = None,
        on_reauthorization_required: Callable[[], None] | None = None,
        clock: Callable[[], float] = time.time,
        refresh: RefreshGrant = _default_refresh,
    ) -> None:
        self.config = config
        self.store = store_or_default(store)
        self.leeway = max(float(leeway), 0.0)
        self.on_token_refreshed = on_token_refreshed
        self.on_reauthorization_required = on_reauthorization_required
        self._clock = clock
        self._refresh_grant = refresh
        self._lock = threading.RLock()
        self.refresh_count = 0
        self._current: Token | None = self.store.load_token(config.profile)

    # -- state -------------------------------------------------------------------------------

    @property
    def current_token(self) -> Token | None:
        """The token in use (``None`` before sign-in)."""
        return self._current

    def leeway_for(self, token: Token) -> float:
        """The leeway for ``token``: ``min(leeway, 10 % of its lifetime)``.

        Example:
            >>> from oncehub_nb.auth.stores import MemoryTokenStore
            >>> auth = OAuthAuth(OAuthConfig(client_id="app"), store=MemoryTokenStore())
            >>> round(auth.leeway_for(Token("a" * 20, expires_at=6.0, obtained_at=0.0)), 3)
            0.6
            >>> auth.leeway_for(Token("a" * 20, expires_at=3600.0, obtained_at=0.0))
            60.0
        """
        lifetime = token.lifetime
        if lifetime is None:
            return self.leeway
        return min(self.leeway, LEEWAY_FRACTION * lifetime)

    def _due(self, token: Token) -> bool:
        return token.expires_within(self.leeway_for(token), now=self._clock())

    def _reauthorize(self, why: str) -> ReauthorizationRequired:
        self.store.delete_token(self.config.profile)
        self._current = None
        if self.on_reauthorization_required is not None:
            self.on_reauthorization_required()
        return ReauthorizationRequired(
            f"{why} Sign in again: oncehub_nb.login() in a notebook, or `oncehub-nb login`."
        )

    # -- Credential ------------------------------------------------------------------------

    def authenticate(self, request: requests.PreparedRequest, sender: Sender) -> None:
        """Add ``Authorization: Bearer``, refreshing first when the token is due (RFC 6750)."""
        token = self.ensure_token(sender)
        request.headers["Authorization"] = f"Bearer {token.access_token}"

    def renew_after_unauthorized(self, request: requests.PreparedRequest, sender: Sender) -> bool:
        """A 401 on a token that looked valid: refresh once (unless another thread did)."""
        sent = str(request.headers.get("Authorization", ""))
        stale = sent[len("Bearer ") :] if sent.startswith("Bearer ") else None
        self.refresh(sender, stale=stale or "")
        return True

    def describe(self) -> list[tuple[str, str]]:
        """The token (masked), where it is kept, when it expires."""
        token = self._current
        if token is None:
            return [("Credential", "OAuth: no token (sign in: oncehub_nb.login())")]
        return [
            ("Credential", f"OAuth token {mask(token.access_token)} (app {self.config.client_id})"),
            ("Stored in", self.store.describe()),
            ("Expires", describe_expiry(token.expires_at, now=self._clock())),
        ]

    def rate_limit_account(self) -> str:
        """The app at its server (the token's profile): tokens of it share one budget."""
        return "oauth-" + fingerprint(self.config.profile, purpose="rate-limit")

    # -- refresh -----------------------------------------------------------------------------

    def ensure_token(self, sender: Sender) -> Token:
        """Return a token that is not due, refreshing it if needed.

        Raises:
            ReauthorizationRequired: no token is stored, or the refresh was refused.
        """
        current = self._current
        if current is None:  # e.g. signed in again after ReauthorizationRequired
            current = self._current = self.store.load_token(self.config.profile)
        if current is not None and not self._due(current):
            return current
        return self.refresh(sender, stale=current.access_token if current else None)

    def refresh(self, sender: Sender, *, stale: str | None = None) -> Token:
        """Refresh the token once for everyone sharing it (threads and processes).

        Under the lock the stored token is re-read: if another thread or kernel has already
        replaced the ``stale`` access token with a usable one, that one is adopted and no request
        is made.

        Args:
            sender: the transport the refresh request goes through.
            stale: the access token found wanting (due, or refused with 401); ``None`` refreshes
                whatever is stored.

        Returns:
            The fresh token.

        Raises:
            ReauthorizationRequired: nothing stored, no refresh token, or refresh refused.
            TokenExchangeError: the token endpoint failed in another way (the stored refresh
                token is kept, or replaced by a rotated one the broken answer carried).
        """
        profile = self.config.profile
        with self._lock, self.store.lock(profile):
            stored = self.store.load_token(profile)
            if stored is None:
                raise self._reauthorize("No OnceHub token is stored for this app.")
            replaced = stale is not None and stored.access_token != stale
            if replaced and not self._due(stored):
                self._current = stored  # someone else refreshed already
                return stored
            if not stored.refresh_token:
                raise self._reauthorize("The token expired and no refresh token was issued.")
            now = self._clock()
            body: Mapping[str, Any] | None = None
            try:
                body = self._refresh_grant(self.config, stored.refresh_token, sender)
                token = Token.from_response(body, now=now, previous=stored)
            except OAuthServerError as exc:
                if exc.error in ("invalid_grant", "unauthorized_client", "invalid_client"):
                    raise self._reauthorize(
                        f"The authorization server refused to refresh the token ({exc.error})."
                    ) from None
                raise
            except MalformedTokenResponse as exc:
                self._keep_rotated(stored, exc.rotated_refresh_token, now)
                raise
            except TokenExchangeError:
                self._keep_rotated(stored, refresh_token_in(body), now)
                raise
            self.store.save_token(profile, token)  # saved before it is used
            self._current = token
            self.refresh_count += 1
        if self.on_token_refreshed is not None:
            self.on_token_refreshed(token)
        return token

    def _keep_rotated(self, stored: Token, rotated: str | None, now: float) -> None:
        """Save a refresh token from a broken answer: the old one may be dead already."""
        if not rotated or rotated == stored.refresh_token:
            return
        kept = Token(
            access_token=stored.access_token,
            refresh_token=rotated,
            expires_at=now - 1.0,  # due: the next request refreshes with the new refresh token
            scope=stored.scope,
            token_type=stored.token_type,
            obtained_at=stored.obtained_at,
        )
        self.store.save_token(self.config.profile, kept)
        self._current = kept

    def revoke(self, sender: Sender) -> bool:
        """Sign out: revoke the refresh token (RFC 7009) when possible, and forget the token.

        Args:
            sender: the transport the revocation goes through.

        Returns:
            ``True`` when the server confirmed the revocation; ``False`` when only the local
            copy was removed (no ``revoke_url`` configured, or nothing stored).
        """
        profile = self.config.profile
        with self._lock, self.store.lock(profile):
            stored = self.store.load_token(profile)
            revoked = False
            try:
                if stored is not None:
                    target = stored.refresh_token or stored.access_token
                    hint = "refresh_token" if stored.refresh_token else "access_token"
                    revoked = revoke_token(self.config, target, hint=hint, sender=sender)
            finally:
                self.store.delete_token(profile)
                self._current = None
        return revoked

    def forget(self, sender: Sender) -> str:
        """Revoke the token where the server offers it, and delete it from the store."""
        try:
            revoked = self.revoke(sender)
        except OnceHubError:
            revoked = False  # the local copy is gone all the same
        return f"Signed out: token {'revoked and deleted' if revoked else 'deleted'}."

    def __repr__(self) -> str:
        return (
            f"OAuthAuth(client_id={self.config.client_id!r}, token={self._current!r}, "
            f"store={self.store.describe()!r})"
        )

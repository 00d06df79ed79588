"""A requests-oauthlib ``OAuth2Session`` that refreshes before expiry and after a 401.

requests-oauthlib's own ``auto_refresh_url`` is not used: it refreshes only once the token has
expired by the wall clock (no leeway), never on a 401, and copies the request's keyword arguments
into the refresh body (upstream issues 268 and 390). Instead:

* before each request, a token expiring within ``leeway`` seconds (default 60) is refreshed;
* a 401 on a token that looked valid triggers one refresh and one retry of the request;
* one refresh at a time per token: a thread lock plus the store's lock (a file lock for
  :class:`~oncehub_nb.auth.tokens.FileTokenStore`), and the token is re-read under the lock, so
  32 threads or several kernels sharing a token file make exactly one refresh request;
* the new token, with a rotated refresh token, is saved *before* it is used;
* ``invalid_grant`` on refresh clears the stored token and raises
  :class:`~oncehub_nb.ReauthorizationRequired`.

Example:
    >>> session = OAuthSession(config, store=FileTokenStore())  # doctest: +SKIP
    >>> session.get("https://api.oncehub.com/v2/bookings")  # doctest: +SKIP
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import requests
from requests_oauthlib import OAuth2Session

from oncehub_nb._errors import ReauthorizationRequired
from oncehub_nb.auth._loopback import mount_loopback, to_oauthlib_url
from oncehub_nb.auth.config import OAuthConfig
from oncehub_nb.auth.grants import OAuthServerError, refresh_grant, revoke_token
from oncehub_nb.auth.tokens import Token, TokenStore

__all__ = ["OAuthSession"]

DEFAULT_LEEWAY = 60.0


class OAuthSession(OAuth2Session):  # type: ignore[misc]
    """An authenticated session for API calls with an OAuth token from a store.

    Args:
        config: the app and endpoints.
        store: where the token is (default: the file store in the platform config dir).
        leeway: refresh when the token expires within this many seconds.
        on_token_refreshed: called with the new :class:`Token` after each refresh (the role of
            requests-oauthlib's ``token_updater``); the token is already saved then.
        on_reauthorization_required: called (no arguments) when the stored token is gone or
            refused, just before :class:`~oncehub_nb.ReauthorizationRequired` is raised.
        clock: the time function for expiry decisions (tests and replays control it).
        refresh: the refresh grant (default: requests-oauthlib over HTTP).

    Attributes:
        refresh_count: refreshes this session made itself.

    Example:
        >>> session = OAuthSession(config, store=store, on_token_refreshed=print)  # doctest: +SKIP
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
        refresh: Callable[[OAuthConfig, str], Any] = refresh_grant,
    ) -> None:
        if store is None:
            from oncehub_nb.auth.stores import FileTokenStore

            store = FileTokenStore()
        super().__init__(client_id=config.client_id)
        mount_loopback(self)
        self.config = config
        self.store = store
        self.leeway = leeway
        self.on_token_refreshed = on_token_refreshed
        self.on_reauthorization_required = on_reauthorization_required
        self._clock = clock
        self._refresh_grant = refresh
        self._lock = threading.RLock()
        self.refresh_count = 0
        self._current: Token | None = store.load_token(config.profile)
        if self._current is not None:
            self.token = self._current.for_oauthlib()

    # -- state -------------------------------------------------------------------------------

    @property
    def current_token(self) -> Token | None:
        """The token in use (``None`` before sign-in)."""
        return self._current

    def _adopt(self, token: Token) -> None:
        self._current = token
        self.token = token.for_oauthlib()

    def _reauthorize(self, why: str) -> ReauthorizationRequired:
        self.store.delete_token(self.config.profile)
        self._current = None
        self.token = {}
        if self.on_reauthorization_required is not None:
            self.on_reauthorization_required()
        return ReauthorizationRequired(
            f"{why} Sign in again: oncehub_nb.login() in a notebook, or `oncehub-nb login`."
        )

    # -- refresh -----------------------------------------------------------------------------

    def ensure_token(self) -> Token:
        """Return a token good for at least ``leeway`` seconds, refreshing if needed.

        Returns:
            The token to use.

        Raises:
            ReauthorizationRequired: no token is stored, or the refresh was refused.
        """
        current = self._current
        if current is None:  # e.g. signed in again after ReauthorizationRequired
            current = self.store.load_token(self.config.profile)
            if current is not None:
                self._adopt(current)
        if current is not None and not current.expires_within(self.leeway, now=self._clock()):
            return current
        return self.refresh(stale=current.access_token if current else None)

    def refresh(self, *, stale: str | None = None) -> Token:
        """Refresh the token once for everyone sharing it (threads and processes).

        Under the lock the stored token is re-read: if another thread or kernel has already
        replaced the ``stale`` access token with a fresh one, that one is adopted and no request
        is made.

        Args:
            stale: the access token found wanting (expiring, or refused with 401); ``None``
                forces a refresh of whatever is stored.

        Returns:
            The fresh token.

        Raises:
            ReauthorizationRequired: nothing stored, no refresh token, or refresh refused.
            TokenExchangeError: the token endpoint failed in another way.
        """
        profile = self.config.profile
        with self._lock, self.store.lock(profile):
            stored = self.store.load_token(profile)
            if stored is None:
                raise self._reauthorize("No OnceHub token is stored for this app.")
            fresh_enough = not stored.expires_within(self.leeway, now=self._clock())
            if stale is not None and stored.access_token != stale and fresh_enough:
                self._adopt(stored)  # someone else refreshed already
                return stored
            if not stored.refresh_token:
                raise self._reauthorize("The token expired and no refresh token was issued.")
            try:
                body = self._refresh_grant(self.config, stored.refresh_token)
            except OAuthServerError as exc:
                if exc.error in ("invalid_grant", "unauthorized_client", "invalid_client"):
                    raise self._reauthorize(
                        f"The authorization server refused to refresh the token ({exc.error})."
                    ) from None
                raise
            token = Token.from_response(body, now=self._clock(), previous=stored)
            self.store.save_token(profile, token)  # saved before it is used
            self._adopt(token)
            self.refresh_count += 1
        if self.on_token_refreshed is not None:
            self.on_token_refreshed(token)
        return token

    def revoke(self) -> bool:
        """Sign out: revoke the refresh token (RFC 7009) when possible, and forget the token.

        Returns:
            ``True`` when the server confirmed the revocation; ``False`` when only the local
            copy was removed (no ``revoke_url`` configured, or nothing stored).
        """
        profile = self.config.profile
        with self._lock, self.store.lock(profile):
            stored = self.store.load_token(profile)
            revoked = False
            if stored is not None:
                target = stored.refresh_token or stored.access_token
                hint = "refresh_token" if stored.refresh_token else "access_token"
                revoked = revoke_token(self.config, target, hint=hint)
            self.store.delete_token(profile)
            self._current = None
            self.token = {}
        return revoked

    # -- requests ----------------------------------------------------------------------------

    def request(
        self,
        method: str,
        url: str,
        data: Any = None,
        headers: Any = None,
        withhold_token: bool = False,
        client_id: str | None = None,
        client_secret: str | None = None,
        **kwargs: Any,
    ) -> requests.Response:
        """Send a request with a fresh token; after a 401, refresh once and retry once.

        Plain http is allowed to loopback hosts only (the sandbox).

        Returns:
            The response (a second 401 is returned as it is, for the caller to map).
        """
        url = to_oauthlib_url(url)
        if withhold_token:
            response: requests.Response = super().request(
                method, url, data=data, headers=headers, withhold_token=True, **kwargs
            )
            return response
        with self._lock:
            token = self.ensure_token()
        response = super().request(method, url, data=data, headers=headers, **kwargs)
        if response.status_code != 401:
            return response
        response.close()
        with self._lock:
            self.refresh(stale=token.access_token)
        retried: requests.Response = super().request(
            method, url, data=data, headers=headers, **kwargs
        )
        return retried

    def __repr__(self) -> str:
        return (
            f"<OAuthSession client_id={self.config.client_id!r} token={self._current!r} "
            f"store={self.store.describe()!r}>"
        )

"""What the sign-in panel does, without any widget: connect, explain failures, sign out.

Kept apart from the widgets so the console :func:`oncehub_nb.login` shares it and tests can
drive it directly. Every outcome carries a plain-language message for a notebook user.

Example:
    >>> from oncehub_nb.auth import MemoryTokenStore
    >>> connector = Connector(store=MemoryTokenStore(), env={})
    >>> connector.hub.bookings.list()  # doctest: +SKIP
    Traceback (most recent call last):
    oncehub_nb._errors.ReauthorizationRequired: Not signed in yet: ...
"""

from __future__ import annotations

import dataclasses
import os
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from oncehub_nb._client import OnceHub
from oncehub_nb._errors import (
    APIConnectionError,
    AuthenticationError,
    AuthorizationDenied,
    ConfigurationError,
    InvalidRedirectURL,
    OnceHubError,
    PermissionDeniedError,
    ReauthorizationRequired,
    StateMismatch,
    TokenExchangeError,
)
from oncehub_nb.auth.api_key import ApiKeyAuth
from oncehub_nb.auth.oauth import AuthorizationFlow, OAuthConfig
from oncehub_nb.auth.tokens import TokenStore, api_key_record_name, load_api_key, save_api_key
from oncehub_nb.notebook.html import note_store

__all__ = ["Connector", "NotSignedIn", "Outcome"]


class NotSignedIn(requests.auth.AuthBase):
    """The credential of a client whose sign-in is not finished: every request says so."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Refuse to send anything.

        Raises:
            ReauthorizationRequired: always.
        """
        raise ReauthorizationRequired(
            "Not signed in yet: finish signing in in the panel (open the link, press Allow, "
            "paste the address and press Connect, or enter an API key), then run this cell again."
        )

    def describe(self) -> str:
        """How the HTML view names this credential."""
        return "none yet: finish signing in in the panel"


@dataclasses.dataclass(frozen=True)
class Outcome:
    """The result of a connect attempt, worded for the user.

    Attributes:
        ok: connected.
        message: what happened and what to do next (plain text).
        restart: a new sign-in link is needed (offer "Start again").
        error: the underlying error, if any (the console login re-raises it).
    """

    ok: bool
    message: str
    restart: bool = False
    error: BaseException | None = None


def explain(exc: BaseException, *, api_base: str, via: str) -> Outcome:
    """Turn an error from connecting into a plain-language outcome.

    Args:
        exc: the error.
        api_base: the API root (named in network messages).
        via: ``"oauth"`` or ``"api_key"``.

    Returns:
        The outcome.

    Example:
        >>> explain(StateMismatch("x"), api_base="https://a", via="oauth").restart
        True
    """
    if isinstance(exc, AuthorizationDenied):
        text = "Access was denied (Deny was pressed). Start again and press Allow to connect."
        return Outcome(False, text, True, exc)
    if isinstance(exc, StateMismatch):
        text = (
            "This sign-in link is stale: it expired, was already used, or an older link was "
            "opened. Start again for a new link."
        )
        return Outcome(False, text, True, exc)
    if isinstance(exc, InvalidRedirectURL | ConfigurationError):
        return Outcome(False, str(exc), False, exc)
    if isinstance(exc, TokenExchangeError):
        text = f"The sign-in server did not accept the code ({exc}). Start again for a new link."
        return Outcome(False, text, True, exc)
    if isinstance(exc, AuthenticationError | ReauthorizationRequired):
        if via == "api_key":
            text = (
                "OnceHub did not accept that API key. Check it (gear icon > Account Integrations "
                "> APIs & Webhooks in OnceHub) and try again."
            )
            return Outcome(False, text, False, exc)
        return Outcome(False, "The new token was refused. Start again.", True, exc)
    if isinstance(exc, PermissionDeniedError):
        text = "The credentials are valid, but this account's plan has no API access."
        return Outcome(False, text, False, exc)
    if isinstance(exc, APIConnectionError | requests.RequestException):
        text = f"Could not reach {api_base}: check your network connection, then try again."
        return Outcome(False, text, False, exc)
    if isinstance(exc, OnceHubError):
        return Outcome(False, str(exc), False, exc)
    raise exc


class Connector:
    """Sign a client in with an API key or the OAuth flow; reuse what is stored; sign out.

    Args:
        config: the OAuth app (``None``: API keys only).
        store: where keys, tokens and pending sign-ins are kept.
        env: the environment for ``ONCEHUB_*`` variables (default ``os.environ``).
        **settings: client settings (``api_base`` ...).

    Attributes:
        hub: the client; it works once connected (the same object throughout).
        via: ``"oauth"`` or ``"api_key"`` once connected, else ``None``.
    """

    def __init__(
        self,
        *,
        config: OAuthConfig | None = None,
        store: TokenStore,
        env: Mapping[str, str] | None = None,
        **settings: Any,
    ) -> None:
        self.config = config
        self.store = store
        self.env = os.environ if env is None else env
        self.hub = OnceHub(auth=NotSignedIn(), env=self.env, **settings)
        self.api_base = self.hub.settings.api_base
        self.flow = AuthorizationFlow(config, store=store) if config is not None else None
        self.via: str | None = None
        self.stored_in: str | None = None
        self._lock = threading.RLock()
        self._authorize_url: str | None = None

    # -- OAuth link ----------------------------------------------------------------------------

    def authorize_url(self, *, new: bool = False) -> str:
        """The link of the current sign-in (a new one with ``new=True``).

        Raises:
            ConfigurationError: no OAuth app is configured.
        """
        if self.flow is None:
            raise ConfigurationError("No OAuth app is configured (ONCEHUB_CLIENT_ID); use a key.")
        with self._lock:
            if new or self._authorize_url is None:
                self._authorize_url = self.flow.start()
            return self._authorize_url

    @property
    def expected_state(self) -> str | None:
        """The ``state`` of the current link (for the local redirect catcher)."""
        if self._authorize_url is None:
            return None
        states = parse_qs(urlsplit(self._authorize_url).query).get("state") or [""]
        return states[0] or None

    # -- connecting ----------------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        """``True`` once a credential works."""
        return self.via is not None

    def _check(self, via: str, stored_in: str | None) -> Outcome:
        try:
            account = self.hub.validate()
        except Exception as exc:
            self.hub._use_credentials(auth=NotSignedIn())
            return explain(exc, api_base=self.api_base, via=via)
        self.via, self.stored_in = via, stored_in
        return Outcome(True, f"Connected as {account}.")

    def connect_api_key(self, key: str) -> Outcome:
        """Check an API key with ``GET /test`` and keep it in the store.

        Args:
            key: the key (surrounding spaces and quotes are ignored).

        Returns:
            The outcome.
        """
        with self._lock:
            try:
                auth = ApiKeyAuth(key)
            except ConfigurationError as exc:
                return explain(exc, api_base=self.api_base, via="api_key")
            self.hub._use_credentials(auth=auth)
            outcome = self._check("api_key", self.store.describe())
            if outcome.ok:
                save_api_key(self.store, self.api_base, auth._api_key)
                note_store(self.hub, self.store.describe())
            return outcome

    def connect_redirect(self, pasted: str) -> Outcome:
        """Finish the OAuth sign-in from the address the browser was sent to.

        Args:
            pasted: that address (spaces, quotes and line breaks are tolerated).

        Returns:
            The outcome.
        """
        from oncehub_nb.auth.session import OAuthSession

        if self.flow is None or self.config is None:
            return Outcome(False, "No OAuth app is configured (ONCEHUB_CLIENT_ID); use a key.")
        if not pasted.strip():
            return Outcome(False, "Paste the address of the page you were sent to first.")
        with self._lock:
            try:
                self.flow.finish(pasted)
            except Exception as exc:
                return explain(exc, api_base=self.api_base, via="oauth")
            self._authorize_url = None
            session = OAuthSession(self.config, store=self.store)
            self.hub._use_credentials(session=session)
            return self._check("oauth", self.store.describe())

    def reuse(self) -> bool:
        """Connect with what is already kept: an OAuth token, a stored key, ``ONCEHUB_API_KEY``.

        Returns:
            ``True`` when one of them works.
        """
        from oncehub_nb.auth.session import OAuthSession

        with self._lock:
            if self.config is not None and self.store.load_token(self.config.profile):
                self.hub._use_credentials(session=OAuthSession(self.config, store=self.store))
                if self._check("oauth", self.store.describe()).ok:
                    return True
            candidates: list[tuple[str | None, str | None]] = [
                (load_api_key(self.store, self.api_base), self.store.describe()),
                ((self.env.get("ONCEHUB_API_KEY") or "").strip(), None),
            ]
            for key, where in candidates:
                if not key:
                    continue
                self.hub._use_credentials(auth=ApiKeyAuth(key))
                if self._check("api_key", where).ok:
                    note_store(self.hub, where or "ONCEHUB_API_KEY (environment)")
                    return True
            return False

    def sign_out(self) -> str:
        """Forget the credential: revoke the OAuth token where possible, delete what is kept.

        Returns:
            What was done, in words.
        """
        from oncehub_nb.auth.session import OAuthSession

        with self._lock:
            session = self.hub._transport.session
            message = "Signed out."
            if isinstance(session, OAuthSession):
                try:
                    revoked = session.revoke()
                except OnceHubError:
                    revoked = False
                    session.store.delete_token(session.config.profile)
                done = "revoked and deleted" if revoked else "deleted"
                message = f"Signed out: token {done}."
            elif self.via == "api_key":
                self.store.delete(api_key_record_name(self.api_base))
                message = "Signed out: the key is no longer kept (it stays valid in OnceHub)."
            self.hub._use_credentials(auth=NotSignedIn())
            note_store(self.hub, None)
            self.via = self.stored_in = None
            return message

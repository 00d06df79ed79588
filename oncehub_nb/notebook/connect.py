"""What the sign-in panel does, without any widget: connect, explain failures, sign out.

Kept apart from the widgets so the console :func:`oncehub_nb.login` shares it and tests can
drive it directly. Every outcome carries a plain-language message for a notebook user.

Example:
    >>> from oncehub_nb.auth import MemoryTokenStore
    >>> connector = Connector(store=MemoryTokenStore(), env={})
    >>> connector.hub.validate()
    Traceback (most recent call last):
    ...
    oncehub_nb.ReauthorizationRequired: Not signed in yet: ...
"""

from __future__ import annotations

import dataclasses
import hmac
import os
import threading
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Unpack
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
from oncehub_nb._http.credentials import Credential
from oncehub_nb.auth.api_key import ApiKeyAuth
from oncehub_nb.auth.config import OAuthConfig
from oncehub_nb.auth.deferred import DeferredAuth
from oncehub_nb.auth.flow import AuthorizationFlow, clean_pasted_url
from oncehub_nb.auth.oauth import OAuthAuth
from oncehub_nb.auth.tokens import TokenStore, api_key_record_name, load_api_key, save_api_key

if TYPE_CHECKING:
    from oncehub_nb._config import ClientSettings
    from oncehub_nb.auth.device import DeviceFlow

__all__ = ["Connector", "LinkFacts", "Outcome", "explain", "state_of"]


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


_KEY_PLACE = "in OnceHub under the gear icon > Account Integrations > APIs & Webhooks"


def explain(
    exc: BaseException, *, api_base: str, via: str, state: str = "", link: LinkFacts | None = None
) -> Outcome:
    """Turn an error from connecting into a plain-language outcome: what happened, what next.

    Args:
        exc: the error.
        api_base: the API root (named in network messages).
        via: ``"oauth"`` or ``"api_key"``.
        state: the ``state`` of the pasted address (``""``: none), to tell the state errors apart.
        link: the current sign-in link's facts (``None``: no link).

    Returns:
        The outcome.

    Example:
        >>> explain(AuthorizationDenied("x"), api_base="https://a", via="oauth").restart
        True
    """
    if isinstance(exc, AuthorizationDenied):
        text = "You pressed Deny, so nothing was connected. Press Start again, then Allow."
        return Outcome(False, text, True, exc)
    if isinstance(exc, StateMismatch):
        return _state_outcome(exc, state, link)
    if isinstance(exc, InvalidRedirectURL | ConfigurationError):
        return Outcome(False, str(exc), False, exc)
    if isinstance(exc, TokenExchangeError):
        if getattr(exc, "error", None) == "invalid_grant":
            text = (
                "The sign-in server did not accept this address: it was already used, or too "
                "much time passed after you pressed Allow. Press Start again for a new link."
            )
        else:
            text = (
                f"The sign-in server refused to finish the sign-in ({exc}). Check this app's "
                "settings with whoever set it up, then press Start again."
            )
        return Outcome(False, text, True, exc)
    if isinstance(exc, AuthenticationError | ReauthorizationRequired):
        if via == "api_key":
            text = f"OnceHub did not accept that API key. Check it ({_KEY_PLACE}), then try again."
            return Outcome(False, text, False, exc)
        return Outcome(False, "OnceHub refused the new sign-in. Press Start again.", True, exc)
    if isinstance(exc, PermissionDeniedError):
        text = (
            "Those details are right, but this OnceHub account's plan has no API access. "
            "Ask your OnceHub admin about the plan, or use another account."
        )
        return Outcome(False, text, False, exc)
    if isinstance(exc, APIConnectionError | requests.RequestException):
        where = f"OnceHub at {api_base}" if via == "api_key" else "the sign-in server"
        text = f"Could not reach {where}. Check your network connection, then try again."
        return Outcome(False, text, False, exc)
    if isinstance(exc, OnceHubError):
        return Outcome(False, str(exc), False, exc)
    raise exc


@dataclasses.dataclass(frozen=True)
class LinkFacts:
    """The current sign-in link: its ``state`` and when it stops working (epoch seconds)."""

    state: str
    expires_at: float


def _state_outcome(exc: StateMismatch, state: str, link: LinkFacts | None) -> Outcome:
    if not state:
        text = (
            "That address is cut short: the part that ties it to this sign-in (state) is "
            "missing. Copy the whole address from your browser's address bar and paste it again."
        )
        return Outcome(False, text, False, exc)
    forgotten = (
        "This sign-in was already finished or forgotten (for example after a kernel restart). "
        "Press Start again for a new link."
    )
    if link is None:
        return Outcome(False, forgotten, True, exc)
    if not hmac.compare_digest(state.encode(), link.state.encode()):
        text = (
            "That address comes from another sign-in link (an older one, or another notebook). "
            "Paste the address you reach from the link in this panel."
        )
        return Outcome(False, text, False, exc)
    if time.time() >= link.expires_at:
        text = "This sign-in link has expired. Press Start again for a new one."
        return Outcome(False, text, True, exc)
    return Outcome(False, forgotten, True, exc)


def state_of(pasted: str) -> str:
    """The ``state`` in a pasted address (``""`` when it has none or is no address).

    Example:
        >>> state_of(" 'http://127.0.0.1:8765/cb?code=c&state=s' ")
        's'
    """
    try:
        parts = urlsplit(clean_pasted_url(pasted))
        query = parse_qs(parts.query) or parse_qs(parts.fragment)
    except ValueError:
        return ""
    return (query.get("state") or [""])[0]


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
        **settings: Unpack[ClientSettings],
    ) -> None:
        self.config = config
        self.store = store
        self.env = os.environ if env is None else env
        self.slot = DeferredAuth()
        self.hub = OnceHub(auth=self.slot, env=self.env, **settings)
        self.api_base = self.hub.settings.api_base
        self.flow = (
            AuthorizationFlow(config, store=store, sender=self.hub.transport)
            if config is not None
            else None
        )
        self.via: str | None = None
        self.stored_in: str | None = None
        self._lock = threading.RLock()
        self._authorize_url: str | None = None
        self._link_expires_at = 0.0

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
                self._link_expires_at = time.time() + self.flow.ttl
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

    def _check(self, via: str, credential: Credential) -> Outcome:
        self.slot.connect(credential)
        self.hub.account = None
        try:
            account = self.hub.validate()
        except Exception as exc:
            self.slot.disconnect()
            return explain(exc, api_base=self.api_base, via=via)
        self.via = via
        self.stored_in = dict(credential.describe()).get("Stored in")
        return Outcome(True, f"Connected as {account}.")

    def connect_api_key(self, key: str) -> Outcome:
        """Check an API key with ``GET /test`` and keep it in the store.

        Args:
            key: the key (surrounding spaces and quotes are ignored).

        Returns:
            The outcome.
        """
        if not key.strip().strip("'\"").strip():
            return Outcome(False, f"Enter your API key first. You can create one {_KEY_PLACE}.")
        with self._lock:
            try:
                auth = ApiKeyAuth(key, store=self.store, record=api_key_record_name(self.api_base))
            except ConfigurationError as exc:
                return explain(exc, api_base=self.api_base, via="api_key")
            outcome = self._check("api_key", auth)
            if outcome.ok:
                save_api_key(self.store, self.api_base, auth.key)
            return outcome

    def connect_redirect(self, pasted: str) -> Outcome:
        """Finish the OAuth sign-in from the address the browser was sent to.

        Args:
            pasted: that address (spaces, quotes and line breaks are tolerated).

        Returns:
            The outcome.
        """
        if self.flow is None or self.config is None:
            return Outcome(False, "No OAuth app is set up here: use an API key instead.")
        if not pasted.strip():
            return Outcome(
                False, "First paste the address of the page you landed on after pressing Allow."
            )
        with self._lock:
            link = self._link_facts()
            try:
                self.flow.finish(pasted)
            except Exception as exc:
                state = state_of(pasted)
                return explain(exc, api_base=self.api_base, via="oauth", state=state, link=link)
            self._authorize_url = None
            return self._check("oauth", OAuthAuth(self.config, store=self.store))

    def device_flow(self, **options: Any) -> DeviceFlow:
        """A sign-in with a code (RFC 8628) for this app, through the client's transport.

        Args:
            **options: :class:`~oncehub_nb.auth.device.DeviceFlow` options (``clock``, ``sleep``).

        Raises:
            ConfigurationError: no OAuth app is configured.
        """
        if self.config is None:
            raise ConfigurationError("No OAuth app is configured (ONCEHUB_CLIENT_ID); use a key.")
        from oncehub_nb.auth.device import DeviceFlow

        return DeviceFlow(self.config, store=self.store, sender=self.hub.transport, **options)

    def connect_device(self) -> Outcome:
        """Connect with the token a sign-in with a code just saved in the store.

        Returns:
            The outcome (``GET /test`` with the new token).
        """
        if self.config is None:
            return Outcome(False, "No OAuth app is set up here: use an API key instead.")
        with self._lock:
            return self._check("oauth", OAuthAuth(self.config, store=self.store))

    def _link_facts(self) -> LinkFacts | None:
        state = self.expected_state
        return None if state is None else LinkFacts(state, self._link_expires_at)

    def reuse(self) -> bool:
        """Connect with what is already kept: an OAuth token, a stored key, ``ONCEHUB_API_KEY``.

        Then, on Colab only, the notebook's ``ONCEHUB_API_KEY`` secret
        (:func:`~oncehub_nb.notebook.hosted.colab_secret`), before anything asks the user.

        Returns:
            ``True`` when one of them works.
        """
        with self._lock:
            config = self.config
            if config is not None and self.store.load_token(config.profile):  # noqa: SIM102
                if self._check("oauth", OAuthAuth(config, store=self.store)).ok:
                    return True
            record = api_key_record_name(self.api_base)
            stored = load_api_key(self.store, self.api_base)
            candidates: list[Credential] = []
            if stored:
                candidates.append(ApiKeyAuth(stored, store=self.store, record=record))
            from_env = (self.env.get("ONCEHUB_API_KEY") or "").strip()
            if from_env:
                candidates.append(ApiKeyAuth(from_env, stored_in="ONCEHUB_API_KEY (environment)"))
            if any(self._check("api_key", auth).ok for auth in candidates):
                return True
            from oncehub_nb.notebook.hosted import colab_secret

            secret = colab_secret()
            if secret is None:
                return False
            auth = ApiKeyAuth(secret, stored_in="ONCEHUB_API_KEY (Colab secret)")
            return self._check("api_key", auth).ok

    def sign_out(self) -> str:
        """Forget the credential: revoke the OAuth token where possible, delete what is kept.

        Returns:
            What was done, in words.
        """
        with self._lock:
            message = self.hub.sign_out()
            if self.flow is not None:
                self.flow.forget_pending(expired_only=False)
            self.via = self.stored_in = None
            return message

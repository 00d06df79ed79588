"""The OAuth 2.0 authorization-code flow with PKCE: configuration, start, finish.

OnceHub's public API documents API keys only. This flow works with endpoints you configure (the
defaults are the ones of the tutorial this project follows) and is proven against the bundled
sandbox's authorization server. It follows RFC 6749, RFC 7636 (PKCE, S256) and RFC 9700: the
``state`` comes from a CSPRNG and is checked before any token request; the pending sign-in is
kept (0600, with a time limit) so a kernel restart between the two steps does not break it.

Example:
    >>> from oncehub_nb.auth import MemoryTokenStore
    >>> config = OAuthConfig(client_id="my-app", redirect_uri="http://127.0.0.1:8765/callback")
    >>> flow = AuthorizationFlow(config, store=MemoryTokenStore())
    >>> url = flow.start()  # open it, press Allow, copy the address you land on
    >>> url.startswith("https://app.oncehub.com/oauth/authorize?response_type=code&client_id=my-app")
    True

    Against the sandbox, whose consent page ``sb.consent`` presses in place of a person:

    >>> flow = AuthorizationFlow(OAuthConfig(**sb.oauth_settings("public")),
    ...                          store=MemoryTokenStore())
    >>> landed = sb.consent(flow.start())  # the address a person would paste
    >>> flow.finish(landed)
    Token(access_token='...…', refresh_token='...…', expires_at=...Z, scope='read write')
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from oncehub_nb._display import facts_html
from oncehub_nb._errors import (
    AuthorizationDenied,
    ConfigurationError,
    InvalidRedirectURL,
    StateMismatch,
)
from oncehub_nb._http.credentials import Sender
from oncehub_nb._http.urls import is_loopback_url
from oncehub_nb._redact import redact_text, register_secret
from oncehub_nb.auth.config import DEFAULT_AUTHORIZE_URL, DEFAULT_TOKEN_URL, OAuthConfig
from oncehub_nb.auth.stores import store_or_default
from oncehub_nb.auth.tokens import Token, TokenStore, describe_expiry
from oncehub_nb.auth.validate import pending_fields

__all__ = [
    "DEFAULT_AUTHORIZE_URL",
    "DEFAULT_TOKEN_URL",
    "AuthorizationFlow",
    "OAuthConfig",
    "clean_pasted_url",
]

PENDING_TTL_SECONDS = 600.0


def _pending_name(profile: str, state: str) -> str:
    return f"pending-{profile[6:40]}-{hashlib.sha256(state.encode()).hexdigest()[:32]}"


_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")


def _printable(text: str) -> str:
    return "".join(ch if ch.isprintable() else " " for ch in str(text))


def clean_pasted_url(text: str) -> str:
    r"""Tidy what a user pasted: spaces, line breaks, quotes, angle brackets, a missing scheme.

    Args:
        text: the pasted text.

    Returns:
        A URL-looking string (not yet validated).

    Example:
        >>> clean_pasted_url('  "127.0.0.1:8765/callback?code=x&state=y"\n')
        'http://127.0.0.1:8765/callback?code=x&state=y'
    """
    cleaned = "".join(str(text).split())  # also joins a URL broken over lines
    cleaned = cleaned.strip("'\"<>`")
    if cleaned and not _SCHEME_RE.match(cleaned):
        host = cleaned.split("/", 1)[0].split(":", 1)[0]
        scheme = "http" if is_loopback_url(f"http://{host}/") else "https"
        cleaned = f"{scheme}://{cleaned}"
    return cleaned


class AuthorizationFlow:
    """Start a sign-in (the authorize URL) and finish it (the pasted redirect URL).

    Args:
        config: the app and endpoints.
        store: where the pending sign-in and then the token are kept (default: a
            :class:`~oncehub_nb.auth.tokens.FileTokenStore`, so a kernel restart between the two
            steps is harmless).
        ttl: seconds a started sign-in stays valid.
        clock: the time function (tests control it).
        exchange: the code-for-token exchange (default: requests-oauthlib over HTTP); tests may
            wrap it to watch what is sent.
        sender: the transport the code exchange goes through (default: one of its own, built
            from ``ONCEHUB_*`` settings; a client passes its own).
        new_secret: makes ``state`` (asked for 32 bytes) and the PKCE verifier (96 bytes);
            default ``secrets.token_urlsafe``, a CSPRNG. Replays of recorded flows pass a
            deterministic one; never do that for real sign-ins.

    Example:
        >>> from oncehub_nb.auth import MemoryTokenStore
        >>> config = OAuthConfig(client_id="app", redirect_uri="http://127.0.0.1:1/cb")
        >>> flow = AuthorizationFlow(config, store=MemoryTokenStore())
        >>> flow.start().startswith("https://app.oncehub.com/oauth/authorize?")
        True
    """

    def __init__(
        self,
        config: OAuthConfig,
        *,
        store: TokenStore | None = None,
        ttl: float = PENDING_TTL_SECONDS,
        clock: Callable[[], float] = time.time,
        exchange: Callable[[OAuthConfig, str, str, str, str], Mapping[str, Any]] | None = None,
        new_secret: Callable[[int], str] = secrets.token_urlsafe,
        sender: Sender | None = None,
    ) -> None:
        self.config = config
        self.store = store_or_default(store)
        self.ttl = ttl
        self._clock = clock
        self._sender = sender
        self._exchange = exchange if exchange is not None else self._exchange_code
        self._new_secret = new_secret

    def _exchange_code(
        self, config: OAuthConfig, code: str, verifier: str, redirect_uri: str, state: str
    ) -> Mapping[str, Any]:
        from oncehub_nb.auth.grants import exchange_code

        if self._sender is None:  # a flow used on its own: a transport for the token endpoint
            from oncehub_nb._http.transport import standalone_transport

            self._sender = standalone_transport()
        return exchange_code(config, code, verifier, redirect_uri, state, sender=self._sender)

    def __repr__(self) -> str:
        pending = len(self.pending())
        return (
            f"<AuthorizationFlow client_id={self.config.client_id!r} "
            f"pending={pending} store={self.store.describe()!r}>"
        )

    def describe(self) -> list[tuple[str, str]]:
        """The app, its pending sign-ins and their expiry, the store, as rows (no secrets)."""
        pending = self.pending()
        rows = [
            ("App", self.config.client_id),
            ("Authorization server", self.config.authorize_url),
            ("Redirect address", self.config.redirect_uri or "not set"),
            ("Kept in", self.store.describe()),
            ("Pending sign-ins", str(len(pending)) if pending else "none: call flow.start()"),
        ]
        if pending:
            latest = max(float(p["expires_at"]) for p in pending)
            rows.append(("Link valid until", describe_expiry(latest, now=self._clock())))
            rows.append(("Next step", "open the link, press Allow, then flow.finish(address)"))
        return rows

    def _repr_html_(self) -> str:
        """Notebook view: the app, pending sign-ins and their expiry, the store (no secrets)."""
        return facts_html("OnceHub sign-in", self.describe())

    def _records(self) -> list[tuple[str, dict[str, Any] | None]]:
        """Pending sign-ins of this app: ``(name, fields)``, ``None`` for a damaged one."""
        prefix = _pending_name(self.config.profile, "")[:-32]
        found: list[tuple[str, dict[str, Any] | None]] = []
        for name in self.store.names(prefix):
            try:
                found.append((name, pending_fields(self.store.read(name))))
            except (ConfigurationError, ValueError):
                found.append((name, None))
        return found

    def pending(self) -> list[dict[str, Any]]:
        """The started, unexpired sign-ins of this app (secrets left out).

        Returns:
            One dict per pending sign-in: ``created_at``, ``expires_at``, ``redirect_uri``.
        """
        now = self._clock()
        return [
            {k: fields[k] for k in ("created_at", "expires_at", "redirect_uri")}
            for _, fields in self._records()
            if fields is not None and fields["expires_at"] > now
        ]

    def forget_pending(self, *, expired_only: bool = True) -> int:
        """Delete pending sign-ins of this app: expired or damaged ones (or all of them).

        Args:
            expired_only: keep the sign-ins still in time.

        Returns:
            How many were deleted.
        """
        now = self._clock()
        gone = 0
        for name, fields in self._records():
            if not expired_only or fields is None or fields["expires_at"] <= now:
                self.store.delete(name)
                gone += 1
        return gone

    def start(self) -> str:
        """Begin a sign-in: make ``state`` and a PKCE verifier, keep them, return the URL.

        Returns:
            The authorize URL to open in a browser.

        Raises:
            ConfigurationError: no ``redirect_uri`` is configured.

        Example:
            >>> url = flow.start()
            >>> url.startswith(f"{config.authorize_url}?response_type=code&client_id=")
            True
            >>> "code_challenge_method=S256" in url, len(flow.pending())
            (True, 1)
        """
        from oauthlib.oauth2 import WebApplicationClient

        from oncehub_nb.auth.grants import oauthlib_url

        if not self.config.redirect_uri:
            raise ConfigurationError(
                "redirect_uri is required to sign in (argument or ONCEHUB_REDIRECT_URI); it must "
                "be registered with the app exactly as given"
            )
        self.forget_pending()
        state = self._new_secret(32)
        client = WebApplicationClient(self.config.client_id)
        verifier = self._new_secret(96)[:128]  # RFC 7636: 43 to 128 unreserved characters
        challenge = client.create_code_challenge(verifier, "S256")
        register_secret(verifier, owner=self)
        now = self._clock()
        record = {
            "state": state,
            "code_verifier": verifier,
            "redirect_uri": self.config.redirect_uri,
            "created_at": now,
            "expires_at": now + self.ttl,
        }
        self.store.write(_pending_name(self.config.profile, state), record)
        url = client.prepare_request_uri(
            oauthlib_url(self.config.authorize_url),
            redirect_uri=self.config.redirect_uri,
            scope=self.config.scope or None,
            state=state,
            code_challenge=challenge,
            code_challenge_method="S256",
        )
        if url.startswith("https://") and not self.config.authorize_url.startswith("https://"):
            url = "http://" + url[len("https://") :]
        return str(url)

    def _parse(self, pasted: str) -> tuple[dict[str, str], str]:
        try:
            url = clean_pasted_url(pasted)
            parts = urlsplit(url)
            port = parts.port
            query = parse_qs(parts.query, keep_blank_values=True)
            if not query and parts.fragment:
                query = parse_qs(parts.fragment, keep_blank_values=True)
        except ValueError:
            raise InvalidRedirectURL(
                "That is not a web address. Paste the whole address of the page you were sent "
                "to after pressing Allow."
            ) from None
        if not parts.scheme or not parts.hostname:
            raise InvalidRedirectURL(
                "That is not a web address. Paste the whole address of the page you were sent "
                "to after pressing Allow."
            )
        params = {k: v[0] for k, v in query.items() if v}
        expected = urlsplit(self.config.redirect_uri)
        same_place = (
            parts.scheme.lower() == expected.scheme.lower()
            and (parts.hostname or "").lower() == (expected.hostname or "").lower()
            and port == expected.port
            and (parts.path or "/").rstrip("/") == (expected.path or "/").rstrip("/")
        )
        if not same_place:
            raise InvalidRedirectURL(
                f"That address is not this app's redirect address "
                f"({expected.scheme}://{expected.netloc}{expected.path}). Paste the address of "
                "the page you were sent to after pressing Allow."
            )
        return params, url

    def finish(self, pasted: str) -> Token:
        """Finish a sign-in from the pasted redirect URL: check state, exchange the code, save.

        Spaces, line breaks, quotes and a missing ``http://`` are tolerated. No token request
        is sent unless the ``state`` matches a pending sign-in of this app.

        Args:
            pasted: the address of the page the browser landed on after Allow (or Deny).

        Returns:
            The token, also saved in the store.

        Raises:
            AuthorizationDenied: the user pressed Deny (or the server refused the request); only
                trusted once the address's ``state`` matches a pending sign-in.
            InvalidRedirectURL: the text is not this app's redirect or carries no code.
            StateMismatch: the state is missing, unknown, already used or expired.
            TokenExchangeError: the token endpoint refused the code.

        Example:
            >>> pasted = sb.consent(flow.start())  # in a notebook: input("Paste the address: ")
            >>> flow.finish(pasted).scope
            'read write'
            >>> flow.finish(pasted)  # a sign-in finishes once
            Traceback (most recent call last):
            ...
            oncehub_nb.StateMismatch: ...
        """
        params, _url = self._parse(pasted)
        state = params.get("state", "")
        if "code" in params:
            register_secret(params["code"], owner=self)
        if not state:
            raise StateMismatch(
                "That address has no state, so it is not the one you were sent to after pressing "
                "Allow (or Deny). Paste the whole address of that page."
            )
        name = _pending_name(self.config.profile, state)
        with self.store.lock(name):
            try:
                raw = self.store.read(name)
            except ConfigurationError:
                raw = {}  # unreadable: treated as damaged below
            if raw is not None:
                self.store.delete(name)  # single use, whatever happens next
        # RFC 6749 4.1.2.1: an error response is bound to the state. Until the state matches a
        # pending sign-in nothing in the address is trusted, the server's text included.
        if raw is None:
            raise StateMismatch(
                "That address belongs to another sign-in (an older link, another app), or to "
                "one already finished. Paste the address you got from the newest link; if that "
                "fails too, start again."
            )
        try:
            record = pending_fields(raw)
        except ValueError:
            raise StateMismatch(
                "The saved sign-in for that address is damaged; start again for a new link."
            ) from None
        if not hmac.compare_digest(record["state"], state):
            raise StateMismatch("That address does not match its sign-in; start again.")
        if "error" in params:
            description = _printable(params.get("error_description") or "no reason given")
            raise AuthorizationDenied(
                f"The sign-in was refused ({_printable(params['error'])[:60]}: "
                f"{redact_text(description)[:200]}). Start again and press Allow to connect."
            )
        if record["expires_at"] <= self._clock():
            raise StateMismatch(
                f"That sign-in expired (links are valid for {self.ttl / 60:.0f} minutes). "
                "Start again for a new link."
            )
        code = params.get("code", "")
        if not code:
            raise InvalidRedirectURL(
                "That address has no authorization code. Paste the address of the page you were "
                "sent to after pressing Allow."
            )
        body = self._exchange(
            self.config, code, record["code_verifier"], record["redirect_uri"], state
        )
        token = Token.from_response(body, now=self._clock())
        self.store.save_token(self.config.profile, token)
        return token

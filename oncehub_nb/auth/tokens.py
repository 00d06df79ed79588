"""OAuth tokens and where they are kept.

:class:`Token` is an immutable token with a masked repr. A :class:`TokenStore` keeps small JSON
records under names (one token per profile, plus pending sign-ins); the stores are in
:mod:`oncehub_nb.auth.stores`: ``MemoryTokenStore``
for a session, ``FileTokenStore`` (the default: the platform config directory, files 0600 from
creation, directory 0700, atomic replace, a file lock for processes sharing it) and
``KeyringTokenStore`` (the ``keyring`` extra).

A profile is one (token URL, client id) pair, so switching apps never reuses a token.

Example:
    >>> from oncehub_nb.auth.stores import MemoryTokenStore
    >>> store = MemoryTokenStore()
    >>> token = Token(access_token="a" * 20, refresh_token="r" * 20, expires_at=2_000_000_000.0)
    >>> store.save_token("demo", token)
    >>> store.load_token("demo") == token
    True
    >>> token
    Token(access_token='aaaa…', refresh_token='rrrr…', expires_at=2033-05-18T03:33:20Z, scope='')
"""

from __future__ import annotations

import abc
import contextlib
import dataclasses
import datetime as dt
import hashlib
import re
import time
from collections.abc import Mapping
from typing import Any

from oncehub_nb._errors import ConfigurationError, TokenExchangeError
from oncehub_nb._redact import mask, register_secret
from oncehub_nb.auth.validate import stored_token_fields, token_fields

__all__ = [
    "Token",
    "TokenStore",
    "api_key_record_name",
    "describe_expiry",
    "load_api_key",
    "profile_name",
    "save_api_key",
]

_NAME_RE = re.compile(r"^[A-Za-z0-9._-]{1,120}$")


def describe_expiry(expires_at: float | None, *, now: float | None = None) -> str:
    """Say when a token expires, in words.

    Args:
        expires_at: Unix time, or ``None``.
        now: the current Unix time (default: now).

    Returns:
        A short text.

    Example:
        >>> describe_expiry(1_000_000_600.0, now=1_000_000_000.0)
        '2001-09-09 01:56:40 UTC (in 10 min)'
        >>> describe_expiry(None)
        'no expiry given (used until refused, then refreshed)'
    """
    if expires_at is None:
        return "no expiry given (used until refused, then refreshed)"
    left = expires_at - (time.time() if now is None else now)
    try:
        when = dt.datetime.fromtimestamp(expires_at, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (ValueError, OverflowError, OSError):
        when = "far in the future"
    if left <= 0:
        return f"{when} (expired: refreshed on next use)"
    return f"{when} (in {left / 60:.0f} min)"


def profile_name(token_url: str, client_id: str) -> str:
    """Name the profile of one app at one authorization server.

    Args:
        token_url: the token endpoint.
        client_id: the app's client id.

    Returns:
        A file-name-safe name: a readable part of the client id and a hash of both.

    Example:
        >>> profile_name("https://app.oncehub.com/oauth/token", "my app")[:11]
        'token-my-ap'
    """
    digest = hashlib.sha256(f"{token_url}\n{client_id}".encode()).hexdigest()[:16]
    readable = re.sub(r"[^A-Za-z0-9]+", "-", client_id).strip("-")[:24] or "client"
    return f"token-{readable}-{digest}"


@dataclasses.dataclass(frozen=True, repr=False)
class Token:
    """An OAuth 2.0 access token, with its refresh token and expiry; secrets masked in repr.

    Attributes:
        access_token: the bearer token.
        refresh_token: the refresh token, if the server issued one.
        expires_at: expiry as a Unix time, or ``None`` when the server gave no lifetime.
        scope: the granted scope, space separated (may be wider than asked).
        token_type: ``Bearer``.
        obtained_at: when this token was received (Unix time).

    Example:
        >>> Token.from_response({"access_token": "x" * 20, "expires_in": "60"}, now=0).expires_at
        60.0
    """

    access_token: str
    refresh_token: str | None = None
    expires_at: float | None = None
    scope: str = ""
    token_type: str = "Bearer"  # noqa: S105 - the RFC 6750 token type
    obtained_at: float | None = None

    def __post_init__(self) -> None:
        register_secret(self.access_token, owner=self)
        register_secret(self.refresh_token, owner=self)

    @classmethod
    def from_response(
        cls,
        body: Mapping[str, Any],
        *,
        now: float | None = None,
        previous: Token | None = None,
    ) -> Token:
        """Build a token from a token endpoint's answer, checked at the boundary.

        The rules (what a missing or odd ``expires_in`` means, and so on) are those of
        :mod:`oncehub_nb.auth.validate`. A refresh answer without a new refresh token keeps the
        previous one.

        Args:
            body: the decoded answer.
            now: the time the answer was received (default: now).
            previous: the token this one refreshes.

        Returns:
            The token.

        Raises:
            TokenExchangeError: the answer is not a usable token response.

        Example:
            >>> Token.from_response({"access_token": "x" * 20, "scope": ["read", "write"]}).scope
            'read write'
        """
        now = time.time() if now is None else now
        try:
            fields = token_fields(body)
        except ValueError as exc:
            raise TokenExchangeError(
                f"The token endpoint's answer is not a usable token: {exc}. Try again; if it "
                "keeps failing, the server (token_url) is misbehaving."
            ) from None
        lifetime = fields["expires_in"]
        scope = fields["scope"]
        if scope is None:
            scope = previous.scope if previous else ""
        refresh = fields["refresh_token"] or (previous.refresh_token if previous else None)
        return cls(
            access_token=fields["access_token"],
            refresh_token=refresh,
            expires_at=None if lifetime is None else now + lifetime,
            scope=scope,
            token_type=fields["token_type"],
            obtained_at=now,
        )

    @property
    def lifetime(self) -> float | None:
        """Seconds the token was issued for (``None`` when the server gave no lifetime).

        Example:
            >>> Token("a" * 20, expires_at=1006.0, obtained_at=1000.0).lifetime
            6.0
        """
        if self.expires_at is None or self.obtained_at is None:
            return None
        return max(self.expires_at - self.obtained_at, 0.0)

    def expires_within(self, seconds: float, *, now: float | None = None) -> bool:
        """Tell whether the token expires within ``seconds`` (``False`` when no expiry is known).

        Args:
            seconds: the leeway.
            now: the current Unix time (default: now).

        Returns:
            ``True`` when a refresh is due.
        """
        if self.expires_at is None:
            return False
        return self.expires_at - (time.time() if now is None else now) <= seconds

    def to_record(self) -> dict[str, Any]:
        """The JSON record a store keeps."""
        return dataclasses.asdict(self)

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Token:
        """Rebuild a token from a stored record, strictly.

        Args:
            record: what :meth:`to_record` gave.

        Returns:
            The token.

        Raises:
            ValueError: the record is not a token (a field missing or of the wrong type).
        """
        return cls(**stored_token_fields(record))

    def for_oauthlib(self) -> dict[str, Any]:
        """The token dict handed to requests-oauthlib, without expiry.

        Expiry decisions are ours (with a leeway and an injectable clock); giving oauthlib
        ``expires_at`` would make it raise ``TokenExpiredError`` on its own wall clock.
        """
        token: dict[str, Any] = {"access_token": self.access_token, "token_type": self.token_type}
        if self.refresh_token:
            token["refresh_token"] = self.refresh_token
        return token

    def __repr__(self) -> str:
        try:
            expiry = (
                dt.datetime.fromtimestamp(self.expires_at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
                if self.expires_at is not None
                else "None"
            )
        except (ValueError, OverflowError, OSError):  # a Token built by hand with a wild expiry
            expiry = repr(self.expires_at)
        return (
            f"Token(access_token={mask(self.access_token)!r}, "
            f"refresh_token={mask(self.refresh_token)!r}, expires_at={expiry}, "
            f"scope={self.scope!r})"
        )


class TokenStore(abc.ABC):
    """Where tokens (and pending sign-ins) are kept: small JSON records under names.

    Subclasses implement :meth:`read`, :meth:`write`, :meth:`delete`, :meth:`lock` and
    :meth:`describe`; the token helpers are shared.

    Example:
        >>> from oncehub_nb.auth.stores import MemoryTokenStore
        >>> store = MemoryTokenStore()
        >>> with store.lock("token-x"):
        ...     store.write("token-x", {"access_token": "x" * 20})
        >>> store.load_token("token-x").access_token[:2]
        'xx'
    """

    @abc.abstractmethod
    def read(self, name: str) -> dict[str, Any] | None:
        """Return the record stored under ``name``, or ``None``."""

    @abc.abstractmethod
    def write(self, name: str, record: Mapping[str, Any]) -> None:
        """Store a record under ``name`` (replacing it atomically)."""

    @abc.abstractmethod
    def delete(self, name: str) -> None:
        """Remove the record (no error when absent)."""

    @abc.abstractmethod
    def lock(self, name: str) -> contextlib.AbstractContextManager[None]:
        """A lock on ``name`` held across threads (and processes, where the store is shared)."""

    @abc.abstractmethod
    def describe(self) -> str:
        """Where the records are, in words (for status lines)."""

    def names(self, prefix: str) -> list[str]:
        """Names of the stored records starting with ``prefix`` (empty where unsupported)."""
        return []

    def load_token(self, profile: str) -> Token | None:
        """Return the token of a profile, or ``None``.

        Raises:
            ConfigurationError: the stored record is not a token (never silently replaced).
        """
        record = self.read(profile)
        if record is None:
            return None
        try:
            return Token.from_record(record)
        except ValueError as exc:
            raise ConfigurationError(
                f"The stored token {profile!r} in {self.describe()} is damaged ({exc}). It was "
                "left as it is: remove it (oncehub-nb logout) and sign in again."
            ) from None

    def save_token(self, profile: str, token: Token) -> None:
        """Store the token of a profile."""
        self.write(profile, token.to_record())

    def delete_token(self, profile: str) -> None:
        """Forget the token of a profile."""
        self.delete(profile)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.describe()})"


def check_record_name(name: str) -> str:
    if not _NAME_RE.match(name):
        raise ConfigurationError(f"invalid record name {name!r}")
    return name


def api_key_record_name(api_base: str) -> str:
    """Name of the stored API key for one API base (``oncehub-nb login --api-key``).

    Example:
        >>> api_key_record_name("https://api.oncehub.com/v2")[:7]
        'apikey-'
    """
    return "apikey-" + hashlib.sha256(api_base.rstrip("/").encode()).hexdigest()[:16]


def load_api_key(store: TokenStore, api_base: str) -> str | None:
    """Return the API key stored for an API base, or ``None``.

    Example:
        >>> from oncehub_nb.auth.stores import MemoryTokenStore
        >>> store = MemoryTokenStore()
        >>> save_api_key(store, "https://api.oncehub.com/v2", "k" * 24)
        >>> load_api_key(store, "https://api.oncehub.com/v2") == "k" * 24
        True
    """
    record = store.read(api_key_record_name(api_base))
    key = record.get("api_key") if record else None
    if isinstance(key, str) and key:
        register_secret(key, owner=store)
        return key
    return None


def save_api_key(store: TokenStore, api_base: str, api_key: str) -> None:
    """Store an API key for an API base (file 0600, or the keyring)."""
    register_secret(api_key, owner=store)
    store.write(api_key_record_name(api_base), {"api_key": api_key, "api_base": api_base})

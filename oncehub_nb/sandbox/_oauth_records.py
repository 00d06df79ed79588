"""Records of the sandbox's OAuth server (clients, codes, tokens) and the redirect-URI rule."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import urlsplit

SCOPES = ("read", "write")
LOOPBACK_HOSTS = ("127.0.0.1", "localhost")


@dataclass(frozen=True)
class Client:
    """A registered OAuth client.

    Example:
        >>> Client("sandbox-public-app", None, "Notebook Analytics (public)").public
        True
    """

    client_id: str
    secret: str | None
    name: str

    @property
    def public(self) -> bool:
        """``True`` for a client without a secret (PKCE S256 required).

        Example:
            >>> Client("c", "s", "App").public
            False
        """
        return self.secret is None


@dataclass
class Code:
    """An issued authorization code and what it was issued for.

    Example:
        >>> Code("c", "http://127.0.0.1:1/callback", ["read"], None, None, 0.0).used
        False
    """

    client_id: str
    redirect_uri: str
    scopes: list[str]
    challenge: str | None
    challenge_method: str | None
    expires_at: float
    used: bool = False


@dataclass
class Grant:
    """An access or refresh token: its client, scopes, expiry and the code it descends from.

    Example:
        >>> Grant("c", ["read"], expires_at=None, origin="code-1").active(now=0.0)
        True
    """

    client_id: str
    scopes: list[str]
    expires_at: float | None
    origin: str
    refresh_token: str | None = None
    access_tokens: set[str] = field(default_factory=set)
    revoked: bool = False
    #: A refresh token retired by rotation: kept so that a reuse is recognised (RFC 9700).
    rotated: bool = False

    def active(self, now: float) -> bool:
        """``True`` while neither revoked nor expired.

        Example:
            >>> Grant("c", [], expires_at=1.0, origin="x").active(now=2.0)
            False
        """
        return not self.revoked and (self.expires_at is None or now < self.expires_at)


T = TypeVar("T")


class FormTickets(Generic[T]):
    """One-time tickets that bind a form's POST to the page this server rendered.

    A page is served with :meth:`issue`'s ticket in a hidden field; its POST is honoured only
    if :meth:`spend` finds the ticket (once, within ``ttl`` seconds) holding the same value.

    Example:
        >>> tickets = FormTickets[str](threading.Lock())
        >>> ticket = tickets.issue("ABCD-EFGH")
        >>> tickets.spend(ticket, "ABCD-EFGH"), tickets.spend(ticket, "ABCD-EFGH")
        (True, False)
    """

    def __init__(
        self,
        lock: threading.Lock | threading.RLock,
        *,
        ttl: float = 600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = lock
        self._ttl = ttl
        self._clock = clock
        self._open: dict[str, tuple[T, float]] = {}

    def issue(self, value: T) -> str:
        """A new ticket for a page showing ``value`` (expired tickets are dropped)."""
        ticket = secrets.token_urlsafe(16)
        now = self._clock()
        with self._lock:
            for stale in [key for key, (_, until) in self._open.items() if until < now]:
                del self._open[stale]
            self._open[ticket] = (value, now + self._ttl)
        return ticket

    def spend(self, ticket: str, value: T) -> bool:
        """Whether ``ticket`` is open, unexpired and was issued for ``value``; it is spent."""
        with self._lock:
            stored = self._open.pop(ticket, None)
        return stored is not None and stored[1] >= self._clock() and stored[0] == value


def is_loopback_callback(uri: str) -> bool:
    """``True`` for ``http://127.0.0.1:<port>/callback`` or ``http://localhost:<port>/callback``.

    RFC 8252 section 7.3: a native app's loopback redirect may use any port.

    Example:
        >>> is_loopback_callback("http://127.0.0.1:53682/callback")
        True
        >>> is_loopback_callback("http://127.0.0.1.evil.example:80/callback")
        False
    """
    try:
        parts = urlsplit(uri)
        port = parts.port
    except ValueError:
        return False
    return (
        parts.scheme == "http"
        and parts.hostname in LOOPBACK_HOSTS
        and port is not None
        and parts.netloc == f"{parts.hostname}:{port}"
        and parts.path == "/callback"
        and not parts.query
        and not parts.fragment
    )

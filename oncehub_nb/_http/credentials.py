"""The one slot for every kind of credential (the role of httpx's ``Auth``).

The transport knows a credential only through :class:`Credential`: before each request it calls
:meth:`~Credential.authenticate` (which may refresh a token first, sending the refresh through
the same transport), and after a 401 it calls :meth:`~Credential.renew_after_unauthorized` once
and, when that says so, sends the request once more. Nothing above ``auth/`` asks which kind of
credential it holds; views ask :meth:`~Credential.describe`.

Example:
    >>> class Static(Credential):
    ...     def authenticate(self, request, sender):
    ...         request.headers["API-Key"] = "k" * 20
    ...     def describe(self):
    ...         return [("Credential", "a static key")]
    >>> Static().describe()
    [('Credential', 'a static key')]
"""

from __future__ import annotations

import abc
import enum
from typing import Protocol

import requests

__all__ = ["Credential", "NoCredential", "Policy", "Sender"]


class Policy(enum.Enum):
    """Which failures a request may be retried after (see ``transport``).

    * ``READ``: an idempotent API request (GET, PUT, DELETE ...): after 429, 5xx, resets and
      timeouts.
    * ``ACTION``: an API request that changes something (POST): only where the server cannot
      have acted: a 429, or a connection that was never made.
    * ``TOKEN``: a token, refresh or revocation request: connection never made, 429 and 503.
      Never after a read timeout or a reset once the body was sent: the server may have
      rotated the refresh token already, and sending the old one again would burn it.
    """

    READ = "read"
    ACTION = "action"
    TOKEN = "token"  # noqa: S105 - a policy name, not a secret


class Sender(Protocol):
    """The one send path, as a credential sees it (``Transport.send``)."""

    def send(
        self, request: requests.PreparedRequest, *, policy: Policy, limited: bool = False
    ) -> requests.Response:
        """Send a prepared request: no redirects, a total deadline, a size cap, retries."""
        ...


class Credential(abc.ABC):
    """What the transport needs of a credential: add it to a request, renew it, describe it."""

    @abc.abstractmethod
    def authenticate(self, request: requests.PreparedRequest, sender: Sender) -> None:
        """Add the credential to ``request`` (refreshing it first through ``sender`` if due).

        Args:
            request: the request about to be sent.
            sender: the transport, for any request the credential itself must make.
        """

    def renew_after_unauthorized(self, request: requests.PreparedRequest, sender: Sender) -> bool:
        """The server answered 401 to ``request``: renew the credential if possible.

        Args:
            request: the refused request (its headers show which credential was used).
            sender: the transport.

        Returns:
            ``True`` when the request should be sent once more with the renewed credential.
        """
        return False

    @abc.abstractmethod
    def describe(self) -> list[tuple[str, str]]:
        """Facts for views, as ``(name, text)`` rows; secrets masked."""

    def rate_limit_account(self) -> str | None:
        """Name the account this credential's requests count against (5 requests/s each).

        The same in every process that uses the same credential, and never the credential
        itself (a digest): the shared rate limiter names a file after it.

        Returns:
            The name, or ``None`` when it is not known (one budget per API base is used).
        """
        return None

    def forget(self, sender: Sender) -> str:
        """Sign out: remove the credential from where it is kept (revoke it where possible).

        Args:
            sender: the transport, for a revocation request.

        Returns:
            What was done, in words.
        """
        return "Nothing was kept."


class NoCredential(Credential):
    """No credential at all: for the token endpoint's own transport (the grant carries one).

    Example:
        >>> NoCredential().describe()
        [('Credential', 'none')]
    """

    def authenticate(self, request: requests.PreparedRequest, sender: Sender) -> None:
        """Add nothing."""

    def describe(self) -> list[tuple[str, str]]:
        """One row: none."""
        return [("Credential", "none")]

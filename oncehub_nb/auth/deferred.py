"""The credential of a client that signs in later: the notebook panel's client.

``login()`` and the sign-in panel hand out a client before the user has signed in, so that the
same object works once the panel says "Connected". Its credential is a :class:`DeferredAuth`:
until :meth:`~DeferredAuth.connect` gives it a real credential (an API key, an OAuth token),
every request is refused with :class:`~oncehub_nb.ReauthorizationRequired` and nothing is sent.

Example:
    >>> from oncehub_nb.auth.api_key import ApiKeyAuth
    >>> slot = DeferredAuth()
    >>> slot.describe()[0][1]
    'none yet: finish signing in in the panel'
    >>> slot.connect(ApiKeyAuth("0123456789abcdef0123"))
    >>> slot.describe()[0][1]
    'API key 0123…'
"""

from __future__ import annotations

import threading

import requests

from oncehub_nb._errors import ReauthorizationRequired
from oncehub_nb._http.credentials import Credential, Sender

__all__ = ["DeferredAuth"]


class DeferredAuth(Credential):
    """A slot for the credential the user will sign in with.

    Args:
        waiting: what requests are told while nobody has signed in.
    """

    def __init__(
        self,
        waiting: str = (
            "Not signed in yet: finish signing in in the panel (open the link, press Allow and "
            "Connect, or enter an API key), then run this cell again."
        ),
    ) -> None:
        self._waiting = waiting
        self._current: Credential | None = None
        self._lock = threading.Lock()

    @property
    def current(self) -> Credential | None:
        """The connected credential, or ``None``."""
        return self._current

    def connect(self, credential: Credential) -> None:
        """Use ``credential`` from now on."""
        with self._lock:
            self._current = credential

    def disconnect(self) -> Credential | None:
        """Stop using the credential (signing out); returns it."""
        with self._lock:
            old, self._current = self._current, None
        return old

    def authenticate(self, request: requests.PreparedRequest, sender: Sender) -> None:
        """Delegate to the connected credential, or refuse before anything is sent."""
        current = self._current
        if current is None:
            raise ReauthorizationRequired(self._waiting)
        current.authenticate(request, sender)

    def renew_after_unauthorized(self, request: requests.PreparedRequest, sender: Sender) -> bool:
        """Delegate to the connected credential."""
        current = self._current
        return current is not None and current.renew_after_unauthorized(request, sender)

    def describe(self) -> list[tuple[str, str]]:
        """The connected credential's facts, or that nobody signed in yet."""
        current = self._current
        if current is None:
            return [("Credential", "none yet: finish signing in in the panel")]
        return current.describe()

    def rate_limit_account(self) -> str | None:
        """The connected credential's account name, or ``None``."""
        current = self._current
        return None if current is None else current.rate_limit_account()

    def forget(self, sender: Sender) -> str:
        """Sign the connected credential out, and wait for a new sign-in."""
        current = self.disconnect()
        return "Not signed in." if current is None else current.forget(sender)

    def __repr__(self) -> str:
        return f"DeferredAuth(current={self._current!r})"

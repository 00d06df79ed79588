"""OnceHub's documented authentication: an ``API-Key`` request header.

Example:
    >>> auth = ApiKeyAuth("0123456789abcdef0123")
    >>> auth
    ApiKeyAuth(api_key='0123…')
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import requests

from oncehub_nb._errors import ConfigurationError
from oncehub_nb._http.credentials import Credential, Sender
from oncehub_nb._redact import fingerprint, mask, register_secret

if TYPE_CHECKING:
    from oncehub_nb.auth.tokens import TokenStore

__all__ = ["ApiKeyAuth"]


class ApiKeyAuth(Credential, requests.auth.AuthBase):
    """Adds ``API-Key: <key>`` to every request; the key never shows in reprs or logs.

    Create keys in OnceHub under gear icon > Account Integrations > APIs & Webhooks.

    It is also a requests ``auth`` object, for plain ``requests`` calls of your own.

    Args:
        api_key: the key; surrounding spaces and quotes (a common paste accident) are removed.
        stored_in: where the key was read from, for views (``"ONCEHUB_API_KEY"``, a store).
        store: the store it is kept in, if any (signing out deletes it there).
        record: its record name in ``store``.

    Raises:
        ConfigurationError: the key is empty or contains whitespace inside.

    Example:
        >>> import requests
        >>> r = ApiKeyAuth("0123456789abcdef0123")(requests.Request("GET", "https://x").prepare())
        >>> r.headers["API-Key"][:4]
        '0123'
    """

    def __init__(
        self,
        api_key: str,
        *,
        stored_in: str | None = None,
        store: TokenStore | None = None,
        record: str | None = None,
    ) -> None:
        key = (api_key or "").strip().strip("'\"").strip()
        if not key:
            raise ConfigurationError(
                "The API key is empty. Pass api_key=... or set ONCEHUB_API_KEY; create a key in "
                "OnceHub under gear icon > Account Integrations > APIs & Webhooks."
            )
        if any(ch.isspace() for ch in key):
            raise ConfigurationError(
                "The API key contains spaces or line breaks; paste the key alone."
            )
        register_secret(key, owner=self)
        self._api_key = key
        self.store, self.record = store, record
        self.stored_in = stored_in if stored_in is not None or store is None else store.describe()

    @property
    def key(self) -> str:
        """The key itself (to save it, or to send it): never print it."""
        return self._api_key

    @property
    def masked(self) -> str:
        """The key as it may be shown: ``'abcd…'``."""
        return mask(self._api_key)

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Add the header to a prepared request.

        Args:
            request: the request about to be sent.

        Returns:
            The same request, with the ``API-Key`` header.
        """
        request.headers["API-Key"] = self._api_key
        return request

    def authenticate(self, request: requests.PreparedRequest, sender: Sender) -> None:
        """Add the ``API-Key`` header (the transport's side of the credential slot)."""
        self(request)

    def describe(self) -> list[tuple[str, str]]:
        """The key (masked), where it came from, and that it does not expire."""
        return [
            ("Credential", f"API key {self.masked}"),
            ("Stored in", self.stored_in or "not stored (given in code)"),
            ("Expires", "never (delete it in OnceHub to revoke it)"),
        ]

    def rate_limit_account(self) -> str:
        """The key's digest: every process using this key shares its 5 requests/s.

        Example:
            >>> ApiKeyAuth("0123456789abcdef0123").rate_limit_account().startswith("key-")
            True
        """
        return "key-" + fingerprint(self._api_key, purpose="rate-limit")

    def forget(self, sender: Sender) -> str:
        """Delete the key from its store (it stays valid in OnceHub until deleted there)."""
        if self.store is None or self.record is None:
            return "Nothing was kept: the key was given in code."
        self.store.delete(self.record)
        return "Signed out: the key is no longer kept (it stays valid in OnceHub)."

    def __repr__(self) -> str:
        return f"ApiKeyAuth(api_key={self.masked!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKeyAuth) and other._api_key == self._api_key

    def __hash__(self) -> int:
        return hash(("ApiKeyAuth", self._api_key))

"""OnceHub's documented authentication: an ``API-Key`` request header.

Example:
    >>> auth = ApiKeyAuth("0123456789abcdef0123")
    >>> auth
    ApiKeyAuth(api_key='0123…')
"""

from __future__ import annotations

import requests

from oncehub_nb._errors import ConfigurationError
from oncehub_nb._redact import mask, register_secret

__all__ = ["ApiKeyAuth"]


class ApiKeyAuth(requests.auth.AuthBase):
    """Adds ``API-Key: <key>`` to every request; the key never shows in reprs or logs.

    Create keys in OnceHub under gear icon > Account Integrations > APIs & Webhooks.

    Args:
        api_key: the key; surrounding spaces and quotes (a common paste accident) are removed.

    Raises:
        ConfigurationError: the key is empty or contains whitespace inside.

    Example:
        >>> import requests
        >>> r = ApiKeyAuth("0123456789abcdef0123")(requests.Request("GET", "https://x").prepare())
        >>> r.headers["API-Key"][:4]
        '0123'
    """

    def __init__(self, api_key: str) -> None:
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

    def __repr__(self) -> str:
        return f"ApiKeyAuth(api_key={self.masked!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ApiKeyAuth) and other._api_key == self._api_key

    def __hash__(self) -> int:
        return hash(("ApiKeyAuth", self._api_key))

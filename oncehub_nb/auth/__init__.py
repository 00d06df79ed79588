"""Authentication: OnceHub's API key (documented) and an OAuth 2.0 flow (configurable endpoints).

OnceHub's public API v2 documents API keys only. The OAuth pieces work with endpoints you
configure and are proven against the bundled sandbox's authorization server.

Example:
    >>> from oncehub_nb.auth import ApiKeyAuth, AuthorizationFlow, OAuthConfig, OAuthSession
"""

from oncehub_nb.auth.api_key import ApiKeyAuth
from oncehub_nb.auth.config import OAuthConfig
from oncehub_nb.auth.oauth import AuthorizationFlow, clean_pasted_url
from oncehub_nb.auth.session import OAuthSession
from oncehub_nb.auth.stores import FileTokenStore, KeyringTokenStore, MemoryTokenStore
from oncehub_nb.auth.tokens import Token, TokenStore

__all__ = [
    "ApiKeyAuth",
    "AuthorizationFlow",
    "FileTokenStore",
    "KeyringTokenStore",
    "MemoryTokenStore",
    "OAuthConfig",
    "OAuthSession",
    "Token",
    "TokenStore",
    "clean_pasted_url",
]

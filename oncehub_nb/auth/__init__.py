"""Authentication: OnceHub's API key (documented) and an OAuth 2.0 flow (configurable endpoints).

OnceHub's public API v2 documents API keys only. The OAuth pieces work with endpoints you
configure and are proven against the bundled sandbox's authorization server.

Example:
    >>> from oncehub_nb.auth import ApiKeyAuth, AuthorizationFlow, OAuthConfig, OAuthSession
"""

from .api_key import ApiKeyAuth
from .config import OAuthConfig
from .file_store import FileTokenStore
from .keyring_store import KeyringTokenStore
from .oauth import AuthorizationFlow, clean_pasted_url
from .session import OAuthSession
from .tokens import MemoryTokenStore, Token, TokenStore

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

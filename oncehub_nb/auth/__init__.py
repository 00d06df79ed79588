"""Authentication: OnceHub's API key (documented) and an OAuth 2.0 flow (configurable endpoints).

OnceHub's public API v2 documents API keys only. The OAuth pieces work with endpoints you
configure and are proven against the bundled sandbox's authorization server.

Owns every credential (:class:`ApiKeyAuth`, :class:`OAuthAuth`, the panel's deferred slot), the
sign-in flow (state, PKCE, pending sign-ins), the token endpoint calls (requests-oauthlib builds
and parses them; they are sent through the client's transport), tokens and where they are kept.
It may import ``_http`` and the layers below it, never pandas, ``frames``, ``resources``, the
client or the notebook layer.

Example:
    >>> from oncehub_nb.auth import ApiKeyAuth, AuthorizationFlow, OAuthAuth, OAuthConfig
"""

from oncehub_nb.auth.api_key import ApiKeyAuth
from oncehub_nb.auth.config import OAuthConfig
from oncehub_nb.auth.deferred import DeferredAuth
from oncehub_nb.auth.flow import AuthorizationFlow, clean_pasted_url
from oncehub_nb.auth.oauth import OAuthAuth
from oncehub_nb.auth.stores import FileTokenStore, KeyringTokenStore, MemoryTokenStore
from oncehub_nb.auth.tokens import Token, TokenStore

__all__ = [
    "ApiKeyAuth",
    "AuthorizationFlow",
    "DeferredAuth",
    "FileTokenStore",
    "KeyringTokenStore",
    "MemoryTokenStore",
    "OAuthAuth",
    "OAuthConfig",
    "Token",
    "TokenStore",
    "clean_pasted_url",
]

"""Authentication: OnceHub's API key (documented) and, later, an OAuth 2.0 session.

Example:
    >>> from oncehub_nb.auth import ApiKeyAuth
"""

from .api_key import ApiKeyAuth

__all__ = ["ApiKeyAuth"]

"""oncehub_nb: the OnceHub API from Python notebooks.

Importing this package is cheap: pandas, ipywidgets and the sandbox's Flask are imported only
when something uses them.

Example:
    >>> import oncehub_nb
    >>> hub = oncehub_nb.OnceHub(api_key="...")  # doctest: +SKIP
    >>> hub.bookings.to_frame(status="scheduled")  # doctest: +SKIP
"""

from __future__ import annotations

from oncehub_nb._client import OnceHub
from oncehub_nb._config import ClientSettings, Settings
from oncehub_nb._errors import (
    APIConnectionError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    AuthError,
    AuthorizationDenied,
    BadRequestError,
    ConfigurationError,
    ConflictError,
    DeviceCodeExpired,
    InvalidRedirectURL,
    MissingDependencyError,
    NotFoundError,
    OnceHubError,
    PermissionDeniedError,
    PullInterrupted,
    RateLimitError,
    ReauthorizationRequired,
    ServerError,
    StateMismatch,
    TokenExchangeError,
    UnprocessableError,
    WebhookSignatureError,
)
from oncehub_nb._version import __version__
from oncehub_nb.auth import ApiKeyAuth
from oncehub_nb.notebook.login import login, login_async, login_panel

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "ApiKeyAuth",
    "AuthError",
    "AuthenticationError",
    "AuthorizationDenied",
    "BadRequestError",
    "ClientSettings",
    "ConfigurationError",
    "ConflictError",
    "DeviceCodeExpired",
    "InvalidRedirectURL",
    "MissingDependencyError",
    "NotFoundError",
    "OnceHub",
    "OnceHubError",
    "PermissionDeniedError",
    "PullInterrupted",
    "RateLimitError",
    "ReauthorizationRequired",
    "ServerError",
    "Settings",
    "StateMismatch",
    "TokenExchangeError",
    "UnprocessableError",
    "WebhookSignatureError",
    "__version__",
    "login",
    "login_async",
    "login_panel",
]

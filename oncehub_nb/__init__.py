"""oncehub_nb: the OnceHub API from Python notebooks.

Importing this package is cheap: pandas, ipywidgets and the sandbox's Flask are imported only
when something uses them.

Example:
    >>> import oncehub_nb
    >>> hub = oncehub_nb.OnceHub(api_key=sb.api_key, api_base=sb.base_url)  # sb: the sandbox
    >>> hub.bookings.to_frame(status="scheduled")[["id", "starting_time", "owner_id"]].head(3)
                      id             starting_time        owner_id
    0  BKNG-H60DZO03KD8P 2026-06-10 09:30:00+00:00  USR-VCSFM7P8CU
    1  BKNG-LR6FYVQU5H5M 2026-06-30 23:45:00+00:00  USR-EIW8UO9B4K
    2  BKNG-OK7AY11U63XB 2026-07-09 09:00:00+00:00  USR-1Q7NIG2CKR
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

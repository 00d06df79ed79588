"""The whole exception tree of oncehub_nb, and the one builder of errors about HTTP answers.

A bottom layer: it imports only ``_redact`` (and requests, for the responses errors carry).

Every error the SDK raises on purpose derives from :class:`OnceHubError`, so a notebook can catch
one class. Errors about an HTTP response are built in exactly one place, this package: by
:func:`from_response` (an error status or a refused redirect) and :func:`invalid_response` (a
successful status whose body is not what the API promised). Only the send path and the code
that reads its answers call them. Each carries ``.response``, ``.body``, ``.headers`` and
``.request_id``; the body and headers are redacted (secrets masked), and pickling keeps none of
them.

```text
OnceHubError
├── ConfigurationError            missing/invalid settings; message says which variable or argument
├── MissingDependencyError        (also ImportError) optional extra absent; says the pip command
├── AuthError
│   ├── AuthorizationDenied       the user pressed Deny (error=access_denied in the pasted URL)
│   ├── DeviceCodeExpired         a sign-in with a code (device grant) ran out of time
│   ├── InvalidRedirectURL        the pasted text is not a redirect from this flow
│   ├── StateMismatch             state differs, or the pending flow expired / is unknown
│   ├── TokenExchangeError        the token endpoint refused (invalid_grant, invalid_client ...)
│   └── ReauthorizationRequired   refresh refused or no token stored; says how to sign in again
├── APIConnectionError
│   └── APITimeoutError
├── PullInterrupted               Ctrl-C or an error mid-pull: .frame, .records, .cursor, .resume()
├── WebhookSignatureError         an Oncehub-Signature header is malformed, wrong or too old
├── APIResponseValidationError    a 2xx answer that is not what the API promises (not JSON, not
│                                 a list, a cursor that does not advance, too large)
└── APIStatusError                status_code, error_type, message, param, request_id, response,
                                  body, headers (redirects refused are 3xx APIStatusErrors)
    ├── BadRequestError 400   ├── AuthenticationError 401   ├── PermissionDeniedError 403
    ├── NotFoundError 404     ├── ConflictError 409         ├── UnprocessableError 422
    ├── RateLimitError 429    └── ServerError 5xx
```

Status codes the spec lists that have no class of their own (402, 410) raise a plain
:class:`APIStatusError`.

Example:
    >>> from oncehub_nb import OnceHub, NotFoundError
    >>> try:
    ...     hub.bookings.get("BKNG-NOPE")  # hub = OnceHub(api_key=...)
    ... except NotFoundError as err:
    ...     print(err.status_code, err.param, err.request_id)
    404 id req_...
"""

from __future__ import annotations

from oncehub_nb._errors.build import (
    error_class_for,
    from_response,
    invalid_response,
    no_turn_in_time,
)
from oncehub_nb._errors.details import decode_json
from oncehub_nb._errors.tree import (
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
    set_short_renderer,
)

__all__ = [
    "APIConnectionError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AuthError",
    "AuthenticationError",
    "AuthorizationDenied",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "DeviceCodeExpired",
    "InvalidRedirectURL",
    "MissingDependencyError",
    "NotFoundError",
    "OnceHubError",
    "PermissionDeniedError",
    "PullInterrupted",
    "RateLimitError",
    "ReauthorizationRequired",
    "ServerError",
    "StateMismatch",
    "TokenExchangeError",
    "UnprocessableError",
    "WebhookSignatureError",
    "decode_json",
    "error_class_for",
    "from_response",
    "invalid_response",
    "no_turn_in_time",
    "set_short_renderer",
]

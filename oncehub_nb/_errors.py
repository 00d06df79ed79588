"""The whole exception tree of oncehub_nb.

Every error the SDK raises on purpose derives from :class:`OnceHubError`, so a notebook can catch
one class. HTTP failures are turned into errors in exactly one place, :func:`from_response`, which
only the transport calls.

```text
OnceHubError
├── ConfigurationError            missing/invalid settings; message says which variable or argument
├── MissingDependencyError        (also ImportError) optional extra absent; says the pip command
├── AuthError
│   ├── AuthorizationDenied       the user pressed Deny (error=access_denied in the pasted URL)
│   ├── InvalidRedirectURL        the pasted text is not a redirect from this flow
│   ├── StateMismatch             state differs, or the pending flow expired / is unknown
│   ├── TokenExchangeError        the token endpoint refused (invalid_grant, invalid_client ...)
│   └── ReauthorizationRequired   refresh refused or no token stored; says how to sign in again
├── APIConnectionError
│   └── APITimeoutError
├── PullInterrupted               Ctrl-C or an error mid-pull: .frame, .records, .cursor, .resume()
├── WebhookSignatureError         an Oncehub-Signature header is malformed, wrong or too old
└── APIStatusError                status_code, error_type, message, param, request_id
    ├── BadRequestError 400   ├── AuthenticationError 401   ├── PermissionDeniedError 403
    ├── NotFoundError 404     ├── ConflictError 409         ├── UnprocessableError 422
    ├── RateLimitError 429    └── ServerError 5xx
```

Status codes the spec lists that have no class of their own (402, 410) raise a plain
:class:`APIStatusError`.

Example:
    >>> from oncehub_nb import OnceHub, NotFoundError
    >>> try:  # doctest: +SKIP
    ...     OnceHub(api_key="...").bookings.get("BKNG-NOPE")
    ... except NotFoundError as err:
    ...     print(err.status_code, err.param, err.request_id)
    404 id req_...
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests

from oncehub_nb._redact import redact_text

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AuthError",
    "AuthenticationError",
    "AuthorizationDenied",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
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
    "from_response",
]


class OnceHubError(Exception):
    """Root of every error oncehub_nb raises on purpose.

    Example:
        >>> issubclass(NotFoundError, OnceHubError)
        True
    """


class ConfigurationError(OnceHubError):
    """A setting is missing or invalid; the message names the argument or ONCEHUB_* variable.

    Example:
        >>> raise ConfigurationError("ONCEHUB_API_KEY is not set")  # doctest: +SKIP
    """


class MissingDependencyError(OnceHubError, ImportError):
    """An optional extra is not installed; the message holds the pip command that installs it.

    Example:
        >>> raise MissingDependencyError(
        ...     "the sandbox needs Flask", extra="sandbox")  # doctest: +SKIP
    """

    def __init__(self, what: str, *, extra: str) -> None:
        super().__init__(f"{what}. Install it with: pip install 'oncehub-nb[{extra}]'")
        self.extra = extra


class AuthError(OnceHubError):
    """Signing in failed, or the stored credentials can no longer be used.

    Example:
        >>> issubclass(StateMismatch, AuthError)
        True
    """


class AuthorizationDenied(AuthError):
    """The user pressed Deny on the consent page (``error=access_denied``)."""


class InvalidRedirectURL(AuthError):
    """The pasted text is not a redirect from this flow (no code, wrong host, unreadable)."""


class StateMismatch(AuthError):
    """The redirect's ``state`` differs from ours, or the pending flow expired or is unknown."""


class TokenExchangeError(AuthError):
    """The token endpoint refused the request (``invalid_grant``, ``invalid_client`` ...)."""


class ReauthorizationRequired(AuthError):
    """The refresh was refused or no token is stored: sign in again."""


class APIConnectionError(OnceHubError):
    """The request never got an HTTP answer (DNS, refused, reset), after any retries.

    Example:
        >>> issubclass(APITimeoutError, APIConnectionError)
        True
    """


class APITimeoutError(APIConnectionError):
    """The server did not answer within the configured timeout, after any retries."""


class PullInterrupted(OnceHubError):
    """A long pull stopped early (Ctrl-C, or an error after retries); nothing fetched is lost.

    Raised by ``to_frame()`` and ``sync()`` once at least one record has arrived (an error before
    the first record is raised as itself). The original error is ``__cause__``.

    Attributes:
        records: every record fetched before the stop, untouched.
        frame: those records as the typed DataFrame the call would have returned.
        cursor: pass it as ``after=`` (with the same filters) to continue where the pull stopped.
        resume: call it to fetch the rest and get the whole frame (may raise again, keeping
            everything fetched so far).

    Example:
        >>> try:  # doctest: +SKIP
        ...     frame = hub.bookings.to_frame()
        ... except PullInterrupted as stop:
        ...     frame = stop.frame               # what arrived; or, to finish the pull:
        ...     frame = stop.resume()
    """

    def __init__(
        self,
        message: str,
        *,
        records: list[dict[str, Any]],
        cursor: str | None,
        frame: Any = None,
        resume: Callable[[], Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.records = records
        self.cursor = cursor
        self.frame = frame
        self._resume = resume

    def resume(self) -> Any:
        """Continue the pull from :attr:`cursor`; returns the complete result.

        Raises:
            ConfigurationError: this stop cannot be resumed (no resume function was attached).
        """
        if self._resume is None:
            raise ConfigurationError("This pull cannot be resumed; pass after=cursor yourself")
        return self._resume()


class WebhookSignatureError(OnceHubError):
    """A webhook request's ``Oncehub-Signature`` is malformed, does not match, or is too old.

    Example:
        >>> from oncehub_nb.webhooks import verify_signature
        >>> verify_signature(b"{}", "t=1,s=00", "secret", now=1)  # doctest: +SKIP
        Traceback (most recent call last):
        WebhookSignatureError: ...
    """


class APIStatusError(OnceHubError):
    """OnceHub answered with an error status.

    Attributes:
        status_code: the HTTP status.
        error_type: OnceHub's ``type`` (``invalid_request_error``, ``authentication_error``,
            ``rate_limit_error``, ``api_error``) or ``None`` when the body was not OnceHub's.
        message: OnceHub's ``message`` (or a summary of a non-JSON body).
        param: the request parameter at fault, when OnceHub names one.
        request_id: the ``Request-Id`` header, to quote to OnceHub support.

    Example:
        >>> err = APIStatusError(404, "invalid_request_error", "No such booking", "id", "req_1")
        >>> print(err)
        No such booking (HTTP 404, invalid_request_error, param: id, Request-Id: req_1)
    """

    def __init__(
        self,
        status_code: int,
        error_type: str | None,
        message: str,
        param: str | None = None,
        request_id: str | None = None,
        *,
        hint: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.error_type = error_type
        self.message = message
        self.param = param
        self.request_id = request_id
        self.hint = hint
        super().__init__(self._describe())

    def _describe(self) -> str:
        details = [f"HTTP {self.status_code}"]
        if self.error_type:
            details.append(self.error_type)
        if self.param:
            details.append(f"param: {self.param}")
        if self.request_id:
            details.append(f"Request-Id: {self.request_id}")
        text = f"{self.message} ({', '.join(details)})"
        return f"{text}. {self.hint}" if self.hint else text

    def __reduce__(self) -> tuple[Any, ...]:
        return (
            _rebuild_status_error,
            (
                type(self),
                self.status_code,
                self.error_type,
                self.message,
                self.param,
                self.request_id,
                self.hint,
            ),
        )


def _rebuild_status_error(
    cls: type[APIStatusError],
    status_code: int,
    error_type: str | None,
    message: str,
    param: str | None,
    request_id: str | None,
    hint: str | None,
) -> APIStatusError:
    return cls(status_code, error_type, message, param, request_id, hint=hint)


class BadRequestError(APIStatusError):
    """400: the request was invalid (a filter value, a limit, a missing field)."""


class AuthenticationError(APIStatusError):
    """401: the API key or access token was not accepted."""


class PermissionDeniedError(APIStatusError):
    """403: the account may not do this (e.g. its plan has no API access)."""


class NotFoundError(APIStatusError):
    """404: no such object."""


class ConflictError(APIStatusError):
    """409: the object's state does not allow this (or a duplicate name)."""


class UnprocessableError(APIStatusError):
    """422: understood but refused (paid booking, unpublished calendar, user limit)."""


class RateLimitError(APIStatusError):
    """429: too many requests, even after the transport's retries."""


class ServerError(APIStatusError):
    """5xx: OnceHub failed, even after the transport's retries."""


_BY_STATUS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableError,
    429: RateLimitError,
}

_HINTS: dict[type[APIStatusError], str] = {
    AuthenticationError: (
        "Check the API key (OnceHub: gear icon > Account Integrations > APIs & Webhooks) or "
        "sign in again"
    ),
    RateLimitError: (
        "OnceHub allows 5 requests/s per account and 200 per 5 minutes per IP; wait and retry"
    ),
    ServerError: "OnceHub had a problem; try again later and quote the Request-Id if it persists",
}


def error_class_for(status_code: int) -> type[APIStatusError]:
    """Return the exception class for an HTTP error status.

    Args:
        status_code: an HTTP status of 400 or more.

    Returns:
        The most specific class of the tree; :class:`APIStatusError` when none fits.

    Example:
        >>> error_class_for(404).__name__, error_class_for(503).__name__
        ('NotFoundError', 'ServerError')
    """
    if status_code >= 500:
        return ServerError
    return _BY_STATUS.get(status_code, APIStatusError)


def from_response(response: requests.Response) -> APIStatusError:
    r"""Build the typed error for a failed OnceHub response (the single raise site's factory).

    OnceHub's error bodies are ``{"type", "message", "param"?}``. Anything else (an HTML error
    page from a proxy, an empty body) still gives a typed error with a short, redacted summary.

    Args:
        response: a response whose status is 400 or more.

    Returns:
        The error to raise; it keeps the ``Request-Id`` header.

    Example:
        >>> import requests
        >>> r = requests.Response()
        >>> r.status_code = 404
        >>> r._content = b'{"type": "invalid_request_error", "message": "Nope", "param": "id"}'
        >>> r.headers["Request-Id"] = "req_abc"
        >>> err = from_response(r)
        >>> type(err).__name__, err.param, err.request_id
        ('NotFoundError', 'id', 'req_abc')
    """
    status = response.status_code
    request_id = response.headers.get("Request-Id")
    error_type: str | None = None
    param: str | None = None
    message = ""
    try:
        body = response.json()
    except (ValueError, RecursionError):  # RecursionError: absurdly deep JSON
        body = None
    if isinstance(body, dict):
        raw_type, raw_message, raw_param = body.get("type"), body.get("message"), body.get("param")
        error_type = raw_type if isinstance(raw_type, str) else None
        message = raw_message if isinstance(raw_message, str) else ""
        param = raw_param if isinstance(raw_param, str) and raw_param else None
    if not message:
        snippet = " ".join((response.text or "").split())[:120]
        reason = response.reason or "error"
        message = f"{reason}: {snippet}" if snippet else str(reason)
    cls = error_class_for(status)
    return cls(status, error_type, redact_text(message), param, request_id, hint=_HINTS.get(cls))

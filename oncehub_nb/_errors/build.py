"""The one builder of HTTP errors: an error status, a refused redirect, a body not as promised.

Only the send path (``oncehub_nb._http``) and the code reading its answers call these.

Example:
    >>> error_class_for(404).__name__, error_class_for(503).__name__
    ('NotFoundError', 'ServerError')
"""

from __future__ import annotations

import requests

from oncehub_nb._errors.details import decode_json
from oncehub_nb._errors.tree import (
    APIResponseValidationError,
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnprocessableError,
)
from oncehub_nb._redact import redact_text

__all__ = ["error_class_for", "from_response", "invalid_response", "no_turn_in_time"]

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


def invalid_response(response: requests.Response, message: str) -> APIResponseValidationError:
    """Build the error for a successful answer that is not what the API promises.

    Args:
        response: the response.
        message: what was wrong, for a person (``"GET /bookings answered with text"``).

    Returns:
        The error to raise.

    Example:
        >>> import requests
        >>> r = requests.Response()
        >>> r.status_code, r._content = 200, b"<html>"
        >>> invalid_response(r, "GET /test did not answer with JSON").body
        '<html>'
    """
    return APIResponseValidationError(
        redact_text(message),
        status_code=response.status_code,
        request_id=response.headers.get("Request-Id"),
        response=response,
    )


def from_response(response: requests.Response, *, hint: str | None = None) -> APIStatusError:
    r"""Build the typed error for a failed OnceHub response: an error status or a redirect.

    OnceHub's error bodies are ``{"type", "message", "param"?}``. Anything else (an HTML error
    page from a proxy, an empty body) still gives a typed error with a short, redacted summary.
    A redirect (3xx) is never followed, so that a credential cannot follow it to another host;
    it becomes an :class:`APIStatusError` naming where it pointed.

    Args:
        response: a response whose status is 300 or more.
        hint: one more sentence on what to do (default: one per error class).

    Returns:
        The error to raise; it keeps the ``Request-Id`` header, the response, its (masked)
        body and headers.

    Example:
        >>> import requests
        >>> r = requests.Response()
        >>> r.status_code = 429
        >>> r._content = b'{"type": "rate_limit_error", "message": "Slow down"}'
        >>> r.headers["Request-Id"], r.headers["Retry-After"] = "req_abc", "2"
        >>> err = from_response(r)
        >>> type(err).__name__, err.request_id, err.headers["Retry-After"]
        ('RateLimitError', 'req_abc', '2')
    """
    status = response.status_code
    request_id = response.headers.get("Request-Id")
    if status < 400:
        where = redact_text(str(response.headers.get("Location", "")))[:200]
        return APIStatusError(
            status,
            None,
            f"OnceHub answered with a redirect to {where!r}; it was not followed, so the "
            "credentials stay where they were sent",
            None,
            request_id,
            hint=hint or "Check api_base: it should look like https://api.oncehub.com/v2",
            response=response,
        )
    error_type: str | None = None
    param: str | None = None
    message = ""
    try:
        body = decode_json(response)
    except ValueError:
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
    return cls(
        status,
        error_type,
        redact_text(message),
        param,
        request_id,
        hint=hint if hint is not None else _HINTS.get(cls),
        response=response,
    )


def no_turn_in_time(what: str, *, max_wait: float) -> RateLimitError:
    """Build the error for a request that found no turn under the rate limit within ``max_wait``.

    No request was sent: the limits this machine shares (and the slow-down after 429 answers)
    left no room in time. It is a :class:`RateLimitError` without a response.

    Args:
        what: the request, for a person (``"GET api.oncehub.com/v2/bookings"``).
        max_wait: the bound that was reached, in seconds.

    Returns:
        The error to raise.

    Example:
        >>> err = no_turn_in_time("GET /v2/test", max_wait=0)
        >>> err.status_code, err.response is None
        (429, True)
    """
    return RateLimitError(
        429,
        None,
        f"{what} found no turn under the rate limit within max_wait={max_wait:g} s; it was not "
        "sent",
        hint=(
            "OnceHub allows 5 requests/s per account and 200 per 5 minutes per IP, shared by "
            "every process on this machine; allow a longer wait (max_wait= or ONCEHUB_MAX_WAIT) "
            "or try again later"
        ),
    )

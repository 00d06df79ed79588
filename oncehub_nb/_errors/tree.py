"""The classes of the error tree (drawn in :mod:`oncehub_nb._errors`).

Example:
    >>> issubclass(RateLimitError, APIStatusError), issubclass(StateMismatch, AuthError)
    (True, True)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import requests
from requests.structures import CaseInsensitiveDict

from oncehub_nb._errors.details import safe_body, safe_headers

#: How a notebook shows an error in short (set by ``oncehub_nb.notebook``; ``None``: in full).
_short_renderer: Callable[[BaseException], list[str] | None] | None = None


def set_short_renderer(renderer: Callable[[BaseException], list[str] | None] | None) -> None:
    """Install how IPython shows an :class:`OnceHubError` (``None``: the full traceback).

    The renderer returns the lines to show, or ``None`` for the full traceback (scripts, pytest
    and anything that is not a notebook cell never ask it).

    Example:
        >>> set_short_renderer(None)
    """
    global _short_renderer
    _short_renderer = renderer


class OnceHubError(Exception):
    """Root of every error oncehub_nb raises on purpose.

    In a notebook cell it shows as its message plus one line saying how to see the traceback
    (IPython's ``_render_traceback_`` hook); ``%tb`` then prints the full traceback.

    Example:
        >>> issubclass(NotFoundError, OnceHubError)
        True
    """

    @property
    def _render_traceback_(self) -> Callable[[], list[str]]:
        # IPython asks hasattr() first: an AttributeError means "show the full traceback", as
        # it does when no renderer is installed, or once the short form was shown (for %tb).
        renderer = _short_renderer
        lines = None if renderer is None or self.__dict__.get("_shown_short") else renderer(self)
        if lines is None:
            raise AttributeError("_render_traceback_")

        def render() -> list[str]:
            self.__dict__["_shown_short"] = True
            return lines

        return render


class ConfigurationError(OnceHubError):
    """A setting is missing or invalid; the message names the argument or ONCEHUB_* variable.

    Example:
        >>> from oncehub_nb import OnceHub
        >>> OnceHub(env={})
        Traceback (most recent call last):
        ...
        oncehub_nb.ConfigurationError: No credentials: pass api_key=... (or set ...
    """


class MissingDependencyError(OnceHubError, ImportError):
    """An optional extra is not installed; the message holds the pip command that installs it.

    Example:
        >>> raise MissingDependencyError("the sandbox needs Flask", extra="sandbox")
        Traceback (most recent call last):
        ...
        oncehub_nb.MissingDependencyError: the sandbox needs Flask. Install the 'sandbox' extra: ...
    """

    def __init__(self, what: str, *, extra: str) -> None:
        hint = f"pip install '/path/to/clone[{extra}]'"
        super().__init__(f"{what}. Install the '{extra}' extra: {hint}")
        self.extra = extra


class AuthError(OnceHubError):
    """Signing in failed, or the stored credentials can no longer be used.

    Example:
        >>> issubclass(StateMismatch, AuthError)
        True
    """


class AuthorizationDenied(AuthError):
    """The user pressed Deny on the consent page (``error=access_denied``)."""


class DeviceCodeExpired(AuthError):
    """A sign-in with a code (device grant) ran out of time before anyone approved it."""


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
        >>> from oncehub_nb import OnceHub
        >>> hub = OnceHub(api_key=sb.api_key, api_base=sb.base_url, max_retries=0, page_size=20)
        >>> sb.inject("5xx", status=503, after=1)  # the sandbox fails the second page
        >>> try:
        ...     frame = hub.bookings.to_frame(progress=False)
        ... except PullInterrupted as stop:
        ...     print(len(stop.frame), type(stop.__cause__).__name__)
        ...     frame = stop.frame               # what arrived; or, to finish the pull:
        ...     frame = stop.resume()
        20 ServerError
        >>> len(frame)
        60
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
        >>> verify_signature(b"{}", "t=1,s=00", "secret", now=1)
        Traceback (most recent call last):
        ...
        oncehub_nb.WebhookSignatureError: The signature does not match the body: ...
    """


class _ResponseDetails:
    """``response``, ``body``, ``headers`` and ``request_id`` of an error about a response."""

    response: requests.Response | None = None
    body: Any = None
    headers: Mapping[str, str] = CaseInsensitiveDict()
    request_id: str | None = None

    def _attach(self, response: requests.Response | None) -> None:
        self.response = response
        if response is None:
            return
        self.headers = safe_headers(response.headers)
        self.body = safe_body(response)


class APIStatusError(_ResponseDetails, OnceHubError):
    """OnceHub answered with an error status.

    Attributes:
        status_code: the HTTP status.
        error_type: OnceHub's ``type`` (``invalid_request_error``, ``authentication_error``,
            ``rate_limit_error``, ``api_error``) or ``None`` when the body was not OnceHub's.
        message: OnceHub's ``message`` (or a summary of a non-JSON body).
        param: the request parameter at fault, when OnceHub names one.
        request_id: the ``Request-Id`` header, to quote to OnceHub support.
        response: the :class:`requests.Response` (``None`` after unpickling).
        body: the decoded JSON body (or its text), secrets masked.
        headers: the response headers, secrets masked (``err.headers["Retry-After"]``).

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
        response: requests.Response | None = None,
    ) -> None:
        self.status_code = status_code
        self.error_type = error_type
        self.message = message
        self.param = param
        self.request_id = request_id
        self.hint = hint
        self._attach(response)
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
        # The response (with the request's headers) is left out: pickling an error never
        # writes a credential.
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


class APIResponseValidationError(_ResponseDetails, OnceHubError):
    """A successful answer that is not what the API promises (openai-python's name for it).

    Not JSON, not an object or a list where one is due, a page that repeats (a cursor that does
    not advance), or a body larger than the transport accepts.

    Attributes:
        status_code: the HTTP status (2xx).
        request_id: the ``Request-Id`` header.
        response: the response (``None`` after unpickling).
        body: the decoded body or its text, secrets masked (``None`` when unreadable).
        headers: the response headers, secrets masked.

    Example:
        >>> err = APIResponseValidationError("GET /bookings answered with text", status_code=200)
        >>> print(err)
        GET /bookings answered with text (HTTP 200)
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        request_id: str | None = None,
        response: requests.Response | None = None,
    ) -> None:
        self.status_code = status_code
        self.message = message
        self.request_id = request_id
        self._attach(response)
        tail = f", Request-Id: {request_id}" if request_id else ""
        super().__init__(f"{message} (HTTP {status_code}{tail})")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_rebuild_validation_error, (self.message, self.status_code, self.request_id))


def _rebuild_validation_error(
    message: str, status_code: int, request_id: str | None
) -> APIResponseValidationError:
    return APIResponseValidationError(message, status_code=status_code, request_id=request_id)


def _public_names() -> None:
    """Show every error as ``oncehub_nb.<Name>`` (its public name) in tracebacks and reprs."""
    for value in list(globals().values()):
        if isinstance(value, type) and issubclass(value, OnceHubError):
            value.__module__ = "oncehub_nb"


_public_names()

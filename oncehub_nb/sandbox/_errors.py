"""API errors raised inside the sandbox and turned into OnceHub-style JSON bodies."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """An error answer: HTTP status plus the ``{type, message, param?}`` body.

    Example:
        >>> err = ApiError(404, "No such booking: 'x'", param="id")
        >>> err.body()
        {'type': 'invalid_request_error', 'message': "No such booking: 'x'", 'param': 'id'}
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        param: str | None = None,
        error_type: str = "invalid_request_error",
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.param = param
        self.error_type = error_type
        self.headers = headers or {}

    def body(self) -> dict[str, Any]:
        """Return the JSON body of the error.

        Example:
            >>> ApiError(400, "bad").body()["type"]
            'invalid_request_error'
        """
        out: dict[str, Any] = {"type": self.error_type, "message": self.message}
        if self.param is not None:
            out["param"] = self.param
        return out


def bad_request(message: str, param: str | None = None) -> ApiError:
    """Build a 400 ``invalid_request_error``.

    Example:
        >>> bad_request("Out of range", "limit").status
        400
    """
    return ApiError(400, message, param=param)


def not_found(kind: str, object_id: str, param: str = "id") -> ApiError:
    """Build the 404 answer for an unknown object id.

    Example:
        >>> not_found("booking", "BKNG-1").message
        "No such booking: 'BKNG-1'"
    """
    return ApiError(404, f"No such {kind}: '{object_id}'", param=param)


def unauthorized() -> ApiError:
    """Build the 401 answer for a missing or wrong API key.

    Example:
        >>> unauthorized().error_type
        'authentication_error'
    """
    return ApiError(401, "Invalid API key.", error_type="authentication_error")


PLAN_MESSAGE = (
    "Your account plan does not support API access. "
    "To use the OnceHub API, upgrade to a plan that includes it."
)


def no_plan() -> ApiError:
    """Build the 403 answer for an account whose plan has no API access.

    Example:
        >>> no_plan().status
        403
    """
    return ApiError(403, PLAN_MESSAGE, error_type="authentication_error")


def rate_limited(retry_after: float | None = None) -> ApiError:
    """Build the 429 answer; ``Retry-After`` is sent only when given.

    Example:
        >>> rate_limited(2).headers
        {'Retry-After': '2'}
    """
    headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
    return ApiError(
        429, "Request rate limit exceeded", error_type="rate_limit_error", headers=headers
    )


def server_error(status: int = 500) -> ApiError:
    """Build a 5xx ``api_error``.

    Example:
        >>> server_error(503).status
        503
    """
    return ApiError(
        status,
        "An unexpected error occurred. Please try again later.",
        error_type="api_error",
    )

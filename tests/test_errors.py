from __future__ import annotations

import json
import pickle

import pytest
import requests

import oncehub_nb
from oncehub_nb import (
    APIStatusError,
    AuthenticationError,
    BadRequestError,
    ConflictError,
    NotFoundError,
    OnceHubError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    UnprocessableError,
)
from oncehub_nb._errors import from_response

# Every status code OnceHub's spec documents, and the class it must raise.
DOCUMENTED = {
    400: BadRequestError,
    401: AuthenticationError,
    402: APIStatusError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    410: APIStatusError,
    422: UnprocessableError,
    429: RateLimitError,
    500: ServerError,
    502: ServerError,
    503: ServerError,
}


def _response(
    status: int, body: object, request_id: str | None = "req_0123456789abcdef"
) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = body if isinstance(body, bytes) else json.dumps(body).encode()
    if request_id:
        response.headers["Request-Id"] = request_id
    return response


@pytest.mark.parametrize(("status", "cls"), sorted(DOCUMENTED.items()))
def test_each_documented_status_maps_to_its_class(status: int, cls: type[APIStatusError]) -> None:
    body = {"type": "invalid_request_error", "message": f"boom {status}", "param": "limit"}
    err = from_response(_response(status, body))
    assert type(err) is cls
    assert isinstance(err, OnceHubError)
    assert (err.status_code, err.error_type, err.message, err.param, err.request_id) == (
        status,
        "invalid_request_error",
        f"boom {status}",
        "limit",
        "req_0123456789abcdef",
    )
    assert "req_0123456789abcdef" in str(err)
    assert f"HTTP {status}" in str(err)


def test_non_json_error_page_still_typed_and_short() -> None:
    err = from_response(
        _response(502, b"<html><body>Bad gateway " + b"x" * 500 + b"</body></html>", None)
    )
    assert type(err) is ServerError
    assert err.error_type is None and err.request_id is None
    assert len(err.message) < 200


def test_error_messages_never_carry_secrets() -> None:
    body = {
        "type": "authentication_error",
        "message": "Invalid API key: API-Key: abcdefghijklmnopqrstuvwxyz",
    }
    err = from_response(_response(401, body))
    assert "abcdefghijklmnopqrstuvwxyz" not in str(err)
    assert "Check the API key" in str(err)


def test_errors_pickle_with_their_fields() -> None:
    err = from_response(
        _response(
            404, {"type": "invalid_request_error", "message": "No such booking", "param": "id"}
        )
    )
    clone = pickle.loads(pickle.dumps(err))
    assert type(clone) is NotFoundError
    assert (clone.param, clone.request_id, str(clone)) == (err.param, err.request_id, str(err))


def test_tree_shape_matches_design() -> None:
    assert issubclass(oncehub_nb.MissingDependencyError, ImportError)
    assert issubclass(oncehub_nb.APITimeoutError, oncehub_nb.APIConnectionError)
    for name in (
        "AuthorizationDenied",
        "InvalidRedirectURL",
        "StateMismatch",
        "TokenExchangeError",
        "ReauthorizationRequired",
    ):
        assert issubclass(getattr(oncehub_nb, name), oncehub_nb.AuthError)

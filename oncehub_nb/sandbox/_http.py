"""Small request/response helpers shared by the sandbox routes."""

from __future__ import annotations

from typing import Any

from flask import Response, g, jsonify, request

from oncehub_nb.sandbox._errors import ApiError


def error_response(error: ApiError) -> Response:
    """Render an :class:`ApiError` as its JSON response.

    Example:
        >>> from flask import Flask
        >>> with Flask(__name__).app_context():
        ...     error_response(ApiError(404, "gone")).status_code
        404
    """
    response = jsonify(error.body())
    response.status_code = error.status
    for name, value in error.headers.items():
        response.headers[name] = value
    return response


def json_body() -> dict[str, Any]:
    """Return the request's JSON object body (``{}`` when empty), 400 when malformed.

    Example:
        >>> from flask import Flask
        >>> with Flask(__name__).test_request_context("/", method="POST", json={"a": 1}):
        ...     json_body()
        {'a': 1}
    """
    if "body" in g:  # an API request: read and checked at the door (``_door``)
        return dict(g.body)
    if not request.get_data(cache=True):
        return {}
    # JSON media types only (the doors refuse the others first); never ``force=True``, which
    # read a cross-site text/plain POST as JSON.
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object.")
    return body


def query_args() -> dict[str, str]:
    """The query parameters as the door read them: a value equal to its default is left out.

    Example:
        >>> from flask import Flask
        >>> with Flask(__name__).test_request_context("/?a=1"):
        ...     query_args()
        {'a': '1'}
    """
    if "args" in g:
        return dict(g.args)
    return dict(request.args.items())


def ok(body: Any, status: int = 200) -> Response:
    """Render ``body`` as a JSON response with ``status``.

    Example:
        >>> from flask import Flask
        >>> with Flask(__name__).app_context():
        ...     ok({"id": "x"}, 201).status_code
        201
    """
    render = g.get("render")  # the ``spec`` profile's rewrite of API answers
    response = jsonify(body if render is None else render(body))
    response.status_code = status
    return response

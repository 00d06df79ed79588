"""The API's door: every request is checked against its operation's request schema first.

The schemas are in :mod:`._request_schemas`; the checking is the ``jsonschema`` library's
(Draft 2020-12, the dialect of OpenAPI 3.1, with its format checker: ``date-time`` through
``rfc3339-validator``). Query strings are turned into the declared types first (the OpenAPI
rules for a scalar query parameter: the text itself, an integer, a boolean); a value equal to
the parameter's declared default counts as absent. Whatever the spec calls invalid gets
OnceHub's documented answer, 400 ``invalid_request_error`` with ``param`` naming the field,
never a 5xx. The routes then see a body that has the declared shape.

Example:
    >>> from flask import Flask
    >>> door = RequestDoor()
    >>> with Flask(__name__).test_request_context("/v2/bookings?limit=500"):
    ...     door.check("GET /v2/bookings")
    Traceback (most recent call last):
    ...
    oncehub_nb.sandbox._errors.ApiError: Out of range value: 500. Please provide a number between \
1 and 100.
"""

from __future__ import annotations

import json
from typing import Any

from flask import g, request
from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError, best_match

from oncehub_nb.sandbox._errors import ApiError, bad_request
from oncehub_nb.sandbox._request_schemas import OPERATIONS, Operation, Schema, obj

_NAMES = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "true or false",
    "array": "a list",
    "object": "an object",
    "null": "null",
}


def _validator(schema: Schema) -> Draft202012Validator:
    return Draft202012Validator(schema, format_checker=FormatChecker())


def _coerce(name: str, raw: str, schema: Schema) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        try:
            return int(raw.strip())
        except ValueError:
            raise bad_request(f"Invalid integer: {raw}", name) from None
    if kind == "boolean":
        if raw not in ("true", "false"):
            raise bad_request(f"Invalid boolean: {raw}", name)
        return raw == "true"
    return raw


def _param(error: ValidationError) -> str:
    path = [str(part) for part in error.absolute_path]
    if error.validator == "required":
        present: Any = error.instance
        required: list[str] = list(error.validator_value)  # type: ignore[arg-type]
        missing = [name for name in required if name not in present]
        path.append(missing[0])
    return ".".join(path)


def _message(error: ValidationError, param: str) -> str:
    value = error.instance
    if error.validator == "required":
        return f"Missing required field: {param}"
    if error.validator in ("format", "anyOf") and isinstance(value, str):
        dated = "date" in json.dumps(error.schema)
        return f"Invalid date: {value}" if dated else f"Invalid {param}: {value}"
    if error.validator in ("minimum", "maximum") and param == "limit":
        return f"Out of range value: {value}. Please provide a number between 1 and 100."
    if error.validator == "type":
        expected = error.validator_value
        kinds = expected if isinstance(expected, list) else [expected]
        return f"Invalid {param}: must be " + " or ".join(_NAMES.get(str(k), str(k)) for k in kinds)
    if error.validator == "enum":
        return f"Invalid {param}: {value}"
    return f"Invalid {param}: {error.message}"


def _refuse(error: ValidationError) -> ApiError:
    param = _param(error)
    return bad_request(_message(error, param or "body"), param or None)


class RequestDoor:
    """Checks the current request against :data:`._request_schemas.OPERATIONS`.

    Example:
        >>> sorted(RequestDoor().operations)[0]
        'DELETE /v2/contacts/{id}'
    """

    def __init__(self, operations: dict[str, Operation] | None = None) -> None:
        self.operations = OPERATIONS if operations is None else operations
        self._query = {key: _validator(obj(op.query)) for key, op in self.operations.items()}
        self._body = {
            key: _validator(op.body) for key, op in self.operations.items() if op.body is not None
        }

    def check(self, key: str) -> None:
        """Check the request of operation ``key`` (``"POST /v2/contacts"``); unknown keys pass.

        The parsed body is kept in ``flask.g.body`` and the query (defaults left out) in
        ``flask.g.args`` for the route (see ``_http.json_body`` and ``_http.query_args``).

        Raises:
            ApiError: 400 with ``param`` for the first problem found.
        """
        operation = self.operations.get(key)
        if operation is None:
            return  # not an API route: routing answers 404 / 405
        query: dict[str, Any] = {}
        g.args = {}
        for name, raw in request.args.items():
            schema = operation.query.get(name)
            if schema is None:
                raise bad_request(f"Received unknown parameter: {name}", name)
            if raw != schema.get("default", object()):
                query[name] = _coerce(name, raw, schema)
                g.args[name] = raw
        error = best_match(self._query[key].iter_errors(query))
        if error is not None:
            raise _refuse(error)
        g.body = self._read_body(key, operation)

    def _read_body(self, key: str, operation: Operation) -> dict[str, Any]:
        raw = request.get_data(cache=True)
        if operation.body is None:
            return {}
        if raw.strip():
            if not request.is_json:
                raise bad_request("The request body must be JSON (Content-Type: application/json).")
            try:
                body = json.loads(raw)
            except (ValueError, RecursionError):
                raise bad_request("The request body is not valid JSON.") from None
        else:
            body = {}
        if not isinstance(body, dict):
            raise bad_request("The request body must be a JSON object.")
        error = best_match(self._body[key].iter_errors(body))
        if error is not None:
            raise _refuse(error)
        return body

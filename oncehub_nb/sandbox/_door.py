"""The API's door: every request is checked against its operation's request schema first.

The schemas are in :mod:`._request_schemas`; the checking is ``fastjsonschema``'s (each
schema compiled once to a Python function; its ``date-time`` and ``date`` formats are RFC 3339's
shapes). ``jsonschema`` was tried first: with the optional packages present in the test
environment its import builds a grammar for ``rfc3987-syntax`` and took 1.1 s, which every
process importing the sandbox then paid. Query strings are turned into the declared types
first (the OpenAPI rules for a scalar query parameter: the text itself, an integer, a boolean);
a value equal to the parameter's declared default counts as absent. Whatever the spec calls
invalid gets OnceHub's documented answer, 400 ``invalid_request_error`` with ``param`` naming
the field, never a 5xx. The routes then see a body that has the declared shape.

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
from collections.abc import Callable
from typing import Any

import fastjsonschema
from fastjsonschema import JsonSchemaValueException
from flask import g, request

from oncehub_nb.sandbox._errors import bad_request
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


Check = Callable[[Any], Any]
#: An email is text with an "@" (the check jsonschema makes); fastjsonschema's own pattern
#: also wants a dot in the domain, and refuses ``user@localhost``.
_FORMATS = {"email": lambda value: "@" in value}


def _validator(schema: Schema) -> Check:
    check: Check = fastjsonschema.compile(schema, formats=_FORMATS)
    return check


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


def _param(error: JsonSchemaValueException) -> str:
    path = [str(part) for part in error.path[1:]]  # the first part is "data", the whole value
    if error.rule == "required":
        present: Any = error.value
        required: list[str] = list(error.rule_definition)
        path.append(next(name for name in required if name not in present))
    return ".".join(path)


def _message(error: JsonSchemaValueException, param: str) -> str:
    value, rule = error.value, error.rule
    if rule == "required":
        return f"Missing required field: {param}"
    if rule in ("format", "anyOf") and isinstance(value, str):
        dated = "date" in json.dumps(error.definition)
        return f"Invalid date: {value}" if dated else f"Invalid {param}: {value}"
    if rule in ("minimum", "maximum") and param == "limit":
        return f"Out of range value: {value}. Please provide a number between 1 and 100."
    if rule == "type":
        expected = error.rule_definition
        kinds = expected if isinstance(expected, list) else [expected]
        return f"Invalid {param}: must be " + " or ".join(_NAMES.get(str(k), str(k)) for k in kinds)
    if rule == "enum":
        return f"Invalid {param}: {value}"
    return f"Invalid {param}: {str(error.message).removeprefix(str(error.name)).strip()}"


def _checked(check: Check, value: Any) -> None:
    try:
        check(value)
    except JsonSchemaValueException as error:
        param = _param(error)
        raise bad_request(_message(error, param or "body"), param or None) from None


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
        _checked(self._query[key], query)
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
        _checked(self._body[key], body)
        return body

"""A sandbox made to misbehave, for the doctor's tests: a WSGI wrapper around its app.

The sandbox itself is left alone: the wrapper rewrites what chosen list endpoints answer.

* ``/v2/bookings``: every record gains an ``extra_field`` (holding an email address, which no
  report may repeat), ``duration_minutes`` becomes a string, ``subject`` becomes ``null``, and
  ``after=`` is ignored, so the "next" page repeats the first one;
* ``/v2/users``: ``status`` is a value no schema knows.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from oncehub_nb.sandbox import Sandbox

PLANTED_EMAIL = "carrie.customer@gmail.com"
#: What the doctor must report on top of the sandbox's known departures: (endpoint, kind, field).
PLANTED = {
    ("/bookings", "unknown-field", "extra_field"),
    ("/bookings", "type-mismatch", "duration_minutes"),
    ("/bookings", "unexpected-null", "subject"),
    ("/users", "unknown-enum", "status"),
    ("/bookings", "cursor-stuck", "after"),
}


def _rewrite(path: str, record: dict[str, Any]) -> None:
    if path == "/v2/bookings":
        record["extra_field"] = PLANTED_EMAIL
        record["duration_minutes"] = str(record.get("duration_minutes"))
        record["subject"] = None
    elif path == "/v2/users":
        record["status"] = "suspended"


class Misbehave:
    """WSGI middleware: see the module docstring."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == "/v2/bookings":
            query = [(k, v) for k, v in parse_qsl(environ.get("QUERY_STRING", "")) if k != "after"]
            environ = {**environ, "QUERY_STRING": urlencode(query)}
        if path not in ("/v2/bookings", "/v2/users"):
            return self.app(environ, start_response)
        captured: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured.update(status=status, headers=headers)
            return lambda data: None

        body = b"".join(self.app(environ, keep))
        try:
            page = json.loads(body)
        except ValueError:
            page = None
        if isinstance(page, dict) and isinstance(page.get("data"), list):
            for record in page["data"]:
                _rewrite(path, record)
            body = json.dumps(page).encode()
        headers = [(k, v) for k, v in captured["headers"] if k.lower() != "content-length"]
        start_response(captured["status"], [*headers, ("Content-Length", str(len(body)))])
        return [body]


def misbehave(sb: Sandbox) -> Sandbox:
    """Make a (running or not yet started) sandbox misbehave; returns it."""
    sb.app.wsgi_app = Misbehave(sb.app.wsgi_app)  # type: ignore[method-assign]
    return sb

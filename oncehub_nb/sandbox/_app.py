"""The Flask application: the request pipeline and the error answers.

Every request: the ``Host`` check. API requests then: statistics, scheduled actions, injected
faults, rate limits and authentication (on arrival), latency, the request door, the output
profile.
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException

from oncehub_nb.sandbox._admin import admin_blueprint
from oncehub_nb.sandbox._departures import conform
from oncehub_nb.sandbox._door import RequestDoor
from oncehub_nb.sandbox._errors import ApiError, rate_limited, server_error
from oncehub_nb.sandbox._guards import check_host
from oncehub_nb.sandbox._http import error_response
from oncehub_nb.sandbox._routes_actions import register_action_routes
from oncehub_nb.sandbox._routes_read import register_read_routes
from oncehub_nb.sandbox._routes_write import register_write_routes
from oncehub_nb.sandbox._state import SandboxState
from oncehub_nb.sandbox._wsgi import RESET_FLAG

API_PREFIX = "/v2"


def route_key() -> str:
    """Return ``"METHOD /v2/route/{id}"`` for the current request (the stats key).

    Example:
        >>> from flask import Flask
        >>> app = Flask(__name__)
        >>> with app.test_request_context("/v2/x"):
        ...     route_key()
        'GET /v2/x'
    """
    rule = request.url_rule
    template = request.path if rule is None else rule.rule
    return f"{request.method} {template.replace('<', '{').replace('>', '}')}"


def create_app(state: SandboxState, *, hosts: Callable[[], set[str]] | None = None) -> Flask:
    """Build the sandbox's Flask app around ``state``.

    Args:
        state: What the sandbox knows.
        hosts: Returns the ``Host`` values to answer (see :func:`._guards.own_hosts`); others
            are refused. ``None`` answers any (Flask's test client).

    Example:
        >>> app = create_app(SandboxState(bookings=3, api_key="k"))
        >>> app.test_client().get("/v2/test", headers={"API-Key": "k"}).status_code
        200
    """
    app = Flask("oncehub_nb.sandbox")
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["oncehub_nb_sandbox"] = state
    door = RequestDoor()

    def gateway() -> ApiError | None:
        """The IP's limit, the key, the account's limit: the refusal, or ``None`` (admitted)."""
        if not state.admit_ip(request.remote_addr or "unknown"):
            g.rate_limited = True
            return rate_limited()
        try:
            account = state.authenticate(request.headers)
        except ApiError as refused:
            return refused
        if not state.admit_account(account):
            g.rate_limited = True
            return rate_limited()
        g.account = account
        return None

    @app.before_request
    def before() -> Response | None:
        g.request_id = "req_" + secrets.token_hex(8)
        if hosts is not None:
            check_host(hosts)
        if not (request.path == API_PREFIX or request.path.startswith(API_PREFIX + "/")):
            return None
        g.api = True
        if state.profile == "spec":
            g.render = conform  # answers hold only what the official spec allows
        state.count_request(route_key())
        state.run_scheduled()
        fault = state.take_fault(request.path)
        answered = fault is not None and fault.kind in ("reset", "5xx", "429")
        # The fault and the limits are taken as the request arrives, as a gateway counts it;
        # the latency is spent after, before any answer (a 429 or a 401 too). Counted after
        # the latency, a request met the limit as late as the thread woke from it: up to 47 ms
        # late on this machine (docs/explanation/performance.md), closer to a later request
        # than the two were sent.
        refusal = None if answered else gateway()
        if state.latency_ms > 0:
            time.sleep(state.latency_ms / 1000)
        if fault is not None:
            if fault.kind == "reset":
                request.environ[RESET_FLAG] = True
                return Response(b"", status=500)
            if fault.kind == "5xx":
                raise server_error(fault.status)
            if fault.kind == "429":
                raise rate_limited(fault.retry_after)
            time.sleep(fault.delay_ms / 1000)
        if refusal is not None:
            raise refusal
        door.check(route_key())
        return None

    @app.after_request
    def after(response: Response) -> Response:
        response.headers["Request-Id"] = g.get("request_id") or "req_" + secrets.token_hex(8)
        if g.get("api") and not request.environ.get(RESET_FLAG):
            state.count_response(response.status_code, rate_limited=bool(g.get("rate_limited")))
        return response

    @app.errorhandler(ApiError)
    def on_api_error(error: ApiError) -> Response:
        return error_response(error)

    @app.errorhandler(HTTPException)
    def on_http_error(error: HTTPException) -> Response:
        status = error.code or 500
        if status == 404:
            message = f"Unrecognized request URL ({request.method}: {request.path})."
        elif status == 405:
            message = f"Method not allowed ({request.method}: {request.path})."
        else:
            message = error.description or error.name
        kind = "api_error" if status >= 500 else "invalid_request_error"
        # werkzeug's own headers (a 405's Allow, RFC 9110 15.5.6), not its Content-Type.
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return error_response(ApiError(status, message, error_type=kind, headers=headers))

    @app.errorhandler(Exception)
    def on_crash(error: Exception) -> Response:
        app.logger.exception("sandbox route failed", exc_info=error)
        return error_response(server_error())

    register_read_routes(app, state)
    register_write_routes(app, state)
    register_action_routes(app, state)
    app.register_blueprint(admin_blueprint(state))
    return app

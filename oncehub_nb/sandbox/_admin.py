"""``/_sandbox/`` admin endpoints: faults, stats, latency, ground truth (admin token, loopback)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from oncehub_nb.sandbox._errors import ApiError, bad_request
from oncehub_nb.sandbox._guards import admin_guard
from oncehub_nb.sandbox._http import json_body, ok
from oncehub_nb.sandbox._state import FAULT_KINDS, SandboxState, check_fault


def _int(body: dict[str, object], name: str, default: int) -> int:
    value = body.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise bad_request(f"{name} must be an integer", name)
    return value


def admin_blueprint(state: SandboxState) -> Blueprint:
    """Build the admin blueprint bound to ``state``.

    Example:
        >>> admin_blueprint(SandboxState(bookings=0)).url_prefix
        '/_sandbox'
    """
    admin = Blueprint("sandbox_admin", __name__, url_prefix="/_sandbox")

    admin.before_request(admin_guard(lambda: state.admin_token))

    @admin.post("/faults")
    def add_fault() -> Response:
        body = json_body()
        kind = body.get("kind")
        if kind not in FAULT_KINDS:
            raise bad_request(f"kind must be one of {', '.join(FAULT_KINDS)}", "kind")
        retry_after = body.get("retry_after")
        if retry_after is not None and not isinstance(retry_after, int | float):
            raise bad_request("retry_after must be a number of seconds", "retry_after")
        path = body.get("path")
        if path is not None and not isinstance(path, str):
            raise bad_request("path must be a string", "path")
        try:
            arguments: dict[str, Any] = {
                "count": _int(body, "count", 1),
                "status": _int(body, "status", 500),
                "delay_ms": _int(body, "delay_ms", 0),
                "retry_after": retry_after,
                "path": path,
            }
            after = _int(body, "after", 0)
            if after > 0:  # armed once `after` more API requests have been answered
                check_fault(str(kind), count=arguments["count"], status=arguments["status"])
                state.schedule(after, lambda: state.inject(str(kind), **arguments))
            else:
                state.inject(str(kind), **arguments)
        except ValueError as exc:
            raise bad_request(str(exc)) from None
        return ok({"ok": True, "pending": len(state.faults)})

    @admin.delete("/faults")
    def clear_faults() -> Response:
        state.clear_faults()
        return ok({"ok": True})

    @admin.get("/stats")
    def stats() -> Response:
        return ok(state.stats())

    @admin.post("/stats/reset")
    def reset_stats() -> Response:
        state.reset_stats()
        return ok({"ok": True})

    @admin.post("/latency")
    def latency() -> Response:
        ms = _int(json_body(), "ms", 0)
        if ms < 0:
            raise bad_request("ms must be >= 0", "ms")
        state.latency_ms = ms
        return ok({"ok": True, "ms": ms})

    @admin.get("/ground-truth/<path:collection>")
    def ground_truth(collection: str) -> Response:
        try:
            return ok(state.ground_truth(collection))
        except ValueError as exc:
            raise ApiError(404, str(exc), param="collection") from None

    return admin

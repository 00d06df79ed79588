"""``/_sandbox/`` admin endpoints: faults, stats, latency, ground truth (admin token, loopback)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response

from oncehub_nb.sandbox._errors import ApiError, bad_request
from oncehub_nb.sandbox._guards import admin_guard
from oncehub_nb.sandbox._http import json_body, ok
from oncehub_nb.sandbox._state import FAULT_KINDS, Fault, SandboxState


def _int(body: dict[str, object], name: str, default: int | None = None) -> int:
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
        given: dict[str, Any] = {
            name: _int(body, name) for name in ("count", "status", "delay_ms") if name in body
        }
        given |= {name: body[name] for name in ("retry_after", "path") if name in body}
        after = _int(body, "after") if "after" in body else 0
        try:
            state.inject(Fault(str(kind), **given), after=after)
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

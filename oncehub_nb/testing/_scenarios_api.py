"""The API-key and data scenarios: keys, paging, retries, incremental sync, webhooks.

Registered in :data:`~oncehub_nb.testing.SCENARIOS` on import (the package imports this module).

Example:
    >>> SCENARIOS["bookings-paged"].client
    {'page_size': 25}
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from oncehub_nb import APIStatusError
from oncehub_nb.testing._context import FlowContext
from oncehub_nb.testing._scenarios import ACCOUNT, PAGE, SCENARIOS, Outcome, scenario

__all__ = ["SCENARIOS"]


# -- API keys and data -----------------------------------------------------------------------


def _refused(ctx: FlowContext, api_key: str) -> Outcome:
    """``GET /test`` with ``api_key``: the error it raised and its status (``{}`` if none)."""
    with ctx.client(api_key) as hub:
        try:
            hub.validate()
        except APIStatusError as exc:
            return {"error": type(exc).__name__, "status": exc.status_code}
    return {}


@scenario(
    "api-key-valid",
    "GET /test with a valid API key.",
    "The API-Key header authenticates; validate() returns the account.",
    {"account": ACCOUNT},
)
def _key_valid(ctx: FlowContext) -> Outcome:
    with ctx.client() as hub:
        return {"account": hub.validate()}


@scenario(
    "api-key-invalid",
    "GET /test with a wrong API key.",
    "401 becomes AuthenticationError.",
    {"error": "AuthenticationError", "status": 401},
)
def _key_invalid(ctx: FlowContext) -> Outcome:
    return _refused(ctx, "wrong-key-0123456789abcdef" if ctx.recording else "<API_KEY_3>")


@scenario(
    "api-key-no-plan",
    "GET /test with the key of an account whose plan has no API access.",
    "403 becomes PermissionDeniedError.",
    {"error": "PermissionDeniedError", "status": 403},
)
def _key_no_plan(ctx: FlowContext) -> Outcome:
    return _refused(ctx, ctx.no_plan_api_key)


@scenario(
    "bookings-paged",
    "All 60 bookings pulled 25 a page (3 pages) into a typed DataFrame.",
    "Cursor paging with after=<last id> stops on has_more=false; the frame is typed.",
    {"rows": 60, "pages": 3, "unique": 60, "starting_time": "datetime64[us, UTC]"},
    data=True,
)
def _paged(ctx: FlowContext) -> Outcome:
    with ctx.client(page_size=PAGE) as hub:
        sent = _count_requests(hub)
        frame = hub.bookings.to_frame(progress=False)
    return {
        "rows": len(frame),
        "pages": len(sent),
        "unique": int(frame["id"].nunique()),
        "starting_time": str(frame["starting_time"].dtype),
    }


def _count_requests(hub: Any) -> list[str]:
    sent: list[str] = []
    hub.transport.hooks["request"].append(lambda request: sent.append(request.path_url))
    return sent


def _retry(kind: str, status: int) -> Callable[[FlowContext], Outcome]:
    def run(ctx: FlowContext) -> Outcome:
        ctx.on_server(lambda sb: sb.inject(kind, count=2, status=status, path="/v2/test"))
        with ctx.client() as hub:
            return {"account": hub.validate()}

    return run


_OK = {"account": ACCOUNT}
scenario(
    "retry-429",
    "GET /test is rate limited twice (429), then succeeds.",
    "429 is retried with backoff (Retry-After honoured); the third try succeeds.",
    _OK,
)(_retry("429", 429))
scenario(
    "retry-5xx",
    "GET /test fails twice with 503, then succeeds.",
    "5xx on an idempotent request is retried; the third try succeeds.",
    _OK,
)(_retry("5xx", 503))


@scenario(
    "sync-incremental",
    "bookings.sync(): a full first pull, a cancellation, then only what changed.",
    "The second sync asks for last_updated_time.gt=<newest - overlap> and upserts by id.",
    {"first": 60, "second": 60, "canceled": True, "second_requests": 1},
    data=True,
)
def _sync(ctx: FlowContext) -> Outcome:
    with tempfile.TemporaryDirectory() as folder, ctx.client(page_size=PAGE) as hub:
        target = Path(folder) / "bookings.parquet"
        first = hub.bookings.sync(target, progress=False)
        victim = next(
            b["id"]
            for b in hub.bookings.list(status="scheduled", max_items=25)
            if not b.get("payment_information")
        )
        hub.bookings.cancel(victim, notify=False)
        sent = _count_requests(hub)
        second = hub.bookings.sync(target, overlap=dt.timedelta(seconds=30), progress=False)
        status = second.set_index("id").loc[victim, "status"]
    return {
        "first": len(first),
        "second": len(second),
        "canceled": status == "canceled",
        "second_requests": len(sent),
    }


@scenario(
    "webhook-delivery",
    "A webhook is registered, a booking is canceled, the signed event is delivered.",
    "The delivery verifies against the webhook's secret (re-signed with its placeholder) and "
    "parses to a booking.canceled event for that booking.",
    {"type": "booking.canceled", "same_booking": True, "verified": True},
    data=True,
)
def _webhook(ctx: FlowContext) -> Outcome:
    from oncehub_nb.webhooks import parse_event, verify_signature

    with ctx.client() as hub:
        hook = hub.webhooks.create(name="replay", url=ctx.receiver_url, events=["booking"])
        victim = next(
            b["id"]
            for b in hub.bookings.list(status="scheduled", max_items=25)
            if not b.get("payment_information")
        )
        # Hold the delivery until the cancel's exchange is recorded (see SandboxState.webhook_gate).
        ctx.on_server(lambda sb: sb.state.webhook_gate.clear())
        hub.bookings.cancel(victim, notify=False)
        ctx.on_server(lambda sb: sb.state.webhook_gate.set())
    ctx.on_server(lambda sb: _wait_deliveries(sb, 1))
    header, body = ctx.deliveries(1)[0]
    stamp = int(header.split("t=", 1)[1].split(",", 1)[0])
    verified = verify_signature(body, header, hook["secret"], now=stamp) == stamp
    event = parse_event(body)
    return {"type": event.type, "same_booking": event.data["id"] == victim, "verified": verified}


def _wait_deliveries(sb: Any, count: int) -> None:
    from oncehub_nb.sandbox._webhook_delivery import wait_for_deliveries

    wait_for_deliveries(sb.state, count)

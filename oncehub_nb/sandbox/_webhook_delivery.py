"""Webhook delivery: signed POSTs of booking events to webhooks on this machine.

When a booking action succeeds, every webhook whose ``events`` match (exactly, or through the
``booking`` wildcard) and whose URL is on loopback gets the event, signed the way OnceHub signs:
``Oncehub-Signature: t=<unix>,s=<hex HMAC-SHA256 of "<t>.<body>" keyed by the secret>``, the
secret being the one returned when the webhook was created. Each POST runs in a background
thread with a short timeout; the outcome is appended to ``state.webhook_deliveries``. URLs off
this machine are never contacted (the delivery is recorded as skipped).
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import json
import threading
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from oncehub_nb._http.urls import is_loopback_host
from oncehub_nb.sandbox._dataset import Record
from oncehub_nb.sandbox._state import SandboxState
from oncehub_nb.sandbox._times import iso

#: Seconds a receiver has to answer.
DELIVERY_TIMEOUT = 2.0
_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _matches(subscribed: list[str], event_type: str) -> bool:
    family = event_type.partition(".")[0]
    return event_type in subscribed or family in subscribed


def event_body(state: SandboxState, event_type: str, booking: Record) -> bytes:
    """The JSON body of a booking event (booking data as webhooks carry it).

    The event id comes from the sandbox's seeded generator and the time from its clock, so a
    recorded delivery is the same on every run.

    Example:
        >>> body = event_body(SandboxState(bookings=0), "booking.canceled", {"id": "BKNG-1"})
        >>> json.loads(body)["type"]
        'booking.canceled'
    """
    data = copy.deepcopy(booking)
    data.pop("contact", None)
    data.pop("utm_params", None)
    data["cancel_reschedule_url"] = f"https://oncehub.com/m/{booking.get('id')}"
    envelope = {
        "id": "EVNT-" + f"{state.rng.getrandbits(40):010X}",
        "object": "event",
        "creation_time": iso(state.clock.now()),
        "type": event_type,
        "api_version": "v2",
        "data": data,
    }
    return json.dumps(envelope, separators=(",", ":")).encode()


def _post(state: SandboxState, record: dict[str, Any], body: bytes, secret: str) -> None:
    state.webhook_gate.wait(DELIVERY_TIMEOUT * 10)
    stamp = int(state.clock.timestamp())
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    request = urllib.request.Request(  # noqa: S310 - loopback http(s) only, checked by caller
        record["url"],
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "Oncehub-Signature": f"t={stamp},s={digest}",
            "User-Agent": "OnceHub-Sandbox-Webhooks/1",
        },
    )
    try:
        with _NO_PROXY.open(request, timeout=DELIVERY_TIMEOUT) as response:
            record["status"] = response.status
    except urllib.error.HTTPError as exc:
        record["status"] = exc.code
        exc.close()
    except (OSError, ValueError) as exc:
        record["error"] = f"{type(exc).__name__}: {exc}"
    with state.lock:
        record["done"] = True


def deliver_event(state: SandboxState, event_type: str, booking: Record) -> None:
    """Send ``event_type`` about ``booking`` to every matching webhook, in the background.

    Call it with the state lock held or not; the booking is copied at once.

    Example:
        >>> deliver_event(SandboxState(bookings=0), "booking.canceled", {"id": "BKNG-1"})
    """
    with state.lock:
        body = event_body(state, event_type, booking)
        for webhook in state.data.live("webhooks"):
            secret = state.data.webhook_secrets.get(webhook["id"])
            if secret is None or not _matches(list(webhook["events"]), event_type):
                continue
            record: dict[str, Any] = {
                "webhook": webhook["id"],
                "event": event_type,
                "booking": booking.get("id"),
                "url": webhook["url"],
                "status": None,
                "error": None,
                "done": False,
            }
            state.webhook_deliveries.append(record)
            if not is_loopback_host(urlsplit(webhook["url"]).hostname or ""):
                record.update(error="skipped: the sandbox only delivers to loopback", done=True)
                continue
            threading.Thread(
                target=_post,
                args=(state, record, body, secret),
                name="oncehub-sandbox-webhook",
                daemon=True,
            ).start()


def wait_for_deliveries(
    state: SandboxState, count: int, *, timeout: float = 5.0
) -> list[dict[str, Any]]:
    """Wait until at least ``count`` deliveries are finished; return copies of them all.

    Example:
        >>> wait_for_deliveries(SandboxState(bookings=0), 0)
        []
    """
    deadline = time.monotonic() + timeout
    while True:
        with state.lock:
            done = [dict(d) for d in state.webhook_deliveries if d["done"]]
        if len(done) >= count or time.monotonic() > deadline:
            return done
        time.sleep(0.01)

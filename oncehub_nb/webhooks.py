"""Receiving OnceHub webhooks: check the ``Oncehub-Signature`` header, parse the event.

OnceHub signs each webhook request it sends (webhooks created with API v2) with the secret
returned when the webhook was created. The header reads ``t=<unix seconds>,s=<hex>``, where
``s`` is the hex HMAC-SHA256, keyed by the secret, of ``"<t>.<raw request body>"``. Verify the
*raw* body bytes: parsing and re-serialising the JSON changes them and breaks the signature.

Example:
    >>> from oncehub_nb.webhooks import parse_event, verify_signature
    >>> def handle(body: bytes, headers: dict[str, str], secret: str):
    ...     verify_signature(body, headers["Oncehub-Signature"], secret)
    ...     event = parse_event(body)
    ...     if event.type == "booking.canceled":
    ...         print(event.data["id"], event.owner_id)

    A request as OnceHub would send it (:func:`sign` stands in for OnceHub here):

    >>> body = (b'{"id": "EVNT-1", "type": "booking.canceled",'
    ...         b' "data": {"id": "BKNG-1", "owner": "USR-1"}}')
    >>> headers = {"Oncehub-Signature": sign(body, "the-secret", int(time.time()))}
    >>> handle(body, headers, "the-secret")
    BKNG-1 USR-1
    >>> handle(body.replace(b"BKNG-1", b"BKNG-2"), headers, "the-secret")  # a changed body
    Traceback (most recent call last):
    ...
    oncehub_nb.WebhookSignatureError: The signature does not match the body: ...
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import time
from typing import Any

from oncehub_nb._errors import WebhookSignatureError

__all__ = ["SIGNATURE_HEADER", "WebhookEvent", "parse_event", "sign", "verify_signature"]

#: The request header carrying the signature.
SIGNATURE_HEADER = "Oncehub-Signature"


def sign(raw_body: bytes, secret: str, timestamp: int) -> str:
    """Build the ``Oncehub-Signature`` value for a body (to test your own receiver).

    Args:
        raw_body: the exact request body.
        secret: the webhook's secret.
        timestamp: unix seconds.

    Returns:
        ``t=<timestamp>,s=<hex digest>``.

    Example:
        >>> sign(b"{}", "whsec", 1611144604)[:13]
        't=1611144604,'
    """
    message = str(timestamp).encode() + b"." + raw_body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return f"t={timestamp},s={digest}"


def _parse_header(header: str) -> tuple[int, list[str]]:
    if not isinstance(header, str) or not header.strip():
        raise WebhookSignatureError(f"The {SIGNATURE_HEADER} header is missing or empty")
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            raise WebhookSignatureError(
                f"Malformed {SIGNATURE_HEADER} header: expected 't=<unix>,s=<hex>'"
            )
        if key == "t":
            # ASCII digits only ("²".isdigit() is true, int("²") fails), and a sane length
            if not (value.isascii() and value.isdigit() and len(value) <= 15):
                raise WebhookSignatureError(f"Malformed {SIGNATURE_HEADER} timestamp: {value!r}")
            timestamp = int(value)
        elif key == "s":
            signatures.append(value.lower())
    if timestamp is None or not signatures:
        raise WebhookSignatureError(
            f"Malformed {SIGNATURE_HEADER} header: it needs both t=<unix> and s=<hex>"
        )
    return timestamp, signatures


def verify_signature(
    raw_body: bytes,
    header: str,
    secret: str,
    tolerance: int = 300,
    now: float | None = None,
) -> int:
    """Check that a webhook request comes from OnceHub and is recent.

    The comparison is constant-time. A timestamp further than ``tolerance`` seconds from
    ``now`` (either way) is refused, which stops replays of old requests.

    Args:
        raw_body: the request body exactly as received (bytes, not parsed JSON).
        header: the ``Oncehub-Signature`` header value.
        secret: the webhook's secret (returned by ``hub.webhooks.create``).
        tolerance: the largest accepted age in seconds; ``0`` or less skips the check.
        now: the current unix time (default: the clock).

    Returns:
        The signed timestamp (unix seconds).

    Raises:
        WebhookSignatureError: the header is malformed, no signature matches, or the timestamp
            is outside the tolerance.

    Example:
        >>> body = b'{"id": "EVNT-1"}'
        >>> verify_signature(body, sign(body, "whsec", 1000), "whsec", now=1010)
        1000
        >>> verify_signature(body + b" ", sign(body, "whsec", 1000), "whsec", now=1010)
        Traceback (most recent call last):
        ...
        oncehub_nb.WebhookSignatureError: The signature does not match ...
    """
    if not isinstance(raw_body, bytes | bytearray):
        raise TypeError("verify_signature() needs the raw body as bytes, not parsed JSON")
    if not isinstance(secret, str) or not secret:
        raise WebhookSignatureError("No webhook secret given: pass the secret of the webhook")
    timestamp, signatures = _parse_header(header)
    expected = sign(bytes(raw_body), secret, timestamp).partition(",s=")[2].encode()
    # Bytes, not str: compare_digest raises TypeError on non-ASCII text (a header of "s=é...").
    given = [candidate.encode("utf-8", "replace") for candidate in signatures]
    if not any(hmac.compare_digest(expected, candidate) for candidate in given):
        raise WebhookSignatureError(
            "The signature does not match the body: the body was changed, or the secret is "
            "not this webhook's (verify the raw bytes, not re-serialised JSON)"
        )
    current = time.time() if now is None else now
    if tolerance > 0 and abs(current - timestamp) > tolerance:
        raise WebhookSignatureError(
            f"The signature's timestamp is {abs(current - timestamp):.0f} s from now, beyond "
            f"the {tolerance} s tolerance: a replay, or a wrong clock"
        )
    return timestamp


@dataclasses.dataclass(frozen=True)
class WebhookEvent:
    """One webhook event.

    Attributes:
        id: the event id (``EVNT-…``).
        type: e.g. ``booking.scheduled``, ``booking.canceled``, ``conversation.started``.
        creation_time: when OnceHub created the event (UTC), or ``None`` if unreadable.
        api_version: the webhook's API version (``v2``).
        data: the booking or conversation, as sent.

    Example:
        >>> event = parse_event(b'{"id": "EVNT-1", "type": "booking.canceled", "data": {}}')
        >>> event.type, event.is_booking
        ('booking.canceled', True)
    """

    id: str
    type: str
    creation_time: dt.datetime | None
    api_version: str | None
    data: dict[str, Any]

    @property
    def is_booking(self) -> bool:
        """Whether the event is about a booking (its data is a booking)."""
        return self.type == "booking" or self.type.startswith("booking.")

    @property
    def owner_id(self) -> str | None:
        """The owner's user id, whether ``owner`` came as an id or as an expanded object."""
        owner = self.data.get("owner")
        if isinstance(owner, dict):
            owner = owner.get("id")
        return owner if isinstance(owner, str) and owner else None


def _time(value: Any) -> dt.datetime | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.UTC) if moment.tzinfo is None else moment.astimezone(dt.UTC)


def parse_event(raw_body: bytes | str) -> WebhookEvent:
    """Parse a webhook request body into a :class:`WebhookEvent`.

    Tolerant of real payloads: unknown event types and extra fields are kept, ``owner`` may be
    an id or an object, a missing ``data`` is an empty dict.

    Args:
        raw_body: the request body (verify it first with :func:`verify_signature`).

    Returns:
        The event.

    Raises:
        ValueError: the body is not a JSON object with ``id`` and ``type``.

    Example:
        >>> parse_event('{"id": "EVNT-1", "type": "booking.scheduled",'
        ...             ' "creation_time": "2021-01-20T12:10:03.140Z", "data": {}}').creation_time
        datetime.datetime(2021, 1, 20, 12, 10, 3, 140000, tzinfo=datetime.timezone.utc)
    """
    try:
        body = json.loads(raw_body)
    except (TypeError, ValueError, RecursionError) as exc:  # RecursionError: absurd nesting
        raise ValueError(f"The webhook body is not JSON: {str(exc)[:200]}") from None
    if not isinstance(body, dict):
        raise ValueError("The webhook body is not a JSON object")
    event_id, event_type = body.get("id"), body.get("type")
    if not isinstance(event_id, str) or not isinstance(event_type, str):
        raise ValueError("The webhook body has no event id and type: is it an OnceHub event?")
    data = body.get("data")
    version = body.get("api_version")
    return WebhookEvent(
        id=event_id,
        type=event_type,
        creation_time=_time(body.get("creation_time")),
        api_version=version if isinstance(version, str) else None,
        data=data if isinstance(data, dict) else {},
    )

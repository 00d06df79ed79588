"""Webhook signatures and events: unit checks, then the sandbox delivering to a local receiver."""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
from collections.abc import Callable, Iterator

import pytest

import oncehub_nb
from oncehub_nb import WebhookSignatureError
from oncehub_nb.sandbox import Sandbox
from oncehub_nb.sandbox._webhook_delivery import wait_for_deliveries
from oncehub_nb.testing import webhook_receiver
from oncehub_nb.webhooks import parse_event, sign, verify_signature
from tests.conftest import client_for

BODY = b'{"id":"EVNT-1","object":"event","type":"booking.scheduled","data":{"id":"BKNG-1"}}'


def _independent(body: bytes, secret: str, t: int) -> str:
    digest = hmac.new(secret.encode(), str(t).encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"t={t},s={digest}"


def test_signature_accepts_the_documented_scheme() -> None:
    header = _independent(BODY, "s3cret", 1_700_000_000)
    assert sign(BODY, "s3cret", 1_700_000_000) == header
    assert verify_signature(BODY, header, "s3cret", now=1_700_000_100) == 1_700_000_000
    spaced = header.replace(",", ", ")
    assert verify_signature(BODY, f"{spaced},s=00ff", "s3cret", now=1_700_000_000)


@pytest.mark.parametrize(
    ("body", "header", "secret", "now", "message"),
    [
        (BODY, "", "s3cret", 0, "missing"),
        (BODY, "garbage", "s3cret", 0, "Malformed"),
        (BODY, "t=abc,s=00", "s3cret", 0, "timestamp"),
        (BODY, "t=5", "s3cret", 5, "needs both"),
        (BODY + b" ", _independent(BODY, "s3cret", 5), "s3cret", 5, "does not match"),
        (BODY, _independent(BODY, "other", 5), "s3cret", 5, "does not match"),
        (BODY, _independent(BODY, "s3cret", 5), "s3cret", 5 + 301, "tolerance"),
        (BODY, _independent(BODY, "s3cret", 5), "", 5, "secret"),
        (BODY, "t=5,s=é" + "0" * 63, "s3cret", 5, "does not match"),  # non-ASCII: no TypeError
    ],
)
def test_bad_signatures_are_typed_errors(
    body: bytes, header: str, secret: str, now: int, message: str
) -> None:
    with pytest.raises(WebhookSignatureError, match=message) as info:
        verify_signature(body, header, secret, now=now)
    assert isinstance(info.value, oncehub_nb.OnceHubError)
    assert secret not in str(info.value) or not secret


def test_parsed_json_is_refused_and_tolerance_can_be_off() -> None:
    with pytest.raises(TypeError, match="raw body"):
        verify_signature(json.loads(BODY), "t=1,s=00", "s3cret")  # type: ignore[arg-type]
    old = _independent(BODY, "k", 1)
    assert verify_signature(BODY, old, "k", tolerance=0, now=10**10) == 1


def test_parse_event_tolerates_owner_shapes_and_loose_fields() -> None:
    expanded = parse_event(
        b'{"id":"EVNT-2","type":"booking.canceled","api_version":"v2",'
        b'"creation_time":"2021-01-20T12:10:03.140Z","data":{"owner":{"id":"USR-1"}},"x":1}'
    )
    assert expanded.owner_id == "USR-1" and expanded.is_booking
    assert expanded.creation_time is not None and expanded.creation_time.microsecond == 140000
    plain = parse_event('{"id":"EVNT-3","type":"conversation.started","data":{"owner":"USR-2"}}')
    assert (plain.owner_id, plain.is_booking, plain.creation_time) == ("USR-2", False, None)
    assert parse_event('{"id":"E","type":"new.kind","data":null}').data == {}
    for bad in (b"not json", b"[]", b'{"id": 1}'):
        with pytest.raises(ValueError, match="webhook body"):
            parse_event(bad)


@pytest.fixture
def receiver() -> Iterator[tuple[str, queue.Queue[tuple[str, bytes]]]]:
    with webhook_receiver() as (root, inbox):
        yield f"{root}/hook", inbox


def test_sandbox_signs_and_delivers_booking_events(
    make_sandbox: Callable[..., Sandbox], receiver: tuple[str, queue.Queue[tuple[str, bytes]]]
) -> None:
    url, inbox = receiver
    sb = make_sandbox(bookings=80, seed=9, time_scale=0.01)
    with client_for(sb) as hub:
        every = hub.webhooks.create(name="all", url=url, events=["booking"])
        hub.webhooks.create(name="only-no-show", url=url + "2", events=["booking.no_show"])
        victim = next(
            b
            for b in sb.ground_truth()
            if b["status"] == "scheduled" and not b["payment_information"]
        )
        hub.bookings.cancel(victim["id"], reason="Sorry")
        header, body = inbox.get(timeout=5)
        assert verify_signature(body, header, every["secret"], now=sb.now().timestamp()) > 0
        event = parse_event(body)
        assert (event.type, event.api_version, event.data["id"]) == (
            "booking.canceled", "v2", victim["id"],
        )  # fmt: skip
        assert event.data["status"] == "canceled" and "contact" not in event.data
        assert event.owner_id == victim["owner"]
        with pytest.raises(WebhookSignatureError):  # a tampered body
            verify_signature(
                body.replace(b"canceled", b"scheduled"),
                header,
                every["secret"],
                now=sb.now().timestamp(),
            )
        with pytest.raises(WebhookSignatureError):  # the wrong secret
            verify_signature(body, header, every["secret"][::-1], now=sb.now().timestamp())
        stamp = int(header.split("t=", 1)[1].split(",", 1)[0])
        with pytest.raises(WebhookSignatureError):  # a stale timestamp (default tolerance 300 s)
            verify_signature(body, header, every["secret"], now=stamp + 301)
        assert verify_signature(body, header, every["secret"], now=stamp + 299) == stamp

        calendar = next(c for c in sb.ground_truth("booking-calendars") if c["published"])
        slot = hub.booking_calendars.time_slots(calendar["id"])[0]["start_time"]
        made = hub.booking_calendars.schedule(
            calendar["id"], start=slot, guest_time_zone="UTC", name="G H", email="g@example.com"
        )
        header, body = inbox.get(timeout=5)
        assert verify_signature(body, header, every["secret"], now=sb.now().timestamp())
        assert (parse_event(body).type, parse_event(body).data["id"]) == (
            "booking.scheduled", made["id"],
        )  # fmt: skip
    deliveries = wait_for_deliveries(sb.state, 2)
    assert [(d["webhook"], d["event"], d["status"]) for d in deliveries] == [
        (every["id"], "booking.canceled", 200),
        (every["id"], "booking.scheduled", 200),
    ]
    assert inbox.empty()


def test_each_booking_action_sends_its_event(
    make_sandbox: Callable[..., Sandbox], receiver: tuple[str, queue.Queue[tuple[str, bytes]]]
) -> None:
    url, inbox = receiver
    sb = make_sandbox(bookings=120, seed=11, time_scale=0.01)
    events = ["booking.canceled_reschedule_requested", "booking.reassigned", "booking.no_show"]
    truth = sb.ground_truth()
    unpaid = [b for b in truth if not b["payment_information"]]
    past = max(b["starting_time"] for b in truth if b["status"] == "completed")
    no_show = next(b for b in unpaid if b["status"] == "completed" and b["starting_time"] <= past)
    scheduled = [b for b in unpaid if b["status"] == "scheduled" and b["booking_calendar"]]
    with client_for(sb) as hub:
        hook = hub.webhooks.create(name="three", url=url, events=events)
        hub.bookings.request_reschedule(scheduled[0]["id"])
        other = next(
            u["id"]
            for u in sb.ground_truth("users")
            if u["status"] == "active" and u["id"] != scheduled[1]["owner"]
        )
        hub.bookings.reassign(scheduled[1]["id"], new_host=other)
        hub.bookings.mark_no_show(no_show["id"])
    got = [inbox.get(timeout=5) for _ in events]
    assert sorted(parse_event(body).type for _, body in got) == sorted(events)
    assert all(
        verify_signature(body, header, hook["secret"], now=sb.now().timestamp())
        for header, body in got
    )

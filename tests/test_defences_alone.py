"""Defences a mutation run found held by no test of their own (issue 18), each tested alone.

Each test here fails with its mutant of ``bench/mutants.py`` applied (named beside it) and
passes without it; ``python -m bench.mutants`` shows it.
"""

from __future__ import annotations

import hmac
import json
import logging
import types
from collections.abc import Callable
from typing import Any

import pytest

from oncehub_nb import APIConnectionError, APITimeoutError, TokenExchangeError, webhooks
from oncehub_nb.auth import AuthorizationFlow, MemoryTokenStore
from oncehub_nb.auth.grants import exchange_code
from oncehub_nb.sandbox import Sandbox
from oncehub_nb.testing import Scrubber
from tests.conftest import client_for
from tests.oauth_helpers import config_for, sender

BODY = b'{"id":"EVNT-1","object":"event","type":"booking.canceled","data":{"id":"BKNG-1"}}'


# -- mutant token-error-description-unredacted ------------------------------------------------


def test_a_token_endpoint_echoing_secrets_in_its_error_shows_none_of_them(
    make_sandbox: Callable[..., Sandbox], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # a careless server: its error_description quotes what it was sent
    sb = make_sandbox(bookings=0, rate_limit=False, echo_secrets_in_errors=True)
    config = config_for(sb)
    secrets = [config.client_secret or ""]

    def exchange_twice(cfg: Any, code: str, verifier: str, redirect: str, state: str) -> Any:
        secrets.extend([code, verifier])
        exchange_code(cfg, code, verifier, redirect, state, sender=sender())  # the code is used
        return exchange_code(cfg, code, verifier, redirect, state, sender=sender())  # refused

    flow = AuthorizationFlow(config, store=MemoryTokenStore(), exchange=exchange_twice)
    with pytest.raises(TokenExchangeError, match="invalid_grant") as info:
        flow.finish(sb.consent(flow.start()))
    message = str(info.value)
    assert "Received client secret '" in message  # the echo reached the client's message ...
    assert len(secrets) == 3 and all(len(s) >= 30 for s in secrets)
    for secret in secrets:  # ... masked: 4 characters at most of each secret
        assert secret[4:20] not in message
        assert secret[4:20] not in caplog.text


# -- mutant action-retried-after-a-broken-connection --------------------------------------------


@pytest.mark.parametrize(
    ("fault", "error"), [("reset", APIConnectionError), ("slow", APITimeoutError)]
)
def test_a_post_action_meeting_a_reset_or_a_read_timeout_reaches_the_server_once(
    make_sandbox: Callable[..., Sandbox], fault: str, error: type[Exception]
) -> None:
    sb = make_sandbox(bookings=30, seed=1, rate_limit=False)
    booking = next(b for b in sb.ground_truth("bookings") if b["status"] == "scheduled")
    sb.inject(fault, count=1, delay_ms=1500)  # the next request only: a retry would succeed
    with client_for(sb, timeout=0.5, max_retries=3) as hub:
        hub.transport.sleep = lambda _s: None
        with pytest.raises(error):
            hub.bookings.mark_no_show(booking["id"])
    posts = {k: v for k, v in sb.stats()["requests"].items() if k.startswith("POST")}
    assert sum(posts.values()) == 1, posts  # counted on the server: sent once, never again


def test_a_read_request_meeting_a_reset_is_retried() -> None:
    """The other side of the rule above: a GET is sent again (so the test above can fail)."""
    with Sandbox(bookings=3, seed=1, rate_limit=False) as sb:
        sb.inject("reset", count=1)
        with client_for(sb, max_retries=3) as hub:
            hub.transport.sleep = lambda _s: None
            assert hub.validate()
        assert sb.stats()["requests"]["GET /v2/test"] == 2


# -- mutant scrub-json-refresh-token ----------------------------------------------------------


@pytest.mark.parametrize("separator", [": ", ":", " : "])
def test_a_first_token_answer_loses_its_new_refresh_token_through_the_json_rule_alone(
    separator: str,
) -> None:
    access, refresh = "at-first-seen-here-0123456789", "rt-first-seen-here-9876543210"
    pairs = {"access_token": access, "token_type": "Bearer", "refresh_token": refresh}
    body = ("{" + ", ".join(f'"{k}"{separator}"{v}"' for k, v in pairs.items()) + "}").encode()
    scrubber = Scrubber(env={})  # nothing learned before: no request body showed either token
    response = {
        "status": {"code": 200, "message": "OK"},
        "headers": {"Content-Type": ["application/json"], "Content-Length": [str(len(body))]},
        "body": {"string": body},
    }
    scrubbed = scrubber.before_record_response(response)
    text = scrubbed["body"]["string"].decode()
    assert refresh not in text and access not in text
    assert json.loads(text) == {
        "access_token": "<ACCESS_TOKEN_1>",
        "token_type": "Bearer",
        "refresh_token": "<REFRESH_TOKEN_1>",
    }
    assert scrubbed["headers"]["Content-Length"] == [str(len(text))]


# -- mutant webhook-signature-compared-with-eq ------------------------------------------------


def test_webhook_signatures_are_compared_by_hmac_compare_digest(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[object, object]] = []

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return hmac.compare_digest(a, b)

    fake = types.SimpleNamespace(new=hmac.new, compare_digest=spy)
    monkeypatch.setattr(webhooks, "hmac", fake)
    header = webhooks.sign(BODY, "s3cret", 1000)
    assert webhooks.verify_signature(BODY, header, "s3cret", now=1000) == 1000
    assert calls, "the signature was not compared with hmac.compare_digest"
    assert all(isinstance(a, bytes) and isinstance(b, bytes) for a, b in calls)
    # and its answer is the one that counts
    monkeypatch.setattr(fake, "compare_digest", lambda a, b: False)
    with pytest.raises(webhooks.WebhookSignatureError, match="does not match"):
        webhooks.verify_signature(BODY, header, "s3cret", now=1000)

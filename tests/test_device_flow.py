"""The device authorization grant (RFC 8628) against the sandbox, with a shared fake clock.

The client's sleeps move the clock the sandbox reads too, so intervals, slow_down and expiry
are exercised without a real second passing, and the sandbox counts and times every poll.
"""

from __future__ import annotations

import io
import itertools
import logging
from collections.abc import Callable
from typing import Any

import pytest
import requests

from oncehub_nb import AuthorizationDenied, DeviceCodeExpired, OnceHub, ReauthorizationRequired
from oncehub_nb.auth.config import OAuthConfig
from oncehub_nb.auth.device import DeviceFlow
from oncehub_nb.auth.oauth import OAuthAuth
from oncehub_nb.auth.stores import MemoryTokenStore
from oncehub_nb.sandbox import Sandbox
from tests.oauth_helpers import FakeClock


@pytest.fixture
def device_sb(make_sandbox: Callable[..., Sandbox]) -> tuple[Sandbox, FakeClock]:
    clock = FakeClock()
    sb = make_sandbox(bookings=3, seed=7, rate_limit=False)
    sb.oauth.devices.clock = clock
    return sb, clock


def _flow(sb: Sandbox, clock: FakeClock, kind: str = "public", **kw: Any) -> DeviceFlow:
    config = OAuthConfig(**sb.oauth_settings(kind))
    kw.setdefault("sleep", clock.sleep)
    return DeviceFlow(config, store=MemoryTokenStore(), clock=clock, **kw)


def _gaps(times: list[float]) -> list[float]:
    return [b - a for a, b in itertools.pairwise(times)]


@pytest.mark.parametrize("kind", ["public", "confidential"])
def test_two_pending_one_slow_down_then_token(device_sb: Any, kind: str) -> None:
    sb, clock = device_sb
    sb.oauth.configure(
        device_interval=5, device_pending_polls=3, device_slow_down=3, device_auto_decision="allow"
    )
    flow = _flow(sb, clock, kind)
    code = flow.start()
    assert code.interval == 5 and code.user_code[4] == "-"
    token = flow.wait(code)
    # pending, pending, slow_down (interval 5 -> 10), then the token: 4 requests, no more.
    assert code.polls == 4 and code.interval == 10
    assert sb.oauth_stats()["token_requests"] == {"urn:ietf:params:oauth:grant-type:device_code": 4}
    device = sb.oauth_stats()["device"]
    assert (device["authorization_pending"], device["slow_down"], device["granted"]) == (2, 1, 1)
    assert device["too_fast"] == 0
    [times] = sb.oauth.devices.poll_times()
    assert _gaps(times) == [5.0, 5.0, 10.0]  # never sooner than the interval in force
    assert clock.sleeps == [5.0, 5.0, 5.0, 10.0]
    # The token is stored under the app's profile and used (and refreshed) like any other.
    assert flow.store.load_token(flow.config.profile) == token
    auth = OAuthAuth(flow.config, store=flow.store)
    with OnceHub(auth=auth, api_base=sb.base_url, env={}) as hub:
        assert hub.validate().endswith("@martin-mcmillan.example.com")
        auth.refresh(hub.transport)
    assert auth.refresh_count == 1


def test_denied_on_the_verification_page(device_sb: Any) -> None:
    sb, clock = device_sb
    flow = _flow(sb, clock)
    code = flow.start()
    assert flow.poll(code) is None  # pending
    page = requests.get(code.link, timeout=5)
    assert code.user_code in page.text and "Allow" in page.text
    ticket = page.text.split('name="ticket" value="')[1].split('"')[0]
    answer = requests.post(
        code.verification_uri,
        data={"ticket": ticket, "user_code": code.user_code, "decision": "deny"},
        timeout=5,
    )
    assert "denied" in answer.text
    clock.sleep(code.interval)
    with pytest.raises(AuthorizationDenied, match="denied on the verification page"):
        flow.poll(code)


def test_denied_by_knob_and_expired_have_their_own_messages(device_sb: Any) -> None:
    sb, clock = device_sb
    sb.oauth.configure(device_pending_polls=1, device_auto_decision="deny")
    with pytest.raises(AuthorizationDenied) as denied:
        _flow(sb, clock).wait(_flow(sb, clock).start())
    sb.oauth.configure(device_auto_decision="none", device_code_ttl=12)
    flow = _flow(sb, clock)
    code = flow.start()
    with pytest.raises(DeviceCodeExpired) as expired:
        flow.wait(code)
    assert str(denied.value) != str(expired.value) and "expired" in str(expired.value)
    assert code.polls == 2  # at 5 s and 10 s; at 12 s the code is dead: no third request


def test_server_side_expired_token(device_sb: Any) -> None:
    sb, clock = device_sb
    sb.oauth.configure(device_code_ttl=30)
    flow = _flow(sb, clock)
    code = flow.start()
    code.expires_at += 1000  # the client believes it has longer than the server grants
    clock.sleep(31)
    with pytest.raises(DeviceCodeExpired):
        flow.poll(code)
    assert sb.oauth_stats()["device"]["expired_token"] == 1


def test_polling_too_fast_is_slowed_down_by_the_server(device_sb: Any) -> None:
    sb, clock = device_sb
    flow = _flow(sb, clock)
    code = flow.start()
    assert flow.poll(code) is None
    assert flow.poll(code) is None  # no sleep in between: too fast
    assert code.interval == 10 and sb.oauth_stats()["device"]["too_fast"] == 1


def test_5xx_is_tolerated_until_the_code_expires(device_sb: Any) -> None:
    sb, clock = device_sb
    sb.oauth.configure(device_pending_polls=1, device_auto_decision="allow")
    from oncehub_nb._http.transport import standalone_transport

    # No retries in the transport: each 503 reaches the flow, which polls again next interval.
    flow = _flow(sb, clock, sender=standalone_transport({"ONCEHUB_MAX_RETRIES": "0"}))
    code = flow.start()
    sb.oauth.configure(token_endpoint_down=3)
    token = flow.wait(code)
    assert token.access_token and sb.oauth_stats()["token_endpoint_down"] == 3
    assert code.polls == 5  # 3 x 503, 1 pending, then the token


def test_cancel_stops_waiting(device_sb: Any) -> None:
    import threading

    sb, clock = device_sb
    stop = threading.Event()
    flow = _flow(sb, clock, sleep=lambda s: stop.set())
    with pytest.raises(ReauthorizationRequired, match="Stopped"):
        flow.wait(flow.start(), cancel=stop)


def test_the_device_code_never_reaches_output(device_sb: Any, caplog: Any) -> None:
    sb, clock = device_sb
    sb.oauth.configure(device_pending_polls=1, device_auto_decision="deny")
    flow = _flow(sb, clock)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    for name in ("oncehub_nb", "requests_oauthlib", "oauthlib", "urllib3"):
        logging.getLogger(name).addHandler(handler)
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        code = flow.start()
        with pytest.raises(AuthorizationDenied) as denied:
            flow.wait(code)
    finally:
        for name in ("oncehub_nb", "requests_oauthlib", "oauthlib", "urllib3"):
            logging.getLogger(name).removeHandler(handler)
    secret = code.device_code
    assert len(secret) >= 20
    for text in (repr(code), str(code), repr(flow), str(denied.value), stream.getvalue()):
        assert secret not in text


def test_a_broken_device_answer_is_a_clear_error(device_sb: Any) -> None:
    from oncehub_nb import ConfigurationError, TokenExchangeError
    from oncehub_nb.auth.validate import device_fields

    sb, _clock = device_sb
    with pytest.raises(ValueError, match="verification_uri"):
        device_fields({"device_code": "d" * 20, "user_code": "A", "expires_in": 5})
    with pytest.raises(ConfigurationError, match="ONCEHUB_DEVICE_AUTHORIZATION_URL"):
        DeviceFlow(OAuthConfig(client_id="app"), store=MemoryTokenStore()).start()
    settings = {**sb.oauth_settings("public"), "device_authorization_url": sb.base_url + "/test"}
    with pytest.raises(TokenExchangeError):
        DeviceFlow(OAuthConfig(**settings), store=MemoryTokenStore()).start()

"""The device-grant scenarios (RFC 8628): granted, slow_down, denied and expired.

Registered in :data:`~oncehub_nb.testing.SCENARIOS` on import (the cassette module imports this
one). The flow's waits move the scenario's :class:`~oncehub_nb.testing.ReplayClock` (the
recording sandbox reads the same clock), so a recording takes no real second and re-records
byte for byte; the user codes come from :func:`replay_user_codes`. The ``device_code`` is
scrubbed to ``<DEVICE_CODE_1>`` in both directions, as every secret field is.

Example:
    >>> SCENARIOS["device-slow-down"].expected["waits"]
    [5.0, 5.0, 10.0]
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from urllib.parse import urljoin

import requests

from oncehub_nb import AuthorizationDenied, DeviceCodeExpired
from oncehub_nb._consent import ConsentForm
from oncehub_nb.auth.device import DeviceCode
from oncehub_nb.testing._context import FlowContext
from oncehub_nb.testing._scenarios import ACCOUNT, SCENARIOS, Outcome, error_outcome, scenario

__all__ = ["SCENARIOS", "replay_user_codes", "verify_code"]

_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"


def replay_user_codes(seed: str) -> Callable[[], str]:
    """Repeatable user codes (``XXXX-XXXX``) for a recording sandbox: the same on every run.

    Example:
        >>> a, b = replay_user_codes("demo"), replay_user_codes("demo")
        >>> a() == b(), len(a()), a()[4]
        (True, 9, '-')
    """
    counter = [0]

    def new_user_code() -> str:
        counter[0] += 1
        digest = hashlib.sha256(f"{seed}:user-code:{counter[0]}".encode()).digest()
        letters = "".join(_ALPHABET[b % len(_ALPHABET)] for b in digest[:8])
        return f"{letters[:4]}-{letters[4:]}"

    return new_user_code


def verify_code(code: DeviceCode, *, allow: bool = True, timeout: float = 10) -> str:
    """Act as the user on the verification page: open the link, press Allow or Deny.

    Args:
        code: the started sign-in (its ``verification_uri_complete`` fills the code in).
        allow: press Allow (``True``) or Deny.
        timeout: seconds per request.

    Returns:
        The text of the page shown afterwards.

    Raises:
        RuntimeError: the page did not show the Allow / Deny form.
    """
    with requests.Session() as session:
        page = session.get(code.link, timeout=timeout)
        reader = ConsentForm()
        reader.feed(page.text)
        if page.status_code != 200 or "ticket" not in reader.fields:
            raise RuntimeError(f"the verification page showed an error (HTTP {page.status_code})")
        answer = session.post(
            urljoin(code.link, reader.action or ""),
            data={**reader.fields, "decision": "allow" if allow else "deny"},
            timeout=timeout,
        )
    return answer.text


def _counting(ctx: FlowContext, waits: list[float]) -> Callable[[float], None]:
    """A flow's ``sleep`` that notes each wait and moves the scenario's clock instead."""

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        ctx.clock.advance(seconds)

    return sleep


def _decide_during_wait(
    ctx: FlowContext, waits: list[float], number: int, allow: bool
) -> tuple[Callable[[float], None], list[DeviceCode]]:
    """A flow's ``sleep`` that moves the clock and, during wait ``number``, decides on the page."""
    started: list[DeviceCode] = []

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        ctx.clock.advance(seconds)
        if len(waits) == number:
            verify_code(started[0], allow=allow)

    return sleep, started


def _granted(ctx: FlowContext, config_kind: str, decide_at: int | None) -> Outcome:
    config = ctx.oauth_config(config_kind)
    waits: list[float] = []
    if decide_at is None:
        flow = ctx.device_flow(config, sleep=_counting(ctx, waits))
        code = flow.start()
    else:
        sleep, started = _decide_during_wait(ctx, waits, decide_at, allow=True)
        flow = ctx.device_flow(config, sleep=sleep)
        code = flow.start()
        started.append(code)
    token = flow.wait(code)
    with ctx.oauth_client(config) as hub:
        account = hub.validate()
    return {
        "account": account,
        "polls": code.polls,
        "waits": waits,
        "interval": code.interval,
        "has_refresh_token": bool(token.refresh_token),
    }


_GRANTED = {"account": ACCOUNT, "polls": 3, "has_refresh_token": True}


@scenario(
    "device-granted",
    "Sign in with a code: two pending polls, then Allow on the verification page.",
    "Polls come one interval (5 s) apart; authorization_pending twice, then the token works.",
    {**_GRANTED, "waits": [5.0, 5.0, 5.0], "interval": 5.0},
    auth=None,
)
def _device_granted(ctx: FlowContext) -> Outcome:
    return _granted(ctx, "public", decide_at=3)


@scenario(
    "device-slow-down",
    "Sign in with a code: the server answers slow_down on the second poll.",
    "slow_down adds 5 s to the interval for every later poll (RFC 8628 3.5); then the token.",
    {**_GRANTED, "waits": [5.0, 5.0, 10.0], "interval": 10.0},
    auth=None,
)
def _device_slow_down(ctx: FlowContext) -> Outcome:
    ctx.on_server(
        lambda sb: sb.oauth.configure(
            device_pending_polls=2, device_slow_down=2, device_auto_decision="allow"
        )
    )
    return _granted(ctx, "confidential", decide_at=None)


@scenario(
    "device-denied",
    "Sign in with a code: the user presses Deny on the verification page.",
    "access_denied at the token endpoint becomes AuthorizationDenied; polling stops.",
    {"error": "AuthorizationDenied", "code": None, "polls": 2},
    auth=None,
)
def _device_denied(ctx: FlowContext) -> Outcome:
    waits: list[float] = []
    sleep, started = _decide_during_wait(ctx, waits, 2, allow=False)
    flow = ctx.device_flow(ctx.oauth_config("public"), sleep=sleep)
    code = flow.start()
    started.append(code)
    try:
        flow.wait(code)
    except AuthorizationDenied as exc:
        return {**error_outcome(exc), "polls": code.polls}
    return {}


@scenario(
    "device-expired",
    "Sign in with a code: nobody approves before the code expires (12 s here).",
    "The flow stops at the code's expires_in with DeviceCodeExpired; no poll after expiry.",
    {"error": "DeviceCodeExpired", "code": None, "polls": 2, "waits": [5.0, 5.0, 2.0]},
    auth=None,
)
def _device_expired(ctx: FlowContext) -> Outcome:
    ctx.on_server(lambda sb: sb.oauth.configure(device_code_ttl=12))
    waits: list[float] = []
    flow = ctx.device_flow(ctx.oauth_config("public"), sleep=_counting(ctx, waits))
    code = flow.start()
    try:
        flow.wait(code)
    except DeviceCodeExpired as exc:
        return {**error_outcome(exc), "polls": code.polls, "waits": waits}
    return {}

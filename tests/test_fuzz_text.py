"""Property-based tests of the text parsers that face the outside world.

Pasted redirect text, webhook signature headers and bodies, and configuration strings may
only raise what they document (the ``OnceHubError`` tree, or ``ValueError`` / ``TypeError`` where
the docstring says so).
"""

from __future__ import annotations

import json
import math
import string
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oncehub_nb import (
    AuthError,
    ConfigurationError,
    OnceHubError,
    TokenExchangeError,
    WebhookSignatureError,
)
from oncehub_nb._config import Settings
from oncehub_nb.auth import AuthorizationFlow, MemoryTokenStore, OAuthConfig
from oncehub_nb.auth.flow import clean_pasted_url
from oncehub_nb.webhooks import WebhookEvent, parse_event, sign, verify_signature
from tests.fuzzing import COUNTS, FUZZ, check_total, json_values, messy_values

pytestmark = pytest.mark.fuzz

# -- 1. pasted redirect text ------------------------------------------------------------------

REDIRECT = "http://127.0.0.1:8765/callback"
CONFIG = OAuthConfig(client_id="fuzz-app", redirect_uri=REDIRECT, token_url="https://t.example/t")

PASTE_ODDITIES = "\u2019\u201c\u201d\u2026\u00df\u00e9\u200b\u00a0"  # quotes, ellipsis, nbsp
url_noise = st.text(alphabet=st.sampled_from(list(string.printable + PASTE_ODDITIES)), max_size=40)


def _exchange_spy(calls: list[str]) -> Any:
    def exchange(config: Any, code: str, verifier: str, redirect: str, state: str) -> Any:
        calls.append(state)
        return {"access_token": "A" * 24, "refresh_token": "R" * 24, "expires_in": 3600}

    return exchange


@settings(FUZZ, max_examples=1500)
@given(
    prefix=url_noise,
    suffix=url_noise,
    middle=st.one_of(
        st.text(max_size=80),
        st.builds(
            lambda q: f"{REDIRECT}?{q}",
            st.lists(
                st.tuples(
                    st.sampled_from(["code", "state", "error", "error_description", "x", ""]),
                    url_noise,
                ),
                max_size=5,
            ).map(lambda pairs: "&".join(f"{k}={v}" for k, v in pairs)),
        ),
        st.sampled_from(
            [
                "http://[::1",
                "http://127.0.0.1:99999/callback?code=x&state=y",
                "https://127.0.0.1:8765/callback?code=x&state=y",
                "127.0.0.1:8765/callback#code=x&state=y",
                "http://localhost:8765/callback?code=x&state=y",
            ]
        ),
    ),
)
def test_finish_on_any_pasted_text_raises_auth_errors_only(
    prefix: str, suffix: str, middle: str
) -> None:
    COUNTS["pasted redirect text"] += 1
    calls: list[str] = []
    flow = AuthorizationFlow(CONFIG, store=MemoryTokenStore(), exchange=_exchange_spy(calls))
    flow.start()
    text = prefix + middle + suffix
    assert isinstance(clean_pasted_url(text), str)
    with pytest.raises(AuthError):
        flow.finish(text)
    assert calls == []  # no token request without a verified state


@settings(FUZZ, max_examples=400)
@given(
    wrap=st.sampled_from(["{}", " {} ", '"{}"', "'{}'", "<{}>", "{}\n", "`{}`"]),
    breaks=st.lists(st.integers(min_value=0, max_value=200), max_size=3),
    code=st.text(alphabet=string.ascii_letters + string.digits + "-_.~", min_size=1, max_size=40),
)
def test_a_real_redirect_survives_paste_accidents(wrap: str, breaks: list[int], code: str) -> None:
    COUNTS["pasted redirect text"] += 1
    calls: list[str] = []
    flow = AuthorizationFlow(CONFIG, store=MemoryTokenStore(), exchange=_exchange_spy(calls))
    state = flow.start().split("state=")[1].split("&")[0]
    url = f"{REDIRECT}?code={code}&state={state}"
    for at in sorted(breaks, reverse=True):  # a URL broken over lines by a terminal or email
        at %= len(url)
        url = url[:at] + "\n" + url[at:]
    token = flow.finish(wrap.format(url))
    assert token.access_token == "A" * 24
    assert calls == [state]


# -- 2. webhook signatures and bodies -----------------------------------------------------------

header_parts = st.one_of(
    st.builds(
        lambda v: f"t={v}",
        st.integers(min_value=-5, max_value=2**40).map(str) | st.text(max_size=8),
    ),
    st.builds(lambda v: f"s={v}", st.text(alphabet="0123456789abcdefABCDEFxyz", max_size=70)),
    st.text(max_size=20),
)
headers = st.one_of(
    st.lists(header_parts, max_size=5).map(",".join),
    st.text(max_size=60),
    st.none(),
    st.integers(),
)


@settings(FUZZ, max_examples=2000)
@given(body=st.binary(max_size=200), header=headers, secret=st.text(max_size=20))
def test_verify_signature_on_any_header_raises_signature_errors_only(
    body: bytes, header: Any, secret: str
) -> None:
    COUNTS["webhook signature"] += 1
    try:
        verify_signature(body, header, secret, now=1_700_000_000)
    except WebhookSignatureError:
        return
    raise AssertionError("a made-up header was accepted")  # pragma: no cover


@settings(FUZZ, max_examples=600)
@given(
    body=st.binary(max_size=200),
    secret=st.text(min_size=1, max_size=20),
    at=st.integers(min_value=0, max_value=10**6),
    flip=st.integers(min_value=0),
)
def test_signature_holds_for_the_exact_body_only(
    body: bytes, secret: str, at: int, flip: int
) -> None:
    COUNTS["webhook signature"] += 1
    header = sign(body, secret, 1_700_000_000)
    assert verify_signature(body, header, secret, now=1_700_000_000 + at % 300) == 1_700_000_000
    changed = bytearray(body + b"\0")
    changed[flip % len(changed)] ^= 0x01
    with pytest.raises(WebhookSignatureError):
        verify_signature(bytes(changed), header, secret, now=1_700_000_000)
    with pytest.raises(WebhookSignatureError):  # a replay outside the tolerance
        verify_signature(body, header, secret, now=1_700_000_000 + 301 + at)


@settings(FUZZ, max_examples=1800)
@given(
    body=st.one_of(
        st.binary(max_size=120),
        st.text(max_size=120),
        json_values.map(json.dumps),
        st.fixed_dictionaries(
            {},
            optional={
                "id": messy_values,
                "type": messy_values,
                "creation_time": messy_values,
                "api_version": messy_values,
                "data": messy_values,
            },
        ).map(json.dumps),
        st.integers(min_value=1, max_value=60).map(lambda n: "[" * (n * 200)),
    )
)
def test_parse_event_raises_value_error_only(body: Any) -> None:
    COUNTS["webhook body"] += 1
    try:
        event = parse_event(body)
    except ValueError:
        return
    assert isinstance(event, WebhookEvent)
    assert isinstance(event.id, str) and isinstance(event.type, str)
    assert isinstance(event.data, dict)
    assert event.owner_id is None or isinstance(event.owner_id, str)


# -- 5. configuration strings ---------------------------------------------------------------------

config_text = st.one_of(
    st.text(max_size=30),
    st.sampled_from(
        [
            "nan",
            "inf",
            "-inf",
            "1e400",
            "0",
            "-1",
            "1_0",
            " 5 ",
            "0x10",
            "on",
            "OFF",
            "yes",
            "http://[::1",
            "https://host:abc/v2",
            "http://example.com/v2",
            "https://h:99999/v2",
            "http://127.0.0.1:1/v2",
            "ftp://x",
            "//x",
            "https://",
            "https://api.oncehub.com/v2/",
        ]
    ),
)


@settings(FUZZ, max_examples=1300)
@given(
    env=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            (
                "ONCEHUB_API_BASE",
                "ONCEHUB_RATE_LIMIT",
                "ONCEHUB_TIMEOUT",
                "ONCEHUB_MAX_RETRIES",
                "ONCEHUB_PAGE_SIZE",
            ),
            config_text,
        ),
    )
)
def test_settings_from_any_environment(env: dict[str, str]) -> None:
    COUNTS["config: Settings.resolve"] += 1
    try:
        resolved = Settings.resolve(env=env)
    except ConfigurationError:
        return
    assert math.isfinite(resolved.timeout) and resolved.timeout > 0
    assert 1 <= resolved.page_size <= 100 and resolved.max_retries >= 0
    assert resolved.api_base.startswith(("https://", "http://"))


@settings(FUZZ, max_examples=800)
@given(
    values=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            (
                "ONCEHUB_CLIENT_ID",
                "ONCEHUB_CLIENT_SECRET",
                "ONCEHUB_REDIRECT_URI",
                "ONCEHUB_SCOPE",
                "ONCEHUB_AUTHORIZE_URL",
                "ONCEHUB_TOKEN_URL",
                "ONCEHUB_REVOKE_URL",
            ),
            config_text,
        ),
    )
)
def test_oauth_config_from_any_environment(values: dict[str, str]) -> None:
    COUNTS["config: OAuthConfig"] += 1
    try:
        config = OAuthConfig.from_env(values)
    except ConfigurationError:
        return
    assert config.client_id.strip()
    secret = config.client_secret
    assert secret is None or f"client_secret={secret!r}" not in repr(config)


def test_token_exchange_error_is_an_auth_error() -> None:
    # What the fuzzed parsers may raise is part of the documented tree.
    assert issubclass(TokenExchangeError, AuthError)
    assert issubclass(WebhookSignatureError, OnceHubError)


@pytest.fixture(scope="module", autouse=True)
def _count_generated_inputs() -> Iterator[None]:
    """Once every test of this file ran (in any order): at least 6,000 inputs."""
    yield from check_total(
        {
            "pasted redirect text",
            "webhook signature",
            "webhook body",
            "config: Settings.resolve",
            "config: OAuthConfig",
        },
        6000,
    )

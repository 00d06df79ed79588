"""Property-based tests of every parser that faces the outside world (issue 8).

Pasted redirect text, webhook signature headers and bodies, API responses (records into every
resource's frame schema; whole HTTP responses through the transport and paginator via a fake
adapter; error pages through ``from_response``), token endpoint answers, and configuration
strings. Each may only raise what it documents: the ``OnceHubError`` tree, or ``ValueError`` /
``TypeError`` where its docstring says so. The generated inputs are counted; the last test
checks that at least 10,000 went through.
"""

from __future__ import annotations

import json
import math
import string
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncehub_nb import (
    APIStatusError,
    AuthError,
    ConfigurationError,
    OnceHubError,
    PullInterrupted,
    TokenExchangeError,
    WebhookSignatureError,
)
from oncehub_nb._config import Settings
from oncehub_nb._errors import from_response
from oncehub_nb._http.pagination import Paginator
from oncehub_nb._http.transport import Transport
from oncehub_nb.auth import AuthorizationFlow, MemoryTokenStore, OAuthConfig, Token
from oncehub_nb.auth.flow import clean_pasted_url
from oncehub_nb.frames.build import records_to_frame
from oncehub_nb.frames.pull import collect
from oncehub_nb.resources import (
    BookingCalendars,
    BookingPages,
    Bookings,
    Contacts,
    EventTypes,
    MasterPages,
    SmsNotifications,
    Teams,
    Users,
    Webhooks,
)
from oncehub_nb.webhooks import WebhookEvent, parse_event, sign, verify_signature

COUNTS: Counter[str] = Counter()
MINIMUM_INPUTS = 10_000
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)

# -- shared strategies ------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
# What real data gets wrong: the right type, a wrong one, null, "", a stray object.
messy_values = (
    json_values
    | st.sampled_from(
        ["", " ", "null", "2026-01-02T03:04:05Z", "2026-02-30", "not a date", "USR-1", "scheduled"]
    )
    | st.floats()  # nan and infinities too: the API decoder would not give them, a fake may
    | st.integers()
)

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


# -- 3. API records into every resource's frame ---------------------------------------------------

RESOURCES = [
    Bookings,
    BookingCalendars,
    BookingPages,
    Contacts,
    EventTypes,
    MasterPages,
    SmsNotifications,
    Teams,
    Users,
    Webhooks,
]


def _schema(resource: Any) -> tuple[Any, ...]:
    expansions = getattr(resource, "expansions", {}) or {}
    columns = list(resource.columns)
    for name, related in expansions.items():
        from oncehub_nb.frames.build import prefixed

        columns += prefixed(name, related)
    return tuple(columns)


def _records_for(columns: tuple[Any, ...]) -> st.SearchStrategy[list[dict[str, Any]]]:
    keys = sorted({c.path[0] for c in columns})

    def nest(value: Any, path: tuple[str, ...]) -> Any:
        for key in reversed(path[1:]):
            value = {key: value}
        return value

    record = st.fixed_dictionaries(
        {},
        optional={key: messy_values | messy_values.map(lambda v, k=key: {"id": v}) for key in keys}
        | {"unexpected_extra": json_values},
    )
    nested = st.sampled_from([c for c in columns if len(c.path) > 1] or list(columns)).flatmap(
        lambda c: messy_values.map(lambda v, c=c: {c.path[0]: nest(v, c.path)})
    )
    return st.lists(record | nested, max_size=6)


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.__name__)
def test_frames_take_any_record_shape(resource: Any) -> None:
    columns = _schema(resource)
    empty = records_to_frame([], columns)

    @settings(FUZZ, max_examples=70)
    @given(records=_records_for(columns))
    def check(records: list[dict[str, Any]]) -> None:
        COUNTS["API records -> frame"] += 1
        frame = records_to_frame(records, columns)
        assert list(frame.columns) == [c.name for c in columns]
        assert len(frame) == len(records)
        for column in columns:
            if column.kind != "category":  # categories grow with unknown values, on purpose
                assert frame[column.name].dtype == empty[column.name].dtype, column.name

    check()


# -- 4. whole HTTP responses through the transport and the paginator -----------------------------


class FakeAdapter(requests.adapters.BaseAdapter):
    """Answers from a script of made-up responses (or exceptions); then an empty last page."""

    def __init__(self, script: list[Any]) -> None:
        super().__init__()
        self.script = list(script)
        self.sent = 0

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent += 1
        item = self.script.pop(0) if self.script else (200, b'{"data": [], "has_more": false}', {})
        if isinstance(item, BaseException):
            raise item
        status, body, headers = item
        response = requests.Response()
        response.status_code = status
        response._content = body
        response.headers.update(headers)
        response.url = request.url or ""
        response.request = request
        response.reason = "Fuzz"
        return response

    def close(self) -> None:
        pass


def strict_sleep(seconds: float) -> None:
    """Like ``time.sleep``'s argument checks, without the wait."""
    if not isinstance(seconds, int | float) or math.isnan(seconds) or seconds < 0:
        raise ValueError(f"sleep length must be a non-negative number, got {seconds!r}")


page_records = st.lists(
    st.one_of(
        st.builds(lambda n: {"id": f"BKNG-{n}"}, st.integers(min_value=0, max_value=10**6)),
        json_values,
    ),
    max_size=4,
)
bodies = st.one_of(
    st.builds(
        lambda data, more, extra: json.dumps({"data": data, "has_more": more, **extra}).encode(),
        page_records,
        messy_values,
        st.dictionaries(st.text(max_size=6), json_values, max_size=2),
    ),
    json_values.map(lambda v: json.dumps(v).encode()),
    st.binary(max_size=80),
    st.sampled_from(
        [
            b"<html><body><h1>502 Bad Gateway</h1></body></html>",
            b"[" * 5_000,
            b'{"type": "rate_limit_error", "message": "Request rate limit exceeded"}',
            b"",
        ]
    ),
)
http_headers = st.dictionaries(
    st.sampled_from(["Retry-After", "Content-Type", "Request-Id", "Location", "X-Other"]),
    st.one_of(
        st.text(alphabet=string.printable, max_size=30),
        st.sampled_from(
            [
                "nan",
                "inf",
                "-1",
                "1e309",
                "Wed, 21 Oct 2015 07:28:00 GMT",
                "soon",
                "application/json; charset=bogus",
                "text/html; charset=utf-16",
            ]
        ),
    ),
    max_size=3,
)
responses = st.one_of(
    st.tuples(
        st.sampled_from(
            [
                200,
                200,
                200,
                201,
                204,
                301,
                302,
                307,
                400,
                401,
                403,
                404,
                409,
                410,
                422,
                429,
                500,
                502,
                503,
                504,
                599,
            ]
        ),
        bodies,
        http_headers,
    ),
    st.sampled_from(
        [
            requests.exceptions.ConnectionError("reset"),
            requests.exceptions.ReadTimeout("slow"),
            requests.exceptions.ChunkedEncodingError("cut"),
            requests.exceptions.ContentDecodingError("gzip"),
        ]
    ),
)


def _transport(script: list[Any]) -> tuple[Transport, FakeAdapter]:
    config = Settings.resolve(
        api_base="https://fuzz.invalid/v2", rate_limit=False, max_retries=2, env={}
    )
    transport = Transport(config, sleep=strict_sleep)
    adapter = FakeAdapter(script)
    transport.session.mount("https://fuzz.invalid", adapter)
    return transport, adapter


@settings(FUZZ, max_examples=900)
@given(script=st.lists(responses, max_size=8), page_size=st.sampled_from([1, 2, 100]))
def test_paginator_on_any_responses_raises_typed_errors_only(
    script: list[Any], page_size: int
) -> None:
    COUNTS["HTTP responses -> paginator"] += 1
    transport, adapter = _transport(script)
    walk = Paginator(transport, "/bookings", {"status": "scheduled"}, page_size=page_size)
    stopped: BaseException | None = None
    records: list[dict[str, Any]] = []
    try:
        records = collect(walk, progress=False, desc="fuzz")
    except OnceHubError as exc:  # the only kind allowed out
        stopped = exc
    if isinstance(stopped, PullInterrupted):  # something arrived: kept, with a cursor
        assert stopped.records
        assert isinstance(stopped.__cause__, OnceHubError)
        assert stopped.cursor is None or isinstance(stopped.cursor, str)
    assert all(isinstance(r, dict) for r in records)
    # bounded: every scripted answer is used at most once, plus one closing empty page
    assert adapter.sent <= len(script) + 1
    transport.close()


@settings(FUZZ, max_examples=900)
@given(
    status=st.integers(min_value=400, max_value=599),
    body=bodies,
    headers=http_headers,
    reason=st.none() | st.text(max_size=20),
)
def test_from_response_types_any_error_page(
    status: int, body: bytes, headers: dict[str, str], reason: str | None
) -> None:
    COUNTS["error pages -> from_response"] += 1
    response = requests.Response()
    response.status_code = status
    response._content = body
    response.headers.update(headers)
    response.reason = reason
    error = from_response(response)
    assert isinstance(error, APIStatusError)
    assert error.status_code == status
    assert isinstance(str(error), str) and len(error.message) < 2000


@settings(FUZZ, max_examples=500)
@given(
    body=st.fixed_dictionaries(
        {},
        optional={
            "access_token": messy_values,
            "refresh_token": messy_values,
            "expires_in": messy_values | st.sampled_from(["nan", "inf", "-5", "1e400", " 60 "]),
            "expires_at": messy_values,
            "scope": messy_values | st.lists(st.text(max_size=5), max_size=3),
            "token_type": messy_values,
        },
    )
)
def test_token_answers_give_a_token_or_a_token_exchange_error(body: dict[str, Any]) -> None:
    COUNTS["token endpoint answers"] += 1
    try:
        token = Token.from_response(body, now=1_700_000_000.0)
    except TokenExchangeError:
        return
    assert isinstance(token.access_token, str) and token.access_token
    assert isinstance(token.scope, str)
    assert token.expires_within(60, now=1_700_000_000.0) in (True, False)
    assert f"access_token={token.access_token!r}" not in repr(token)


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


_EXPECTED_TARGETS = {
    "pasted redirect text",
    "webhook signature",
    "webhook body",
    "API records -> frame",
    "HTTP responses -> paginator",
    "error pages -> from_response",
    "token endpoint answers",
    "config: Settings.resolve",
    "config: OAuthConfig",
}


@pytest.fixture(scope="module", autouse=True)
def _at_least_ten_thousand_generated_inputs() -> Iterator[None]:
    """After every test of this file (in whatever order they ran), count the inputs generated.

    A module-scoped fixture's teardown runs once the whole module is done, so the total is the
    same in any test order; a shortfall fails as an error of the module's last test. When only
    part of the file ran (``-k``, a failure), there is no total to check.
    """
    yield
    if set(COUNTS) != _EXPECTED_TARGETS:
        return
    total = sum(COUNTS.values())
    print(f"\nfuzz inputs: {total} ({dict(COUNTS)})")
    assert total >= MINIMUM_INPUTS, dict(COUNTS)

"""Property-based tests of what comes back over HTTP.

API records into every resource's frame schema; whole HTTP responses through the transport and
paginator via a fake adapter; error pages through ``from_response``; token endpoint answers.
Each may only raise what it documents.
"""

from __future__ import annotations

import json
import math
import string
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from oncehub_nb import (
    APIStatusError,
    OnceHubError,
    PullInterrupted,
    TokenExchangeError,
)
from oncehub_nb._config import Settings
from oncehub_nb._errors import from_response
from oncehub_nb._http.pagination import Paginator
from oncehub_nb._http.transport import Transport
from oncehub_nb.auth import Token
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
from tests.fuzzing import COUNTS, FUZZ, check_total, json_values, messy_values

pytestmark = pytest.mark.fuzz

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


@pytest.fixture(scope="module", autouse=True)
def _count_generated_inputs() -> Iterator[None]:
    """Once every test of this file ran (in any order): at least 2,900 inputs."""
    yield from check_total(
        {
            "API records -> frame",
            "HTTP responses -> paginator",
            "error pages -> from_response",
            "token endpoint answers",
        },
        2900,
    )

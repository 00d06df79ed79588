"""Whatever a token endpoint answers, only documented errors escape and no refresh token is lost.

The answers are generated (hypothesis) and served by an adapter mounted on a real transport, so
each one goes through the whole path a real one takes: the send path, requests-oauthlib's
``refresh_token`` / ``fetch_token`` (compliance hooks, oauthlib's parser), then our boundary
checks and the store.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncehub_nb import AuthError, OnceHubError, ReauthorizationRequired, TokenExchangeError
from oncehub_nb._config import Settings
from oncehub_nb._http.transport import Transport
from oncehub_nb.auth import AuthorizationFlow, MemoryTokenStore, OAuthAuth, OAuthConfig, Token

pytestmark = pytest.mark.fuzz

CONFIG = OAuthConfig(
    client_id="app",
    client_secret="secret-0123456789abcdef",
    redirect_uri="http://127.0.0.1:8765/callback",
    token_url="https://tok.invalid/token",
)
OLD = Token("old-access-0123456789abcd", refresh_token="old-refresh-0123456789ab", expires_at=1.0)
COUNT: Counter[str] = Counter()
REFUSED = {"invalid_grant", "invalid_client", "unauthorized_client"}


class Answer(requests.adapters.BaseAdapter):
    """Answers every request with the scripted status, headers and raw body."""

    def __init__(self) -> None:
        super().__init__()
        self.status, self.body, self.headers = 200, b"{}", {"Content-Type": "application/json"}

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        response = requests.Response()
        response.status_code, response._content = self.status, self.body
        response.headers.update(self.headers)
        response.request, response.url = request, request.url or ""
        return response

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def door() -> Iterator[tuple[Transport, Answer]]:
    transport = Transport(Settings.resolve(env={}, rate_limit=False, max_retries=2))
    transport.sleep = lambda _s: None
    adapter = Answer()
    transport.session.mount("https://tok.invalid", adapter)
    yield transport, adapter
    transport.close()


# Values are drawn from small pools of the interesting cases rather than free text: the pools
# cover what breaks parsers, and drawing from them costs a fraction of generating text, which
# keeps 10,000 answers to well under a minute.
token_text = st.sampled_from(
    ["fresh-token-0123456789abcdef", "fresh-token-0123456789abcdef", "rotated-0123456789abcdef",
     "", " ", "a b", "tab\there", "line\nbreak", "é" * 10, "x" * 5000, "x", "\x00", None, 0, 5,
     -1, True, False, [], [1], {}, 1.5, "old-refresh-0123456789ab"]
)  # fmt: skip
numbers = st.sampled_from(
    ["3600", "0", "-5", "1e400", "-1e400", "NaN", "Infinity", "true", '"60"', '" 6 "', '"soon"',
     "null", "1" + "0" * 400, "3.5", "[]", "{}"]
)  # fmt: skip
fields = st.fixed_dictionaries(
    {},
    optional={
        "access_token": token_text,
        "refresh_token": token_text,
        "token_type": st.sampled_from(["Bearer", "bearer", "mac", "", None, 5]),
        "scope": st.sampled_from(["read", "read write", "", 5, None, ["read", "write"], [1], {}]),
        "error": st.sampled_from(["invalid_grant", "invalid_request", "server_error", None, 5]),
        "error_description": st.sampled_from(["", "why", "x" * 500, None, 5, "<b>"]),
    },
)


RAW = [
    b"null", b"[]", b"{}", b'"text"', b"", b"<html>", b'{"a":', b"\xff\xfe", b"5",
    b"access_token=abc&token_type=bearer",
]  # fmt: skip


RAW = [b"null", b"[]", b"{}", b'"text"', b"", b"<html>", b'{"a":', b"\xff\xfe", b"5"]
RAW.append(b"access_token=abc&token_type=bearer")  # the form encoding some servers use


@st.composite
def bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["object", "object", "object", "raw", "deep"]))
    if kind == "raw":
        return draw(st.sampled_from(RAW))
    if kind == "deep":
        depth = draw(st.sampled_from([100, 5_000]))
        return b"[" * depth + b"]" * depth
    body = json.dumps(draw(fields))
    expires = draw(st.one_of(st.none(), numbers))
    if expires is not None:
        body = body[:-1] + (", " if body != "{}" else "") + f'"expires_in": {expires}' + "}"
    return body.encode()


answers = st.tuples(st.sampled_from([200, 200, 200, 400, 401, 429, 500, 503]), bodies())


def _one_refresh(transport: Transport, adapter: Answer, answer: tuple[int, bytes]) -> None:
    adapter.status, adapter.body = answer
    COUNT["refresh answers"] += 1
    store = MemoryTokenStore()
    store.save_token(CONFIG.profile, OLD)
    auth = OAuthAuth(CONFIG, store=store, clock=lambda: 100.0)
    try:
        token = auth.refresh(transport)
    except ReauthorizationRequired:
        # Only when the server said the refresh token is dead (RFC 6749 5.2).
        sent = json.loads(answer[1]) if answer[1].startswith(b"{") else {}
        assert answer[0] == 400 or sent.get("error") in REFUSED, answer
        assert store.load_token(CONFIG.profile) is None
        return
    except TokenExchangeError:
        kept = store.load_token(CONFIG.profile)
        assert kept is not None and kept.refresh_token  # kept, or replaced by a rotated one
        assert kept.refresh_token == OLD.refresh_token or kept.expires_within(0, now=100.0)
        return
    except OnceHubError as exc:  # anything else would be a new kind of escape: name it
        pytest.fail(f"{type(exc).__name__} escaped: {exc}")
    assert token.access_token and token.refresh_token
    assert store.load_token(CONFIG.profile) == token


# Ten answers per example: the same answers, a tenth of hypothesis's per-example bookkeeping.
@settings(max_examples=850, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(answers, min_size=10, max_size=10))
def test_a_refresh_answer_never_loses_the_refresh_token(
    door: tuple[Transport, Answer], batch: list[tuple[int, bytes]]
) -> None:
    transport, adapter = door
    for answer in batch:
        _one_refresh(transport, adapter, answer)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=st.lists(answers, min_size=10, max_size=10))
def test_a_code_exchange_answer_gives_a_token_or_an_auth_error(
    door: tuple[Transport, Answer], batch: list[tuple[int, bytes]]
) -> None:
    transport, adapter = door
    for answer in batch:
        adapter.status, adapter.body = answer
        COUNT["code exchange answers"] += 1
        store = MemoryTokenStore()
        flow = AuthorizationFlow(CONFIG, store=store, sender=transport, clock=lambda: 100.0)
        state = parse_qs(urlsplit(flow.start()).query)["state"][0]
        try:
            token = flow.finish(f"{CONFIG.redirect_uri}?code=code-0123456789abc&state={state}")
        except AuthError:
            assert store.load_token(CONFIG.profile) is None
            continue
        assert store.load_token(CONFIG.profile) == token


@pytest.fixture(scope="module", autouse=True)
def _ten_thousand_answers_went_through_the_real_path() -> Iterator[None]:
    """Checked once the whole module ran, in whatever order (skipped when only part ran)."""
    yield
    if set(COUNT) == {"refresh answers", "code exchange answers"}:
        assert sum(COUNT.values()) >= 10_000, COUNT

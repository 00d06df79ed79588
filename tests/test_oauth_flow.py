"""AuthorizationFlow: the authorize URL, and finish() on whatever a user may paste."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncehub_nb import (
    AuthError,
    AuthorizationDenied,
    ConfigurationError,
    InvalidRedirectURL,
    StateMismatch,
)
from oncehub_nb.auth import AuthorizationFlow, MemoryTokenStore, OAuthConfig
from oncehub_nb.auth.flow import clean_pasted_url

REDIRECT = "http://127.0.0.1:8765/callback"
CONFIG = OAuthConfig(
    client_id="nb-app",
    redirect_uri=REDIRECT,
    scope="read write",
    authorize_url="http://127.0.0.1:9999/oauth/authorize",
    token_url="http://127.0.0.1:9999/oauth/token",
)


class Recorder:
    """Stands in for the token endpoint call, to see whether it was ever reached."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str, str]] = []

    def __call__(
        self, config: OAuthConfig, code: str, verifier: str, redirect: str, state: str
    ) -> Mapping[str, Any]:
        self.calls.append((code, verifier, redirect, state))
        return {
            "access_token": "tok-" + "x" * 30,
            "refresh_token": "ref-" + "y" * 30,
            "expires_in": 3600,
        }


def make_flow(clock: list[float] | None = None) -> tuple[AuthorizationFlow, Recorder]:
    recorder = Recorder()
    now = clock if clock is not None else [1000.0]
    flow = AuthorizationFlow(
        CONFIG, store=MemoryTokenStore(), exchange=recorder, clock=lambda: now[0]
    )
    return flow, recorder


def test_authorize_url_has_state_and_s256_challenge() -> None:
    flow, _ = make_flow()
    url = flow.start()
    parts = urlsplit(url)
    assert url.startswith("http://127.0.0.1:9999/oauth/authorize?")
    q = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert q["response_type"] == "code"
    assert q["client_id"] == "nb-app"
    assert q["redirect_uri"] == REDIRECT
    assert q["scope"] == "read write"
    assert q["code_challenge_method"] == "S256"
    assert len(q["state"]) >= 40
    assert len(q["code_challenge"]) == 43
    other = {k: v[0] for k, v in parse_qs(urlsplit(flow.start()).query).items()}
    assert other["state"] != q["state"]
    assert other["code_challenge"] != q["code_challenge"]


def _params(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_finish_exchanges_with_the_matching_verifier_once() -> None:
    flow, recorder = make_flow()
    q = _params(flow.start())
    token = flow.finish(
        f"{REDIRECT}?{urlencode({'code': 'the-code-123456789', 'state': q['state']})}"
    )
    assert token.access_token.startswith("tok-")
    ((code, verifier, redirect, state),) = recorder.calls
    assert (code, redirect, state) == ("the-code-123456789", REDIRECT, q["state"])
    challenge = (
        base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    )
    assert challenge == q["code_challenge"]
    assert flow.store.load_token(CONFIG.profile) == token
    with pytest.raises(StateMismatch, match="already finished"):  # single use
        flow.finish(f"{REDIRECT}?code=again-123456789&state={q['state']}")
    assert len(recorder.calls) == 1


@pytest.mark.parametrize(
    "wrap",
    [
        lambda u: f"  {u}  ",
        lambda u: f'"{u}"',
        lambda u: f"'{u}'\n",
        lambda u: f"<{u}>",
        lambda u: u.removeprefix("http://"),
        lambda u: u[:30] + "\n" + u[30:],
    ],
)
def test_pasted_text_is_tidied(wrap: Any) -> None:
    flow, recorder = make_flow()
    state = _params(flow.start())["state"]
    flow.finish(wrap(f"{REDIRECT}?code=c0de-123456789&state={state}"))
    assert len(recorder.calls) == 1


def test_a_second_start_does_not_invalidate_the_first() -> None:
    flow, recorder = make_flow()
    first = _params(flow.start())["state"]
    flow.start()
    flow.finish(f"{REDIRECT}?code=c0de-123456789&state={first}")
    assert len(recorder.calls) == 1


def test_kernel_restart_between_steps(tmp_path: Any) -> None:
    from oncehub_nb.auth import FileTokenStore

    recorder = Recorder()
    first = AuthorizationFlow(CONFIG, store=FileTokenStore(tmp_path), exchange=recorder)
    state = _params(first.start())["state"]
    del first  # the kernel restarts: a new flow object, same store
    again = AuthorizationFlow(CONFIG, store=FileTokenStore(tmp_path), exchange=recorder)
    assert len(again.pending()) == 1
    again.finish(f"{REDIRECT}?code=c0de-123456789&state={state}")
    assert len(recorder.calls) == 1
    assert again.pending() == []


def test_denied_is_authorization_denied_with_the_reason() -> None:
    flow, recorder = make_flow()
    state = _params(flow.start())["state"]
    with pytest.raises(AuthorizationDenied, match=r"access_denied.*The user said no"):
        flow.finish(
            f"{REDIRECT}?error=access_denied&error_description=The+user+said+no&state={state}"
        )
    assert recorder.calls == []
    assert flow.pending() == []


def test_expired_sign_in_is_state_mismatch() -> None:
    clock = [1000.0]
    flow, recorder = make_flow(clock)
    state = _params(flow.start())["state"]
    clock[0] += 601
    with pytest.raises(StateMismatch, match="expired"):
        flow.finish(f"{REDIRECT}?code=c0de-123456789&state={state}")
    assert recorder.calls == []


@pytest.mark.parametrize(
    ("pasted", "error"),
    [
        ("", InvalidRedirectURL),
        ("hello there", InvalidRedirectURL),
        ("https://evil.example/callback?code=x&state=y", InvalidRedirectURL),
        ("http://127.0.0.1:8766/callback?code=x&state=y", InvalidRedirectURL),
        ("http://127.0.0.1:8765/other?code=x&state=y", InvalidRedirectURL),
        (f"{REDIRECT}?state=abc", StateMismatch),  # an unknown state is checked first
        (f"{REDIRECT}?code=abc", StateMismatch),
        (f"{REDIRECT}?code=abc&state=not-the-state", StateMismatch),
        ("http://127.0.0.1:99999/callback?code=x", InvalidRedirectURL),
    ],
)
def test_unusable_text_gives_typed_errors(pasted: str, error: type[AuthError]) -> None:
    flow, recorder = make_flow()
    flow.start()
    with pytest.raises(error):
        flow.finish(pasted)
    assert recorder.calls == []


def test_start_needs_a_redirect_uri() -> None:
    config = OAuthConfig(
        client_id="x", authorize_url=CONFIG.authorize_url, token_url=CONFIG.token_url
    )
    with pytest.raises(ConfigurationError, match="ONCEHUB_REDIRECT_URI"):
        AuthorizationFlow(config, store=MemoryTokenStore()).start()


def test_config_refuses_plain_http_to_other_hosts_and_reads_env() -> None:
    with pytest.raises(ConfigurationError, match="token_url"):
        OAuthConfig(client_id="x", token_url="http://auth.example/token")
    config = OAuthConfig.from_env(
        {
            "ONCEHUB_CLIENT_ID": "abc",
            "ONCEHUB_CLIENT_SECRET": "sec-Zq8bW3nLk2Pp9rTt7Yy0",
            "ONCEHUB_SCOPE": "read",
        }
    )
    assert (config.client_id, config.scope, config.is_public) == ("abc", "read", False)
    assert "sec-Zq8bW3nLk2Pp9rTt7Yy0" not in repr(config)
    with pytest.raises(ConfigurationError, match="ONCEHUB_CLIENT_ID"):
        OAuthConfig.from_env({})


# -- property-based: arbitrary pasted text ---------------------------------------------------

_pieces = st.sampled_from(
    [
        REDIRECT,
        "http://127.0.0.1:8765",
        "/callback",
        "?",
        "&",
        "=",
        "code",
        "state",
        "error",
        "#",
        "access_denied",
        "https://",
        "127.0.0.1",
        ":8765",
        "%",
        "\n",
        " ",
        '"',
        "'",
        "<",
        ">",
        "::",
        "[",
        "]",
    ]
)
_text = st.one_of(
    st.text(max_size=200),
    st.lists(st.one_of(_pieces, st.text(max_size=12)), max_size=20).map("".join),
    st.builds(
        lambda code, state, extra: f"{REDIRECT}?{urlencode({'code': code, 'state': state})}{extra}",
        st.text(max_size=40),
        st.text(max_size=60),
        st.text(max_size=20),
    ),
)


@settings(max_examples=2500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pasted=_text)
def test_finish_on_arbitrary_text_only_raises_auth_errors(pasted: str) -> None:
    flow, recorder = make_flow()
    flow.start()
    with pytest.raises(AuthError):
        flow.finish(pasted)
    assert recorder.calls == []  # never a token request without a verified state


def test_clean_pasted_url_keeps_real_urls() -> None:
    assert clean_pasted_url("https://x.example/cb?code=1") == "https://x.example/cb?code=1"
    assert clean_pasted_url("x.example/cb?code=1") == "https://x.example/cb?code=1"

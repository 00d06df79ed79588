"""The sandbox's OAuth 2.0 authorization server over real HTTP: code flow, PKCE, refresh, revoke."""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests
from requests_oauthlib import OAuth2Session

from oncehub_nb.sandbox import ConsentError, Sandbox

TIMEOUT = 5


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(bookings=5, seed=3, rate_limit=False) as sandbox:
        yield sandbox


@pytest.fixture(autouse=True)
def default_knobs(sb: Sandbox) -> Iterator[None]:
    yield
    sb.oauth.configure(
        access_token_ttl=3600,
        code_ttl=60,
        rotate_refresh_tokens=True,
        expires_in_as_string=False,
        widen_scope=False,
        token_endpoint_down=0,
    )


def pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    digest = hashlib.sha256(verifier.encode()).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def auth_url(s: dict[str, Any], state: str = "st-1", **extra: str) -> str:
    params = {
        "response_type": "code",
        "client_id": s["client_id"],
        "redirect_uri": s["redirect_uri"],
        "scope": s["scope"],
        "state": state,
        **extra,
    }
    return f"{s['authorize_url']}?{urlencode({k: v for k, v in params.items() if v})}"


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def get_code(sb: Sandbox, s: dict[str, Any], **extra: str) -> tuple[str, str]:
    """Run the consent step with PKCE; returns ``(code, verifier)``."""
    verifier, challenge = pkce()
    url = auth_url(s, code_challenge=challenge, code_challenge_method="S256", **extra)
    return query(sb.consent(url))["code"], verifier


def token_request(s: dict[str, Any], auth: str = "basic", **data: str) -> requests.Response:
    """POST to the token endpoint with client auth ``basic``, ``body`` or ``public``."""
    basic = None
    if auth == "basic":
        basic = (s["client_id"], s["client_secret"])
    elif auth == "body":
        data.update(client_id=s["client_id"], client_secret=s["client_secret"])
    else:
        data["client_id"] = s["client_id"]
    return requests.post(s["token_url"], data=data, auth=basic, timeout=TIMEOUT)


def exchange(s: dict[str, Any], code: str, verifier: str, auth: str = "basic") -> requests.Response:
    return token_request(
        s,
        auth,
        grant_type="authorization_code",
        code=code,
        redirect_uri=s["redirect_uri"],
        code_verifier=verifier,
    )


def tokens(sb: Sandbox, kind: str = "confidential", **extra: str) -> dict[str, Any]:
    s = sb.oauth_settings(kind)
    code, verifier = get_code(sb, s, **extra)
    answer = exchange(s, code, verifier, "public" if kind == "public" else "basic")
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def api(sb: Sandbox, token: str, method: str = "GET", path: str = "/test") -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.request(method, f"{sb.base_url}{path}", headers=headers, timeout=TIMEOUT)


def refresh(s: dict[str, Any], refresh_token: str) -> requests.Response:
    return token_request(s, grant_type="refresh_token", refresh_token=refresh_token)


# -- full flows ---------------------------------------------------------------------------------


def test_confidential_flow_with_oauth2session_and_basic_auth(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # client side only, restored
    s = sb.oauth_settings()
    state = secrets.token_urlsafe(16)
    session = OAuth2Session(
        s["client_id"], redirect_uri=s["redirect_uri"], scope=["read", "write"], state=state
    )
    url, _ = session.authorization_url(s["authorize_url"])
    redirected = sb.consent(url)
    assert query(redirected)["state"] == state
    token = session.fetch_token(
        s["token_url"], authorization_response=redirected, client_secret=s["client_secret"]
    )
    assert token["token_type"] == "Bearer" and token["expires_in"] == 3600
    assert sorted(token["scope"]) == ["read", "write"]
    answer = session.get(f"{sb.base_url}/test", timeout=TIMEOUT)
    assert answer.status_code == 200


def test_confidential_flow_with_form_body_auth_needs_no_insecure_transport_switch(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OAUTHLIB_INSECURE_TRANSPORT", raising=False)
    s = sb.oauth_settings()
    code, verifier = get_code(sb, s)
    answer = exchange(s, code, verifier, auth="body")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    assert api(sb, answer.json()["access_token"]).status_code == 200
    assert "OAUTHLIB_INSECURE_TRANSPORT" not in os.environ


def test_public_flow_with_pkce_through_oauth2session(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    s = sb.oauth_settings("public")
    assert s["client_secret"] is None
    session = OAuth2Session(
        s["client_id"], redirect_uri=s["redirect_uri"], scope=["read"], state="s1", pkce="S256"
    )
    url, _ = session.authorization_url(s["authorize_url"])
    assert "code_challenge_method=S256" in url
    token = session.fetch_token(
        s["token_url"], authorization_response=sb.consent(url), include_client_id=True
    )
    assert token["scope"] == ["read"]
    assert session.get(f"{sb.base_url}/test", timeout=TIMEOUT).status_code == 200


def test_loopback_redirect_uris_on_any_port_are_registered(sb: Sandbox) -> None:
    for uri in ("http://127.0.0.1:53682/callback", "http://localhost:8123/callback"):
        s = sb.oauth_settings("public", redirect_uri=uri)
        code, verifier = get_code(sb, s)
        assert exchange(s, code, verifier, "public").status_code == 200


# -- consent ------------------------------------------------------------------------------------


def test_consent_page_names_the_app_and_scopes_and_escapes_state(sb: Sandbox) -> None:
    evil = '"><script>alert(1)</script>'
    page = requests.get(auth_url(sb.oauth_settings(), state=evil), timeout=TIMEOUT)
    assert page.status_code == 200
    assert "Notebook Analytics (confidential)" in page.text
    assert "See your bookings" in page.text and "Create, change and cancel" in page.text
    assert "<script>alert" not in page.text
    assert "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert page.headers["X-Frame-Options"] == "DENY"
    redirected = sb.consent(auth_url(sb.oauth_settings(), state=evil))
    assert query(redirected)["state"] == evil


def test_deny_redirects_with_access_denied_and_state(sb: Sandbox) -> None:
    redirected = sb.consent(auth_url(sb.oauth_settings(), state="keep-me"), allow=False)
    params = query(redirected)
    assert params["error"] == "access_denied" and params["state"] == "keep-me"
    assert params["error_description"] and "code" not in params
    assert redirected.startswith(sb.oauth_settings()["redirect_uri"] + "?")


def test_consent_form_cannot_be_replayed_or_altered(sb: Sandbox) -> None:
    s = sb.oauth_settings()
    page = requests.get(auth_url(s), timeout=TIMEOUT)
    ticket = page.text.split('name="ticket" value="')[1].split('"')[0]
    form = {"client_id": s["client_id"], "redirect_uri": s["redirect_uri"], "ticket": ticket}
    form.update(response_type="code", scope="read write", state="st-1", decision="allow")
    altered = requests.post(
        s["authorize_url"], data={**form, "scope": "write"}, allow_redirects=False, timeout=5
    )
    assert altered.status_code == 400 and "Location" not in altered.headers
    replay = requests.post(s["authorize_url"], data=form, allow_redirects=False, timeout=5)
    assert replay.status_code == 400  # the ticket was spent by the altered attempt


@pytest.mark.parametrize(
    "redirect_uri",
    [
        "http://evil.example/callback",
        "http://127.0.0.1:8000/other",
        "http://127.0.0.1/callback",
        "http://127.0.0.1.evil.example:80/callback",
        "https://127.0.0.1:8000/callback",
    ],
)
def test_unregistered_redirect_uri_shows_an_error_page_without_redirect(
    sb: Sandbox, redirect_uri: str
) -> None:
    s = {**sb.oauth_settings(), "redirect_uri": redirect_uri}
    page = requests.get(auth_url(s), allow_redirects=False, timeout=TIMEOUT)
    assert page.status_code == 400 and "Location" not in page.headers
    assert "Mismatching redirect URI" in page.text
    with pytest.raises(ConsentError, match="Mismatching redirect URI"):
        sb.consent(auth_url(s))


def test_unknown_client_shows_an_error_page(sb: Sandbox) -> None:
    s = {**sb.oauth_settings(), "client_id": "nobody"}
    page = requests.get(auth_url(s), allow_redirects=False, timeout=TIMEOUT)
    assert page.status_code == 400 and "Invalid client_id" in page.text


def test_other_authorize_errors_redirect_to_the_client(sb: Sandbox) -> None:
    s = sb.oauth_settings()
    params = query(sb.consent(auth_url(s, scope="admin")))
    assert params["error"] == "invalid_scope" and params["state"] == "st-1"


# -- codes --------------------------------------------------------------------------------------


def test_reused_code_is_invalid_grant_and_revokes_its_tokens(sb: Sandbox) -> None:
    s = sb.oauth_settings()
    code, verifier = get_code(sb, s)
    first = exchange(s, code, verifier).json()
    assert api(sb, first["access_token"]).status_code == 200
    again = exchange(s, code, verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    assert again.json()["error_description"]
    assert code not in again.text
    assert api(sb, first["access_token"]).status_code == 401
    assert refresh(s, first["refresh_token"]).json()["error"] == "invalid_grant"


def test_expired_code_is_invalid_grant(sb: Sandbox) -> None:
    sb.oauth.code_ttl = 0
    s = sb.oauth_settings()
    code, verifier = get_code(sb, s)
    assert exchange(s, code, verifier).json()["error"] == "invalid_grant"


def test_token_request_with_another_redirect_uri_is_invalid_grant(sb: Sandbox) -> None:
    s = sb.oauth_settings()
    code, verifier = get_code(sb, s)
    moved = {**s, "redirect_uri": "http://127.0.0.1:9999/callback"}
    answer = exchange(moved, code, verifier)
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"
    assert exchange(s, code, verifier).status_code == 200


@pytest.mark.parametrize("auth", ["basic", "body"])
def test_wrong_client_secret_is_invalid_client_401(sb: Sandbox, auth: str) -> None:
    s = {**sb.oauth_settings(), "client_secret": "wrong"}
    code, verifier = get_code(sb, s)
    answer = exchange(s, code, verifier, auth)
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"
    assert answer.headers["WWW-Authenticate"].startswith("Basic")


def test_confidential_client_without_secret_is_invalid_client(sb: Sandbox) -> None:
    s = sb.oauth_settings()
    code, verifier = get_code(sb, s)
    answer = exchange(s, code, verifier, auth="public")
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


# -- PKCE ---------------------------------------------------------------------------------------


def test_public_client_must_send_a_code_challenge(sb: Sandbox) -> None:
    params = query(sb.consent(auth_url(sb.oauth_settings("public"))))
    assert params["error"] == "invalid_request" and "challenge" in params["error_description"]


@pytest.mark.parametrize("method", ["plain", ""])
def test_plain_pkce_is_refused(sb: Sandbox, method: str) -> None:
    url = auth_url(
        sb.oauth_settings("public"), code_challenge="x" * 43, code_challenge_method=method
    )
    assert query(sb.consent(url))["error"] == "invalid_request"


def test_pkce_verifier_missing_or_wrong(sb: Sandbox) -> None:
    s = sb.oauth_settings("public")
    code, verifier = get_code(sb, s)
    missing = token_request(
        s, "public", grant_type="authorization_code", code=code, redirect_uri=s["redirect_uri"]
    )
    assert missing.json()["error"] == "invalid_request"
    wrong = exchange(s, code, pkce()[0], "public")
    assert wrong.json()["error"] == "invalid_grant"
    assert exchange(s, code, verifier, "public").status_code == 200


def test_confidential_client_challenge_is_verified_when_sent(sb: Sandbox) -> None:
    s = sb.oauth_settings()
    code, _ = get_code(sb, s)
    assert exchange(s, code, pkce()[0]).json()["error"] == "invalid_grant"
    plain_code = query(sb.consent(auth_url(s)))["code"]  # no challenge: PKCE optional here
    answer = token_request(
        s, grant_type="authorization_code", code=plain_code, redirect_uri=s["redirect_uri"]
    )
    assert answer.status_code == 200


def test_a_code_redeemed_concurrently_works_once(sb: Sandbox) -> None:
    s = sb.oauth_settings()
    code, verifier = get_code(sb, s)
    with ThreadPoolExecutor(max_workers=6) as pool:
        answers = list(pool.map(lambda _: exchange(s, code, verifier).status_code, range(6)))
    assert sorted(answers) == [200] + [400] * 5

"""Sandbox OAuth tokens over real HTTP: refresh, revocation, Bearer on the API, knobs, admin."""

from __future__ import annotations

import html
import http.client
from collections.abc import Iterator

import pytest
import requests

from oncehub_nb.sandbox import Sandbox
from tests.test_sandbox_oauth import TIMEOUT, api, auth_url, query, refresh, tokens


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(bookings=5, seed=4, rate_limit=False, access_token_ttl=900) as sandbox:
        yield sandbox


@pytest.fixture(autouse=True)
def default_knobs(sb: Sandbox) -> Iterator[None]:
    yield
    sb.oauth.configure(
        access_token_ttl=900,
        code_ttl=60,
        rotate_refresh_tokens=True,
        detect_refresh_reuse=True,
        expires_in_as_string=False,
        widen_scope=False,
        token_endpoint_down=0,
    )
    sb.clear_faults()


# -- refresh ------------------------------------------------------------------------------------


def test_refresh_rotates_and_an_old_refresh_token_is_invalid_grant(sb: Sandbox) -> None:
    s = sb.oauth_settings()
    first = tokens(sb)
    before = sb.oauth_stats()
    second = refresh(s, first["refresh_token"]).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["access_token"] != first["access_token"]
    assert second["scope"] == "read write" and second["expires_in"] == 900
    assert api(sb, second["access_token"]).status_code == 200
    stale = refresh(s, first["refresh_token"])
    assert stale.status_code == 400 and stale.json()["error"] == "invalid_grant"
    after = sb.oauth_stats()
    assert after["refreshes"] == before["refreshes"] + 1
    assert after["invalid_grant"] == before["invalid_grant"] + 1
    assert (
        after["token_requests"]["refresh_token"]
        == before["token_requests"].get("refresh_token", 0) + 2
    )


def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(sb: Sandbox) -> None:
    """RFC 9700 4.14.2: the reuse of a retired refresh token means it leaked."""
    s = sb.oauth_settings()
    first = tokens(sb)
    second = refresh(s, first["refresh_token"]).json()
    third = refresh(s, second["refresh_token"]).json()
    other = tokens(sb)  # another sign-in: not of this family
    assert api(sb, third["access_token"]).status_code == 200
    reuse = refresh(s, first["refresh_token"])
    assert reuse.status_code == 400 and reuse.json()["error"] == "invalid_grant"
    assert api(sb, third["access_token"]).status_code == 401  # the live tokens are gone too
    assert refresh(s, third["refresh_token"]).json()["error"] == "invalid_grant"
    assert api(sb, other["access_token"]).status_code == 200
    assert refresh(s, other["refresh_token"]).status_code == 200


def test_reuse_detection_can_be_turned_off(sb: Sandbox) -> None:
    sb.oauth.configure(detect_refresh_reuse=False)
    s = sb.oauth_settings()
    first = tokens(sb)
    second = refresh(s, first["refresh_token"]).json()
    assert refresh(s, first["refresh_token"]).json()["error"] == "invalid_grant"  # refused ...
    assert api(sb, second["access_token"]).status_code == 200  # ... and nothing else happens
    assert refresh(s, second["refresh_token"]).status_code == 200


def test_refresh_without_rotation_keeps_the_refresh_token(sb: Sandbox) -> None:
    sb.oauth.rotate_refresh_tokens = False
    s = sb.oauth_settings()
    first = tokens(sb)
    second = refresh(s, first["refresh_token"]).json()
    third = refresh(s, first["refresh_token"]).json()
    assert second["refresh_token"] == third["refresh_token"] == first["refresh_token"]
    assert api(sb, third["access_token"]).status_code == 200


def test_public_client_refreshes_with_its_client_id(sb: Sandbox) -> None:
    s = sb.oauth_settings("public")
    first = tokens(sb, "public")
    answer = requests.post(
        s["token_url"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": first["refresh_token"],
            "client_id": s["client_id"],
        },
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200, answer.text
    other = refresh(sb.oauth_settings(), answer.json()["refresh_token"])
    assert other.json()["error"] == "invalid_grant"  # another client's refresh token


# -- revocation and expiry ----------------------------------------------------------------------


def revoke(s: dict[str, str | None], token: str, hint: str | None = None) -> requests.Response:
    data = {"token": token, **({"token_type_hint": hint} if hint else {})}
    auth = (str(s["client_id"]), str(s["client_secret"]))
    return requests.post(str(s["revoke_url"]), data=data, auth=auth, timeout=TIMEOUT)


def test_revoking_an_access_token_makes_the_api_answer_401(sb: Sandbox) -> None:
    s = sb.oauth_settings()
    issued = tokens(sb)
    assert revoke(s, issued["access_token"], "access_token").status_code == 200
    answer = api(sb, issued["access_token"])
    assert answer.status_code == 401
    assert answer.json() == {"type": "authentication_error", "message": "Invalid access token."}
    assert answer.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert refresh(s, issued["refresh_token"]).status_code == 200  # the refresh token lives


def test_revoking_a_refresh_token_kills_its_access_tokens(sb: Sandbox) -> None:
    s = sb.oauth_settings()
    issued = tokens(sb)
    assert revoke(s, issued["refresh_token"]).status_code == 200
    assert api(sb, issued["access_token"]).status_code == 401
    assert refresh(s, issued["refresh_token"]).json()["error"] == "invalid_grant"
    assert revoke(s, "never-issued").status_code == 200  # RFC 7009 2.2
    assert sb.oauth_stats()["revocations"] >= 2


def test_public_client_revokes_with_its_client_id(sb: Sandbox) -> None:
    s = sb.oauth_settings("public")
    issued = tokens(sb, "public")
    answer = requests.post(
        s["revoke_url"],
        data={"token": issued["access_token"], "client_id": s["client_id"]},
        timeout=TIMEOUT,
    )
    assert answer.status_code == 200
    assert api(sb, issued["access_token"]).status_code == 401


def test_server_side_revoke_and_expire_helpers(sb: Sandbox) -> None:
    issued = tokens(sb)
    assert sb.expire_access_token(issued["access_token"]) is True
    assert api(sb, issued["access_token"]).status_code == 401
    again = tokens(sb)
    assert sb.revoke_token(again["refresh_token"]) is True
    assert api(sb, again["access_token"]).status_code == 401
    assert sb.revoke_token("nope") is False


def test_bad_bearer_tokens_are_401(sb: Sandbox) -> None:
    for token in ("garbage", ""):
        answer = api(sb, token)
        assert answer.status_code == 401 and "invalid_token" in answer.headers["WWW-Authenticate"]


# -- scopes -------------------------------------------------------------------------------------


def test_read_only_token_cannot_write(sb: Sandbox) -> None:
    read_only = tokens(sb, scope="read")
    assert read_only["scope"] == "read"
    assert api(sb, read_only["access_token"], path="/contacts").status_code == 200
    refused = api(sb, read_only["access_token"], "POST", "/contacts")
    assert refused.status_code == 403
    assert refused.json() == {
        "type": "authentication_error",
        "message": "The access token lacks the 'write' scope.",
    }
    assert refused.headers["WWW-Authenticate"].startswith('Bearer error="insufficient_scope"')
    writer = tokens(sb)
    assert api(sb, writer["access_token"], "POST", "/contacts").status_code not in (401, 403)


# -- knobs --------------------------------------------------------------------------------------


def test_expires_in_as_string_and_access_token_ttl(sb: Sandbox) -> None:
    sb.oauth.configure(expires_in_as_string=True, access_token_ttl=120)
    issued = tokens(sb)
    assert issued["expires_in"] == "120"
    assert refresh(sb.oauth_settings(), issued["refresh_token"]).json()["expires_in"] == "120"


def test_widen_scope_grants_read_write_for_read(sb: Sandbox) -> None:
    sb.oauth.widen_scope = True
    issued = tokens(sb, scope="read")
    assert issued["scope"] == "read write"
    assert api(sb, issued["access_token"], "POST", "/contacts").status_code != 403


def test_token_endpoint_down_answers_503_then_recovers(sb: Sandbox) -> None:
    s = sb.oauth_settings()
    issued = tokens(sb)
    sb.oauth.token_endpoint_down = 2
    for _ in range(2):
        down = refresh(s, issued["refresh_token"])
        assert down.status_code == 503 and down.json()["error"] == "temporarily_unavailable"
    assert refresh(s, issued["refresh_token"]).status_code == 200
    assert sb.oauth_stats()["token_endpoint_down"] >= 2


def test_oauth_is_outside_api_stats_and_api_faults(sb: Sandbox) -> None:
    sb.reset_stats()
    sb.inject("5xx", count=5, status=503)
    issued = tokens(sb)
    assert refresh(sb.oauth_settings(), issued["refresh_token"]).status_code == 200
    assert sb.stats()["requests"] == {}


def test_knobs_are_checked(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="unknown knob 'lifetime'; use one of access_token_ttl"):
        sb.oauth.configure(lifetime=3)
    with pytest.raises(ValueError, match="did you mean 'device_interval'"):
        sb.oauth.configure(code_ttl=5, device_intervals=3)
    assert sb.oauth.code_ttl == 60  # nothing was set: the names are checked first
    with pytest.raises(ValueError, match="true or false"):
        sb.oauth.configure(widen_scope="yes")
    with pytest.raises(ValueError, match=">= 0"):
        sb.oauth.configure(code_ttl=-1)
    with pytest.raises(ValueError, match="kind"):
        sb.oauth_settings("secret")
    with pytest.raises(ValueError, match="not registered"):
        sb.oauth_settings(redirect_uri="http://evil.example/callback")


# -- callback page and admin --------------------------------------------------------------------


def test_callback_page_shows_the_url_with_a_copy_button(sb: Sandbox) -> None:
    redirected = sb.consent(auth_url(sb.oauth_settings(), state='a"<b>'))
    page = requests.get(redirected, timeout=TIMEOUT)
    assert page.status_code == 200 and "paste it into your notebook" in page.text
    assert f'value="{html.escape(redirected)}"' in page.text
    assert 'id="copy"' in page.text and "navigator.clipboard" in page.text
    assert "<b>" not in page.text
    assert page.headers["Referrer-Policy"] == "no-referrer"
    denied = requests.get(sb.consent(auth_url(sb.oauth_settings()), allow=False), timeout=5)
    assert "denied" in denied.text


def test_callback_page_escapes_raw_query(sb: Sandbox) -> None:
    connection = http.client.HTTPConnection(sb.host, sb.port, timeout=TIMEOUT)
    connection.request("GET", '/oauth/callback?x="><i>')  # sent raw, not %-encoded
    text = connection.getresponse().read().decode()
    connection.close()
    assert "<i>" not in text and "x=&quot;&gt;&lt;i&gt;" in text


def test_admin_endpoints(sb: Sandbox) -> None:
    admin = f"{sb.root_url}/_sandbox/oauth"
    http = requests.Session()
    http.headers.update(sb.admin_headers)
    settings = http.get(f"{admin}/settings", params={"kind": "public"}, timeout=5).json()
    assert settings == sb.oauth_settings("public")
    knobs = http.post(f"{admin}/knobs", json={"code_ttl": 5}, timeout=5).json()
    assert knobs["code_ttl"] == 5 and sb.oauth.code_ttl == 5
    bad = http.post(f"{admin}/knobs", json={"nope": 1}, timeout=5)
    assert bad.status_code == 400
    issued = tokens(sb)
    expired = http.post(f"{admin}/expire", json={"token": issued["access_token"]}, timeout=5)
    assert expired.json()["found"] is True
    assert api(sb, issued["access_token"]).status_code == 401
    revoked = http.post(f"{admin}/revoke", json={"token": issued["refresh_token"]}, timeout=5)
    assert revoked.json()["found"] is True
    stats = http.get(f"{admin}/stats", timeout=5).json()
    assert stats["codes_issued"] >= 1 and "authorization_code" in stats["token_requests"]
    assert http.post(f"{admin}/stats/reset", timeout=5).status_code == 200
    assert sb.oauth_stats()["codes_issued"] == 0
    assert query(sb.consent(auth_url(sb.oauth_settings())))["code"]
    http.close()


def test_token_endpoint_refuses_query_parameters_without_echoing_them(sb: Sandbox) -> None:
    s = sb.oauth_settings()
    connection = http.client.HTTPConnection(sb.host, sb.port, timeout=TIMEOUT)
    for target in ("/oauth/token?code=SECRET-1", '/oauth/token?code=SECRET-2"<'):
        connection.request(
            "POST",
            target,
            body=f"grant_type=authorization_code&client_id={s['client_id']}",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        answer = connection.getresponse()
        text = answer.read().decode()
        assert answer.status == 400 and '"invalid_request"' in text and "SECRET" not in text
    connection.close()

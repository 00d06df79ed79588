"""The sandbox's doors: its own Host only; admin endpoints need the admin token and take JSON only.

Every admin and test route is read from the sandbox's own routing table, so a route added later
is covered too.
"""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from oncehub_nb.sandbox import Sandbox


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(bookings=5, seed=2, rate_limit=False) as sandbox:
        yield sandbox


def admin_routes(sb: Sandbox) -> list[tuple[str, str]]:
    routes = []
    for rule in sb.app.url_map.iter_rules():
        if rule.rule.startswith("/_sandbox/"):
            path = rule.rule.replace("<path:collection>", "bookings")
            routes += [(method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return routes


def raw(sb: Sandbox, method: str, path: str, *, headers: dict[str, str], body: str = "") -> Any:
    """Send exactly these headers (``Host`` included) with http.client."""
    connection = http.client.HTTPConnection(sb.host, sb.port, timeout=5)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.putheader("Content-Length", str(len(body.encode())))
        connection.endheaders(body.encode())
        answer = connection.getresponse()
        text = answer.read()
        is_json = answer.getheader("Content-Type", "").startswith("application/json")
        return answer.status, json.loads(text) if is_json else text.decode()
    finally:
        connection.close()


def test_the_admin_table_is_complete(sb: Sandbox) -> None:
    routes = admin_routes(sb)
    assert ("POST", "/_sandbox/faults") in routes and ("GET", "/_sandbox/oauth/settings") in routes
    assert len(routes) >= 13


def test_every_admin_endpoint_needs_the_token(sb: Sandbox) -> None:
    for method, path in admin_routes(sb):
        for headers in ({}, {"Sandbox-Admin-Token": "wrong"}, {"Sandbox-Admin-Token": ""}):
            answer = requests.request(
                method, f"{sb.root_url}{path}", json={}, headers=headers, timeout=5
            )
            assert answer.status_code == 401, (method, path, headers)
            assert answer.json()["type"] == "authentication_error"
            assert sb.admin_token not in answer.text and "client_secret" not in answer.text
    settings = requests.get(
        f"{sb.root_url}/_sandbox/oauth/settings", headers=sb.admin_headers, timeout=5
    )
    assert settings.json()["client_secret"] == sb.oauth_settings()["client_secret"]


def test_a_cross_site_text_plain_post_changes_nothing(sb: Sandbox) -> None:
    """What a web page can send without a preflight: a text/plain POST, no custom header."""
    sb.reset_stats()
    browser = {"Origin": "https://evil.example", "Content-Type": "text/plain"}
    body = json.dumps({"kind": "5xx", "count": 5})
    own = {"Host": f"127.0.0.1:{sb.port}"}
    status, _ = raw(sb, "POST", "/_sandbox/faults", headers={**own, **browser}, body=body)
    assert status == 401
    # ... and with the token (say a local process knew it), text/plain is still not JSON.
    status, error = raw(
        sb,
        "POST",
        "/_sandbox/faults",
        headers={"Host": f"127.0.0.1:{sb.port}", **browser, **sb.admin_headers},
        body=body,
    )
    assert status == 415 and "application/json" in error["message"]
    assert sb.stats()["faults_injected"] == {} and sb.state.faults == []
    answer = requests.get(f"{sb.base_url}/test", headers={"API-Key": sb.api_key}, timeout=5)
    assert answer.status_code == 200


@pytest.mark.parametrize(
    "path", ["/v2/test", "/_sandbox/stats", "/_sandbox/oauth/settings", "/oauth/callback"]
)
def test_a_foreign_host_is_refused_everywhere(sb: Sandbox, path: str) -> None:
    headers = {"API-Key": sb.api_key, **sb.admin_headers}
    for host in ("evil.example", f"evil.example:{sb.port}", f"127.0.0.1.evil.example:{sb.port}"):
        status, error = raw(sb, "GET", path, headers={"Host": host, **headers})
        assert status == 400 and "Host" in error["message"], (host, path)
    for host in (f"127.0.0.1:{sb.port}", f"localhost:{sb.port}", f"LOCALHOST:{sb.port}"):
        status, _ = raw(sb, "GET", path, headers={"Host": host, **headers})
        assert status == 200, (host, path)


def test_a_foreign_host_does_not_reach_the_api_pipeline(sb: Sandbox) -> None:
    sb.reset_stats()
    sb.inject("5xx", count=1)
    status, _ = raw(sb, "GET", "/v2/test", headers={"Host": "evil.example", "API-Key": sb.api_key})
    assert status == 400
    assert sb.stats()["requests"] == {} and len(sb.state.faults) == 1
    sb.clear_faults()


def test_admin_json_bodies_work_with_the_token(sb: Sandbox) -> None:
    with requests.Session() as admin:
        admin.headers.update(sb.admin_headers)
        assert admin.post(f"{sb.root_url}/_sandbox/latency", json={"ms": 3}, timeout=5).ok
        assert admin.post(f"{sb.root_url}/_sandbox/stats/reset", timeout=5).ok  # no body: fine
        form = admin.post(f"{sb.root_url}/_sandbox/latency", data={"ms": "1"}, timeout=5)
        assert form.status_code == 415
    assert sb.state.latency_ms == 3
    sb.set_latency(0)

"""The sandbox keeps connections open like the real API: the client reuses them for real."""

from __future__ import annotations

import http.client
from collections.abc import Callable

from oncehub_nb.sandbox import Sandbox
from tests.conftest import client_for


def test_a_100_page_pull_uses_one_connection(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(bookings=1000, seed=9, rate_limit=False)
    with client_for(sb, page_size=10, rate_limit=False) as hub:
        sb.reset_stats()
        frame = hub.bookings.to_frame(progress=False)
        stats = sb.stats()
    assert len(frame) == 1000
    assert stats["requests"]["GET /v2/bookings"] == 100
    assert stats["connections"] == 1  # counted by the server: every page on one connection


def test_http_11_keep_alive_and_close(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(bookings=3, rate_limit=False)
    connection = http.client.HTTPConnection(sb.host, sb.port, timeout=5)
    for _ in range(3):
        connection.request("GET", "/v2/test", headers={"API-Key": sb.api_key})
        answer = connection.getresponse()
        answer.read()
        assert answer.version == 11 and answer.getheader("Connection") != "close"
    connection.request("GET", "/v2/test", headers={"API-Key": sb.api_key, "Connection": "close"})
    answer = connection.getresponse()
    answer.read()
    assert answer.status == 200 and answer.getheader("Connection") == "close"
    connection.close()
    assert sb.stats()["connections"] == 1

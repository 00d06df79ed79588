"""The one-shot loopback server that catches the OAuth redirect."""

from __future__ import annotations

import logging
import socket
import time

import pytest
import requests

from oncehub_nb.auth.callback import CallbackServer


def test_one_matching_request_then_closed(
    capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with CallbackServer("http://127.0.0.1:0/callback", timeout=10, expected_state="s1") as server:
        base = server.base
        assert requests.get(f"{base}/favicon.ico", timeout=5).status_code == 404
        forged = requests.get(f"{base}/callback?code=evil&state=other", timeout=5)
        assert forged.status_code == 400 and server.received is None
        ok = requests.get(f"{base}/callback?code=SECRETCODE123&state=s1", timeout=5)
        assert ok.status_code == 200 and "close this tab" in ok.text
        assert ok.headers["Cache-Control"] == "no-store"
        assert server.wait(5) == f"{base}/callback?code=SECRETCODE123&state=s1"
        deadline = time.monotonic() + 5
        while server.running and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not server.running
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{base}/callback?code=again&state=s1", timeout=2)
    out, err = capfd.readouterr()
    assert "SECRETCODE123" not in out + err + caplog.text


def test_denied_redirect_gets_a_plain_page() -> None:
    with CallbackServer("http://localhost:0/cb", timeout=10) as server:
        answer = requests.get(f"{server.base}/cb?error=access_denied&state=x", timeout=5)
        assert "denied" in answer.text and server.wait(5)


def test_on_redirect_chooses_the_page_and_escapes_it() -> None:
    def finish(url: str) -> tuple[str, str]:
        return "Sign-in did not finish", "<b>expired</b>"

    with CallbackServer("http://127.0.0.1:0/callback", timeout=10, on_redirect=finish) as server:
        answer = requests.get(f"{server.base}/callback?code=c&state=s", timeout=5)
    assert "did not finish" in answer.text and "&lt;b&gt;expired" in answer.text


def test_timeout_frees_the_port() -> None:
    server = CallbackServer("http://127.0.0.1:0/callback", timeout=0.3).start()
    started = time.monotonic()
    assert server.wait() is None
    server.close()
    assert time.monotonic() - started < 3 and not server.running
    with socket.socket() as again:  # the port is free again
        again.bind(("127.0.0.1", server.port))


def test_busy_port_and_non_loopback_are_refused() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(OSError, match="in use"):
            CallbackServer(f"http://127.0.0.1:{port}/callback").start()
    for uri in ("http://example.com:8080/cb", "https://127.0.0.1:8080/cb", "http://127.0.0.1/cb"):
        with pytest.raises(ValueError, match="loopback"):
            CallbackServer(uri)


def test_an_idle_connection_does_not_block_the_redirect_or_outlive_the_deadline() -> None:
    server = CallbackServer("http://127.0.0.1:0/callback", timeout=3, expected_state="s1").start()
    idle = socket.create_connection(("127.0.0.1", server.port))  # a preconnect: sends nothing
    try:
        started = time.monotonic()
        answer = requests.get(f"{server.base}/callback?code=c0de-0123456789&state=s1", timeout=5)
        arrived = time.monotonic() - started
        assert answer.status_code == 200 and server.wait(1) is not None
        assert arrived < 1.0, arrived  # not stuck behind the idle connection
    finally:
        idle.close()
    server.close()
    assert not server.running


def test_the_server_is_gone_at_its_deadline_even_with_an_idle_connection() -> None:
    server = CallbackServer("http://127.0.0.1:0/callback", timeout=0.5).start()
    idle = socket.create_connection(("127.0.0.1", server.port))
    try:
        deadline = time.monotonic() + 3
        while server.running and time.monotonic() < deadline:
            time.sleep(0.02)
        assert not server.running  # the timer stopped it; close() was never called
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", server.port), timeout=1).close()
    finally:
        idle.close()


def test_close_stops_it_at_once() -> None:
    server = CallbackServer("http://127.0.0.1:0/callback", timeout=60).start()
    started = time.monotonic()
    server.close()
    assert not server.running and time.monotonic() - started < 2
    server.close()  # twice is fine

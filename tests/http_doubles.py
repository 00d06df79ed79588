"""Small real HTTP servers on loopback for the tests of the one send path.

Each is a ``ThreadingHTTPServer`` on 127.0.0.x that answers with a scripted behaviour: a
redirect, a body dripped one byte at a time, a huge body, a non-UTF-8 ``Location``, a recorder
of what reached it. They are servers on sockets, not mocks, so requests, urllib3 and the
deadline watchdog run for real.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


@dataclass
class Seen:
    """What a server received: one ``(method, path, headers, body)`` per request."""

    requests: list[tuple[str, str, dict[str, str], bytes]] = field(default_factory=list)


@contextlib.contextmanager
def serve(answer: Handler, *, host: str = "127.0.0.1") -> Iterator[tuple[str, Seen]]:
    """Run a server that records each request, then lets ``answer`` write the response."""
    seen = Seen()

    class _Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            seen.requests.append((self.command, self.path, dict(self.headers), body))
            answer(self)

        do_GET = do_POST = do_PUT = do_DELETE = _any  # noqa: N815 - http.server's names

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer((host, 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.daemon = True
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}", seen
    finally:
        server.shutdown()
        server.server_close()


def redirect_to(location: str | bytes, status: int = 307) -> Handler:
    """Answer every request with a redirect to ``location`` (bytes: sent as they are)."""

    def answer(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        if isinstance(location, bytes):  # raw bytes, past send_header's latin-1 encoding
            handler._headers_buffer.append(b"Location: " + location + b"\r\n")  # type: ignore[attr-defined]
        else:
            handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    return answer


def json_answer(body: bytes, status: int = 200) -> Handler:
    """Answer every request with ``body`` as JSON."""

    def answer(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return answer


def drip(body: bytes, *, every: float) -> Handler:
    """Send the headers at once, then the body one byte every ``every`` seconds."""

    def answer(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        for byte in body:
            try:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
            except OSError:  # the client gave up: good
                return
            time.sleep(every)

    return answer


def drip_headers(*, every: float) -> Handler:
    """Send the status line and then header bytes one at a time, forever (well: 60 s)."""

    def answer(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.wfile.write(b"HTTP/1.1 200 OK\r\n")
        for _ in range(int(60 / every)):
            try:
                handler.wfile.write(b"X")
                handler.wfile.flush()
            except OSError:
                return
            time.sleep(every)

    return answer

"""A one-shot local web server that catches the OAuth redirect on a loopback address.

When the redirect URI is ``http://127.0.0.1:<port>/<path>`` (or ``localhost`` / ``[::1]``) and
the kernel runs on the user's own machine, the browser can hand the redirect straight to us: this
server listens on exactly that address, answers the first matching request with a small "you can
close this tab" page, and shuts down. It also shuts down when its time is up. It never logs a
request line (the code is in the query string), and ignores requests whose ``state`` is not the
one expected, so another local program cannot spend the one request with a forged redirect.

Each connection is served on a thread of its own and has 2 s to send its request: a connection
that sends nothing (a browser's preconnect, another local program) neither blocks the real
redirect nor keeps the server alive past its time. A timer stops the server at its deadline and
:meth:`CallbackServer.close` stops it at once.

Example:
    >>> import requests
    >>> server = CallbackServer("http://127.0.0.1:0/callback", timeout=5).start()
    >>> redirect = f"http://127.0.0.1:{server.port}/callback?code=abc&state=xyz"
    >>> requests.get(redirect, timeout=5).status_code
    200
    >>> server.wait(5) == redirect
    True
"""

from __future__ import annotations

import contextlib
import html
import http.server
import socket
import threading
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from oncehub_nb._http.urls import is_loopback_host, where

__all__ = ["CallbackServer"]

_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
    "<style>body{{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;"
    "padding:0 1rem;color:#1f2933}}</style></head><body><h1>{title}</h1><p>{text}</p>"
    "</body></html>"
)


class _Handler(http.server.BaseHTTPRequestHandler):
    server: _Server
    #: Seconds a connection may take to send its request line and headers.
    timeout = 2.0

    def log_message(self, format: str, *args: Any) -> None:
        """Log nothing: the request line carries the authorization code."""

    def do_GET(self) -> None:
        """Take the redirect (or refuse anything else) and answer with a small page."""
        owner = self.server.owner
        parts = urlsplit(self.path)
        params = parse_qs(parts.query)
        state = (params.get("state") or [""])[0]
        wanted = owner.path.rstrip("/") or "/"
        if (parts.path.rstrip("/") or "/") != wanted or owner.done.is_set():
            self._answer(404, "Not here", "This address is not waiting for a sign-in.")
            return
        if owner.expected_state is not None and state != owner.expected_state:
            self._answer(400, "Not this sign-in", "This link does not belong to this sign-in.")
            return
        if not owner.claim():  # another connection brought the redirect a moment ago
            self._answer(404, "Not here", "This address is not waiting for a sign-in.")
            return
        url = f"{owner.base}{self.path}"
        title, text = "Signed in", "You can close this tab and go back to your notebook."
        if "error" in params:
            title, text = "Access was denied", "Go back to your notebook to start again."
        if owner.on_redirect is not None:
            try:
                title, text = owner.on_redirect(url)
            except Exception:  # the notebook shows the details
                title, text = "Sign-in failed", "Go back to your notebook to see why."
        owner.received = url
        owner.done.set()
        self._answer(200, title, text)
        threading.Thread(target=owner.close, daemon=True).start()

    def _answer(self, status: int, title: str, text: str) -> None:
        body = _PAGE.format(title=html.escape(title), text=html.escape(text)).encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("Referrer-Policy", "no-referrer")
        self.end_headers()
        self.wfile.write(body)


class _Server(http.server.ThreadingHTTPServer):
    owner: CallbackServer
    daemon_threads = True
    block_on_close = False


class _Server6(_Server):
    address_family = socket.AF_INET6


class CallbackServer:
    """Wait on the redirect URI for one OAuth redirect, for a limited time.

    Args:
        redirect_uri: a loopback ``http://`` URI with a port (``0`` picks a free one: tests).
        timeout: seconds to wait in all; the server stops by itself then.
        expected_state: answer only redirects carrying this ``state`` (the pending sign-in's).
        on_redirect: called with the full redirect URL before the browser is answered; returns
            the ``(title, text)`` of the page shown (plain text, escaped here).

    Raises:
        ValueError: the URI is not a loopback ``http://`` URI with a port.

    Example:
        >>> server = CallbackServer("http://127.0.0.1:0/callback", timeout=0.2).start()
        >>> server.wait(2) is None  # nobody came
        True
    """

    def __init__(
        self,
        redirect_uri: str,
        *,
        timeout: float = 120.0,
        expected_state: str | None = None,
        on_redirect: Callable[[str], tuple[str, str]] | None = None,
    ) -> None:
        place = where(redirect_uri)
        if place is None or place.scheme != "http" or not is_loopback_host(place.host):
            raise ValueError(f"not a loopback http redirect URI with a port: {redirect_uri!r}")
        parts = urlsplit(redirect_uri)
        if parts.port is None:
            raise ValueError(f"not a loopback http redirect URI with a port: {redirect_uri!r}")
        host = parts.hostname or "127.0.0.1"
        self._bind_host = "127.0.0.1" if host == "localhost" else host
        self._host_text = parts.netloc.rsplit(":", 1)[0]
        self.port = parts.port
        self.path = parts.path or "/"
        self.timeout = timeout
        self.expected_state = expected_state
        self.on_redirect = on_redirect
        self.received: str | None = None
        self.done = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._deadline: threading.Timer | None = None
        self._closing = threading.Lock()
        self._claim = threading.Lock()

    def claim(self) -> bool:
        """Take the one redirect this server waits for (``False`` once taken)."""
        return self._claim.acquire(blocking=False)

    @property
    def base(self) -> str:
        """``http://host:port`` of the redirect URI (with the real port once started)."""
        return f"http://{self._host_text}:{self.port}"

    @property
    def running(self) -> bool:
        """``True`` while the server is listening."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> CallbackServer:
        """Bind the address and serve in a background thread until a redirect or the deadline.

        Returns:
            The server.

        Raises:
            OSError: the address is in use (another program, or the redirect page of a server).
        """
        cls = _Server6 if ":" in self._bind_host else _Server
        server = cls((self._bind_host, self.port), _Handler, bind_and_activate=False)
        try:
            server.server_bind()
            server.server_activate()
        except OSError:
            server.server_close()
            raise
        server.owner = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="oncehub-nb-callback",
            daemon=True,
        )
        self._thread.start()
        self._deadline = threading.Timer(self.timeout, self.close)
        self._deadline.daemon = True
        self._deadline.start()
        return self

    def wait(self, timeout: float | None = None) -> str | None:
        """Block until the redirect arrives or the time is up.

        Args:
            timeout: seconds to wait now (default: the server's whole timeout).

        Returns:
            The redirect URL, or ``None`` when none came in time.
        """
        self.done.wait(self.timeout if timeout is None else timeout)
        return self.received

    def close(self) -> None:
        """Stop serving now (idempotent); a redirect that already arrived stays in ``received``."""
        self.done.set()
        with self._closing:  # a second close() waits until the port is free
            server, self._server = self._server, None
            if server is not None:
                server.shutdown()  # serve_forever() returns within its poll interval
                server.server_close()
        if self._deadline is not None and self._deadline is not threading.current_thread():
            self._deadline.cancel()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)

    def __enter__(self) -> CallbackServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            self.close()

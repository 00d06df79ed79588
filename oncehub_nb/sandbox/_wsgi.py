"""The sandbox's HTTP/1.1 server: cheroot, with keep-alive, a worker pool and a connection count.

Why cheroot (CherryPy's WSGI server, maintained by the CherryPy team): it speaks HTTP/1.1 with
persistent connections like the real API, serves from a pool of worker threads while idle
keep-alive connections wait in a selector (one idle browser preconnect cannot block it), and is
made to be embedded: ``prepare()`` binds (port 0 gives a free port), ``serve()`` runs in a
thread, ``stop()`` ends it from another. Waitress, the other candidate, has the same HTTP
features, but its application never reaches the socket, and the sandbox's ``reset`` fault needs
the socket to answer with a TCP RST. Werkzeug's development server (used before) answered
``Connection: close`` every time, so clients never reused a connection against it.

Example:
    >>> server = SandboxServer(("127.0.0.1", 0), lambda e, s: [b""], on_connection=print)
    >>> server.numthreads
    32
"""

from __future__ import annotations

import contextlib
import logging
import socket
import struct
from collections.abc import Callable, Iterable
from typing import Any

from cheroot.server import HTTPConnection
from cheroot.wsgi import Gateway_10, Server

#: Set in the WSGI environ when the current request must end in a connection reset.
RESET_FLAG = "oncehub_nb.sandbox.reset"

log = logging.getLogger("oncehub_nb.sandbox.server")


class _ResettingGateway(Gateway_10):
    """The WSGI gateway, except that a request flagged with :data:`RESET_FLAG` gets a TCP RST."""

    def respond(self) -> None:
        result: Iterable[bytes] = self.req.server.wsgi_app(self.env, self.start_response)
        if not self.env.get(RESET_FLAG):
            try:
                for chunk in filter(None, result):
                    self.write(chunk)
            finally:
                self.req.ensure_headers_sent()
                close = getattr(result, "close", None)
                if close is not None:
                    close()
            return
        close = getattr(result, "close", None)
        if close is not None:
            close()
        # Nothing of the response is sent; the connection closes with an RST (see below).
        self.req.sent_headers = True
        self.req.close_connection = True
        self.req.conn.reset = True


class _CountedConnection(HTTPConnection):
    """An accepted connection, reported to the server; closed with an RST when ``reset``."""

    def __init__(self, server: SandboxServer, sock: socket.socket, *args: Any) -> None:
        super().__init__(server, sock, *args)
        self.reset = False
        server.on_connection(self)

    def close(self) -> None:
        if not self.reset:
            super().close()
            return
        # SO_LINGER 0 and no shutdown() first: close() then sends RST, not FIN.
        self.rfile.close()
        connection: socket.socket = self.socket
        with contextlib.suppress(OSError):
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        connection.close()


class SandboxServer(Server):
    """cheroot's WSGI server, reporting each TCP connection it accepts.

    Args:
        bind_addr: ``(host, port)``; port ``0`` picks a free one (read it back after
            :meth:`prepare` from ``bind_addr``).
        app: The WSGI application.
        on_connection: Called (in the accepting thread) with each accepted connection.
        threads: Worker threads (requests answered at once; idle connections take none).

    Example:
        >>> server = SandboxServer(("127.0.0.1", 0), lambda e, s: [b""], on_connection=print)
        >>> server.prepare(); server.bind_addr[1] > 0
        True
        >>> server.stop()
    """

    ConnectionClass = _CountedConnection
    #: Keep up to this many connections open between requests (cheroot's default, 10, closes
    #: the others after their response; the tests run 32 clients at once).
    keep_alive_conn_limit = 256

    def __init__(
        self,
        bind_addr: tuple[str, int],
        app: Any,
        *,
        on_connection: Callable[[Any], object],
        threads: int = 32,
    ) -> None:
        # timeout: an idle keep-alive connection is closed after this many seconds.
        super().__init__(bind_addr, app, numthreads=threads, timeout=30, shutdown_timeout=5)
        self.gateway = _ResettingGateway
        self.server_name = "oncehub-sandbox"
        self.software = "oncehub-sandbox"
        self.on_connection = on_connection

    def error_log(
        self, msg: str = "", level: int = 20, traceback: bool = False
    ) -> None:  # cheroot's signature
        """Send cheroot's messages (dropped connections ...) to logging, not to stderr."""
        log.log(logging.DEBUG if level < logging.ERROR else logging.WARNING, "%s", msg)

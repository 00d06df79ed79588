"""A total deadline for one HTTP exchange: connect, headers and body together.

requests' ``timeout=`` bounds each socket operation, not the request: a server that sends one
byte every 0.7 s kept a ``timeout=1`` call waiting for 8.4 s. urllib3's ``Timeout(total=...)`` is
no cure either (it is turned into a per-read timeout once, before the headers are read). No
well-kept library bounds a whole requests exchange, so this module does, in two parts:

* :class:`DeadlineAdapter` is requests' ``HTTPAdapter`` with connection pools that note, in a
  thread-local :class:`Watch`, the connection a request is using (new or reused), and tell
  the watch's ``leaving`` callback that the request is about to be written (the rate
  limiter dates its turn then: :meth:`~.limits.SharedLimiter.leaving`);
* :func:`watching` arms a timer for the exchange; when it fires before the body is read, it shuts
  the socket down, which wakes the blocked read at once. The caller then sees
  ``watch.expired`` and reports a timeout.

Example:
    >>> import requests
    >>> session = requests.Session()
    >>> session.mount("http://", DeadlineAdapter())
    >>> with watching(0.5) as watch:
    ...     pass  # session.get(...) and reading the body go here
    >>> watch.expired
    False
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

from requests.adapters import HTTPAdapter
from urllib3 import HTTPConnectionPool, HTTPSConnectionPool

__all__ = ["DeadlineAdapter", "Watch", "watching"]

_local = threading.local()
log = logging.getLogger("oncehub_nb.http")


class Watch:
    """The connection one exchange uses, and whether its deadline passed.

    Example:
        >>> Watch().expired
        False
    """

    def __init__(self, leaving: Callable[[], None] | None = None) -> None:
        self.connection: Any = None
        self.expired = False
        self.done = False
        self._leaving = leaving
        self._lock = threading.Lock()

    def note(self, connection: Any) -> None:
        """Remember the connection the request is being sent on; its request leaves now."""
        with self._lock:
            self.connection = connection
            leaving, self._leaving = self._leaving, None
        if leaving is not None:  # once: a retried connection is the same request
            try:
                leaving()
            except Exception as exc:  # the request goes on, dated at its turn
                log.warning(
                    "A rate-limit turn could not be dated again (%s: %s)", type(exc).__name__, exc
                )

    def expire(self) -> None:
        """The deadline passed: shut the connection's socket so the blocked read returns."""
        with self._lock:
            if self.done:
                return
            self.expired = True
            sock = getattr(self.connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                # The plain socket method, also for TLS sockets: it wakes a read in progress.
                socket.socket.shutdown(sock, socket.SHUT_RDWR)

    def finish(self) -> None:
        """The exchange ended in time: the timer must not touch the (pooled) connection now."""
        with self._lock:
            self.done = True


@contextlib.contextmanager
def watching(seconds: float, *, leaving: Callable[[], None] | None = None) -> Iterator[Watch]:
    """Give the exchange made inside the block ``seconds`` in all.

    Args:
        seconds: the deadline, from now.
        leaving: called once, when the pool hands the request its connection (before a
            new connection connects, after the request hooks and the adapter's work).

    Yields:
        The watch; ``watch.expired`` tells whether the deadline cut the exchange short.
    """
    watch = Watch(leaving)
    timer = threading.Timer(max(seconds, 0.0), watch.expire)
    timer.daemon = True
    previous = getattr(_local, "watch", None)
    _local.watch = watch
    timer.start()
    try:
        yield watch
    finally:
        watch.finish()
        timer.cancel()
        _local.watch = previous


def _note(connection: Any) -> None:
    watch: Watch | None = getattr(_local, "watch", None)
    if watch is not None:
        watch.note(connection)


class _HTTPPool(HTTPConnectionPool):
    # The connection is noted where the pool hands it out (new or reused). The pool's own
    # ConnectionCls is left alone, so tools that swap it (vcrpy's cassettes) keep working.
    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)
        _note(connection)
        return connection


class _HTTPSPool(HTTPSConnectionPool):
    def _get_conn(self, timeout: float | None = None) -> Any:
        connection = super()._get_conn(timeout)
        _note(connection)
        return connection


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter whose connections can be cut by :func:`watching` (pooling unchanged).

    Example:
        >>> adapter = DeadlineAdapter()
        >>> adapter.poolmanager.pool_classes_by_scheme["https"].__name__
        '_HTTPSPool'
    """

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        """Set up urllib3's pool manager with the watched connection classes."""
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        """The same through an HTTP(S) proxy (a SOCKS proxy keeps per-read timeouts only)."""
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        if type(manager).__name__ == "ProxyManager":
            manager.pool_classes_by_scheme = {"http": _HTTPPool, "https": _HTTPSPool}
        return manager

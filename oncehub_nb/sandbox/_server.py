"""The :class:`Sandbox` runner: a real HTTP server on loopback in a background thread."""

from __future__ import annotations

import gc
import threading
from datetime import datetime
from types import TracebackType
from typing import Unpack

from oncehub_nb._http.urls import is_loopback_host
from oncehub_nb.sandbox._app import create_app
from oncehub_nb.sandbox._guards import ADMIN_HEADER, own_hosts
from oncehub_nb.sandbox._knobs import SandboxKnobs
from oncehub_nb.sandbox._oauth import OAuthProvider
from oncehub_nb.sandbox._oauth_helpers import OAuthHelpers
from oncehub_nb.sandbox._oauth_routes import install as install_oauth
from oncehub_nb.sandbox._options import SandboxSettings, split_settings
from oncehub_nb.sandbox._state import SandboxState
from oncehub_nb.sandbox._wsgi import SandboxServer

#: From this many bookings on, the heap is settled before serving (:func:`_settle_heap`).
SETTLE_FROM_BOOKINGS = 2_000


def _settle_heap(bookings: int) -> None:
    """One full garbage collection now, before serving, when the data set is large.

    Building a large data set leaves CPython's collector owing a full collection, which it
    runs soon after: while the sandbox serves. It holds every thread of the process (the
    sandbox's, and a notebook's own) for about 45-55 ms, so the sandbox counted a request that
    much late against its rate limit and answered a 429 to a client that had kept to it (one
    pull in five, in ``bench/latency.py``'s 6,000 bookings at 250 ms). Collecting here costs
    the same once, before the first request. Small data sets (the tests') skip it.
    """
    if bookings >= SETTLE_FROM_BOOKINGS:
        gc.collect()


def _check_loopback(host: str) -> None:
    if not is_loopback_host(host):
        raise ValueError(f"the sandbox binds loopback only, not {host!r}")


class Sandbox(OAuthHelpers, SandboxKnobs):
    """A local OnceHub API v2 with seeded data, rate limits and fault injection.

    Every setting is a keyword argument; their defaults are written once, in
    :class:`DataOptions`, :class:`OAuthKnobs` and :class:`DeviceKnobs` (mypy checks the names
    and types, a misspelt one raises ``TypeError`` with the closest name).

    Args:
        port: TCP port; ``0`` (the default) picks a free one.
        host: Loopback address to bind (default ``127.0.0.1``); anything else raises
            ``ValueError``.
        **settings: The data (:class:`DataOptions`): ``bookings``, ``seed``, ``api_key``,
            ``admin_token``, ``rate_limit`` (``True``: OnceHub's 5/s per key and 200/5 min per
            IP; ``False``: none; or ``(requests, window seconds)`` pairs), ``time_scale``
            (``0.01`` makes 5 min last 3 s), ``latency_ms``, ``anchor``, ``clock`` and
            ``profile`` (``"live"``: answer like real OnceHub data, with the departures from
            the spec listed in :data:`DEPARTURES`; ``"spec"``: every answer valid against the
            official spec). The authorization server (:class:`OAuthKnobs`):
            ``access_token_ttl``, ``code_ttl``, ``rotate_refresh_tokens``,
            ``detect_refresh_reuse``, ``expires_in_as_string``, ``widen_scope``,
            ``token_endpoint_down``, ``echo_secrets_in_errors``. The device grant
            (:class:`DeviceKnobs`): ``device_interval``, ``device_code_ttl``,
            ``device_slow_down``, ``device_auto_decision``, ``device_pending_polls``.

    The OAuth knobs can be changed at runtime through :attr:`oauth` (``sb.oauth.code_ttl = 1``
    or ``sb.oauth.configure(...)``) or ``POST /_sandbox/oauth/knobs``.

    Example:
        >>> import requests
        >>> with Sandbox(bookings=5, seed=1) as sb:
        ...     r = requests.get(f"{sb.base_url}/bookings", headers={"API-Key": sb.api_key})
        ...     len(r.json()["data"])
        5
    """

    def __init__(
        self, *, port: int = 0, host: str = "127.0.0.1", **settings: Unpack[SandboxSettings]
    ) -> None:
        _check_loopback(host)
        self.host = host
        self.port = port
        data, knobs = split_settings(dict(settings))
        self.state = SandboxState(data)
        self.app = create_app(self.state, hosts=lambda: own_hosts(self.host, self.port))
        self.oauth = OAuthProvider(self.state, root_url=lambda: self.root_url, **knobs)
        install_oauth(self.oauth, self.app)
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Bind and serve in a daemon thread; returns ``self``.

        Example:
            >>> sb = Sandbox(bookings=1).start()
            >>> sb.root_url.startswith("http://127.0.0.1:")
            True
            >>> sb.stop()
        """
        if self._server is not None:
            return self
        self._server = self._bind()
        self._thread = threading.Thread(
            target=self._server.serve, name="oncehub-sandbox", daemon=True
        )
        self._thread.start()
        return self

    def _bind(self) -> SandboxServer:
        _settle_heap(len(self.state.data.collections["bookings"]))
        server = SandboxServer(
            (self.host, self.port),
            self.app,
            on_connection=lambda _connection: self.state.count_connection(),
        )
        server.prepare()
        self.port = int(server.bind_addr[1])
        return server

    def stop(self) -> None:
        """Stop serving and close the listening socket (safe to call twice).

        Example:
            >>> Sandbox(bookings=1).stop()
        """
        server, self._server = self._server, None
        if server is not None:
            server.stop()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def serve_forever(self) -> None:
        """Serve in the calling thread until Ctrl-C (for the CLI).

        Example:
            >>> Sandbox(bookings=1).serve_forever()  # blocks until Ctrl-C  # doctest: +SKIP
        """
        if self._server is not None:
            raise RuntimeError("the sandbox is already running in the background")
        self._server = server = self._bind()
        try:
            server.serve()
        except KeyboardInterrupt:
            pass
        finally:
            self._server = None
            server.stop()
            self.state.close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # -- addresses and keys ---------------------------------------------------------------

    @property
    def root_url(self) -> str:
        """``http://<host>:<port>`` of the running server.

        Example:
            >>> Sandbox(bookings=0, port=8765).root_url
            'http://127.0.0.1:8765'
        """
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The API base, laid out like ``https://api.oncehub.com/v2``.

        Example:
            >>> Sandbox(bookings=0, port=8765).base_url
            'http://127.0.0.1:8765/v2'
        """
        return f"{self.root_url}/v2"

    @property
    def api_key(self) -> str:
        """The valid API key.

        Example:
            >>> Sandbox(bookings=0, api_key="k").api_key
            'k'
        """
        return self.state.api_key

    @property
    def admin_token(self) -> str:
        """The token that opens the admin and test endpoints under ``/_sandbox/``.

        Example:
            >>> Sandbox(bookings=0, admin_token="t").admin_token
            't'
        """
        return self.state.admin_token

    @property
    def admin_headers(self) -> dict[str, str]:
        """Headers for a request to the admin endpoints: ``{"Sandbox-Admin-Token": token}``.

        Example:
            >>> Sandbox(bookings=0, admin_token="t").admin_headers
            {'Sandbox-Admin-Token': 't'}
        """
        return {ADMIN_HEADER: self.state.admin_token}

    @property
    def no_plan_api_key(self) -> str:
        """A key of an account whose plan lacks API access (answers 403).

        Example:
            >>> len(Sandbox(bookings=0).no_plan_api_key) > 20
            True
        """
        return self.state.no_plan_api_key

    @property
    def anchor(self) -> datetime:
        """The present the data is placed around (bookings before it are past).

        Example:
            >>> Sandbox(bookings=0, anchor="2026-06-01").anchor.isoformat()
            '2026-06-01T00:00:00+00:00'
        """
        return self.state.clock.anchor

    def now(self) -> datetime:
        """The sandbox's current time (UTC): what it stamps on writes and compares with.

        Example:
            >>> Sandbox(bookings=0, anchor="2026-06-01", clock=lambda: 1780272060.0).now()
            datetime.datetime(2026, 6, 1, 0, 1, tzinfo=datetime.timezone.utc)
        """
        return self.state.clock.now()

"""Cassettes: where they are, the VCR configuration, recording from the sandbox, replaying.

Example:
    >>> with replay("api-key-valid") as r:
    ...     r.hub.validate()
    'kevin.hernandez@martin-mcmillan.example.com'
"""

from __future__ import annotations

import contextlib
import http.server
import os
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncehub_nb.testing import _scenarios_api  # noqa: F401 - registers the API scenarios
from oncehub_nb.testing._context import (
    CLIENT_IDS,
    REPLAY_RECEIVER,
    REPLAY_ROOT,
    FlowContext,
    ReplayClock,
)
from oncehub_nb.testing._scenarios import SCENARIOS, Outcome, Scenario
from oncehub_nb.testing._scenarios_device import replay_user_codes
from oncehub_nb.testing._scrub import Scrubber

if TYPE_CHECKING:
    from oncehub_nb._client import OnceHub

__all__ = [
    "MATCH_ON",
    "RecordingError",
    "Replay",
    "cassette_dir",
    "cassette_path",
    "make_vcr",
    "match_credentials",
    "record_scenario",
    "replay",
    "vcr_config",
]

#: vcrpy's default matchers plus ``oncehub`` (:func:`match_credentials`).
MATCH_ON = ("method", "scheme", "host", "port", "path", "query", "oncehub")


class RecordingError(RuntimeError):
    """A live run of a scenario did not produce the outcome the scenario promises.

    Example:
        >>> str(RecordingError("x"))
        'x'
    """


def cassette_dir() -> Path:
    """The folder of the shipped cassettes (in the wheel, or ``cassettes/`` of a checkout).

    Returns:
        ``oncehub_nb/cassettes`` when installed from a wheel, else the repository's
        ``cassettes/`` folder (editable install).

    Example:
        >>> (cassette_dir() / "README.md").exists()
        True
    """
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "cassettes", package.parent / "cassettes"):
        if candidate.is_dir():
            return candidate
    return package / "cassettes"


def cassette_path(name: str) -> Path:
    """The cassette file of scenario ``name``.

    Args:
        name: a scenario name (see :data:`~oncehub_nb.testing.SCENARIOS`).

    Returns:
        Its path (which exists for every shipped scenario).

    Raises:
        KeyError: no such scenario.

    Example:
        >>> cassette_path("refresh-rotation").name
        'refresh-rotation.yaml'
    """
    _scenario(name)
    return cassette_dir() / f"{name}.yaml"


def _scenario(name: str) -> Scenario:
    try:
        return SCENARIOS[name]
    except KeyError:
        known = ", ".join(sorted(SCENARIOS))
        raise KeyError(f"no recorded scenario {name!r}; known: {known}") from None


def _credential_shape(request: Any) -> tuple[str, str, bool, str]:
    scheme, _, value = str(request.headers.get("Authorization", "")).partition(" ")
    bearer = value.strip() if scheme.lower() == "bearer" else ""
    body = request.body if isinstance(request.body, bytes) else b""
    grant = ""
    for pair in body.split(b"&") if b"grant_type=" in body else []:
        key, _, val = pair.partition(b"=")
        if key == b"grant_type":
            grant = val.decode(errors="replace")
    return scheme.lower(), bearer, "API-Key" in request.headers, grant


def match_credentials(r1: Any, r2: Any) -> None:
    """Vcrpy matcher ``oncehub``: same auth scheme, same Bearer placeholder, same grant type.

    API keys and client secrets are compared by presence only (a replayed client may send any
    value); Bearer tokens by their placeholder, which proves the replayed client used the token
    the recorded answer gave it (e.g. the refreshed one after a 401).

    Args:
        r1: a (scrubbed) live request.
        r2: a recorded request.

    Raises:
        AssertionError: the credentials differ.

    Example:
        >>> from vcr.request import Request
        >>> bearer = {"Authorization": "Bearer <ACCESS_TOKEN_1>"}
        >>> a = Request("GET", "https://x/v2/test", b"", bearer)
        >>> match_credentials(a, a)
    """
    one, two = _credential_shape(r1), _credential_shape(r2)
    assert one == two, f"credentials differ: {one} != {two}"


def vcr_config(scrubber: Scrubber | None = None, **hosts: str) -> dict[str, Any]:
    """Keyword arguments for ``vcr.use_cassette`` (and pytest-recording's ``vcr_config``).

    Args:
        scrubber: the cassette's scrubber (a new one when ``None``).
        **hosts: unused; pass a :class:`Scrubber` with ``hosts=`` to rewrite URL roots.

    Returns:
        ``before_record_request`` / ``before_record_response`` of the scrubber, compressed
        bodies decoded, and :data:`MATCH_ON` (needs the ``oncehub`` matcher registered: the
        pytest plugin and :func:`make_vcr` do it).

    Example:
        >>> sorted(vcr_config())[:2]
        ['before_record_request', 'before_record_response']
    """
    del hosts
    scrubber = scrubber if scrubber is not None else Scrubber()
    return {
        "before_record_request": scrubber.before_record_request,
        "before_record_response": scrubber.before_record_response,
        "decode_compressed_response": True,
        "match_on": list(MATCH_ON),
    }


def make_vcr(scrubber: Scrubber) -> Any:
    """A ``vcr.VCR`` with the ``oncehub`` matcher registered and this scrubber's config.

    Example:
        >>> make_vcr(Scrubber()).match_on[-1]
        'oncehub'
    """
    import vcr  # type: ignore[import-untyped]

    config = vcr_config(scrubber)
    instance = vcr.VCR(**config)
    instance.register_matcher("oncehub", match_credentials)
    return instance


class Replay(FlowContext):
    """A recorded scenario being replayed: run it, or drive a client through it yourself.

    Get one from :func:`replay` or the ``oncehub_replay`` fixture. Requests not in the cassette
    raise ``vcr.errors.CannotOverwriteExistingCassetteException``; nothing reaches the network.

    Attributes:
        scenario: the :class:`~oncehub_nb.testing.Scenario`.
        clock: the scenario's :class:`~oncehub_nb.testing.ReplayClock` (advance it to make
            tokens expire).

    Example:
        >>> with replay("refresh-rotation") as r:
        ...     hub = r.hub                       # signs in from the cassette
        ...     hub.validate()
        ...     r.clock.advance(3570)             # 30 s before expiry
        ...     hub.validate()                    # refreshed, with rotation
        ...     hub.auth.refresh_count
        'kevin.hernandez@martin-mcmillan.example.com'
        'kevin.hernandez@martin-mcmillan.example.com'
        1
    """

    def __init__(self, scenario: Scenario, *, cassette: Any) -> None:
        super().__init__(scenario.name, cassette=cassette)
        self.scenario = scenario
        self._hubs: list[OnceHub] = []

    def run(self) -> Outcome:
        """Replay the whole recorded flow; return its outcome (equal to ``scenario.expected``)."""
        return self.scenario.run(self)

    @property
    def hub(self) -> OnceHub:
        """A client for this scenario, made on first use (OAuth ones sign in from the cassette).

        Raises:
            ValueError: the scenario has no signed-in client (e.g. the user pressed Deny).
        """
        if not self._hubs:
            kind = self.scenario.auth
            if kind == "api_key":
                self._hubs.append(self.client(**self.scenario.client))
            elif kind in CLIENT_IDS:
                config = self.oauth_config(kind)
                self.sign_in(config)
                self._hubs.append(self.oauth_client(config, **self.scenario.client))
            else:
                raise ValueError(f"scenario {self.scenario.name!r} has no signed-in client")
        return self._hubs[0]

    def unplayed(self) -> list[str]:
        """Recorded requests not replayed yet (webhook deliveries, sent by the server, excluded)."""
        left = []
        for index, (request, _response) in enumerate(self.cassette.data):
            if self.cassette.play_counts[index] == 0 and not request.uri.startswith(
                REPLAY_RECEIVER
            ):
                left.append(f"{request.method} {request.uri}")
        return left

    def close(self) -> None:
        """Close the clients this replay made."""
        for hub in self._hubs:
            hub.close()
        self._hubs.clear()


@contextlib.contextmanager
def replay(name: str, *, path: str | os.PathLike[str] | None = None) -> Iterator[Replay]:
    """Replay a recorded scenario offline.

    Args:
        name: the scenario (``"refresh-rotation"`` ...).
        path: another recording of it (default: the shipped cassette).

    Yields:
        The :class:`Replay`.

    Raises:
        KeyError: no such scenario.
        FileNotFoundError: the cassette is missing.

    Example:
        >>> with replay("api-key-valid") as r:
        ...     assert r.run() == r.scenario.expected
    """
    scenario = _scenario(name)
    file = Path(path) if path is not None else cassette_path(name)
    if not file.is_file():
        raise FileNotFoundError(f"no cassette for {name!r} at {file}")
    recorder = make_vcr(Scrubber())
    with recorder.use_cassette(str(file), record_mode="none") as cassette:
        run = Replay(scenario, cassette=cassette)
        try:
            yield run
        finally:
            run.close()


class _Receiver(http.server.BaseHTTPRequestHandler):
    inbox: queue.Queue[tuple[str, bytes]]

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.inbox.put((self.headers.get("Oncehub-Signature", ""), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        """No access log."""


@contextlib.contextmanager
def webhook_receiver() -> Iterator[tuple[str, queue.Queue[tuple[str, bytes]]]]:
    """A webhook receiver on 127.0.0.1: every POST goes to an inbox, answered 200.

    Yields:
        ``(root_url, inbox)``; the inbox gets ``(Oncehub-Signature header, raw body)`` pairs.

    Example:
        >>> with webhook_receiver() as (url, inbox):
        ...     url.startswith("http://127.0.0.1:")
        True
    """
    inbox: queue.Queue[tuple[str, bytes]] = queue.Queue()
    handler = type("Receiver", (_Receiver,), {"inbox": inbox})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", inbox
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def record_scenario(name: str, directory: str | os.PathLike[str]) -> Path:
    """Record one scenario from a fresh sandbox into ``<directory>/<name>.yaml``.

    The flow runs live; its outcome must equal ``scenario.expected`` or nothing is written.

    Args:
        name: the scenario.
        directory: where to write the cassette.

    Returns:
        The cassette's path.

    Raises:
        RecordingError: the live outcome differs from the expected one.

    Example:
        >>> record_scenario("api-key-valid", "cassettes")
        PosixPath('cassettes/api-key-valid.yaml')
    """
    from oncehub_nb.sandbox import Sandbox
    from oncehub_nb.sandbox._times import FIXED_ANCHOR

    scenario = _scenario(name)
    target = Path(directory) / f"{name}.yaml"
    partial = target.with_name(f".{name}.recording.yaml")
    partial.unlink(missing_ok=True)
    # The sandbox runs on the scenario's clock, with its data anchored to the same instant:
    # every time it writes (a cancel's last_updated_time, a webhook's signature time) is the
    # same on every run, whatever today's date.
    clock = ReplayClock()
    with contextlib.ExitStack() as stack:
        sb = stack.enter_context(Sandbox(**scenario.sandbox, anchor=FIXED_ANCHOR, clock=clock))
        sb.oauth.devices.clock = clock  # device-code intervals and expiry on the same clock
        sb.oauth.devices.new_user_code = replay_user_codes(name)
        receiver = stack.enter_context(webhook_receiver()) if name.startswith("webhook") else None
        hosts = {sb.root_url: REPLAY_ROOT}
        if receiver is not None:
            hosts[receiver[0]] = REPLAY_RECEIVER
        scrubber = Scrubber(hosts=hosts)
        scrubber.learn("API_KEY", sb.api_key)
        scrubber.learn("API_KEY", sb.no_plan_api_key)
        for kind, client_id in CLIENT_IDS.items():
            settings = sb.oauth_settings(kind)
            if settings["client_id"] != client_id:
                raise RecordingError(f"the sandbox's {kind} client is now {settings['client_id']}")
            scrubber.learn("CLIENT_SECRET", settings["client_secret"] or "")
        with make_vcr(scrubber).use_cassette(str(partial), record_mode="all") as cassette:
            hook = None if receiver is None else (receiver[0] + "/hook", receiver[1])
            ctx = FlowContext(name, sandbox=sb, cassette=cassette, receiver=hook, clock=clock)
            outcome = scenario.run(ctx)
            if receiver is not None:
                # The sandbox delivers webhooks from a thread of its own, so a delivery may be
                # recorded before or after the client's last exchange. Deliveries go last (a
                # stable sort keeps their order) so that re-recording gives the same file.
                targets = (receiver[0], REPLAY_RECEIVER)
                cassette.data.sort(key=lambda pair: str(pair[0].uri).startswith(targets))
    if outcome != scenario.expected:
        partial.unlink(missing_ok=True)
        raise RecordingError(f"{name}: live outcome {outcome} != expected {scenario.expected}")
    partial.replace(target)
    return target

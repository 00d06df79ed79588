"""The pytest plugin ``oncehub_nb`` (entry point ``pytest11``): fixtures for recorded flows.

Fixtures:

* ``oncehub_replay``: ``oncehub_replay("refresh-rotation")`` gives a
  :class:`~oncehub_nb.testing.Replay` wired to that recorded scenario (its ``hub`` is a client
  whose requests are answered from the cassette; anything not recorded raises).
* ``oncehub_vcr_config``: the scrubbing VCR configuration; return it from your own
  ``vcr_config`` fixture to record your own cassettes with pytest-recording, against the
  sandbox or against your real account. Recorded against anything but ``oncehub_sandbox``,
  personal data (emails, names, phone numbers, free text) becomes stable fakes too, and after
  the test every cassette it wrote is scanned: a secret or personal value left in it fails
  the test and the cassette is deleted.
* ``oncehub_sandbox``: a running local sandbox (knobs from ``@pytest.mark.oncehub_sandbox``).

With pytest-recording's ``--record-mode=all`` (or ``rewrite``), ``oncehub_replay`` first
re-records the scenario from a fresh sandbox into the test's cassette folder, then replays that.
``--block-network`` blocks 127.0.0.1 too: pass ``--allowed-hosts=127.0.0.1`` for tests that use
``oncehub_sandbox`` or re-record.

This module imports nothing heavy (no pandas, vcrpy or Flask) until a fixture is used.

Example:
    .. code-block:: python

        def test_my_report_survives_a_token_refresh(oncehub_replay):
            replay = oncehub_replay("refresh-rotation")
            hub = replay.hub                 # signed in from the cassette
            hub.validate()
            replay.clock.advance(3570)       # 30 s before expiry: the next call refreshes
            assert hub.validate()
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from oncehub_nb.sandbox import Sandbox
    from oncehub_nb.testing._cassettes import Replay

__all__ = [
    "oncehub_replay",
    "oncehub_sandbox",
    "oncehub_vcr_config",
    "pytest_configure",
    "pytest_recording_configure",
]

_RECORDING_MODES = {"all", "rewrite"}


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``oncehub_sandbox`` marker."""
    config.addinivalue_line(
        "markers", "oncehub_sandbox(**knobs): keyword arguments of the oncehub_sandbox fixture"
    )


@pytest.hookimpl(optionalhook=True)
def pytest_recording_configure(config: pytest.Config, vcr: Any) -> None:
    """Register the ``oncehub`` request matcher with pytest-recording's VCR."""
    from oncehub_nb.testing._cassettes import match_credentials

    vcr.register_matcher("oncehub", match_credentials)


@pytest.fixture
def oncehub_vcr_config(request: pytest.FixtureRequest) -> Iterator[dict[str, Any]]:
    """The scrubbing VCR configuration (a fresh scrubber per test).

    When the test also uses ``oncehub_sandbox``, that sandbox's random address is written as
    ``https://sandbox.invalid``, so the cassette replays whatever port the next run gets. When
    it does not (a real account), personal data is replaced by stable fakes as well, and each
    cassette the test wrote (with ``--record-mode`` other than ``none``) is scanned afterwards
    for secrets and personal data: a finding fails the test and deletes that cassette.

    Example:
        .. code-block:: python

            @pytest.fixture
            def vcr_config(oncehub_vcr_config):
                return oncehub_vcr_config
    """
    from oncehub_nb.testing._cassettes import vcr_config
    from oncehub_nb.testing._context import REPLAY_ROOT
    from oncehub_nb.testing._personal import PersonalData
    from oncehub_nb.testing._scrub import Scrubber

    hosts = {}
    people: PersonalData | None = None
    if "oncehub_sandbox" in request.fixturenames:
        hosts[request.getfixturevalue("oncehub_sandbox").root_url] = REPLAY_ROOT
    else:
        people = PersonalData()
    scrubber = Scrubber(hosts=hosts, personal=people)
    folder = _cassette_folder(request) if people is not None else None
    before = _snapshot(folder)
    yield vcr_config(scrubber)
    if folder is not None and people is not None and _record_mode(request) != "none":
        written = [path for path, stamp in _snapshot(folder).items() if before.get(path) != stamp]
        _scan_written(written, people=people, secrets=list(scrubber.secrets))


def _cassette_folder(request: pytest.FixtureRequest) -> Path | None:
    try:
        return Path(request.getfixturevalue("vcr_cassette_dir"))
    except pytest.FixtureLookupError:  # pytest-recording is not installed: nothing recorded
        return None


def _snapshot(folder: Path | None) -> dict[Path, tuple[int, int, int]]:
    """Each cassette's (inode, size, mtime): what changed is what the test wrote.

    Compared as stamps, not against the clock: file times come from the file system's clock,
    which need not agree with this process's (a shifted clock in tests, a network disk).
    """
    if folder is None or not folder.is_dir():
        return {}
    found = {}
    for path in folder.glob("*.yaml"):
        info = path.stat()
        found[path] = (info.st_ino, info.st_size, info.st_mtime_ns)
    return found


def _scan_written(written: list[Path], *, people: Any, secrets: list[str]) -> None:
    """Scan (and finish) the cassettes this test wrote; fail the test on a finding."""
    from oncehub_nb.testing._live import check_recording

    for cassette in sorted(written):
        findings = check_recording(cassette, people=people, secrets=secrets, env=os.environ)
        if findings:
            cassette.unlink()
            shown = "\n  ".join(str(f) for f in findings[:10])
            pytest.fail(
                f"{cassette.name} held {len(findings)} secret or personal value(s) and was "
                f"deleted (values masked):\n  {shown}",
                pytrace=False,
            )


@pytest.fixture
def oncehub_sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """A local OnceHub sandbox on 127.0.0.1 (60 bookings, seed 7, no rate limit by default).

    Its data is anchored to 2026-06-01 (``ONCEHUB_SANDBOX_ANCHOR`` or the marker's ``anchor=``
    overrides it) and its clock runs from there, so a test sees the same bookings, the same
    statuses and the same "now" on any day it runs.

    Example:
        .. code-block:: python

            @pytest.mark.oncehub_sandbox(bookings=10)
            def test_key(oncehub_sandbox):
                assert oncehub_sandbox.api_key
    """
    from oncehub_nb.sandbox import Sandbox
    from oncehub_nb.sandbox._times import ANCHOR_ENV, FIXED_ANCHOR

    marker = request.node.get_closest_marker("oncehub_sandbox")
    knobs: dict[str, Any] = {"bookings": 60, "seed": 7, "rate_limit": False}
    knobs["anchor"] = os.environ.get(ANCHOR_ENV) or FIXED_ANCHOR
    knobs.update(marker.kwargs if marker is not None else {})
    with Sandbox(**knobs) as sb:
        yield sb


def _record_mode(request: pytest.FixtureRequest) -> str:
    try:
        return str(request.config.getoption("--record-mode") or "none")
    except ValueError:  # pytest-recording is not installed
        return "none"


@pytest.fixture
def oncehub_replay(request: pytest.FixtureRequest) -> Iterator[Callable[..., Replay]]:
    """Open a recorded scenario: ``oncehub_replay(name, path=None)`` returns its Replay.

    Example:
        .. code-block:: python

            def test_paged(oncehub_replay):
                frame = oncehub_replay("bookings-paged").hub.bookings.to_frame(progress=False)
    """
    from oncehub_nb.testing._cassettes import record_scenario, replay

    mode = _record_mode(request)
    with contextlib.ExitStack() as stack:

        def open_replay(name: str, *, path: str | Path | None = None) -> Replay:
            if path is None and mode in _RECORDING_MODES:
                folder = Path(str(request.node.path)).parent / "cassettes"
                path = record_scenario(name, folder)
            return stack.enter_context(replay(name, path=path))

        yield open_replay

"""Shared fixtures: sandboxes on 127.0.0.1 and clients wired to them."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from oncehub_nb import OnceHub
from oncehub_nb.sandbox import Sandbox
from oncehub_nb.sandbox._times import ANCHOR_ENV, FIXED_ANCHOR, iso

# Every sandbox of the suite (and of the CLI processes and notebook kernels it starts, which
# inherit the environment) places its data around one fixed present and runs its clock from
# there, so no expectation depends on the day the suite runs (.ci/run also runs it 400 days on).
os.environ[ANCHOR_ENV] = iso(FIXED_ANCHOR)


@pytest.fixture(scope="session")
def sandbox() -> Iterator[Sandbox]:
    """A shared read-mostly sandbox: 1,050 bookings, rate limits scaled 100x faster."""
    with Sandbox(bookings=1050, seed=7, time_scale=0.01) as sb:
        yield sb


@pytest.fixture
def make_sandbox() -> Iterator[Callable[..., Sandbox]]:
    """Start a fresh sandbox with the given knobs; stopped after the test."""
    started: list[Sandbox] = []

    def make(**kwargs: Any) -> Sandbox:
        sb = Sandbox(**kwargs)
        sb.start()
        started.append(sb)
        return sb

    yield make
    for sb in started:
        sb.stop()


def client_for(sb: Sandbox, **settings: Any) -> OnceHub:
    """A client on a sandbox, keeping under exactly the limits that sandbox enforces."""
    settings.setdefault("rate_limit", sb.rate_limit)
    settings.setdefault("backoff_base", 0.01)
    # One cursor walk unless a test asks for more: the suite's request counts are one walk's,
    # and on a busy machine a loopback page can look slow enough to slice (tests/test_sliced_*).
    settings.setdefault("max_walks", 1)
    return OnceHub(api_key=sb.api_key, api_base=sb.base_url, env={}, **settings)


@pytest.fixture
def hub(sandbox: Sandbox) -> Iterator[OnceHub]:
    """A client on the shared sandbox."""
    with client_for(sandbox) as client:
        yield client


@pytest.fixture(autouse=True)
def _own_token_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: Any) -> None:
    """Each test gets an empty token folder: nothing signs in as a leftover of another test."""
    monkeypatch.setenv("ONCEHUB_TOKEN_DIR", str(tmp_path_factory.mktemp("tokens")))


@pytest.fixture(autouse=True)
def _own_cache_folder(tmp_path_factory: pytest.TempPathFactory, monkeypatch: Any) -> None:
    """Each test gets an empty cache folder, so no rate-limit budget outlives its test.

    A later test's sandbox may get a port an earlier one had, hence the same API base and the
    same shared budget file: without this, requests (or a 429's slow-down) of one test would
    count against the next. Processes a test starts inherit the folder.
    """
    monkeypatch.setenv("ONCEHUB_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture(autouse=True)
def _dlt_offline(tmp_path_factory: pytest.TempPathFactory, monkeypatch: Any) -> None:
    """dlt (oncehub_nb.dlt) sends no telemetry and keeps its files in a temporary folder."""
    folder = tmp_path_factory.mktemp("dlt")
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    monkeypatch.setenv("DLT_DATA_DIR", str(folder))
    monkeypatch.setenv("DLT_PROJECT_DIR", str(folder))

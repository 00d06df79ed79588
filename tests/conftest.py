"""Shared fixtures: sandboxes on 127.0.0.1 and clients wired to them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from oncehub_nb import OnceHub
from oncehub_nb.sandbox import Sandbox


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
    settings.setdefault("rate_limits", tuple(sb.rate_limits) or None)
    if settings["rate_limits"] is None:
        del settings["rate_limits"]
    settings.setdefault("backoff_base", 0.01)
    return OnceHub(api_key=sb.api_key, api_base=sb.base_url, env={}, **settings)


@pytest.fixture
def hub(sandbox: Sandbox) -> Iterator[OnceHub]:
    """A client on the shared sandbox."""
    with client_for(sandbox) as client:
        yield client

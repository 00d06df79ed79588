"""Doctest fixtures: the package's docstring examples run against a real local sandbox.

Every example that says ``hub.bookings...`` runs here: ``hub`` is a client on a sandbox (60
bookings, seed 7, anchored to 2026-06-01, no rate limit) started once per test session, and
``sb`` that sandbox. The names below are the ones the examples use.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session", autouse=True)
def _session_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The shared rate-limit budgets of the run live in a temporary folder, not the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ONCEHUB_CACHE_DIR", str(tmp_path_factory.mktemp("session-cache")))
        yield


@pytest.fixture(scope="session", autouse=True)
def _doctest_objects(
    doctest_namespace: dict[str, Any], _session_cache_folder: None
) -> Iterator[None]:
    from oncehub_nb import OnceHub
    from oncehub_nb.auth import MemoryTokenStore, OAuthConfig
    from oncehub_nb.sandbox import Sandbox
    from oncehub_nb.sandbox._times import FIXED_ANCHOR

    with Sandbox(bookings=60, seed=7, rate_limit=False, anchor=FIXED_ANCHOR) as sb:
        hub = OnceHub(api_key=sb.api_key, api_base=sb.base_url, env={})
        doctest_namespace.update(
            hub=hub,
            sb=sb,
            transport=hub.transport,
            config=OAuthConfig(**sb.oauth_settings("public")),
            store=MemoryTokenStore(),
            OnceHub=OnceHub,
        )
        yield
        hub.close()

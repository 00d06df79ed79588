"""Doctest fixtures: the package's docstring examples run against a real local sandbox.

Every example that says ``hub.bookings...`` runs here: ``hub`` is a client on a sandbox (60
bookings, seed 7, anchored to 2026-06-01, no rate limit) started once per test session, and
``sb`` that sandbox. The modules in :data:`WRITING_MODULES` change data (cancel, create,
delete ...): each gets a fresh sandbox of the same seed for its own examples, so no example
sees another module's changes. Every doctest module runs in a temporary folder of its own
(examples that write ``bookings.parquet`` write it there, and dlt keeps its files there, with its
telemetry off).

The names the examples use: ``hub``, ``sb``, ``transport`` (the client's), ``config`` (the
sandbox's public OAuth app), ``store`` (a memory token store, empty at the start of each
module), ``flow`` (a sign-in of that app into ``store``) and ``OnceHub``.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from _pytest.doctest import DoctestModule

from oncehub_nb.sandbox._times import ANCHOR_ENV, FIXED_ANCHOR, iso

# The same present as tests/conftest.py: a Sandbox() an example starts itself places its data
# around it too, whether or not tests/ is part of the run.
os.environ[ANCHOR_ENV] = iso(FIXED_ANCHOR)

_stopping: list[threading.Thread] = []

#: Doctest modules whose examples change the sandbox's data; each gets a sandbox of its own.
WRITING_MODULES = frozenset(
    {
        "oncehub_nb/resources/bookings.py",
        "oncehub_nb/resources/booking_calendars.py",
        "oncehub_nb/resources/contacts.py",
        "oncehub_nb/resources/users.py",
        "oncehub_nb/resources/webhooks.py",
        "oncehub_nb/frames/sync.py",
    }
)


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Keep each file's items together, in the order pytest-randomly left them.

    pytest-randomly shuffles module by module, but a doctest item has no ``module``, so it
    shuffles every doctest of the package as one group: a module's fixtures (its sandbox) would
    then be torn down and set up again at each switch of module.
    """
    first: dict[object, int] = {}
    for index, item in enumerate(items):
        first.setdefault(item.path, index)
    items.sort(key=lambda item: first[item.path])


@pytest.fixture(scope="session", autouse=True)
def _session_cache_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The shared rate-limit budgets of the run live in a temporary folder, not the user's."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ONCEHUB_CACHE_DIR", str(tmp_path_factory.mktemp("session-cache")))
        yield


def _sandbox_objects(sb: Any) -> dict[str, Any]:
    """The namespace entries that belong to one sandbox: a client on it, its OAuth app ..."""
    from oncehub_nb import OnceHub
    from oncehub_nb.auth import OAuthConfig

    hub = OnceHub(api_key=sb.api_key, api_base=sb.base_url, env={}, rate_limit=False)
    config = OAuthConfig(**sb.oauth_settings("public"))
    return {"hub": hub, "sb": sb, "transport": hub.transport, "config": config}


def _fresh_sign_in(config: Any) -> dict[str, Any]:
    """An empty memory ``store`` and a ``flow`` of the sandbox's public app into it."""
    from oncehub_nb.auth import AuthorizationFlow, MemoryTokenStore

    store = MemoryTokenStore()
    return {"store": store, "flow": AuthorizationFlow(config, store=store)}


def _stop_later(sb: Any) -> None:
    thread = threading.Thread(target=sb.stop)
    thread.start()
    _stopping.append(thread)


def _sandbox() -> Any:
    from oncehub_nb.sandbox import Sandbox

    return Sandbox(bookings=60, seed=7, rate_limit=False, anchor=FIXED_ANCHOR)


@pytest.fixture(scope="session", autouse=True)
def _doctest_objects(
    doctest_namespace: dict[str, Any], _session_cache_folder: None
) -> Iterator[None]:
    from oncehub_nb import OnceHub

    with _sandbox() as sb:
        objects = _sandbox_objects(sb)
        doctest_namespace.update(objects, **_fresh_sign_in(objects["config"]), OnceHub=OnceHub)
        yield
        objects["hub"].close()
        for thread in _stopping:
            thread.join()


@pytest.fixture(scope="module", autouse=True)
def _doctest_module_room(
    request: pytest.FixtureRequest,
    doctest_namespace: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
    _doctest_objects: None,
) -> Iterator[None]:
    """Each doctest module: a folder of its own, a fresh ``store`` and ``flow``.

    A module of :data:`WRITING_MODULES` also gets a sandbox of its own, and ``OnceHub.from_env()``
    finds it (``ONCEHUB_API_KEY`` and ``ONCEHUB_API_BASE``).
    """
    if not isinstance(request.node, DoctestModule):
        yield
        return
    module = request.node.path.relative_to(request.config.rootpath).as_posix()
    saved = dict(doctest_namespace)
    with contextlib.ExitStack() as stack:
        patch = stack.enter_context(pytest.MonkeyPatch.context())
        room = tmp_path_factory.mktemp("doctest-cwd")
        patch.chdir(room)
        # oncehub_nb.dlt's examples: dlt sends no telemetry and keeps its files in the room.
        patch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
        patch.setenv("DLT_DATA_DIR", str(room / "dlt"))
        patch.setenv("DLT_PROJECT_DIR", str(room / "dlt"))
        if module in WRITING_MODULES:
            sb = _sandbox().start()
            # Stopped in the background (a stop waits out the server's 0.5 s poll); joined
            # at the end of the session.
            stack.callback(_stop_later, sb)
            objects = _sandbox_objects(sb)
            stack.callback(objects["hub"].close)
            doctest_namespace.update(objects, **_fresh_sign_in(objects["config"]))
            patch.setenv("ONCEHUB_API_KEY", sb.api_key)
            patch.setenv("ONCEHUB_API_BASE", sb.base_url)
            patch.setenv("ONCEHUB_RATE_LIMIT", "off")
        else:
            doctest_namespace.update(_fresh_sign_in(doctest_namespace["config"]))
        try:
            yield
        finally:
            doctest_namespace.clear()
            doctest_namespace.update(saved)

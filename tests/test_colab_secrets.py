"""The Colab secret lookup, with a stand-in ``google.colab.userdata`` (untested on Colab)."""

from __future__ import annotations

import sys
import threading
import types
from typing import Any

import pytest

from oncehub_nb.auth.stores import MemoryTokenStore
from oncehub_nb.auth.tokens import save_api_key
from oncehub_nb.notebook.connect import Connector
from oncehub_nb.notebook.hosted import colab_secret
from oncehub_nb.sandbox import Sandbox


class FakeUserdata(types.ModuleType):
    def __init__(self, secrets: dict[str, str]) -> None:
        super().__init__("google.colab.userdata")
        self.secrets = secrets
        self.calls: list[str] = []
        self.inside = 0
        self.overlap = False

    def get(self, name: str) -> str:
        self.inside += 1
        self.overlap |= self.inside > 1
        threading.Event().wait(0.005)
        self.calls.append(name)
        self.inside -= 1
        if name not in self.secrets:
            raise KeyError(name)  # Colab raises SecretNotFoundError
        return self.secrets[name]


@pytest.fixture
def colab(monkeypatch: Any) -> FakeUserdata:
    userdata = FakeUserdata({})
    google = types.ModuleType("google")
    package = types.ModuleType("google.colab")
    package.userdata = userdata  # type: ignore[attr-defined]
    google.colab = package  # type: ignore[attr-defined]
    for name, module in (
        ("google", google), ("google.colab", package), ("google.colab.userdata", userdata)
    ):  # fmt: skip
        monkeypatch.setitem(sys.modules, name, module)
    return userdata


def _connector(sb: Sandbox, env: dict[str, str], store: Any = None) -> Connector:
    return Connector(store=store or MemoryTokenStore(), env=env, api_base=sb.base_url)


def test_not_on_colab_nothing_is_asked() -> None:
    assert "google.colab" not in sys.modules
    assert colab_secret() is None


def test_colab_secret_is_tried_after_arguments_and_environment(
    sandbox: Sandbox, colab: FakeUserdata
) -> None:
    colab.secrets["ONCEHUB_API_KEY"] = sandbox.api_key
    # The environment wins: the secret is not even read.
    connector = _connector(sandbox, {"ONCEHUB_API_KEY": sandbox.api_key})
    assert connector.reuse() and colab.calls == []
    assert connector.stored_in == "ONCEHUB_API_KEY (environment)"
    # A stored key wins too.
    store = MemoryTokenStore()
    save_api_key(store, sandbox.base_url, sandbox.api_key)
    assert _connector(sandbox, {}, store).reuse() and colab.calls == []
    # Nothing else: the secret is read (once) before anything asks.
    connector = _connector(sandbox, {})
    assert connector.reuse() and colab.calls == ["ONCEHUB_API_KEY"]
    assert connector.stored_in == "ONCEHUB_API_KEY (Colab secret)"
    assert sandbox.api_key not in repr(connector.hub)


def test_missing_or_wrong_secret_falls_through_to_asking(
    sandbox: Sandbox, colab: FakeUserdata
) -> None:
    assert not _connector(sandbox, {}).reuse()  # not set: Colab raises, nothing connects
    colab.secrets["ONCEHUB_API_KEY"] = "not-the-key-0123456789"
    assert not _connector(sandbox, {}).reuse()


def test_the_lookup_runs_under_a_lock(colab: FakeUserdata) -> None:
    colab.secrets["ONCEHUB_API_KEY"] = "k" * 20
    threads = [threading.Thread(target=colab_secret) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(colab.calls) == 8 and not colab.overlap

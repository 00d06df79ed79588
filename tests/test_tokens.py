"""Token parsing and the token stores (memory, file)."""

from __future__ import annotations

import json
import os
import stat
import threading
from pathlib import Path

import pytest

from oncehub_nb import ConfigurationError, TokenExchangeError
from oncehub_nb.auth import FileTokenStore, MemoryTokenStore, Token
from oncehub_nb.auth.tokens import profile_name

ACCESS = "acc-Zq8bW3nLk2Pp9rTt7Yy0"
REFRESH = "ref-Zq8bW3nLk2Pp9rTt7Yy0"


def test_token_from_response_is_tolerant() -> None:
    token = Token.from_response(
        {
            "access_token": ACCESS,
            "expires_in": "3600",
            "scope": ["read", "write"],
            "token_type": "bearer",
        },
        now=1000.0,
    )
    assert token.expires_at == 4600.0
    assert token.scope == "read write"
    assert token.expires_within(60, now=4540.0)
    assert not token.expires_within(60, now=4539.0)
    kept = Token.from_response(
        {"access_token": "new-" + ACCESS}, now=1.0, previous=Token(ACCESS, REFRESH)
    )
    assert kept.refresh_token == REFRESH
    with pytest.raises(TokenExchangeError, match="access_token"):
        Token.from_response({"token_type": "bearer"})


def test_token_repr_masks_secrets() -> None:
    text = repr(Token(ACCESS, REFRESH, expires_at=0.0))
    assert ACCESS not in text and REFRESH not in text
    assert "acc-…" in text and "1970-01-01T00:00:00Z" in text


def test_for_oauthlib_has_no_expiry() -> None:
    assert Token(ACCESS, REFRESH, expires_at=1.0).for_oauthlib() == {
        "access_token": ACCESS,
        "token_type": "Bearer",
        "refresh_token": REFRESH,
    }


def test_profiles_differ_per_app_and_server() -> None:
    a = profile_name("https://a.example/token", "app")
    assert a != profile_name("https://b.example/token", "app")
    assert a != profile_name("https://a.example/token", "other")


@pytest.mark.parametrize("make", [MemoryTokenStore, lambda: None])
def test_store_round_trip(make: object, tmp_path: Path) -> None:
    store = make() or FileTokenStore(tmp_path / "t")  # type: ignore[operator]
    assert store.load_token("token-x") is None
    token = Token(ACCESS, REFRESH, expires_at=123.0, scope="read")
    store.save_token("token-x", token)
    assert store.load_token("token-x") == token
    store.delete_token("token-x")
    store.delete_token("token-x")
    assert store.load_token("token-x") is None


def test_file_store_modes_from_creation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    os.umask(0o000)  # the most permissive umask: modes must still be tight
    try:
        store = FileTokenStore(tmp_path / "deep" / "tokens")
        created_modes: list[int] = []
        real_replace = os.replace

        def watching_replace(src: str, dst: str) -> None:
            created_modes.append(stat.S_IMODE(os.stat(src).st_mode))
            real_replace(src, dst)

        monkeypatch.setattr(os, "replace", watching_replace)
        store.save_token("token-x", Token(ACCESS, REFRESH))
    finally:
        os.umask(0o022)
    assert created_modes == [0o600]  # the temporary file was 0600 before any byte was written
    assert stat.S_IMODE((tmp_path / "deep" / "tokens").stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / "deep" / "tokens" / "token-x.json").stat().st_mode) == 0o600


def test_file_store_tightens_an_open_directory(tmp_path: Path) -> None:
    folder = tmp_path / "tokens"
    folder.mkdir(mode=0o755)
    os.chmod(folder, 0o755)  # noqa: S103 - the point: an open folder gets tightened
    FileTokenStore(folder).save_token("token-x", Token(ACCESS))
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_damaged_file_is_a_clear_error_and_never_overwritten(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path)
    path = tmp_path / "token-x.json"
    path.write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="damaged"):
        store.load_token("token-x")
    with pytest.raises(ConfigurationError, match="damaged"):
        store.save_token("token-x", Token(ACCESS))
    assert path.read_text(encoding="utf-8") == "{not json"
    path.write_text(json.dumps({"hello": 1}), encoding="utf-8")
    with pytest.raises(ConfigurationError, match="damaged"):
        store.load_token("token-x")


def test_file_store_writes_are_atomic_under_threads(tmp_path: Path) -> None:
    store = FileTokenStore(tmp_path)
    errors: list[BaseException] = []

    def writer(i: int) -> None:
        try:
            for j in range(30):
                with store.lock("token-x"):
                    store.save_token("token-x", Token(f"{ACCESS}-{i}-{j}"))
                assert store.load_token("token-x") is not None
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert not list(tmp_path.glob("*.tmp"))


def test_invalid_record_names_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError):
        FileTokenStore(tmp_path).read("../escape")

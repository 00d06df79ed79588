"""Token records in the operating system's keyring (the ``keyring`` extra).

Example:
    >>> store = KeyringTokenStore()  # doctest: +SKIP
    >>> session = OAuthSession(config, store=store)  # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .._errors import ConfigurationError, MissingDependencyError
from .file_store import default_token_dir
from .tokens import TokenStore

__all__ = ["KeyringTokenStore"]

SERVICE = "oncehub-nb"


def _keyring() -> Any:
    try:
        import keyring
    except ImportError:
        raise MissingDependencyError(
            "The keyring token store needs keyring", extra="keyring"
        ) from None
    return keyring


class KeyringTokenStore(TokenStore):
    """Keeps each record as a password of the ``oncehub-nb`` service in the system keyring.

    Refreshes are serialised across processes with a lock file in the token folder (the lock
    file holds nothing secret).

    Args:
        service: the keyring service name.
        lock_dir: where the lock files go (default: the file store's folder).

    Example:
        >>> KeyringTokenStore().describe()  # doctest: +SKIP
        'system keyring (service oncehub-nb)'
    """

    def __init__(self, service: str = SERVICE, *, lock_dir: str | Path | None = None) -> None:
        self._keyring = _keyring()
        self.service = service
        self._lock_dir = Path(lock_dir) if lock_dir is not None else default_token_dir()
        self._guard = threading.Lock()
        self._thread_locks: dict[str, threading.RLock] = {}

    def read(self, name: str) -> dict[str, Any] | None:  # noqa: D102
        raw = self._keyring.get_password(self.service, name)
        if raw is None:
            return None
        try:
            record = json.loads(raw)
        except ValueError:
            record = None
        if not isinstance(record, dict):
            raise ConfigurationError(
                f"The keyring entry {name!r} of service {self.service!r} is damaged; remove it "
                "(oncehub-nb logout) and sign in again."
            )
        return record

    def write(self, name: str, record: Mapping[str, Any]) -> None:  # noqa: D102
        self._keyring.set_password(self.service, name, json.dumps(dict(record)))

    def delete(self, name: str) -> None:  # noqa: D102
        errors = self._keyring.errors
        with contextlib.suppress(errors.PasswordDeleteError):
            self._keyring.delete_password(self.service, name)

    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[None]:  # noqa: D102
        import filelock

        self._lock_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self._guard:
            thread_lock = self._thread_locks.setdefault(name, threading.RLock())
        lock_path = self._lock_dir / f"{name}.keyring.lock"
        with thread_lock, filelock.FileLock(str(lock_path), mode=0o600, is_singleton=True):
            yield

    def describe(self) -> str:  # noqa: D102
        return f"system keyring (service {self.service})"

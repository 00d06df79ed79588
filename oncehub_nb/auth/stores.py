"""Where tokens and keys are kept: in memory, in private files, or in the system keyring.

* :class:`MemoryTokenStore`: this process only, gone when the kernel restarts.
* :class:`FileTokenStore` (the default): one JSON file per record in the platform config folder,
  created 0600 (folder 0700), replaced atomically, and locked with ``filelock`` so several
  kernels can share a token safely.
* :class:`KeyringTokenStore`: the operating system's keyring (the ``keyring`` extra).

Example:
    >>> import tempfile
    >>> store = FileTokenStore(tempfile.mkdtemp())
    >>> store.describe().startswith("files in ")
    True
    >>> MemoryTokenStore().describe()
    'memory (this process only)'
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from oncehub_nb._errors import ConfigurationError, MissingDependencyError
from oncehub_nb._files import atomic_write
from oncehub_nb.auth.tokens import TokenStore, check_record_name

__all__ = [
    "FileTokenStore",
    "KeyringTokenStore",
    "MemoryTokenStore",
    "default_token_dir",
    "store_or_default",
]

#: Records of started sign-ins: one per attempt, each with its own random name.
PENDING_PREFIX = "pending-"


def _lock_key(name: str) -> str:
    """The lock a record is guarded by: its own, or one shared by all pending sign-ins.

    filelock leaves a lock file in place on release (waiters must share its inode, so deleting
    it would let two holders in), hence one lock file per distinct key stays in the folder.
    Token records are few (one per app and server); pending sign-ins get a fresh name on every
    attempt, so they share one lock: the folder holds a bounded number of lock files, however
    many sign-ins were started or abandoned. Finishing a sign-in holds the lock for
    milliseconds, so sharing it costs nothing noticeable.

    Example:
        >>> _lock_key("pending-app-0123abcd"), _lock_key("token-app-0123")
        ('pending-sign-ins', 'token-app-0123')
    """
    check_record_name(name)
    return "pending-sign-ins" if name.startswith(PENDING_PREFIX) else name


class MemoryTokenStore(TokenStore):
    """Keeps records in this process only; gone when the kernel restarts.

    Example:
        >>> MemoryTokenStore().describe()
        'memory (this process only)'
    """

    def __init__(self) -> None:
        self._records: dict[str, str] = {}
        self._guard = threading.Lock()
        self._locks: dict[str, threading.RLock] = {}

    def read(self, name: str) -> dict[str, Any] | None:  # noqa: D102
        with self._guard:
            raw = self._records.get(check_record_name(name))
        return None if raw is None else dict(json.loads(raw))

    def write(self, name: str, record: Mapping[str, Any]) -> None:  # noqa: D102
        with self._guard:
            self._records[check_record_name(name)] = json.dumps(dict(record))

    def delete(self, name: str) -> None:  # noqa: D102
        with self._guard:
            self._records.pop(check_record_name(name), None)

    def names(self, prefix: str) -> list[str]:  # noqa: D102
        with self._guard:
            return sorted(n for n in self._records if n.startswith(prefix))

    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[None]:  # noqa: D102
        with self._guard:
            lock = self._locks.setdefault(check_record_name(name), threading.RLock())
        with lock:
            yield

    def describe(self) -> str:  # noqa: D102
        return "memory (this process only)"


def private_folder(directory: Path) -> Path:
    """Create (0700) or check the token folder: ours, a real folder, not open to others.

    Raises:
        ConfigurationError: the folder belongs to another user, is not a folder, or cannot be
            made private; the message says which path and what to do.

    Example:
        >>> import tempfile, pathlib
        >>> folder = private_folder(pathlib.Path(tempfile.mkdtemp()) / "tokens")
        >>> oct(folder.stat().st_mode & 0o777)
        '0o700'
    """
    try:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = directory.lstat()
        if not stat.S_ISDIR(info.st_mode):
            raise ConfigurationError(
                f"The token folder {directory} is not a folder (a link or a file). Remove it, "
                "or set ONCEHUB_TOKEN_DIR to another folder."
            )
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            raise ConfigurationError(
                f"The token folder {directory} belongs to another user, so tokens kept there "
                "would not be private. Set ONCEHUB_TOKEN_DIR to a folder of your own."
            )
        if stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(directory, 0o700)
    except OSError as exc:
        raise ConfigurationError(
            f"The token folder {directory} cannot be used ({exc.strerror or exc}). Set "
            "ONCEHUB_TOKEN_DIR to a folder of your own."
        ) from None
    return directory


def _lock_file(path: Path) -> str:
    """The path of a lock file, refused when something else (a link) is already there."""
    if path.is_symlink() or (path.exists() and not path.is_file()):
        raise ConfigurationError(
            f"The lock file {path} is a link or not a file; it was not followed. Remove it and "
            "try again."
        )
    return str(path)


def default_token_dir() -> Path:
    """The default folder of token files: ``<platform config dir>/oncehub-nb/tokens``.

    ``ONCEHUB_TOKEN_DIR`` overrides it.

    Example:
        >>> default_token_dir().name
        'tokens'
    """
    override = os.environ.get("ONCEHUB_TOKEN_DIR", "").strip()
    if override:
        return Path(override).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("oncehub-nb", appauthor=False)) / "tokens"


def store_or_default(store: TokenStore | None) -> TokenStore:
    """``store``, or the default place for credentials: a :class:`FileTokenStore`.

    Example:
        >>> store_or_default(None).describe().startswith("files in ")
        True
    """
    return FileTokenStore() if store is None else store


def _record(text: str, damaged: str) -> dict[str, Any]:
    """The JSON object a stored record holds, or ``ConfigurationError(damaged)``."""
    try:
        record = json.loads(text)
    except ValueError:
        record = None
    if not isinstance(record, dict):
        raise ConfigurationError(damaged)
    return record


class FileTokenStore(TokenStore):
    """One JSON file per record in a private folder; safe to share between kernels.

    Files are created with mode 0600 by ``os.open`` (never wider, not even for an instant), in a
    folder of mode 0700, written to a temporary file and moved into place atomically. A file
    lock (``filelock``) serialises refreshes between processes. A damaged file raises an error
    naming it and is never silently overwritten.

    Args:
        directory: the folder (default: :func:`default_token_dir`).

    Example:
        >>> import tempfile, pathlib
        >>> store = FileTokenStore(pathlib.Path(tempfile.mkdtemp()) / "tokens")
        >>> store.write("token-demo", {"access_token": "x" * 20})
        >>> oct((store.directory / "token-demo.json").stat().st_mode & 0o777)
        '0o600'
    """

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_token_dir()
        self._thread_locks: dict[str, threading.RLock] = {}
        self._guard = threading.Lock()

    def _ensure_dir(self) -> None:
        private_folder(self.directory)

    def path(self, name: str) -> Path:
        """The file of a record."""
        return self.directory / f"{check_record_name(name)}.json"

    def read(self, name: str) -> dict[str, Any] | None:  # noqa: D102
        path = self.path(name)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise ConfigurationError(f"Cannot read the token file {path}: {exc.strerror}") from None
        return _record(
            text,
            f"The token file {path} is damaged (not a JSON object). It was left as it is: "
            "remove it (oncehub-nb logout) and sign in again.",
        )

    def write(self, name: str, record: Mapping[str, Any]) -> None:  # noqa: D102
        self._ensure_dir()
        path = self.path(name)
        if path.exists():
            self.read(name)  # refuse to overwrite a damaged file silently
        text = json.dumps(dict(record))
        atomic_write(path, lambda temp: temp.write_text(text, encoding="utf-8"), mode=0o600)

    def delete(self, name: str) -> None:  # noqa: D102
        with contextlib.suppress(FileNotFoundError):
            self.path(name).unlink()

    def names(self, prefix: str) -> list[str]:  # noqa: D102
        if not self.directory.is_dir():
            return []
        return sorted(p.stem for p in self.directory.glob("*.json") if p.stem.startswith(prefix))

    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[None]:  # noqa: D102
        import filelock

        self._ensure_dir()
        key = _lock_key(name)
        with self._guard:
            thread_lock = self._thread_locks.setdefault(key, threading.RLock())
        lock_path = _lock_file(self.directory / f"{key}.json.lock")
        with thread_lock, filelock.FileLock(lock_path, mode=0o600, is_singleton=True):
            yield

    def describe(self) -> str:  # noqa: D102
        return f"files in {self.directory}"


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
        >>> KeyringTokenStore().describe()  # nothing is read or written yet
        'system keyring (service oncehub-nb)'
    """

    def __init__(self, service: str = SERVICE, *, lock_dir: str | Path | None = None) -> None:
        self._keyring = _keyring()
        self.service = service
        self._lock_dir = Path(lock_dir) if lock_dir is not None else default_token_dir()
        self._guard = threading.Lock()
        self._thread_locks: dict[str, threading.RLock] = {}

    def _call(self, action: str, func: Any, *args: Any) -> Any:
        try:
            return func(*args)
        except self._keyring.errors.KeyringError as exc:
            raise ConfigurationError(
                f"The system keyring could not {action} ({type(exc).__name__}: {exc}). Install "
                "or unlock a keyring backend, or keep tokens in files (FileTokenStore, the "
                "default)."
            ) from None

    def read(self, name: str) -> dict[str, Any] | None:  # noqa: D102
        raw = self._call("read a token", self._keyring.get_password, self.service, name)
        if raw is None:
            return None
        return _record(
            raw,
            f"The keyring entry {name!r} of service {self.service!r} is damaged; remove it "
            "(oncehub-nb logout) and sign in again.",
        )

    def write(self, name: str, record: Mapping[str, Any]) -> None:  # noqa: D102
        payload = json.dumps(dict(record))
        self._call("save a token", self._keyring.set_password, self.service, name, payload)

    def delete(self, name: str) -> None:  # noqa: D102
        try:
            self._keyring.delete_password(self.service, name)
        except self._keyring.errors.PasswordDeleteError:
            return  # nothing stored under that name
        except self._keyring.errors.KeyringError as exc:
            raise ConfigurationError(
                f"The system keyring could not delete a token ({type(exc).__name__}: {exc})."
            ) from None

    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[None]:  # noqa: D102
        import filelock

        private_folder(self._lock_dir)
        key = _lock_key(name)
        with self._guard:
            thread_lock = self._thread_locks.setdefault(key, threading.RLock())
        lock_path = _lock_file(self._lock_dir / f"{key}.keyring.lock")
        with thread_lock, filelock.FileLock(lock_path, mode=0o600, is_singleton=True):
            yield

    def describe(self) -> str:  # noqa: D102
        return f"system keyring (service {self.service})"

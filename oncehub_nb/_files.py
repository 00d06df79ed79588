"""Atomic file writes: the SDK's one way to replace a file (token records and exports alike).

The content goes to a new, unique file beside the target (``O_EXCL``), is flushed to disk, and
is moved over the target with :func:`os.replace`, so a reader, or a crash, never sees half a
file. The new file is created with ``mode`` less the umask: ``0o600`` for token records (never
wider, not even for an instant), ``0o666`` for exports (data a colleague may read, like any
new file). A leaf: it imports nothing of the package.

Example:
    >>> import pathlib, stat, tempfile
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.json"
    >>> atomic_write(target, lambda p: p.write_text("{}"), mode=0o600).read_text()
    '{}'
    >>> oct(stat.S_IMODE(target.stat().st_mode))
    '0o600'
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["atomic_write"]


def _new_file(target: Path, mode: int) -> Path:
    # tempfile.mkstemp always creates 0600 files (right for secrets, wrong for an export);
    # os.open with the mode asked lets the kernel apply the umask, as for any new file.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
        try:
            os.close(os.open(temp, flags, mode))
        except FileExistsError:
            continue
        return temp
    raise FileExistsError(f"no free temporary name beside {target}")  # pragma: no cover


def atomic_write(
    path: str | os.PathLike[str], write: Callable[[Path], Any], *, mode: int = 0o666
) -> Path:
    """Call ``write(temp_path)``, flush it to disk, then move it over ``path``.

    Args:
        path: the target file (its directory must exist).
        write: writes the whole file at the path it is given.
        mode: the new file's permissions before the umask (``0o600`` for secrets).

    Returns:
        The target path.
    """
    target = Path(path)
    temp = _new_file(target, mode)
    try:
        write(temp)
        with open(temp, "rb+") as handle:  # the data is on disk before the name points at it
            os.fsync(handle.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target

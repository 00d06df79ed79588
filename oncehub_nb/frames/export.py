"""Writing frames to files: Parquet or CSV by suffix, always atomically.

A file is written to a temporary name in the same directory and moved over the target with
:func:`os.replace`, so a reader (or a crash) never sees half a file. Exports are data, not
secrets: the file gets the permissions of any new file (``0o666`` less the umask, usually
``0o644``), not the owner-only ``0o600`` of a temporary file. List columns (``attendees`` ...)
are written as JSON text, which both formats can hold whatever the items are.

Example:
    >>> write_frame(hub.bookings.to_frame(), "bookings.parquet")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncehub_nb._errors import ConfigurationError

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORMATS", "atomic_write", "json_lists", "write_frame"]

#: File suffix -> format name.
FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


def _new_file(target: Path) -> Path:
    """Create an empty, unique temporary file beside ``target``, honouring the umask.

    :func:`tempfile.mkstemp` always creates files 0600 (right for secrets, wrong for an
    export a colleague should be able to read); ``os.open`` with mode 0666 lets the kernel
    apply the umask, exactly as for any file a program creates. ``O_EXCL`` keeps the
    name unique, like ``mkstemp``.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temp = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
        try:
            os.close(os.open(temp, flags, 0o666))
        except FileExistsError:
            continue
        return temp
    raise FileExistsError(f"no free temporary name beside {target}")  # pragma: no cover


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call ``write(temp_path)`` then move the temporary file over ``path``.

    The file is created with the usual permissions of a new file (``0o666`` less the umask).

    Args:
        path: the target file (its directory must exist).
        write: writes the whole file at the path it is given.

    Returns:
        The target path.

    Example:
        >>> import pathlib, tempfile
        >>> target = pathlib.Path(tempfile.mkdtemp()) / "x.txt"
        >>> atomic_write(target, lambda p: p.write_text("hi")).read_text()
        'hi'
    """
    target = Path(path)
    temp = _new_file(target)
    try:
        write(temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target


def json_lists(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Turn list columns into JSON text (for files); returns the frame and those columns.

    Args:
        frame: a frame with object columns holding lists.

    Returns:
        ``(new frame, names of the converted columns)``.

    Example:
        >>> import pandas as pd
        >>> json_lists(pd.DataFrame({"a": [["x"]]}))[0]["a"].tolist()
        ['["x"]']
    """
    import pandas as pd

    converted: dict[str, Any] = {}
    for name in frame.columns:
        values = frame[name].tolist()
        if frame[name].dtype == object and any(isinstance(v, list) for v in values):
            texts = [json.dumps(v, default=str) if isinstance(v, list) else None for v in values]
            converted[name] = pd.Series(texts, index=frame.index, dtype="string")
    return frame.assign(**converted), sorted(converted)


def write_frame(frame: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write a frame to ``.parquet`` or ``.csv`` (chosen by the suffix), atomically.

    Args:
        frame: the frame (e.g. from ``to_frame()``).
        path: where to write; the suffix picks the format.

    Returns:
        The path written.

    Raises:
        ConfigurationError: the suffix is not ``.parquet``, ``.pq`` or ``.csv``.

    Example:
        >>> write_frame(hub.bookings.to_frame(), "out.csv")  # doctest: +SKIP
    """
    target = Path(path)
    kind = FORMATS.get(target.suffix.lower())
    if kind is None:
        raise ConfigurationError(
            f"Cannot tell the format of {str(target)!r}: use a .parquet or .csv file name"
        )
    flat, _ = json_lists(frame)
    if kind == "parquet":
        return atomic_write(target, lambda p: flat.to_parquet(p, index=False))
    return atomic_write(target, lambda p: flat.to_csv(p, index=False))

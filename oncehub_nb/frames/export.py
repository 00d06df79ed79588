"""Writing frames to files: Parquet or CSV by suffix, always atomically.

A file is written to a temporary name in the same directory and moved over the target with
:func:`os.replace`, so a reader (or a crash) never sees half a file. Exports are data, not
secrets: the file gets the permissions of any new file (``0o666`` less the umask, usually
``0o644``), not the owner-only ``0o600`` of a temporary file. List columns (``attendees`` ...)
are written as JSON text, which both formats can hold whatever the items are.

Example:
    >>> import pandas as pd
    >>> path = write_frame(hub.bookings.to_frame(), "bookings.parquet")
    >>> path.name, pd.read_parquet(path).shape
    ('bookings.parquet', (60, 49))
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from oncehub_nb._errors import ConfigurationError
from oncehub_nb._files import atomic_write

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["FORMATS", "json_lists", "write_frame"]

#: File suffix -> format name.
FORMATS = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv"}


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
        >>> path = write_frame(hub.bookings.to_frame(), "out.csv")
        >>> path.read_text().splitlines()[0][:40]
        'id,tracking_id,subject,status,in_trash,c'
        >>> write_frame(hub.bookings.to_frame(), "out.xlsx")
        Traceback (most recent call last):
        ...
        oncehub_nb.ConfigurationError: Cannot tell the format of 'out.xlsx': use a .parquet or ...
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

"""Incremental sync of bookings to a local Parquet file.

The file is the typed bookings frame (list columns as JSON text) with this module's metadata
stored inside the Parquet schema under ``oncehub_nb.sync``::

    {"format": 1, "schema": "<hash of the columns>", "api_base": "https://api.oncehub.com/v2",
     "newest_update": "2026-05-02T21:18:19.317Z" | null, "synced_at": "...Z",
     "json_columns": ["attendees", ...]}

A call with no file (or one written for other columns) pulls everything. Otherwise it asks for
``last_updated_time.gt = newest_update - overlap`` and upserts the answer by ``id``; the
overlap absorbs clock skew and the upsert makes the re-fetched rows harmless. Data from another
API base is refused. Writes are atomic (temporary file, then :func:`os.replace`).

If a pull stops early (Ctrl-C, an error after retries), what arrived is still upserted and
saved, but ``newest_update`` is not advanced: the next call asks again from the old point, so no
change can be skipped.

Example:
    >>> frame = hub.bookings.sync("bookings.parquet", progress=False)  # the first: everything
    >>> len(frame)
    60
    >>> hub.bookings.cancel("BKNG-C6UGYJINSYC0")["status"]
    'canceled'
    >>> frame = hub.bookings.sync("bookings.parquet", progress=False)  # only what changed
    >>> len(frame), frame.set_index("id").loc["BKNG-C6UGYJINSYC0", "status"]
    (60, 'canceled')
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from oncehub_nb._errors import ConfigurationError, PullInterrupted
from oncehub_nb._files import atomic_write
from oncehub_nb.frames.build import Column, conform, records_to_frame
from oncehub_nb.frames.export import json_lists

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["META_KEY", "SyncSource", "read_sync_file", "schema_version", "sync_bookings"]


class SyncSource(Protocol):
    """What a sync needs of a resource (``hub.bookings`` is one): its columns and its pulls.

    The data layer does no HTTP itself: the resource pulls, the sync merges and stores.
    """

    @property
    def columns(self) -> tuple[Column, ...]:
        """The frame's columns."""

    @property
    def api_base(self) -> str:
        """The API the records come from (a file holds one API base's data)."""

    def pull(
        self,
        filters: Mapping[str, Any],
        *,
        build: Callable[[list[dict[str, Any]]], Any],
        progress: bool | None,
        done: list[dict[str, Any]],
    ) -> Any:
        """Collect the records matching ``filters`` into ``build(records)``."""


META_KEY = b"oncehub_nb.sync"
FORMAT = 1


def schema_version(columns: tuple[Column, ...]) -> str:
    """A short hash of the column names and kinds: a changed schema means a full pull.

    Args:
        columns: the schema.

    Returns:
        12 hex digits.

    Example:
        >>> schema_version((Column("id", "string"),))
        '7b4940e3f23d'
    """
    text = ";".join(f"{c.name}:{c.kind}" for c in columns)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def read_sync_file(
    path: Path, columns: tuple[Column, ...]
) -> tuple[pd.DataFrame | None, dict[str, Any]]:
    """Read a sync file: the typed frame and its metadata (``(None, {})`` when absent).

    Args:
        path: the Parquet file.
        columns: the schema to give the frame.

    Returns:
        ``(frame, metadata)``.

    Raises:
        ConfigurationError: the file exists but was not written by ``sync()``.

    Example:
        >>> read_sync_file(Path("missing.parquet"), ())
        (None, {})
    """
    if not path.exists():
        return None, {}
    import pandas as pd
    import pyarrow.parquet as pq

    try:
        meta_raw = (pq.read_schema(path).metadata or {}).get(META_KEY)
    except Exception as exc:  # pyarrow raises several types for unreadable files
        raise ConfigurationError(f"{str(path)!r} is not a readable Parquet file: {exc}") from exc
    if meta_raw is None:
        raise ConfigurationError(
            f"{str(path)!r} was not written by sync() (no {META_KEY.decode()} metadata); "
            "choose another path"
        )
    meta: dict[str, Any] = json.loads(meta_raw)
    frame = pd.read_parquet(path)
    for name in meta.get("json_columns", []):
        if name in frame.columns:
            frame[name] = pd.Series(
                [json.loads(v) if isinstance(v, str) else [] for v in frame[name].tolist()],
                index=frame.index,
                dtype=object,
            )
    return conform(frame, columns), meta


def _upsert(
    stored: pd.DataFrame | None, records: list[dict[str, Any]], columns: tuple[Column, ...]
) -> pd.DataFrame:
    import pandas as pd

    fresh = records_to_frame(records, columns)
    if stored is None or stored.empty:
        merged = fresh
    elif fresh.empty:
        merged = stored
    else:
        kept = stored[~stored["id"].isin(set(fresh["id"].dropna()))]
        parts = [conform(part, columns).astype(object) for part in (kept, fresh)]
        merged = conform(pd.concat(parts, ignore_index=True), columns)
    ordered = merged.sort_values(
        ["creation_time", "id"], ascending=False, na_position="last", kind="stable"
    )
    return ordered.reset_index(drop=True)


def _write(path: Path, frame: pd.DataFrame, meta: dict[str, Any]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    flat, json_columns = json_lists(frame)
    table = pa.Table.from_pandas(flat, preserve_index=False)
    full_meta = {**meta, "json_columns": json_columns}
    schema_meta = {**(table.schema.metadata or {}), META_KEY: json.dumps(full_meta).encode()}
    table = table.replace_schema_metadata(schema_meta)
    atomic_write(path, lambda temp: pq.write_table(table, temp))


def _stamp(moment: Any) -> str | None:
    import pandas as pd

    if moment is None or pd.isna(moment):
        return None
    return str(moment.tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


def sync_bookings(
    bookings: SyncSource,
    path: str | os.PathLike[str],
    *,
    overlap: dt.timedelta = dt.timedelta(minutes=5),
    progress: bool | None = None,
) -> pd.DataFrame:
    """Bring the Parquet copy at ``path`` up to date and return every booking.

    Args:
        bookings: the client's bookings resource.
        path: the Parquet file.
        overlap: how far before the newest seen update to start asking again.
        progress: the progress bar (see ``to_frame``).

    Returns:
        The whole up-to-date frame (UTC times), newest bookings first.

    Raises:
        ConfigurationError: the file belongs to another API base or is not a sync file.
        PullInterrupted: the pull stopped early; what arrived is saved, ``.resume()`` syncs on.

    Example:
        >>> frame = sync_bookings(hub.bookings, "bookings.parquet", progress=False)
        >>> frame.shape, str(frame["last_updated_time"].dtype)
        ((60, 49), 'datetime64[us, UTC]')
    """
    if not isinstance(overlap, dt.timedelta) or overlap < dt.timedelta(0):
        raise ConfigurationError(f"overlap takes a timedelta of 0 or more, got {overlap!r}")
    target = Path(path)
    columns = bookings.columns
    api_base = bookings.api_base
    version = schema_version(columns)
    stored, meta = read_sync_file(target, columns)
    if meta and meta.get("api_base") != api_base:
        raise ConfigurationError(
            f"{str(target)!r} holds bookings from {meta.get('api_base')!r}, not {api_base!r}; "
            "use another file for this API base"
        )
    if meta.get("schema") != version:
        stored, meta = None, {}
    newest = meta.get("newest_update")
    filters: dict[str, Any] = {}
    if newest:
        since = dt.datetime.fromisoformat(newest.replace("Z", "+00:00")) - overlap
        filters["updated_after"] = since
    base_meta = {"format": FORMAT, "schema": version, "api_base": api_base}
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    try:
        records = bookings.pull(filters, build=list, progress=progress, done=[])
    except PullInterrupted as stop:
        merged = _upsert(stored, stop.records, columns)
        _write(target, merged, {**base_meta, "newest_update": newest, "synced_at": started})
        raise PullInterrupted(
            f"{stop} The {len(stop.records)} bookings fetched are saved in {str(target)!r}; "
            "call sync() again (or .resume()) to finish",
            records=stop.records,
            cursor=stop.cursor,
            frame=merged,
            resume=lambda: sync_bookings(bookings, target, overlap=overlap, progress=progress),
        ) from stop.__cause__
    merged = _upsert(stored, records, columns)
    newest = _stamp(merged["last_updated_time"].max()) if len(merged) else None
    _write(target, merged, {**base_meta, "newest_update": newest, "synced_at": started})
    return merged

"""Every resource's other outputs: an Arrow table, a polars frame, a DuckDB table kept in sync.

:class:`TableOutputs` is a base of :class:`~oncehub_nb.resources._base.Resource`: the same pull
as ``to_frame()`` (filters, progress bar, ``PullInterrupted`` with ``.resume()``), built by
:mod:`oncehub_nb.frames.arrow` straight from the records (no pandas), and ``sync()`` into a
DuckDB file (:mod:`oncehub_nb.frames.database`). The filters show in each method's signature
like ``to_frame()``'s (see :mod:`._signatures`).

Example:
    >>> table = hub.bookings.to_arrow(status="completed", progress=False)
    >>> table.schema.field("starting_time").type
    TimestampType(timestamp[us, tz=UTC])
    >>> table.num_rows == len(hub.bookings.to_frame(status="completed", progress=False))
    True
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from oncehub_nb._errors import ConfigurationError
from oncehub_nb.frames.arrow import arrow_to_polars, records_to_arrow
from oncehub_nb.frames.build import Column
from oncehub_nb.frames.database import DATABASE_SUFFIXES, sync_table
from oncehub_nb.resources._filters import FilterSpec, check_tz

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl
    import pyarrow as pa

__all__ = ["ARROW_DOC", "POLARS_DOC", "TableOutputs"]

Record = dict[str, Any]

ARROW_DOC = """Pull every matching {noun} into a typed Arrow table (no pandas in between).

The same pull, columns and values as :meth:`to_frame`, in Arrow types: text ``large_string``,
status-like fields ``dictionary``, times ``timestamp[us, tz]``, counts ``int64``, flags
``bool``, lists ``list<...>``; every column nullable (see :mod:`oncehub_nb.frames.arrow`).

Args:
    tz: give times this IANA zone (default UTC).
    progress: ``True``/``False`` to show/hide the bar; ``None`` shows it when more than one
        page is fetched in a notebook or terminal.
{args}
Returns:
    A ``pyarrow.Table``, one row per object.

Raises:
    ConfigurationError: a wrong argument (before any request).
    PullInterrupted: the pull stopped early; ``.frame`` is the Arrow table so far.

Example:
    >>> table = hub.{attribute}.to_arrow(max_items=5, progress=False)
    >>> table.num_rows <= 5, "id" in table.column_names
    (True, True)
"""

POLARS_DOC = """Pull every matching {noun} into a typed polars DataFrame (the ``polars`` extra).

The same pull, columns and values as :meth:`to_frame`: text ``String``, status-like fields
``Categorical``, times ``Datetime("us", tz)``, counts ``Int64``, flags ``Boolean``, lists
``List``; every column nullable. Built from :meth:`to_arrow`'s table, without pandas.

Args:
    tz: give times this IANA zone (default UTC).
    progress: ``True``/``False`` to show/hide the bar; ``None`` shows it when more than one
        page is fetched in a notebook or terminal.
{args}
Returns:
    A ``polars.DataFrame``, one row per object.

Raises:
    ConfigurationError: a wrong argument (before any request).
    MissingDependencyError: polars is not installed (``pip install '<clone>[polars]'``).
    PullInterrupted: the pull stopped early; ``.frame`` is the polars frame so far.

Example:
    >>> frame = hub.{attribute}.to_polars(max_items=5, progress=False)
    >>> frame.height <= 5, "id" in frame.columns
    (True, True)
"""


class _Pulling(Protocol):
    """What the outputs need of a resource (all of it is :class:`Resource`'s)."""

    path: ClassVar[str]
    columns: ClassVar[tuple[Column, ...]]
    filters: ClassVar[tuple[FilterSpec, ...]]

    @property
    def api_base(self) -> str: ...

    @property
    def syncs_incrementally(self) -> bool: ...

    def frame_columns(self, expand: str | Iterable[str] | None = None) -> tuple[Column, ...]: ...

    def pull(
        self,
        filters: Mapping[str, Any],
        *,
        build: Callable[[list[Record]], Any],
        progress: bool | None,
        done: list[Record],
    ) -> Any: ...


def _pull_table(
    resource: _Pulling,
    convert: Callable[[pa.Table], Any] | None,
    tz: str | None,
    progress: bool | None,
    expand: str | Iterable[str] | None,
    after: str | None,
    max_items: int | None,
    filters: Mapping[str, Any],
) -> Any:
    """Pull into an Arrow table, then ``convert`` it (a partial one too, on ``PullInterrupted``)."""
    check_tz(tz)
    columns = resource.frame_columns(expand)
    if convert is not None:
        convert(records_to_arrow([], columns))  # a missing package fails before any request

    def build(records: list[Record]) -> Any:
        table = records_to_arrow(records, columns, tz=tz)
        return table if convert is None else convert(table)

    arguments = {**filters, "expand": expand, "after": after, "max_items": max_items}
    return resource.pull(arguments, build=build, progress=progress, done=[])


class TableOutputs:
    """``to_arrow()``, ``to_polars()`` and ``sync()`` to DuckDB, for every resource.

    Example:
        >>> hub.users.to_arrow(progress=False).num_rows > 0
        True
    """

    @property
    def syncs_incrementally(self: _Pulling) -> bool:
        """Whether a sync asks only for what changed (the endpoint filters on update time).

        Example:
            >>> hub.bookings.syncs_incrementally, hub.users.syncs_incrementally
            (True, False)
        """
        has_column = any(c.name == "last_updated_time" for c in self.columns)
        return has_column and any(spec.name == "updated_after" for spec in self.filters)

    def to_arrow(
        self: _Pulling,
        *,
        tz: str | None = None,
        progress: bool | None = None,
        expand: str | Iterable[str] | None = None,
        after: str | None = None,
        max_items: int | None = None,
        **filters: Any,
    ) -> pa.Table:
        """Pull into a typed Arrow table (each resource shows its own filters and words)."""
        table: pa.Table = _pull_table(self, None, tz, progress, expand, after, max_items, filters)
        return table

    def to_polars(
        self: _Pulling,
        *,
        tz: str | None = None,
        progress: bool | None = None,
        expand: str | Iterable[str] | None = None,
        after: str | None = None,
        max_items: int | None = None,
        **filters: Any,
    ) -> pl.DataFrame:
        """Pull into a typed polars frame (each resource shows its own filters and words)."""
        frame: pl.DataFrame = _pull_table(
            self, arrow_to_polars, tz, progress, expand, after, max_items, filters
        )
        return frame

    def sync(
        self: _Pulling,
        path: str | os.PathLike[str],
        *,
        table: str | None = None,
        overlap: dt.timedelta | None = None,
        progress: bool | None = None,
    ) -> pd.DataFrame:
        """Keep a typed table of these records up to date in a DuckDB file; return it.

        The first call pulls everything into the table (``id`` the primary key). Later calls
        ask only for records with ``last_updated_time`` after the newest one stored, and
        upsert them by ``id`` (resources the API cannot filter by update time are pulled
        whole). See :mod:`oncehub_nb.frames.database` for the table's types.

        Args:
            path: a ``.duckdb`` file (created when absent; several tables can share it).
            table: the table's name (default: the endpoint's, e.g. ``contacts``).
            overlap: ask again from this long before the newest stored update (default none).
            progress: the progress bar (see :meth:`to_frame`).

        Returns:
            The whole table as :meth:`to_frame` would return it.

        Raises:
            ConfigurationError: not a ``.duckdb`` path, a bad table name, or a table holding
                another API base's or endpoint's records.
            MissingDependencyError: duckdb is not installed (the ``duckdb`` extra).
            PullInterrupted: the pull stopped early; what arrived is already saved.

        Example:
            >>> contacts = hub.contacts.sync("crm.duckdb", progress=False)
            >>> len(contacts) == len(hub.contacts.to_frame(progress=False))
            True
        """
        if Path(path).suffix.lower() not in DATABASE_SUFFIXES:
            raise ConfigurationError(
                f"{self.path} syncs to a DuckDB file: give a path ending in .duckdb, not "
                f"{str(path)!r}"
            )
        return sync_table(
            self,
            path,
            table=table,
            overlap=dt.timedelta(0) if overlap is None else overlap,
            progress=progress,
        )

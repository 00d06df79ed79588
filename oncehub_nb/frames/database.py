"""Incremental sync into a DuckDB database: a typed table per resource, upserted by ``id``.

``hub.bookings.sync("bookings.duckdb")`` keeps the table ``bookings`` (or ``table=``) with one
typed column per frame column: ``TIMESTAMPTZ`` times, ``BIGINT`` counts, ``DOUBLE`` amounts,
``BOOLEAN`` flags (all nullable), ``VARCHAR`` text and categories, ``VARCHAR[]`` lists of text
and ``STRUCT(...)[]`` lists of objects; ``id`` is the primary key. Several resources can share a
file, a table each. A table's bookkeeping is a row of ``oncehub_nb_sync`` in the same file::

    table_name | endpoint | api_base | format | schema | newest_update | synced_at

The rule is the Parquet sync's: no table (or one written for other columns) pulls everything;
otherwise only records with ``last_updated_time`` after the newest one stored are asked for
(``overlap`` earlier, if given) and upserted by ``id``. Resources the API cannot filter by update
time (users, teams ...: a page or two) are pulled whole and replace the table. Data from another
API base, or a table of another resource, is refused. Each sync is one transaction: a crash
leaves the previous table. If the pull stops early, what arrived is upserted, the newest update
is not advanced, and :class:`~oncehub_nb.PullInterrupted` can ``.resume()``.

duckdb is the ``duckdb`` extra, imported only when a ``.duckdb`` file is synced; the rows go
from the records to Arrow to DuckDB, without pandas (pandas only for the frame returned).

Example:
    >>> frame = hub.bookings.sync("crm.duckdb", progress=False)
    >>> contacts = hub.contacts.sync("crm.duckdb", table="contacts", progress=False)
    >>> import duckdb
    >>> with duckdb.connect("crm.duckdb") as db:  # the last keeps each table's newest update
    ...     sorted(row[0] for row in db.sql("SHOW TABLES").fetchall())
    ['bookings', 'contacts', 'oncehub_nb_sync']
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from oncehub_nb._errors import ConfigurationError, MissingDependencyError, PullInterrupted
from oncehub_nb.frames.arrow import records_to_arrow
from oncehub_nb.frames.build import Column, conform
from oncehub_nb.frames.sync import SyncSource, schema_version

if TYPE_CHECKING:
    import duckdb
    import pandas as pd

__all__ = ["DATABASE_SUFFIXES", "META_TABLE", "TableSource", "duckdb_type", "sync_table"]

#: File suffixes that mean "a DuckDB database".
DATABASE_SUFFIXES = (".duckdb", ".ddb")
#: The bookkeeping table.
META_TABLE = "oncehub_nb_sync"
FORMAT = 1
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")


class TableSource(SyncSource, Protocol):
    """What a table sync needs of a resource: its columns, where it pulls from, and its pulls."""

    @property
    def path(self) -> str:
        """The endpoint (``/bookings``): a table holds one endpoint's records."""

    @property
    def syncs_incrementally(self) -> bool:
        """Whether the endpoint filters on ``last_updated_time`` (else: a whole pull)."""


def duckdb_type(column: Column) -> str:
    """The DuckDB type of a column.

    Args:
        column: the column.

    Returns:
        A DuckDB type name.

    Example:
        >>> duckdb_type(Column("at", "datetime")), duckdb_type(Column("a", "list"))
        ('TIMESTAMPTZ', 'VARCHAR[]')
    """
    if column.kind == "list":
        if column.items:
            return f"STRUCT({', '.join(f'{_quote(n)} VARCHAR' for n in column.items)})[]"
        return "VARCHAR[]"
    kinds = {
        "datetime": "TIMESTAMPTZ",
        "Int64": "BIGINT",
        "Float64": "DOUBLE",
        "boolean": "BOOLEAN",
    }
    return kinds.get(column.kind, "VARCHAR")


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _connect(path: Path) -> duckdb.DuckDBPyConnection:
    try:
        import duckdb
    except ImportError as exc:
        raise MissingDependencyError(
            "sync() to a .duckdb file needs duckdb", extra="duckdb"
        ) from exc
    try:
        con = duckdb.connect(str(path))
    except duckdb.Error as exc:
        raise ConfigurationError(f"{str(path)!r} is not a usable DuckDB database: {exc}") from exc
    con.execute("SET TimeZone = 'UTC'")
    con.execute(
        f"CREATE TABLE IF NOT EXISTS {META_TABLE} (table_name VARCHAR PRIMARY KEY, "
        "endpoint VARCHAR, api_base VARCHAR, format INTEGER, schema VARCHAR, "
        "newest_update VARCHAR, synced_at VARCHAR)"
    )
    return con


def _meta(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, Any]:
    names = ("endpoint", "api_base", "format", "schema", "newest_update")
    rows = con.execute(
        f"SELECT {', '.join(names)} FROM {META_TABLE} WHERE table_name = ?", [table]
    ).fetchall()
    return dict(zip(names, rows[0], strict=True)) if rows else {}


def _table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    found = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table]
    ).fetchall()
    return bool(found and found[0][0])


def _create(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[Column, ...]) -> None:
    defs = [
        f"{_quote(c.name)} {duckdb_type(c)}{' PRIMARY KEY' if c.name == 'id' else ''}"
        for c in columns
    ]
    con.execute(f"DROP TABLE IF EXISTS {_quote(table)}")
    con.execute(f"CREATE TABLE {_quote(table)} ({', '.join(defs)})")


def _upsert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    records: list[dict[str, Any]],
    columns: tuple[Column, ...],
    *,
    replace: bool,
) -> None:
    # The last version of each id wins (a record updated mid-walk may come twice).
    latest = list({r.get("id"): r for r in records if r.get("id")}.values())
    fresh = records_to_arrow(latest, columns)
    con.register("oncehub_nb_fresh", fresh)
    try:
        if replace:
            con.execute(f"DELETE FROM {_quote(table)}")
        else:
            con.execute(
                f"DELETE FROM {_quote(table)} WHERE id IN (SELECT id FROM oncehub_nb_fresh)"
            )
        con.execute(f"INSERT INTO {_quote(table)} BY NAME SELECT * FROM oncehub_nb_fresh")
    finally:
        con.unregister("oncehub_nb_fresh")


def _newest(con: duckdb.DuckDBPyConnection, table: str) -> str | None:
    rows = con.execute(f"SELECT max(last_updated_time) FROM {_quote(table)}").fetchall()
    moment = rows[0][0] if rows else None
    if not isinstance(moment, dt.datetime):
        return None
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _save_meta(
    con: duckdb.DuckDBPyConnection, table: str, source: TableSource, newest: str | None
) -> None:
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    values = [table, source.path, source.api_base, FORMAT, schema_version(source.columns)]
    con.execute(
        f"INSERT OR REPLACE INTO {META_TABLE} VALUES (?, ?, ?, ?, ?, ?, ?)",
        [*values, newest, started],
    )


def read_table(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[Column, ...]) -> Any:
    """The whole table as a typed frame (newest first where records have a creation time).

    Args:
        con: an open connection.
        table: the table.
        columns: its schema.

    Returns:
        A pandas DataFrame with the dtypes ``to_frame()`` gives.
    """
    names = {c.name for c in columns}
    order = '"creation_time" DESC NULLS LAST, id DESC' if "creation_time" in names else "id"
    relation = con.sql(f"SELECT * FROM {_quote(table)} ORDER BY {order}")
    fetch = getattr(relation, "to_arrow_table", None) or relation.fetch_arrow_table
    return conform(fetch().to_pandas(), columns)


def _check(con: duckdb.DuckDBPyConnection, table: str, source: TableSource) -> dict[str, Any]:
    meta = _meta(con, table)
    if not meta and _table_exists(con, table):
        raise ConfigurationError(
            f"The table {table!r} was not written by sync(); choose another table= name"
        )
    if meta and meta["api_base"] != source.api_base:
        raise ConfigurationError(
            f"The table {table!r} holds records from {meta['api_base']!r}, not "
            f"{source.api_base!r}; use another file or table= for this API base"
        )
    if meta and meta["endpoint"] != source.path:
        raise ConfigurationError(
            f"The table {table!r} holds {meta['endpoint']} records, not {source.path}; "
            "pass another table= name"
        )
    if meta and (meta["schema"] != schema_version(source.columns) or meta["format"] != FORMAT):
        _create(con, table, source.columns)  # other columns: start again with a whole pull
        return {}
    if not meta:
        _create(con, table, source.columns)
    return meta


def sync_table(
    source: TableSource,
    path: str | os.PathLike[str],
    *,
    table: str | None = None,
    overlap: dt.timedelta = dt.timedelta(0),
    progress: bool | None = None,
) -> pd.DataFrame:
    """Bring the table ``table`` of the DuckDB file ``path`` up to date; return it as a frame.

    Args:
        source: a resource (``hub.bookings``, ``hub.contacts`` ...).
        path: the DuckDB file (created when absent).
        table: the table's name (default: the endpoint's, ``bookings``, ``booking_pages`` ...).
        overlap: ask again from this long before the newest stored update (default: none).
        progress: the progress bar (see ``to_frame``).

    Returns:
        The whole up-to-date table as ``to_frame()`` would give it, newest first.

    Raises:
        ConfigurationError: a bad table name or overlap, another API base's or endpoint's
            table, a table not written by sync, a file that is not a DuckDB database.
        MissingDependencyError: duckdb is not installed (the ``duckdb`` extra).
        PullInterrupted: the pull stopped early; what arrived is saved, ``.resume()`` syncs on.

    Example:
        >>> frame = sync_table(hub.bookings, "crm.duckdb", progress=False)
        >>> len(frame) == len(sb.ground_truth("bookings"))
        True
    """
    name = (
        table if table is not None else source.path.strip("/").replace("-", "_").replace("/", "_")
    )
    if not isinstance(name, str) or not _NAME.match(name) or name == META_TABLE:
        raise ConfigurationError(
            f"table={table!r} is not a usable table name: letters, digits and _, not starting "
            f"with a digit, not {META_TABLE!r}"
        )
    if not isinstance(overlap, dt.timedelta) or overlap < dt.timedelta(0):
        raise ConfigurationError(f"overlap takes a timedelta of 0 or more, got {overlap!r}")
    target = Path(path)
    columns = source.columns
    con = _connect(target)
    try:
        con.execute("BEGIN TRANSACTION")
        meta = _check(con, name, source)
        newest = meta.get("newest_update") if source.syncs_incrementally else None
        filters: dict[str, Any] = {}
        if newest:
            since = dt.datetime.fromisoformat(newest.replace("Z", "+00:00")) - overlap
            filters["updated_after"] = since
        try:
            records = source.pull(filters, build=list, progress=progress, done=[])
        except PullInterrupted as stop:
            _upsert(con, name, stop.records, columns, replace=False)
            _save_meta(con, name, source, newest)
            con.execute("COMMIT")
            raise PullInterrupted(
                f"{stop} The {len(stop.records)} records fetched are saved in table {name!r} "
                f"of {str(target)!r}; call sync() again (or .resume()) to finish",
                records=stop.records,
                cursor=stop.cursor,
                frame=read_table(con, name, columns),
                resume=lambda: sync_table(
                    source, target, table=table, overlap=overlap, progress=progress
                ),
            ) from stop.__cause__
        _upsert(con, name, records, columns, replace=not filters)
        has_updates = any(c.name == "last_updated_time" for c in columns)
        _save_meta(con, name, source, _newest(con, name) if has_updates else None)
        con.execute("COMMIT")
        return read_table(con, name, columns)  # type: ignore[no-any-return]
    except BaseException:
        import duckdb

        with contextlib.suppress(duckdb.Error):  # none open after an interrupted pull's commit
            con.execute("ROLLBACK")
        raise
    finally:
        con.close()

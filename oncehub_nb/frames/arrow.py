"""Records to Arrow tables and polars frames, straight from the column schema (no pandas).

The Arrow schema is the frame's schema written in Arrow types, exactly what
``pyarrow.Table.from_pandas(to_frame())`` gives where pandas has a match: text is
``large_string``, status-like fields ``dictionary<int8, large_string>`` (the same categories, in
the same order, as the frame), times ``timestamp[us, tz=UTC]`` (or the ``tz`` asked for), counts
``int64``, amounts ``double``, flags ``bool``, all nullable. List columns are
``list<large_string>``, or ``list<struct<...>>`` for lists of objects (``custom_fields``: a
name and a value each). The values are cleaned by the same rules as the frame's: ``""`` and
junk become null, a non-whole count is null, unknown categories are kept after the known ones.

pyarrow is a dependency of the package; polars is the ``polars`` extra, imported only by
:func:`arrow_to_polars`.

Example:
    >>> from oncehub_nb.frames.build import Column
    >>> columns = (Column("id", "string"), Column("n", "Int64"))
    >>> table = records_to_arrow([{"id": "B-1", "n": 3}], columns)
    >>> [str(t) for t in table.schema.types]
    ['large_string', 'int64']
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from oncehub_nb._errors import ConfigurationError, MissingDependencyError
from oncehub_nb.frames.build import Column, column_values, finite_number, whole_number

if TYPE_CHECKING:
    import polars as pl
    import pyarrow as pa

__all__ = ["arrow_schema", "arrow_to_polars", "arrow_type", "records_to_arrow"]


def _index_type(categories: int) -> pa.DataType:
    import pyarrow as pa

    # pandas' own choice of code width, so the type matches Table.from_pandas(frame).
    if categories < 2**7:
        return pa.int8()
    return pa.int16() if categories < 2**15 else pa.int32()


def arrow_type(column: Column, *, tz: str = "UTC", categories: int | None = None) -> pa.DataType:
    """The Arrow type of one column.

    Args:
        column: the column.
        tz: the time zone of time columns.
        categories: how many categories a ``category`` column has (its code width); defaults to
            the known ones.

    Returns:
        The type (every column is nullable).

    Example:
        >>> str(arrow_type(Column("at", "datetime")))
        'timestamp[us, tz=UTC]'
    """
    import pyarrow as pa

    kind = column.kind
    if kind == "datetime":
        return pa.timestamp("us", tz=tz)
    if kind == "Int64":
        return pa.int64()
    if kind == "Float64":
        return pa.float64()
    if kind == "boolean":
        return pa.bool_()
    if kind == "category":
        width = len(column.choices) if categories is None else categories
        return pa.dictionary(_index_type(width), pa.large_string())
    if kind == "list":
        if column.items:
            return pa.list_(pa.struct([(name, pa.large_string()) for name in column.items]))
        return pa.list_(pa.large_string())
    return pa.large_string()


def arrow_schema(columns: Sequence[Column], *, tz: str = "UTC") -> pa.Schema:
    """The Arrow schema of a frame with these columns (category code width from the choices).

    Args:
        columns: the schema.
        tz: the time zone of time columns.

    Returns:
        A ``pyarrow.Schema`` with one nullable field per column.

    Example:
        >>> arrow_schema((Column("id", "string"),)).names
        ['id']
    """
    import pyarrow as pa

    return pa.schema([pa.field(c.name, arrow_type(c, tz=tz)) for c in columns])


def _text(value: Any) -> str | None:
    if isinstance(value, str):
        return value if value.strip() else None
    return None if value is None else str(value)


def _moment(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:  # as pandas does with utc=True: a naive time is UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _item(value: Any, fields: tuple[str, ...]) -> Any:
    if not fields:
        return value if isinstance(value, str) else json.dumps(value, default=str)
    if not isinstance(value, dict):
        return None
    return {name: _text(value.get(name)) for name in fields}


def _array(column: Column, values: list[Any], tz: str) -> pa.Array:
    import pyarrow as pa

    kind = column.kind
    if kind == "datetime":
        array = pa.array([_moment(v) for v in values], type=pa.timestamp("us", tz="UTC"))
        return array.cast(pa.timestamp("us", tz=tz))
    if kind in ("Int64", "Float64"):
        usable = whole_number if kind == "Int64" else finite_number
        return pa.array([v if usable(v) else None for v in values], type=arrow_type(column))
    if kind == "boolean":
        return pa.array([v if isinstance(v, bool) else None for v in values], type=pa.bool_())
    if kind == "list":
        lists = [
            [_item(item, column.items) for item in v] if isinstance(v, list) else [] for v in values
        ]
        return pa.array(lists, type=arrow_type(column))
    texts = [_text(v) for v in values]
    if kind != "category":
        return pa.array(texts, type=pa.large_string())
    seen = sorted({t for t in texts if t is not None} - set(column.choices))
    categories = [*column.choices, *seen]
    code = {name: number for number, name in enumerate(categories)}
    index_type = _index_type(len(categories))
    indices = pa.array([None if t is None else code[t] for t in texts], type=index_type)
    return pa.DictionaryArray.from_arrays(indices, pa.array(categories, type=pa.large_string()))


def records_to_arrow(
    records: Iterable[dict[str, Any]], columns: Sequence[Column], *, tz: str | None = None
) -> pa.Table:
    """Build a typed Arrow table from API records, one column per schema column.

    Args:
        records: API objects (dicts); fields not in the schema are ignored.
        columns: the schema.
        tz: give time columns this IANA zone instead of UTC (the same instants).

    Returns:
        A ``pyarrow.Table`` with the schema of :func:`arrow_schema` (category code width may
        grow with unknown categories), the same columns and values as ``records_to_frame``.

    Example:
        >>> records_to_arrow([], (Column("at", "datetime"),)).schema.types
        [TimestampType(timestamp[us, tz=UTC])]
    """
    import pyarrow as pa

    rows = list(records)
    values = column_values(rows, columns)
    zone = tz or "UTC"
    arrays = [_array(column, values[column.name], zone) for column in columns]
    return pa.Table.from_arrays(arrays, names=[c.name for c in columns])


def arrow_to_polars(table: pa.Table) -> pl.DataFrame:
    """A polars DataFrame of an Arrow table from :func:`records_to_arrow` (the ``polars`` extra).

    Text is ``String``, categories ``Categorical``, times ``Datetime("us", tz)``, counts
    ``Int64``, flags ``Boolean``, lists ``List``: every column nullable, as in the frame.

    Args:
        table: the Arrow table.

    Returns:
        The polars frame (zero-copy where Arrow allows).

    Raises:
        MissingDependencyError: polars is not installed.

    Example:
        >>> arrow_to_polars(records_to_arrow([], (Column("id", "string"),))).columns
        ['id']
    """
    try:
        import polars as pl
    except ImportError as exc:
        raise MissingDependencyError("to_polars() needs polars", extra="polars") from exc
    frame = pl.from_arrow(table)
    if not isinstance(frame, pl.DataFrame):  # pragma: no cover - a Table always gives a frame
        raise ConfigurationError("expected an Arrow table")
    return frame

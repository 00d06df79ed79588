"""Records to typed pandas DataFrames, from a column schema per resource.

Columns and dtypes come from the schema, not from the data, so an empty result has the same
columns and dtypes as a full one: times are ``datetime64[..., UTC]``, counts nullable ``Int64``,
flags nullable ``boolean``, status-like fields ``category``, text pandas ``string``. Related
objects give ``<field>_id`` whether they came as an id or expanded. Real data's looseness is
tolerated: ``null`` and ``""`` where the spec says string, unknown enum values, extra fields.

pandas is imported here, lazily: importing :mod:`oncehub_nb` does not import it.

Example:
    >>> cols = (Column("id", "string"), Column("status", "category", choices=("a", "b")))
    >>> frame = records_to_frame([{"id": "X", "status": "b"}], cols)
    >>> frame.dtypes.astype(str).tolist()
    ['string', 'category']
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Column",
    "assemble_frame",
    "clean_values",
    "column_values",
    "conform",
    "explode_column",
    "finite_number",
    "gc_paused",
    "prefixed",
    "records_to_frame",
    "typed_series",
    "whole_number",
]

ColumnKind = Literal["string", "category", "datetime", "Int64", "Float64", "boolean", "list"]


@dataclasses.dataclass(frozen=True)
class Column:
    """One column of a frame.

    Attributes:
        name: the column name (dotted for nested fields: ``form_submission.email``).
        kind: its dtype family.
        source: the path of keys in the record (defaults to ``name`` split on dots).
        choices: known values of a ``category`` column (unknown ones are kept, after these).
        id_of: the value may be an id string or an expanded object; take the object's ``id``.
        nullable: OnceHub's spec allows ``null`` here, or for the object that holds it (the
            frame keeps a missing value either way; ``hub.doctor()`` reports other nulls).
        items: for a ``list`` column of objects, their (text) fields: Arrow, polars and DuckDB
            then hold a list of structs; a list column without ``items`` holds strings.

    Example:
        >>> Column("owner_id", "string", source=("owner",), id_of=True).path
        ('owner',)
    """

    name: str
    kind: ColumnKind
    source: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    id_of: bool = False
    nullable: bool = False
    items: tuple[str, ...] = ()

    @property
    def path(self) -> tuple[str, ...]:
        """The keys to follow in a record."""
        return self.source or tuple(self.name.split("."))


_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


def finite_number(value: Any) -> bool:
    """A real, finite number (not a bool): what a ``Float64`` column keeps."""
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def whole_number(value: Any) -> bool:
    """An integer that fits Int64 (a non-whole, infinite or huge number becomes ``<NA>``)."""
    if not finite_number(value):
        return False
    if isinstance(value, float) and not value.is_integer():
        return False
    return bool(_INT64_MIN <= value <= _INT64_MAX)


def clean_values(column: Column, values: list[Any]) -> list[Any]:
    """A column's raw values as its dtype takes them: value by value, so in any chunks.

    Example:
        >>> clean_values(Column("n", "Int64"), [1, 2.5, True, None])
        [1, None, None, None]
        >>> clean_values(Column("s", "string"), [" ", 7, "x"])
        [None, '7', 'x']
    """
    if column.kind == "datetime":
        return [v if isinstance(v, str) else None for v in values]  # "" and junk: NaT
    if column.kind == "list":
        return [list(v) if isinstance(v, list) else [] for v in values]
    if column.kind in ("Int64", "Float64"):
        usable = whole_number if column.kind == "Int64" else finite_number
        return [v if usable(v) else None for v in values]
    if column.kind == "boolean":
        return [v if isinstance(v, bool) else None for v in values]
    # One pass: blank strings and None become missing, other scalars their text.
    return [
        (v if v.strip() else None) if isinstance(v, str) else (None if v is None else str(v))
        for v in values
    ]


def typed_series(column: Column, cleaned: list[Any]) -> pd.Series[Any]:
    """The typed column of :func:`clean_values`' output (categories from all of it).

    Example:
        >>> str(typed_series(Column("at", "datetime"), ["2026-01-01T00:00:00Z", None]).dtype)
        'datetime64[us, UTC]'
    """
    import pandas as pd

    if column.kind == "datetime":
        moments = pd.to_datetime(
            pd.Series(cleaned, dtype=object), utc=True, format="ISO8601", errors="coerce"
        )
        # One unit whatever pandas infers (pandas 3 infers from the text): stable dtypes.
        return pd.Series(moments, name=column.name).astype("datetime64[us, UTC]")
    if column.kind == "list":
        return pd.Series(cleaned, name=column.name, dtype=object)
    if column.kind in ("Int64", "Float64"):
        numbers = pd.to_numeric(pd.Series(cleaned, dtype=object), errors="coerce")
        return pd.Series(numbers, name=column.name).astype(column.kind)
    if column.kind == "boolean":
        return pd.Series(cleaned, name=column.name, dtype="boolean")
    if column.kind == "category":
        seen = sorted({v for v in cleaned if v is not None} - set(column.choices))
        dtype = pd.CategoricalDtype([*column.choices, *seen])
        return pd.Series(cleaned, name=column.name, dtype=dtype)
    return pd.Series(cleaned, name=column.name, dtype="string")


def _series(column: Column, values: list[Any]) -> pd.Series[Any]:
    return typed_series(column, clean_values(column, values))


def prefixed(prefix: str, columns: Sequence[Column]) -> tuple[Column, ...]:
    """The columns of an expanded related object, named and read under ``prefix``.

    The related object's ``id`` is left out: the ``<prefix>_id`` column already holds it.

    Args:
        prefix: the expandable field (``owner``).
        columns: the related resource's schema.

    Returns:
        Columns like ``owner.email`` reading ``record["owner"]["email"]``.

    Example:
        >>> [c.name for c in prefixed("owner", (Column("id", "string"), Column("email", "string")))]
        ['owner.email']
    """
    return tuple(
        dataclasses.replace(column, name=f"{prefix}.{column.name}", source=(prefix, *column.path))
        for column in columns
        if column.name != "id"
    )


def _dtype(column: Column, values: list[Any]) -> Any:
    import pandas as pd

    if column.kind == "datetime":
        return "datetime64[us, UTC]"
    if column.kind == "list":
        return object
    if column.kind == "category":
        seen = sorted({str(v) for v in values if not _missing(v)} - set(column.choices))
        return pd.CategoricalDtype([*column.choices, *seen])
    return column.kind


def conform(frame: pd.DataFrame, columns: Sequence[Column]) -> pd.DataFrame:
    """Give an existing frame (concatenated, or read back from a file) the schema's dtypes.

    Missing columns are added empty; category columns get the schema's categories plus every
    value present; list columns hold lists again (Parquet returns arrays).

    Args:
        frame: a frame with (some of) the schema's columns.
        columns: the schema.

    Returns:
        A new frame with exactly the schema's columns, in order.

    Example:
        >>> import pandas as pd
        >>> conform(pd.DataFrame({"n": [1.0]}), (Column("n", "Int64"),)).dtypes.astype(str).tolist()
        ['Int64']
    """
    import pandas as pd

    data: dict[str, Any] = {}
    for column in columns:
        if column.name not in frame.columns:
            data[column.name] = _series(column, [None] * len(frame))
            continue
        values = frame[column.name].tolist()
        if column.kind == "list":
            data[column.name] = pd.Series(
                [list(v) if _is_sequence(v) else [] for v in values], dtype=object
            )
        elif column.kind == "category":
            texts = [None if _missing(v) else str(v) for v in values]
            data[column.name] = pd.Series(texts, dtype=_dtype(column, texts))
        else:
            typed = frame[column.name].astype(_dtype(column, values))
            data[column.name] = typed.reset_index(drop=True)
    return pd.DataFrame(data, index=pd.RangeIndex(len(frame)))


def _missing(value: Any) -> bool:
    import pandas as pd

    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def _is_sequence(value: Any) -> bool:
    return hasattr(value, "__len__") and not isinstance(value, str | bytes | dict)


def explode_column(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """One row per item of a list column (a row with an empty list keeps one ``<NA>`` row).

    Args:
        frame: a frame from :func:`records_to_frame`.
        column: a list column, e.g. ``attendees``.

    Returns:
        The longer frame; the column holds pandas strings.

    Example:
        >>> frame = records_to_frame([{"a": ["x", "y"]}], (Column("a", "list"),))
        >>> explode_column(frame, "a")["a"].tolist()
        ['x', 'y']
    """
    longer = frame.explode(column, ignore_index=True)
    texts = [v if isinstance(v, str) else None for v in longer[column].tolist()]
    return longer.assign(**{column: _text_series(texts, longer.index)})


def _text_series(texts: list[str | None], index: Any) -> pd.Series[Any]:
    import pandas as pd

    return pd.Series(texts, index=index, dtype="string")


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a frame is built.

    Building a frame allocates millions of short-lived objects next to the (large) list of
    records; each full collection walks all of them again. Measured on 100,000 bookings this
    halves the build time (bench/frames.py). Nothing built here forms reference cycles, and the
    collector's previous state is restored.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def column_values(rows: list[Any], columns: Sequence[Column]) -> dict[str, list[Any]]:
    """Every column's raw values, walking the records once per distinct key path prefix.

    Each column follows its key path (an ``id_of`` column takes an expanded object's ``id``).
    Each nested object is looked up once for all the columns under it (``form_submission.*``
    share one lookup), in list comprehensions rather than a Python call per value: this is most
    of a frame's build time.
    """
    prefixes: dict[tuple[str, ...], list[Any]] = {(): rows}
    out: dict[str, list[Any]] = {}
    for column in columns:
        path = column.path
        for depth in range(1, len(path) + 1):
            if path[:depth] not in prefixes:
                parent, key = prefixes[path[: depth - 1]], path[depth - 1]
                prefixes[path[:depth]] = [
                    v.get(key) if isinstance(v, dict) else None for v in parent
                ]
        found = prefixes[path]
        if column.id_of:
            found = [v.get("id") if isinstance(v, dict) else v for v in found]
        out[column.name] = found
    return out


def records_to_frame(
    records: Iterable[dict[str, Any]],
    columns: Sequence[Column],
    *,
    tz: str | None = None,
    explode: str | None = None,
) -> pd.DataFrame:
    """Build a typed DataFrame from API records.

    Args:
        records: API objects (dicts); fields not in the schema are ignored.
        columns: the schema.
        tz: show times in this IANA zone instead of UTC.
        explode: a list column to spread to one row per item (see :func:`explode_column`).

    Returns:
        One row per record, one column per schema column, dtypes from the schema.

    Example:
        >>> records_to_frame([], (Column("starting_time", "datetime"),)).dtypes.astype(str).tolist()
        ['datetime64[us, UTC]']
    """
    rows = list(records)
    with gc_paused():
        values = column_values(rows, columns)
        data = {column.name: _series(column, values[column.name]) for column in columns}
    return assemble_frame(data, len(rows), columns, tz=tz, explode=explode)


def assemble_frame(
    data: dict[str, pd.Series[Any]],
    count: int,
    columns: Sequence[Column],
    *,
    tz: str | None,
    explode: str | None,
) -> pd.DataFrame:
    """The frame of typed columns, in the schema's order, times in ``tz``, maybe exploded.

    Example:
        >>> cols = (Column("n", "Int64"),)
        >>> assemble_frame({"n": typed_series(cols[0], [1, None])}, 2, cols, tz=None,
        ...                explode=None)["n"].tolist()
        [1, <NA>]
    """
    import pandas as pd

    with gc_paused():
        frame = pd.DataFrame(data, index=pd.RangeIndex(count))
    if tz is not None:
        for column in columns:
            if column.kind == "datetime":
                frame[column.name] = frame[column.name].dt.tz_convert(tz)
    if explode is not None:
        frame = explode_column(frame, explode)
    return frame

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

import dataclasses
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Column", "records_to_frame"]

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

    Example:
        >>> Column("owner_id", "string", source=("owner",), id_of=True).path
        ('owner',)
    """

    name: str
    kind: ColumnKind
    source: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    id_of: bool = False

    @property
    def path(self) -> tuple[str, ...]:
        """The keys to follow in a record."""
        return self.source or tuple(self.name.split("."))

    def pick(self, record: dict[str, Any]) -> Any:
        """Take this column's value out of one record (``None`` where absent).

        Args:
            record: one API object.

        Returns:
            The raw value.
        """
        value: Any = record
        for key in self.path:
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        if self.id_of and isinstance(value, dict):
            value = value.get("id")
        return value


def _blank_to_none(value: Any) -> Any:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return value


def _series(column: Column, values: list[Any]) -> pd.Series[Any]:
    import pandas as pd

    if column.kind == "datetime":
        texts = [v if isinstance(v, str) and v.strip() else None for v in values]
        moments = pd.to_datetime(
            pd.Series(texts, dtype=object), utc=True, format="ISO8601", errors="coerce"
        )
        # One unit whatever pandas infers (pandas 3 infers from the text): stable dtypes.
        return pd.Series(moments, name=column.name).astype("datetime64[us, UTC]")
    if column.kind == "list":
        return pd.Series(
            [list(v) if isinstance(v, list) else [] for v in values], name=column.name, dtype=object
        )
    if column.kind in ("Int64", "Float64"):
        numbers = pd.to_numeric(
            pd.Series(
                [
                    v if isinstance(v, int | float) and not isinstance(v, bool) else None
                    for v in values
                ],
                dtype=object,
            ),
            errors="coerce",
        )
        return pd.Series(numbers, name=column.name).astype(column.kind)
    if column.kind == "boolean":
        flags = [v if isinstance(v, bool) else None for v in values]
        return pd.Series(flags, name=column.name, dtype="boolean")
    texts = [_blank_to_none(v) for v in values]
    texts = [v if v is None or isinstance(v, str) else str(v) for v in texts]
    if column.kind == "category":
        seen = sorted({v for v in texts if v is not None} - set(column.choices))
        dtype = pd.CategoricalDtype([*column.choices, *seen])
        return pd.Series(texts, name=column.name, dtype=dtype)
    return pd.Series(texts, name=column.name, dtype="string")


def records_to_frame(
    records: Iterable[dict[str, Any]], columns: Sequence[Column], *, tz: str | None = None
) -> pd.DataFrame:
    """Build a typed DataFrame from API records.

    Args:
        records: API objects (dicts); fields not in the schema are ignored.
        columns: the schema.
        tz: show times in this IANA zone instead of UTC.

    Returns:
        One row per record, one column per schema column, dtypes from the schema.

    Example:
        >>> records_to_frame([], (Column("starting_time", "datetime"),)).dtypes.astype(str).tolist()
        ['datetime64[us, UTC]']
    """
    import pandas as pd

    rows = list(records)
    data = {column.name: _series(column, [column.pick(r) for r in rows]) for column in columns}
    frame = pd.DataFrame(data, index=pd.RangeIndex(len(rows)))
    if tz is not None:
        for column in columns:
            if column.kind == "datetime":
                frame[column.name] = frame[column.name].dt.tz_convert(tz)
    return frame

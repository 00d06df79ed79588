"""A frame built while its pull is still running (what ``to_frame`` uses).

A pull held back by the rate limit or the network spends most of its time waiting. A
:class:`ColumnBuffer` does the frame's work then: it takes each page's values as they arrive
(:func:`~.build.column_values`), and while :attr:`ColumnBuffer.early` says the pull waits on
others, every :data:`TYPE_EVERY` records it cleans the values and types the text and time
columns (for bookings 38 of 49 columns, most of a build). When the last page is in, what is
left is those columns' last records, the other columns and the frame itself. The other columns
are typed once, from all their values: a category's categories, and the dtype ``to_numeric``
passes a number column through, depend on every value.

``to_frame`` types early while a sliced walk runs its walkers, which fetch the pages in their
threads while the thread that hands the records out waits for them. Typing in chunks costs more
in all than typing once, so a single walk, where that time would add to every page, types
everything at the end. ``bench/frames.py`` prints both ways next to a whole build.

The result is the frame :func:`~.build.records_to_frame` builds from the same records, with
one exception: pandas 3 parses a time column at one resolution for all the text it is given, so
a time with nanoseconds makes dates past 2262 missing in the whole build but not in a chunk
without it (OnceHub's times have milliseconds). Text columns typed early hold several Arrow
chunks where the whole build holds one; values and dtypes are the same.

Example:
    >>> from oncehub_nb.frames.build import Column
    >>> buffer = ColumnBuffer((Column("id", "string"),))
    >>> records = [{"id": "A"}, {"id": "B"}]
    >>> buffer.add(records[:1])
    >>> buffer.frame(records)["id"].tolist()
    ['A', 'B']
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from oncehub_nb.frames.build import (
    Column,
    assemble_frame,
    clean_values,
    column_values,
    gc_paused,
    typed_series,
)

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["TYPE_EVERY", "ColumnBuffer"]

log = logging.getLogger(__name__)

#: A :class:`ColumnBuffer` typing early types its text and time columns every this many records.
TYPE_EVERY = 1000
# Columns whose typing goes value by value, so chunks typed apart join into the same column.
_EARLY_KINDS = ("string", "datetime")


class ColumnBuffer:
    """A frame's columns, taken from the records while the pull is still running.

    Typing waits until pandas is imported: importing it (about a second, much of it loading
    extension modules while holding the interpreter lock) in the middle of a pull would hold up
    the walks' requests; a pull in a process without pandas types everything at the end.

    Args:
        columns: the schema.
        tz: as in :func:`~.build.records_to_frame`.
        explode: as in :func:`~.build.records_to_frame`.

    Attributes:
        count: the records added so far.
        early: says whether to type columns as the records come (default: never); pandas
            must be imported already as well.
    """

    def __init__(
        self, columns: Sequence[Column], *, tz: str | None = None, explode: str | None = None
    ) -> None:
        self.columns, self.tz, self.explode = tuple(columns), tz, explode
        self.count = 0
        self.early: Callable[[], bool] = lambda: False
        self._typed_count = 0  # the first records, whose early columns are typed
        self._raw: dict[str, list[Any]] = {column.name: [] for column in self.columns}
        self._cleaned: dict[str, list[Any]] = {column.name: [] for column in self.columns}
        # ExtensionArrays of TYPE_EVERY values each, for the columns typed as they come.
        self._typed: dict[str, list[Any]] = {
            column.name: [] for column in self.columns if column.kind in _EARLY_KINDS
        }

    def add(self, records: list[dict[str, Any]]) -> None:
        """Take the values of the next records (in order: they follow those added before)."""
        for name, found in column_values(records, self.columns).items():
            self._raw[name].extend(found)
        self.count += len(records)
        due = self.count - self._typed_count >= TYPE_EVERY and "pandas" in sys.modules
        if due and self.early():
            self._take_raw(typing=True)

    def typed_chunks(self) -> list[int]:
        """How many records each chunk typed early holds (``[]``: none typed yet).

        Example:
            >>> import pandas  # typing early waits for it
            >>> buffer = ColumnBuffer((Column("id", "string"),))
            >>> buffer.early = lambda: True
            >>> buffer.add([{"id": str(n)} for n in range(TYPE_EVERY)])
            >>> buffer.typed_chunks() == [TYPE_EVERY]
            True
        """
        return [len(chunk) for chunk in next(iter(self._typed.values()), [])]

    def _take_raw(self, *, typing: bool) -> None:
        """Clean the values taken since the last time; type the early columns' if ``typing``.

        A failure to type early leaves the values cleaned and turns early typing off: the frame
        is then typed at the end, where any error is the whole build's.
        """
        with gc_paused():
            for column in self.columns:
                self._cleaned[column.name].extend(clean_values(column, self._raw[column.name]))
                self._raw[column.name] = []
            if not typing:
                return
            try:
                typed = {
                    column.name: typed_series(column, self._cleaned[column.name]).array
                    for column in self.columns
                    if column.name in self._typed
                }
            except Exception:  # an optimisation: the end types them again
                self.early = lambda: False
                log.debug("typing the frame's columns during the pull failed", exc_info=True)
                return
            for name, chunk in typed.items():
                self._typed[name].append(chunk)
                self._cleaned[name] = []
        self._typed_count = self.count

    def frame(self, records: list[dict[str, Any]]) -> pd.DataFrame:
        """The frame of ``records``, whose first :attr:`count` are the records added so far.

        Raises:
            ValueError: fewer records than were added (they cannot be the same records).
        """
        import pandas as pd

        if len(records) < self.count:
            raise ValueError(f"{len(records)} records, but {self.count} were added")
        self.add(records[self.count :])
        self._take_raw(typing=False)
        data = {}
        with gc_paused():
            for column in self.columns:
                chunks = self._typed.get(column.name)
                if not chunks:
                    data[column.name] = typed_series(column, self._cleaned[column.name])
                    continue
                if self._cleaned[column.name]:
                    chunks.append(typed_series(column, self._cleaned[column.name]).array)
                # How pd.concat joins arrays of one type (Arrow strings: one chunked array of
                # the chunks, no copy), without its index work for each of 38 columns.
                joined = type(chunks[0])._concat_same_type(chunks)
                data[column.name] = pd.Series(joined, name=column.name, copy=False)
        return assemble_frame(data, self.count, self.columns, tz=self.tz, explode=self.explode)

"""The small base every resource stands on: filters, list, get, frames and actions.

Filters are keyword arguments with Python types and readable names; each resource declares them
once, in a ``TypedDict`` of ``Annotated[type, Filter(...)]`` fields (:mod:`._filters`). When the
resource class is made, that declaration gives its ``list()`` and ``to_frame()`` their real
keyword arguments (``help()`` and tab completion show them), their docstrings, and the checks
that run before any request: a wrong name gets a "did you mean", a wrong value names the
argument. Each resource also declares its column schema; :meth:`Resource.to_frame` pulls (with a
progress bar, keeping everything on Ctrl-C) and builds the typed frame.

Example:
    >>> spec = FilterSpec("created_after", "creation_time.gt", "time")
    >>> spec.convert("2026-01-02")
    '2026-01-02T00:00:00Z'
"""

from __future__ import annotations

import builtins
import threading
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal, TypedDict, overload
from urllib.parse import quote

from oncehub_nb._errors import ConfigurationError, PullInterrupted
from oncehub_nb._http.pagination import ChainedPaginator, Paginator
from oncehub_nb._http.transport import Transport
from oncehub_nb.frames.buffer import ColumnBuffer
from oncehub_nb.frames.build import Column, prefixed, records_to_frame
from oncehub_nb.frames.pull import collect
from oncehub_nb.resources._filters import (
    Filter,
    FilterKind,
    FilterSpec,
    TimeLike,
    check_tz,
    expand_names,
    filter_specs,
    suggest,
    to_api_time,
)
from oncehub_nb.resources._signatures import publish
from oncehub_nb.resources._tables import ARROW_DOC, POLARS_DOC, TableOutputs

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "Filter",
    "FilterKind",
    "FilterSpec",
    "Listing",
    "NoFilters",
    "Resource",
    "TimeLike",
    "to_api_time",
]

Record = dict[str, Any]
Listing = Paginator | ChainedPaginator


class NoFilters(TypedDict, total=False):
    """The filters of a list endpoint that only pages (event types, master pages, webhooks)."""


class Resource(TableOutputs):
    """Base of one API resource: a path, its filters, its columns, what it can expand.

    Subclasses set :attr:`path`, :attr:`filters_type` (the filters, declared once),
    :attr:`columns` and :attr:`expandable`; ``list``, ``get`` and ``to_frame`` come from here.

    Args:
        transport: the client's transport.

    Attributes:
        interrupted: the :class:`~oncehub_nb.PullInterrupted` of this thread's last pull that
            stopped early (``None`` after a complete one), so a Ctrl-C in a notebook loses
            nothing even when the error was not caught.

    Example:
        >>> hub.bookings.get("BKNG-H60DZO03KD8P")["status"]
        'scheduled'
    """

    path: ClassVar[str] = ""
    #: What the objects are called in docs ("bookings"), the client attribute, the id prefix.
    noun: ClassVar[str] = "objects"
    attribute: ClassVar[str] = ""
    id_prefix: ClassVar[str] = ""
    #: The filters, declared once: a ``TypedDict`` of ``Annotated[type, Filter(...)]`` fields.
    filters_type: ClassVar[type] = NoFilters
    #: The filters as rows (made from :attr:`filters_type` when the class is made).
    filters: ClassVar[tuple[FilterSpec, ...]] = ()
    expandable: ClassVar[tuple[str, ...]] = ()
    #: The frame's columns (see :mod:`oncehub_nb.frames.build`).
    columns: ClassVar[tuple[Column, ...]] = ()
    #: Expandable field -> the related object's columns, added as ``<field>.*`` when expanded.
    expansions: ClassVar[Mapping[str, tuple[Column, ...]]] = {}
    #: The unchanging time field a pull may walk in slices at once (``None``: one walk always).
    slice_by: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls.filters = filter_specs(cls.filters_type)
        outputs = {
            "to_arrow": (TableOutputs.to_arrow, ARROW_DOC),
            "to_polars": (TableOutputs.to_polars, POLARS_DOC),
        }
        publish(cls, list_base=Resource.list, frame_base=Resource.to_frame, outputs=outputs)

    def __init__(self, transport: Transport) -> None:
        self.transport = transport
        self._local = threading.local()

    @property
    def interrupted(self) -> PullInterrupted | None:
        """This thread's last pull that stopped early (``None`` after a complete one)."""
        return getattr(self._local, "interrupted", None)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path}>"

    # -- query ------------------------------------------------------------------------------

    def _expand_names(self, expand: str | Iterable[str] | None) -> builtins.list[str]:
        return expand_names(expand, self.expandable, path=self.path)

    def _expand(self, expand: str | Iterable[str] | None, *, on_list: bool) -> str | None:
        names = self._expand_names(expand)
        return ",".join(f"data.{n}" if on_list else n for n in names) or None

    def _query(self, values: Mapping[str, object]) -> dict[str, str]:
        """Convert filter keyword arguments to query parameters, skipping ``None`` values."""
        by_name = {spec.name: spec for spec in self.filters}
        params: dict[str, str] = {}
        for name, value in values.items():
            if value is None:
                continue
            spec = by_name.get(name)
            if spec is None:
                known = ", ".join(by_name) or "none"
                raise ConfigurationError(
                    f"{self.path} has no filter {name!r}.{suggest(name, by_name)} Its filters "
                    f"are: {known}"
                )
            params[spec.api_name] = spec.convert(value)
        return params

    def list(
        self,
        *,
        expand: str | Iterable[str] | None = None,
        after: str | None = None,
        max_items: int | None = None,
        **filters: Any,
    ) -> Listing:
        """Iterate over the objects (see each resource's own ``list`` for its filters).

        Args:
            expand: fields to return as whole objects.
            after: resume after this cursor (a previous pull's ``cursor``).
            max_items: stop after this many.
            **filters: the resource's filters.

        Returns:
            A re-iterable listing (``.pages()``, ``.cursor``).
        """
        return self._listing(filters, expand=expand, after=after, max_items=max_items)

    def _listing(
        self,
        filters: Mapping[str, object],
        *,
        expand: str | Iterable[str] | None,
        after: str | None,
        max_items: int | None,
    ) -> Listing:
        """Build the listing (Bookings walks a list of statuses one by one)."""
        return self._list(filters, expand=expand, after=after, max_items=max_items)

    def _list(
        self,
        filters: Mapping[str, object],
        *,
        expand: str | Iterable[str] | None = None,
        after: str | None = None,
        max_items: int | None = None,
    ) -> Paginator:
        params = self._query(filters)
        expanded = self._expand(expand, on_list=True)
        if expanded:
            params["expand"] = expanded
        if max_items is not None and (
            isinstance(max_items, bool) or not isinstance(max_items, int) or max_items < 0
        ):
            raise ConfigurationError(
                f"max_items must be a whole number, 0 or more, got {max_items!r}"
            )
        listing = Paginator(self.transport, self.path, params, after=after, max_items=max_items)
        listing.slice_by = self.slice_by
        return listing

    # -- frames -----------------------------------------------------------------------------

    def frame_columns(self, expand: str | Iterable[str] | None = None) -> tuple[Column, ...]:
        """The columns :meth:`to_frame` returns, for these ``expand`` fields.

        Args:
            expand: expanded fields; each adds ``<field>.*`` columns.

        Returns:
            The schema.

        Example:
            >>> [c.name for c in hub.bookings.frame_columns("owner")][-2:]
            ['owner.timezone', 'owner.teams']
        """
        extra = [prefixed(n, self.expansions.get(n, ())) for n in self._expand_names(expand)]
        return (*self.columns, *(column for group in extra for column in group))

    @overload
    def to_frame(
        self,
        *,
        tz: str | None = ...,
        raw: Literal[False] = ...,
        explode: str | None = ...,
        progress: bool | None = ...,
        expand: str | Iterable[str] | None = ...,
        after: str | None = ...,
        max_items: int | None = ...,
        **filters: Any,
    ) -> pd.DataFrame: ...

    @overload
    def to_frame(
        self,
        *,
        tz: str | None = ...,
        raw: Literal[True],
        explode: str | None = ...,
        progress: bool | None = ...,
        expand: str | Iterable[str] | None = ...,
        after: str | None = ...,
        max_items: int | None = ...,
        **filters: Any,
    ) -> builtins.list[Record]: ...

    def to_frame(
        self,
        *,
        tz: str | None = None,
        raw: bool = False,
        explode: str | None = None,
        progress: bool | None = None,
        expand: str | Iterable[str] | None = None,
        after: str | None = None,
        max_items: int | None = None,
        **filters: Any,
    ) -> pd.DataFrame | builtins.list[Record]:
        """Pull every matching object into a typed DataFrame (same columns when empty).

        Each resource shows this with its own filters and words (see :mod:`._signatures`);
        ``raw=True`` returns the records untouched; an early stop raises
        :class:`~oncehub_nb.PullInterrupted` with the frame so far and a ``.resume()``.

        Example:
            >>> frame = hub.bookings.to_frame(status="completed", expand="owner", progress=False)
            >>> "owner.email" in frame.columns and bool(frame["owner_id"].notna().all())
            True
        """
        check_tz(tz)
        columns = self.frame_columns(expand)
        if explode is not None:
            lists = [c.name for c in columns if c.kind == "list"]
            if explode not in lists:
                raise ConfigurationError(
                    f"explode={explode!r} is not a list column; choose one of "
                    f"{', '.join(lists) or 'none (this resource has no list columns)'}"
                )

        def build(records: builtins.list[Record]) -> Any:
            if raw:
                return records
            return records_to_frame(records, columns, tz=tz, explode=explode)

        arguments = {**filters, "expand": expand, "after": after, "max_items": max_items}
        buffer = None if raw else ColumnBuffer(columns, tz=tz, explode=explode)
        return self.pull(arguments, build=build, progress=progress, done=[], buffer=buffer)  # type: ignore[no-any-return]

    @property
    def api_base(self) -> str:
        """The API base this resource's records come from."""
        return self.transport.settings.api_base

    def pull(
        self,
        filters: Mapping[str, Any],
        *,
        build: Callable[[builtins.list[Record]], Any],
        progress: bool | None,
        done: builtins.list[Record],
        buffer: ColumnBuffer | None = None,
    ) -> Any:
        """The pull behind :meth:`to_frame` (and ``sync``): every matching record, built.

        On an early stop it re-raises :class:`~oncehub_nb.PullInterrupted` with every record so
        far, their built form (``.frame``) and a ``.resume()`` that continues from the cursor.

        Args:
            filters: ``list()`` arguments (filters, ``expand``, ``after``, ``max_items``).
            build: turns the records into the result (a frame, or ``list``).
            progress: the progress bar (see :meth:`to_frame`).
            done: records an earlier part of this pull already fetched.
            buffer: a new :class:`~oncehub_nb.frames.buffer.ColumnBuffer` to take the frame's
                values while the pull runs (the result is then its frame, not ``build``'s).

        Returns:
            ``build(records)``, or ``buffer``'s frame of them when the pull was not a resume.
        """
        walk = self.list(**filters)
        feed = None if buffer is None or done else buffer.add
        if buffer is not None:  # type columns early while walker threads do the fetching
            buffer.early = lambda: getattr(walk, "walks_at_once", 1) > 1
        try:
            records = collect(walk, progress=progress, desc=self.path.strip("/"), feed=feed)
        except PullInterrupted as stop:
            kept = [*done, *stop.records]
            rest = dict(filters, after=stop.cursor)
            if filters.get("max_items") is not None:
                rest["max_items"] = int(filters["max_items"]) - len(stop.records)

            def resume() -> Any:
                return self.pull(rest, build=build, progress=progress, done=kept)

            self._local.interrupted = PullInterrupted(
                str(stop), records=kept, cursor=stop.cursor, frame=build(kept), resume=resume
            )
            raise self._local.interrupted from stop.__cause__
        self._local.interrupted = None
        if feed is not None and buffer is not None:
            return buffer.frame(records)
        return build([*done, *records])

    # -- single objects and actions ---------------------------------------------------------

    def _object_path(self, object_id: str, *suffix: str) -> str:
        if not isinstance(object_id, str) or not object_id.strip():
            raise ConfigurationError(f"Expected a non-empty id string, got {object_id!r}")
        return "/".join((self.path, quote(object_id.strip(), safe=""), *suffix))

    def _send(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> Any:
        """Send one request and return its decoded JSON (``None`` fields dropped from body)."""
        payload = None if body is None else {k: v for k, v in body.items() if v is not None}
        return self.transport.request_json(method, path, params=params or None, json=payload)

    def _send_object(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        params: Mapping[str, str] | None = None,
    ) -> Record:
        payload = None if body is None else {k: v for k, v in body.items() if v is not None}
        answer: Record = self.transport.request_json(
            method, path, params=params or None, json=payload, expect=dict
        )
        return answer

    def get(self, object_id: str, *, expand: str | Iterable[str] | None = None) -> Record:
        """Fetch one object by its id.

        Args:
            object_id: the object's id (``BKNG-…``, ``USR-…`` ...).
            expand: related fields to return as whole objects instead of ids.

        Returns:
            The object as OnceHub returns it (a deleted one as ``{"id", "object", "deleted"}``).

        Raises:
            NotFoundError: no object has that id.
            ConfigurationError: the id is empty or ``expand`` names a field that cannot expand.

        Example:
            >>> booking = hub.bookings.get("BKNG-H60DZO03KD8P", expand="owner")
            >>> booking["owner"]["object"], booking["owner"]["email"]
            ('user', 'elizabeth.lam@martin-mcmillan.example.com')
        """
        path = self._object_path(object_id)
        expanded = self._expand(expand, on_list=False)
        return self._send_object("GET", path, params={"expand": expanded} if expanded else None)

"""A dlt source for OnceHub: every list endpoint as a resource, into any dlt destination.

`dlt <https://dlthub.com>`_ loads data into DuckDB, BigQuery, Snowflake, Postgres and more, and
keeps each pipeline's state. :func:`oncehub_source` gives it one resource per OnceHub list
endpoint (``bookings``, ``contacts``, ``users`` ...), each with primary key ``id`` and the
``merge`` write disposition. Where the endpoint filters on update time (bookings, contacts),
the resource is incremental on ``last_updated_time`` (``dlt.sources.incremental``): a later run
asks only for records updated after the newest one loaded, so nothing changed costs one list
request. The other endpoints (a page or two each) are fetched whole and merged.

The requests go through the SDK's client, so its auth (API key or OAuth, with refresh), rate
limiter and retries apply. Each page becomes a typed Arrow table (the columns of
``to_frame()``, see :mod:`oncehub_nb.frames.arrow`; dlt names them in snake case,
``form_submission.email`` becomes ``form_submission_email``), so times load as timestamps with
a time zone, counts as nullable integers and flags as nullable booleans.

dlt is the ``dlt`` extra; this module is imported only by ``import oncehub_nb.dlt``.

Example:
    >>> import dlt
    >>> pipeline = dlt.pipeline("oncehub", destination="duckdb")
    >>> info = pipeline.run(oncehub_source(hub, resources=["bookings"]))
    >>> with pipeline.sql_client() as client:
    ...     rows = client.execute_sql("SELECT count(*) FROM bookings")[0][0]
    >>> rows == len(sb.ground_truth("bookings"))
    True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from oncehub_nb._errors import ConfigurationError, MissingDependencyError
from oncehub_nb._http.pagination import Paginator

try:
    import dlt
    from dlt.sources import DltResource, DltSource
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    raise MissingDependencyError("oncehub_nb.dlt needs dlt", extra="dlt") from exc

from oncehub_nb.frames.arrow import records_to_arrow

if TYPE_CHECKING:
    import pyarrow as pa

    from oncehub_nb._client import OnceHub
    from oncehub_nb.resources._base import Resource

__all__ = ["RESOURCES", "oncehub_source"]

#: The client attributes that become dlt resources (and their table names).
RESOURCES = (
    "bookings",
    "contacts",
    "users",
    "teams",
    "booking_calendars",
    "booking_pages",
    "master_pages",
    "event_types",
    "webhooks",
    "sms_notifications",
)


def _pages(resource: Resource, filters: dict[str, Any]) -> Iterator[pa.Table]:
    """The endpoint's pages as typed Arrow tables (categories as plain text, for any loader)."""
    import pyarrow as pa

    columns = resource.columns
    listing = resource.list(**filters)
    if not isinstance(listing, Paginator):  # pragma: no cover - only a list of statuses chains
        raise ConfigurationError(f"{resource.path}: expected one walk")
    for page in listing.pages():
        if not page.data:
            continue
        table = records_to_arrow(page.data, columns)
        # id: the primary key, never null (as dlt's hint says); categories as plain text.
        plain = [
            pa.field(f.name, f.type.value_type) if pa.types.is_dictionary(f.type) else f
            for f in table.schema
        ]
        plain = [f.with_nullable(False) if f.name == "id" else f for f in plain]
        yield table.cast(pa.schema(plain))


def _resource(resource: Resource, name: str, lag: dt.timedelta) -> DltResource:
    common: dict[str, Any] = {"name": name, "primary_key": "id", "write_disposition": "merge"}
    if not resource.syncs_incrementally:

        def whole() -> Iterator[pa.Table]:
            yield from _pages(resource, {})

        return dlt.resource(whole, **common)

    cursor: dlt.sources.incremental[Any] = dlt.sources.incremental(
        "last_updated_time", lag=lag.total_seconds() or None, range_start="open"
    )

    def changed(
        last_updated_time: dlt.sources.incremental[Any] = cursor,
    ) -> Iterator[pa.Table]:
        since = last_updated_time.start_value  # dlt has stepped it back by the lag already
        yield from _pages(resource, {} if since is None else {"updated_after": since})

    return dlt.resource(changed, **common)


def oncehub_source(
    hub: OnceHub,
    *,
    resources: Iterable[str] | None = None,
    lag: dt.timedelta = dt.timedelta(0),
) -> DltSource:
    """A dlt source of an OnceHub account, read through ``hub``.

    Args:
        hub: the client (its auth, rate limiter and retries are used for every request).
        resources: the endpoints to load (default all of :data:`RESOURCES`); a source's
            ``.with_resources(...)`` chooses too.
        lag: ask again from this long before the newest loaded update (for a source whose
            clock you distrust); default none, so nothing changed costs one request.

    Returns:
        A ``DltSource`` named ``oncehub``; run it with ``pipeline.run(source)``.

    Raises:
        ConfigurationError: an unknown resource name, or a negative lag.

    Example:
        >>> source = oncehub_source(hub, resources=["bookings", "users"])
        >>> sorted(source.resources)
        ['bookings', 'users']
    """
    chosen = list(RESOURCES if resources is None else resources)
    unknown = [name for name in chosen if name not in RESOURCES]
    if unknown:
        raise ConfigurationError(
            f"oncehub_source() has no resource {unknown[0]!r}; choose from {', '.join(RESOURCES)}"
        )
    if not isinstance(lag, dt.timedelta) or lag < dt.timedelta(0):
        raise ConfigurationError(f"lag takes a timedelta of 0 or more, got {lag!r}")
    made = [_resource(getattr(hub, name), name, lag) for name in dict.fromkeys(chosen)]

    @dlt.source(name="oncehub", max_table_nesting=0)
    def oncehub() -> list[DltResource]:
        return made

    source: DltSource = oncehub()
    return source

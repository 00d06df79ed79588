"""The small base every resource stands on: filter conversion, list, get.

Filters are keyword arguments with Python types and readable names; each resource declares them
as :class:`FilterSpec` rows, and :meth:`Resource._query` turns them into the API's query string
form before any request is sent, so a wrong name or value fails at once, naming the argument.

Example:
    >>> spec = FilterSpec("created_after", "creation_time.gt", "time")
    >>> import datetime as dt
    >>> spec.convert(dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc))
    '2026-01-02T03:04:05Z'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Literal

from .._errors import APIStatusError, ConfigurationError
from .._pagination import Paginator
from .._transport import Transport

__all__ = ["FilterSpec", "Resource", "to_api_time"]

FilterKind = Literal["id", "text", "time", "choice"]


def to_api_time(value: object, *, argument: str) -> str:
    """Convert a date or time to the API's form: ISO 8601 in UTC with ``Z``.

    Naive datetimes are taken as UTC; dates mean midnight UTC; strings are parsed as ISO 8601.

    Args:
        value: a ``datetime``, ``date``, pandas ``Timestamp`` or ISO 8601 string.
        argument: the argument's name, for the error message.

    Returns:
        ``YYYY-MM-DDTHH:MM:SSZ`` (milliseconds kept when present).

    Raises:
        ConfigurationError: the value is not a date or time.

    Example:
        >>> to_api_time("2026-03-01", argument="created_after")
        '2026-03-01T00:00:00Z'
        >>> to_api_time("2026-03-01T10:00:00+02:00", argument="created_after")
        '2026-03-01T08:00:00Z'
    """
    moment: dt.datetime
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        text = value.strip()
        try:
            moment = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ConfigurationError(
                f"{argument}={value!r} is not an ISO 8601 date or time "
                "(e.g. '2026-01-31' or '2026-01-31T09:00:00Z')"
            ) from None
    else:
        raise ConfigurationError(
            f"{argument} takes a datetime, date or ISO 8601 string, got {type(value).__name__}"
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    moment = moment.astimezone(dt.UTC)
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond // 1000:03d}"
    return text + "Z"


@dataclasses.dataclass(frozen=True)
class FilterSpec:
    """One filter of a list endpoint: its Python name, API name and kind.

    Attributes:
        name: the keyword argument (``created_after``).
        api_name: the query parameter (``creation_time.gt``).
        kind: ``id`` / ``text`` (a non-empty string), ``time`` (see :func:`to_api_time`) or
            ``choice`` (one of ``choices``).
        choices: the allowed values of a ``choice`` filter.

    Example:
        >>> FilterSpec("status", "status", "choice", ("scheduled", "canceled")).convert("canceled")
        'canceled'
    """

    name: str
    api_name: str
    kind: FilterKind
    choices: tuple[str, ...] = ()

    def convert(self, value: object) -> str:
        """Check a value and convert it to the API's string form.

        Args:
            value: the caller's value.

        Returns:
            The query-string value.

        Raises:
            ConfigurationError: the value is of the wrong type or not allowed.
        """
        if self.kind == "time":
            return to_api_time(value, argument=self.name)
        if not isinstance(value, str) or not value.strip():
            raise ConfigurationError(f"{self.name} takes a non-empty string, got {value!r}")
        text = value.strip()
        if self.kind == "choice" and text not in self.choices:
            raise ConfigurationError(
                f"{self.name}={value!r} is not one of {', '.join(self.choices)}"
            )
        return text


class Resource:
    """Base of one API resource: a path, its filters and what it can expand.

    Subclasses set :attr:`path`, :attr:`filters` and :attr:`expandable`, and give ``list`` a
    signature with real keyword arguments (for tab completion) that calls :meth:`_list`.

    Args:
        transport: the client's transport.

    Example:
        >>> hub.bookings.get("BKNG-0123456789AB")["status"]  # doctest: +SKIP
        'scheduled'
    """

    path: ClassVar[str] = ""
    filters: ClassVar[tuple[FilterSpec, ...]] = ()
    expandable: ClassVar[tuple[str, ...]] = ()

    def __init__(self, transport: Transport) -> None:
        self._transport = transport

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.path}>"

    def _expand(self, expand: str | Iterable[str] | None, *, on_list: bool) -> str | None:
        if expand is None:
            return None
        fields = [expand] if isinstance(expand, str) else list(expand)
        names: list[str] = []
        for field in fields:
            for part in str(field).split(","):
                name = part.strip().removeprefix("data.")
                if not name:
                    continue
                if name not in self.expandable:
                    allowed = ", ".join(self.expandable) or "nothing"
                    raise ConfigurationError(
                        f"expand={part.strip()!r} is not expandable here; {self.path} expands "
                        f"{allowed}"
                    )
                names.append(f"data.{name}" if on_list else name)
        return ",".join(dict.fromkeys(names)) or None

    def _query(self, values: Mapping[str, object]) -> dict[str, str]:
        """Convert filter keyword arguments to query parameters, skipping ``None`` values."""
        by_name = {spec.name: spec for spec in self.filters}
        params: dict[str, str] = {}
        for name, value in values.items():
            if value is None:
                continue
            spec = by_name.get(name)
            if spec is None:
                known = ", ".join(sorted(by_name)) or "none"
                raise ConfigurationError(
                    f"{self.path} has no filter {name!r}; its filters are: {known}"
                )
            params[spec.api_name] = spec.convert(value)
        return params

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
        if max_items is not None and max_items < 0:
            raise ConfigurationError(f"max_items must be 0 or more, got {max_items}")
        return Paginator(self._transport, self.path, params, after=after, max_items=max_items)

    def get(self, object_id: str, *, expand: str | Iterable[str] | None = None) -> dict[str, Any]:
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
            >>> hub.bookings.get("BKNG-0123456789AB", expand="owner")  # doctest: +SKIP
        """
        if not isinstance(object_id, str) or not object_id.strip():
            raise ConfigurationError(f"get() takes a non-empty id string, got {object_id!r}")
        from urllib.parse import quote

        params: dict[str, str] = {}
        expanded = self._expand(expand, on_list=False)
        if expanded:
            params["expand"] = expanded
        body = self._transport.request_json(
            "GET", f"{self.path}/{quote(object_id.strip(), safe='')}", params=params or None
        )
        if not isinstance(body, dict):
            raise APIStatusError(
                200,
                None,
                f"OnceHub answered GET {self.path}/{object_id} with a non-object",
                None,
                self._transport.last_request_id,
            )
        return body

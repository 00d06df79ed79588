"""Filter arguments: declared once per resource, with readable Python names and types.

A resource declares its filters in one ``TypedDict``; each field's ``Annotated`` metadata is a
:class:`Filter` (the API's query parameter, the kind of value, the allowed choices, one line of
docs). From that one declaration come the :class:`FilterSpec` rows that check and convert values
(with "did you mean" suggestions for names and choices), the query parameters sent on every page,
the keyword arguments ``list()`` and ``to_frame()`` show (``help()``, tab completion), their
docstrings, and the filter tables of the docs.

Example:
    >>> class Filters(typing.TypedDict, total=False):
    ...     created_after: typing.Annotated[TimeLike, Filter("creation_time.gt", "created after")]
    >>> (spec,) = filter_specs(Filters)
    >>> spec.api_name, spec.convert("2026-01-02")
    ('creation_time.gt', '2026-01-02T00:00:00Z')
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import typing
from collections.abc import Iterable
from typing import Annotated, Any, Literal, TypedDict

from oncehub_nb._errors import ConfigurationError

__all__ = [
    "CreatedFilters",
    "Filter",
    "FilterKind",
    "FilterSpec",
    "TimeLike",
    "UpdatedFilters",
    "check_choice",
    "check_ids",
    "check_text",
    "check_tz",
    "expand_names",
    "filter_specs",
    "suggest",
    "to_api_time",
]

#: What time filters accept: a ``datetime`` (naive means UTC), a ``date`` or an ISO 8601 string.
TimeLike = dt.datetime | dt.date | str

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


def suggest(wrong: str, known: Iterable[str]) -> str:
    """`` Did you mean 'x'?`` for the closest known name, or nothing.

    Example:
        >>> suggest("crated_after", ["created_after", "created_before"])
        " Did you mean 'created_after'?"
    """
    close = difflib.get_close_matches(wrong, list(known), n=1)
    return f" Did you mean {close[0]!r}?" if close else ""


@dataclasses.dataclass(frozen=True)
class Filter:
    """What a filter field of a resource's filters ``TypedDict`` means (its ``Annotated`` tag).

    Attributes:
        api_name: the query parameter (``creation_time.gt``).
        doc: one line for the docs and ``help()``.
        kind: ``id``, ``text``, ``time`` or ``choice``; default ``time`` for a ``TimeLike``
            field, ``choice`` when ``choices`` are given, else ``id``.
        choices: the allowed values of a ``choice`` filter.
    """

    api_name: str
    doc: str
    kind: FilterKind | None = None
    choices: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class FilterSpec:
    """One filter of a list endpoint: its Python name, API name and kind.

    Attributes:
        name: the keyword argument (``created_after``).
        api_name: the query parameter (``creation_time.gt``).
        kind: ``id`` / ``text`` (a non-empty string), ``time`` (see :func:`to_api_time`) or
            ``choice`` (one of ``choices``).
        choices: the allowed values of a ``choice`` filter.
        doc: one line of docs.
        annotation: the Python type the argument takes.

    Example:
        >>> FilterSpec("status", "status", "choice", ("scheduled", "canceled")).convert("canceled")
        'canceled'
    """

    name: str
    api_name: str
    kind: FilterKind
    choices: tuple[str, ...] = ()
    doc: str = ""
    annotation: Any = str

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
        if self.kind == "choice":
            return check_choice(self.name, value, self.choices)
        return check_text(self.name, value)


def filter_specs(declaration: type) -> tuple[FilterSpec, ...]:
    """Read a filters ``TypedDict`` into :class:`FilterSpec` rows, in declaration order.

    Args:
        declaration: a ``TypedDict`` whose fields are ``Annotated[type, Filter(...)]``.

    Returns:
        One row per field.

    Raises:
        TypeError: a field has no :class:`Filter` tag (a mistake in the SDK, found on import).
    """
    hints = typing.get_type_hints(declaration, include_extras=True)
    # The resource's own filters first, then the shared ones (created_*, updated_*).
    shared = {*CreatedFilters.__annotations__, *UpdatedFilters.__annotations__}
    order = [n for n in hints if n not in shared] + [n for n in hints if n in shared]
    specs: list[FilterSpec] = []
    for name in order:
        hint = hints[name]
        tags = [m for m in getattr(hint, "__metadata__", ()) if isinstance(m, Filter)]
        if not tags:
            raise TypeError(f"{declaration.__name__}.{name} needs an Annotated[..., Filter(...)]")
        tag, annotation = tags[0], hint.__origin__
        kind = tag.kind or ("choice" if tag.choices else "time" if annotation == TimeLike else "id")
        specs.append(FilterSpec(name, tag.api_name, kind, tag.choices, tag.doc, annotation))
    return tuple(specs)


class CreatedFilters(TypedDict, total=False):
    """The creation-time filters several endpoints share."""

    created_after: Annotated[TimeLike, Filter("creation_time.gt", "created strictly after this.")]
    created_before: Annotated[TimeLike, Filter("creation_time.lt", "created strictly before this.")]


class UpdatedFilters(TypedDict, total=False):
    """The last-update filters several endpoints share."""

    updated_after: Annotated[
        TimeLike, Filter("last_updated_time.gt", "last updated strictly after this.")
    ]
    updated_before: Annotated[
        TimeLike, Filter("last_updated_time.lt", "last updated strictly before this.")
    ]


def check_text(name: str, value: object) -> str:
    """Return a non-empty string argument, stripped, or fail naming it.

    Args:
        name: the argument's name, for the message.
        value: the caller's value.

    Returns:
        The stripped text.

    Raises:
        ConfigurationError: not a non-empty string.

    Example:
        >>> check_text("email", " a@b.c ")
        'a@b.c'
    """
    if not isinstance(value, str) or not value.strip():
        raise ConfigurationError(f"{name} takes a non-empty string, got {value!r}")
    return value.strip()


def check_tz(tz: str | None) -> None:
    """Fail unless ``tz`` is ``None`` or an IANA time zone.

    Args:
        tz: the ``tz=`` argument of a pull.

    Raises:
        ConfigurationError: not a time zone the system knows.

    Example:
        >>> check_tz("Europe/Paris")
    """
    if tz is None:
        return
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"tz={tz!r} is not an IANA time zone (e.g. 'Europe/Paris')"
        ) from None


def check_choice(name: str, value: object, choices: tuple[str, ...]) -> str:
    """Return ``value`` when it is one of ``choices``, or fail naming the argument.

    Args:
        name: the argument's name.
        value: the caller's value.
        choices: the allowed values.

    Returns:
        The value.

    Raises:
        ConfigurationError: not one of ``choices``.

    Example:
        >>> check_choice("role_name", "Member", ("Member", "Administrator"))
        'Member'
    """
    text = check_text(name, value)
    if text not in choices:
        hint = suggest(text, choices)
        raise ConfigurationError(f"{name}={value!r} is not one of {', '.join(choices)}.{hint}")
    return text


def check_ids(name: str, value: object) -> list[str]:
    """Return a list of id strings (a single string is refused: pass a list).

    Args:
        name: the argument's name.
        value: a list or tuple of ids.

    Returns:
        The ids.

    Raises:
        ConfigurationError: not a list of non-empty strings.

    Example:
        >>> check_ids("teams", ("TM-1",))
        ['TM-1']
    """
    if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
        raise ConfigurationError(f"{name} takes a list of ids, got {value!r}")
    return [check_text(name, item) for item in value]


def expand_names(
    expand: str | Iterable[str] | None, expandable: tuple[str, ...], *, path: str
) -> list[str]:
    """The fields to expand (``"owner,contact"`` or a list; ``data.`` tolerated), checked.

    Example:
        >>> expand_names("owner, data.contact", ("owner", "contact"), path="/bookings")
        ['owner', 'contact']
    """
    if expand is None:
        return []
    fields = [expand] if isinstance(expand, str) else list(expand)
    names: list[str] = []
    for field in fields:
        for part in str(field).split(","):
            name = part.strip().removeprefix("data.")
            if not name:
                continue
            if name not in expandable:
                allowed = ", ".join(expandable) or "nothing"
                raise ConfigurationError(
                    f"expand={part.strip()!r} is not expandable here; {path} expands "
                    f"{allowed}.{suggest(name, expandable)}"
                )
            names.append(name)
    return list(dict.fromkeys(names))

"""Filter arguments: readable Python names and types, converted to the API's query form.

Example:
    >>> spec = FilterSpec("created_after", "creation_time.gt", "time")
    >>> import datetime as dt
    >>> spec.convert(dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc))
    '2026-01-02T03:04:05Z'
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from typing import Literal

from oncehub_nb._errors import ConfigurationError

__all__ = [
    "FilterKind",
    "FilterSpec",
    "TimeLike",
    "check_choice",
    "check_ids",
    "check_text",
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
        if self.kind == "choice":
            return check_choice(self.name, value, self.choices)
        return check_text(self.name, value)


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
        close = difflib.get_close_matches(text, choices, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
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

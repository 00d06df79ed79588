"""Times as the API writes them, in whole microseconds since 1970 (slice bounds).

Example:
    >>> format_time(parse_time("2026-01-01T00:00:00.5Z") or 0)
    '2026-01-01T00:00:00.500Z'
"""

from __future__ import annotations

import datetime as dt

__all__ = ["MS", "format_time", "parse_time"]

MS = 1000  # microseconds in a millisecond: slice bounds are whole milliseconds
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


def parse_time(value: object) -> int | None:
    """Microseconds since 1970 of an ISO 8601 time (``None`` when it is not one).

    Example:
        >>> parse_time("1970-01-01T00:00:01.5Z"), parse_time("soon")
        (1500000, None)
    """
    if not isinstance(value, str):
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return (moment - _EPOCH) // dt.timedelta(microseconds=1)


def format_time(micros: int) -> str:
    """The API's form of a time: UTC, milliseconds, ``Z`` (finer digits are dropped).

    Example:
        >>> format_time(1500000)
        '1970-01-01T00:00:01.500Z'
    """
    moment = _EPOCH + dt.timedelta(microseconds=micros - micros % MS)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // MS:03d}Z"

"""Event types (Booking Pages product): list, get, and a typed DataFrame.

Example:
    >>> hub.event_types.to_frame()  # doctest: +SKIP
"""

from __future__ import annotations

from oncehub_nb.frames.build import Column
from oncehub_nb.resources._base import Resource

__all__ = ["EVENT_TYPE_COLUMNS", "EventTypes"]

EVENT_TYPE_COLUMNS: tuple[Column, ...] = (
    Column("id", "string"),
    Column("name", "string"),
    Column("description", "string"),
)


class EventTypes(Resource):
    """``/event-types``: the services customers choose on booking pages.

    Example:
        >>> hub.event_types.get("ET-0123456789")["name"]  # doctest: +SKIP
        '15-minute intro call'
    """

    path = "/event-types"
    noun, attribute, id_prefix = "event types", "event_types", "ET-"
    columns = EVENT_TYPE_COLUMNS

"""Event types (Booking Pages product): list, get, and a typed DataFrame.

Example:
    >>> hub.event_types.to_frame()[["id", "name"]]
                  id                    name
    0  ET-SMBBKJY8Q7        Quarterly review
    1  ET-FJMNE49QRD    15-minute intro call
    2  ET-DMJ3FA8TFT  30-minute consultation
    3  ET-AT95ZJNG1T            Product demo
    4  ET-2LI394330I      Onboarding session
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
        >>> hub.event_types.get("ET-SMBBKJY8Q7")["name"]
        'Quarterly review'
    """

    path = "/event-types"
    noun, attribute, id_prefix = "event types", "event_types", "ET-"
    columns = EVENT_TYPE_COLUMNS

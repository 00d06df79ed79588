"""SMS notifications: list with filters (recipient can expand), get, and a typed DataFrame.

Example:
    >>> frame = hub.sms_notifications.to_frame(expand="recipient")
    >>> frame[["id", "recipient_type", "recipient.first_name"]].head(3)
                     id recipient_type recipient.first_name
    0  SMS-39P0JNATMOPV        contact              Barbara
    1  SMS-ZU9BZ2ELBU0M        contact                Nancy
    2  SMS-7SNKOZ3R0HQM        contact                David
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, ClassVar

from oncehub_nb.frames.build import Column
from oncehub_nb.resources._base import Resource
from oncehub_nb.resources._filters import CreatedFilters, Filter

__all__ = ["SMS_COLUMNS", "SMS_STATUSES", "SmsNotifications"]

SMS_STATUSES = ("sent", "failed", "delivered", "rejected")
RECIPIENT_TYPES = ("contact", "user")

SMS_COLUMNS: tuple[Column, ...] = (
    Column("id", "string"),
    Column("type", "category", choices=("sms",)),
    Column("status", "category", choices=SMS_STATUSES),
    Column("creation_time", "datetime"),
    Column("recipient_id", "string", source=("recipient",), id_of=True),
    Column("recipient_type", "category", choices=RECIPIENT_TYPES),
    Column("details.delivered_to", "string"),
    Column("details.message_body", "string"),
    Column("details.segment_count", "Int64"),
)

#: What an expanded recipient (a contact or a user) adds as ``recipient.*`` columns.
_RECIPIENT_COLUMNS: tuple[Column, ...] = (
    Column("object", "category", choices=RECIPIENT_TYPES),
    Column("first_name", "string"),
    Column("last_name", "string"),
    Column("email", "string"),
    Column("mobile_phone", "string"),
)


class SmsFilters(CreatedFilters, total=False):
    """The filters of ``/notifications/sms``."""

    recipient: Annotated[str, Filter("recipient", "a contact or user id: messages sent to it.")]
    recipient_type: Annotated[
        str, Filter("recipient_type", "``contact`` or ``user``.", choices=RECIPIENT_TYPES)
    ]


class SmsNotifications(Resource):
    """``/notifications/sms``: text messages sent from the account, newest first.

    Example:
        >>> hub.sms_notifications.to_frame()["status"].value_counts()
        status
        delivered    3
        sent         2
        rejected     2
        failed       0
        Name: count, dtype: int64
    """

    path = "/notifications/sms"
    filters_type = SmsFilters
    slice_by = "creation_time"
    noun, attribute, id_prefix = "SMS notifications", "sms_notifications", "SMS-"
    columns = SMS_COLUMNS
    expandable = ("recipient",)
    expansions: ClassVar[Mapping[str, tuple[Column, ...]]] = {"recipient": _RECIPIENT_COLUMNS}

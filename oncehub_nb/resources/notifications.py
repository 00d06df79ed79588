"""SMS notifications: list with filters (recipient can expand), get, and a typed DataFrame.

Example:
    >>> hub.sms_notifications.to_frame(expand="recipient")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar

from oncehub_nb._http.pagination import Paginator
from oncehub_nb.frames.build import Column
from oncehub_nb.resources._base import FilterSpec, Resource, TimeLike

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


class SmsNotifications(Resource):
    """``/notifications/sms``: text messages sent from the account, newest first.

    Example:
        >>> hub.sms_notifications.to_frame()["status"].value_counts()  # doctest: +SKIP
    """

    path = "/notifications/sms"
    columns = SMS_COLUMNS
    expandable = ("recipient",)
    expansions: ClassVar[Mapping[str, tuple[Column, ...]]] = {"recipient": _RECIPIENT_COLUMNS}
    filters = (
        FilterSpec("created_after", "creation_time.gt", "time"),
        FilterSpec("created_before", "creation_time.lt", "time"),
        FilterSpec("recipient", "recipient", "id"),
        FilterSpec("recipient_type", "recipient_type", "choice", RECIPIENT_TYPES),
    )

    def list(
        self,
        *,
        created_after: TimeLike | None = None,
        created_before: TimeLike | None = None,
        recipient: str | None = None,
        recipient_type: str | None = None,
        expand: str | Iterable[str] | None = None,
        after: str | None = None,
        max_items: int | None = None,
    ) -> Paginator:
        """Iterate over SMS notifications.

        Args:
            created_after: sent strictly after this time (datetime, date or ISO 8601).
            created_before: sent strictly before this time.
            recipient: a contact (``CTC-…``) or user (``USR-…``) id.
            recipient_type: ``contact`` or ``user``.
            expand: ``"recipient"`` for whole contact / user objects.
            after: resume after this notification id.
            max_items: stop after this many notifications.

        Returns:
            A lazy iterator of notification dicts.

        Raises:
            ConfigurationError: a wrong filter value (before any request).

        Example:
            >>> next(hub.sms_notifications.list(recipient_type="user"))["status"]  # doctest: +SKIP
        """
        filters = {
            "created_after": created_after,
            "created_before": created_before,
            "recipient": recipient,
            "recipient_type": recipient_type,
        }
        return self._list(filters, expand=expand, after=after, max_items=max_items)

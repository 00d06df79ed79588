"""Webhooks: list, get, create (the only moment OnceHub returns the secret) and delete.

To check the requests OnceHub then sends, see :mod:`oncehub_nb.webhooks`.

Example:
    >>> hook = hub.webhooks.create(name="CRM", url="https://example.com/hook",
    ...                            events=["booking.scheduled", "booking.canceled"])
    >>> secret = hook["secret"]  # store it now: OnceHub never returns it again
    >>> hook["id"], hook["events"], len(secret)
    ('WHK-...', ['booking.scheduled', 'booking.canceled'], 64)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from oncehub_nb._errors import ConfigurationError
from oncehub_nb.frames.build import Column
from oncehub_nb.resources._base import Resource
from oncehub_nb.resources._filters import check_text

__all__ = ["WEBHOOK_COLUMNS", "WEBHOOK_EVENTS", "Webhooks"]

#: The events a webhook can subscribe to; ``booking`` and ``conversation`` mean all of them.
WEBHOOK_EVENTS = (
    "booking", "booking.scheduled", "booking.rescheduled", "booking.reassigned",
    "booking.canceled_then_rescheduled", "booking.canceled_reschedule_requested",
    "booking.canceled", "booking.completed", "booking.no_show", "conversation",
    "conversation.started", "conversation.closed", "conversation.abandoned",
)  # fmt: skip

WEBHOOK_COLUMNS: tuple[Column, ...] = (
    Column("id", "string"),
    Column("name", "string"),
    Column("url", "string"),
    Column("events", "list"),
    Column("api_version", "category"),
    Column("creation_time", "datetime"),
)


class Webhooks(Resource):
    """``/webhooks``: where OnceHub POSTs booking and conversation events.

    Example:
        >>> frame = hub.webhooks.to_frame()
        >>> frame.loc[frame["name"] == "CRM sync", ["url", "events"]].to_dict("records")
        [{'url': 'https://hooks.crm-sync.example.com/oncehub', 'events': [...]}]
    """

    path = "/webhooks"
    noun, attribute, id_prefix = "webhooks", "webhooks", "WHK-"
    columns = WEBHOOK_COLUMNS

    def create(self, *, name: str, url: str, events: Sequence[str]) -> dict[str, Any]:
        """Register a webhook. The answer holds its signing ``secret``: keep it.

        Args:
            name: a name unique in the account.
            url: the ``https`` URL OnceHub will POST to.
            events: event types from :data:`WEBHOOK_EVENTS` (``"booking"``: every booking event).

        Returns:
            The webhook, with ``secret`` (returned only this once).

        Raises:
            ConfigurationError: a wrong argument (before any request).
            ConflictError: a webhook with this name exists.

        Example:
            >>> hook = hub.webhooks.create(name="n", url="https://h.example", events=["booking"])
            >>> sorted(hook)
            ['api_version', 'creation_time', 'events', 'id', 'name', 'object', 'secret', 'url']
        """
        if isinstance(events, str) or not isinstance(events, Sequence) or not events:
            raise ConfigurationError(
                f"events takes a non-empty list of event types, got {events!r}"
            )
        for event in events:
            if event not in WEBHOOK_EVENTS:
                raise ConfigurationError(
                    f"events: {event!r} is not an event type; use {', '.join(WEBHOOK_EVENTS)}"
                )
        body = {
            "name": check_text("name", name),
            "url": check_text("url", url),
            "events": list(dict.fromkeys(events)),
        }
        return self._send_object("POST", self.path, body=body)

    def delete(self, webhook_id: str) -> dict[str, Any]:
        """Delete a webhook (there is no update: delete and create again).

        Args:
            webhook_id: the webhook (``WHK-…``).

        Returns:
            ``{"id": ..., "deleted": True}``.

        Example:
            >>> hook = hub.webhooks.create(name="Old", url="https://h.example", events=["booking"])
            >>> hub.webhooks.delete(hook["id"])
            {'id': 'WHK-...', 'deleted': True}
        """
        return self._send_object("DELETE", self._object_path(webhook_id))

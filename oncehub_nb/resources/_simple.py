"""The base of resources whose list takes no filters (event types, master pages, webhooks).

Example:
    >>> for event_type in hub.event_types.list():  # doctest: +SKIP
    ...     print(event_type["name"])
"""

from __future__ import annotations

from oncehub_nb._http.pagination import Paginator
from oncehub_nb.resources._base import Resource

__all__ = ["UnfilteredResource"]


class UnfilteredResource(Resource):
    """A resource whose list endpoint only pages.

    Example:
        >>> hub.master_pages.to_frame()  # doctest: +SKIP
    """

    def list(self, *, after: str | None = None, max_items: int | None = None) -> Paginator:
        """Iterate over every object, fetching pages of 100 on demand.

        Args:
            after: resume after this id (a previous pull's ``cursor``).
            max_items: stop after this many objects.

        Returns:
            A lazy iterator of dicts; its ``cursor`` is the last id handed out.

        Example:
            >>> [w["name"] for w in hub.webhooks.list()]  # doctest: +SKIP
            ['CRM sync']
        """
        return self._list({}, after=after, max_items=max_items)

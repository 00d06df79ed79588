"""Master pages (Booking Pages product): list, get, frames and one-time links.

Example:
    >>> hub.master_pages.one_time_link("MP-RX2DX621RG")["url"]
    'https://go.oncehub.com/...'
"""

from __future__ import annotations

from typing import Any

from oncehub_nb.frames.build import Column
from oncehub_nb.resources._base import Resource

__all__ = ["MASTER_PAGE_COLUMNS", "MasterPages"]

MASTER_PAGE_COLUMNS: tuple[Column, ...] = (
    Column("id", "string"),
    Column("name", "string"),
    Column("label", "string"),
    Column("url", "string"),
    Column("active", "boolean"),
)


class MasterPages(Resource):
    """``/master-pages``: pages that group several booking pages.

    Example:
        >>> int(hub.master_pages.to_frame()["active"].sum())
        2
    """

    path = "/master-pages"
    noun, attribute, id_prefix = "master pages", "master_pages", "MP-"
    columns = MASTER_PAGE_COLUMNS

    def one_time_link(self, page_id: str) -> dict[str, Any]:
        """Create a single-use booking link for an active master page.

        Unused links are deleted by OnceHub after 90 days.

        Args:
            page_id: the master page (``MP-…``).

        Returns:
            ``{"id", "url", "creation_time"}``.

        Raises:
            NotFoundError: no such master page.
            BadRequestError: the page is inactive or deleted.

        Example:
            >>> hub.master_pages.one_time_link("MP-RX2DX621RG")
            {'id': '...', 'url': 'https://go.oncehub.com/...', 'creation_time': '2026-06-01T...Z'}
        """
        return self._send_object("POST", self._object_path(page_id, "one-time-links"), body={})

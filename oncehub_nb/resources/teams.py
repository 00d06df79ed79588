"""Teams: list (optionally the teams of one user), get, and a typed DataFrame.

Example:
    >>> hub.teams.to_frame(user="USR-0123456789")  # doctest: +SKIP
"""

from __future__ import annotations

from oncehub_nb._http.pagination import Paginator
from oncehub_nb.frames.build import Column
from oncehub_nb.resources._base import FilterSpec, Resource

__all__ = ["TEAM_COLUMNS", "Teams"]

TEAM_COLUMNS: tuple[Column, ...] = (Column("id", "string"), Column("name", "string"))


class Teams(Resource):
    """``/teams``: the account's teams.

    Example:
        >>> [t["name"] for t in hub.teams.list()]  # doctest: +SKIP
        ['Sales', 'Support']
    """

    path = "/teams"
    columns = TEAM_COLUMNS
    filters = (FilterSpec("user", "user", "id"),)

    def list(
        self, *, user: str | None = None, after: str | None = None, max_items: int | None = None
    ) -> Paginator:
        """Iterate over teams.

        Args:
            user: a user id (``USR-…``): only the teams that user belongs to.
            after: resume after this team id.
            max_items: stop after this many teams.

        Returns:
            A lazy iterator of team dicts.

        Raises:
            ConfigurationError: ``user`` is not a non-empty string.

        Example:
            >>> next(hub.teams.list())["id"]  # doctest: +SKIP
            'TM-…'
        """
        return self._list({"user": user}, after=after, max_items=max_items)

"""Teams: list (optionally the teams of one user), get, and a typed DataFrame.

Example:
    >>> hub.teams.to_frame(user="USR-VUQ48RXCZX")
                  id     name
    0  TM-UOOROG9PDV  Support
    1  TM-CFXA3GKFTV    Sales
"""

from __future__ import annotations

from typing import Annotated, TypedDict

from oncehub_nb.frames.build import Column
from oncehub_nb.resources._base import Resource
from oncehub_nb.resources._filters import Filter

__all__ = ["TEAM_COLUMNS", "Teams"]

TEAM_COLUMNS: tuple[Column, ...] = (Column("id", "string"), Column("name", "string"))


class TeamFilters(TypedDict, total=False):
    """The filters of ``/teams``."""

    user: Annotated[str, Filter("user", "a user id (``USR-…``): the teams that user is in.")]


class Teams(Resource):
    """``/teams``: the account's teams.

    Example:
        >>> [t["name"] for t in hub.teams.list()]
        ['Support', 'Customer Success', 'Sales']
    """

    path = "/teams"
    filters_type = TeamFilters
    noun, attribute, id_prefix = "teams", "teams", "TM-"
    columns = TEAM_COLUMNS

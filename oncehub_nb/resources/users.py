"""Users: list, get, create / update / delete, and scheduling availability.

Example:
    >>> user = hub.users.create(email="a@b.c", first_name="A", last_name="B")
    >>> user["id"], user["status"], user["role_name"]
    ('USR-...', 'invited', 'Member')
    >>> hub.users.update(user["id"], role_name="Team Manager")["role_name"]
    'Team Manager'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Annotated, Any, TypedDict

from oncehub_nb._errors import ConfigurationError
from oncehub_nb.frames.build import Column
from oncehub_nb.resources._base import Resource
from oncehub_nb.resources._filters import Filter, check_choice, check_ids, check_text

__all__ = ["ASSIGNABLE_ROLES", "USER_COLUMNS", "USER_ROLES", "USER_STATUSES", "Users"]

USER_STATUSES = ("active", "invited")
USER_ROLES = ("Account Owner", "Administrator", "Member", "Team Manager")
#: The roles the API can give (the Account Owner cannot be assigned).
ASSIGNABLE_ROLES = ("Administrator", "Member", "Team Manager")

USER_COLUMNS: tuple[Column, ...] = (
    Column("id", "string"),
    Column("first_name", "string"),
    Column("last_name", "string"),
    Column("email", "string"),
    Column("status", "category", choices=USER_STATUSES),
    Column("role_name", "category", choices=USER_ROLES),
    Column("timezone", "string"),
    Column("teams", "list"),
)


def _user_fields(
    first_name: str | None,
    last_name: str | None,
    role_name: str | None,
    teams: Sequence[str] | None,
) -> dict[str, Any]:
    body: dict[str, Any] = {}
    if first_name is not None:
        body["first_name"] = check_text("first_name", first_name)
    if last_name is not None:
        body["last_name"] = check_text("last_name", last_name)
    if role_name is not None:
        body["role_name"] = check_choice("role_name", role_name, ASSIGNABLE_ROLES)
    if teams is not None:
        body["teams"] = check_ids("teams", teams)
    return body


class UserFilters(TypedDict, total=False):
    """The filters of ``/users``."""

    email: Annotated[str, Filter("email", "only the user with this email.", kind="text")]


class Users(Resource):
    """``/users``: the account's users.

    Example:
        >>> frame = hub.users.to_frame()
        >>> frame.loc[frame["role_name"] == "Account Owner", ["id", "email"]]
                       id                                        email
        4  USR-OB3DU6HDPI  kevin.hernandez@martin-mcmillan.example.com
    """

    path = "/users"
    filters_type = UserFilters
    noun, attribute, id_prefix = "users", "users", "USR-"
    columns = USER_COLUMNS

    def create(
        self,
        *,
        email: str,
        first_name: str,
        last_name: str,
        role_name: str | None = None,
        teams: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Invite a user (OnceHub emails them an invitation).

        Args:
            email: their email.
            first_name: first name.
            last_name: last name.
            role_name: ``Administrator``, ``Member`` (OnceHub's default) or ``Team Manager``.
            teams: team ids (``TM-…``) to join.

        Returns:
            The new user (status ``invited``).

        Raises:
            ConfigurationError: a missing or wrong argument (before any request).
            BadRequestError: e.g. the email already exists.
            UnprocessableError: the plan's user limit is reached.

        Example:
            >>> hub.users.create(email="ann@example.com", first_name="Ann", last_name="Lee")
            {'object': 'user', 'id': 'USR-...', 'first_name': 'Ann', 'last_name': 'Lee', ...}
        """
        body = {"email": check_text("email", email)}
        body.update(_user_fields(first_name, last_name, role_name, teams))
        for name in ("first_name", "last_name"):
            if name not in body:
                raise ConfigurationError(f"{name} is required to create a user")
        return self._send_object("POST", self.path, body=body)

    def update(
        self,
        user_id: str,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        role_name: str | None = None,
        teams: Sequence[str] | None = None,
    ) -> dict[str, Any]:
        """Change a user's name, role or teams (``teams`` replaces the membership).

        Args:
            user_id: the user (``USR-…``).
            first_name: new first name.
            last_name: new last name.
            role_name: ``Administrator``, ``Member`` or ``Team Manager``.
            teams: the complete new list of team ids.

        Returns:
            The updated user.

        Raises:
            ConfigurationError: nothing to change, or a wrong argument.
            PermissionDeniedError: the Account Owner cannot be updated.

        Example:
            >>> hub.users.update("USR-QT535KOM58", teams=["TM-UOOROG9PDV"])["teams"]
            ['TM-UOOROG9PDV']
        """
        body = _user_fields(first_name, last_name, role_name, teams)
        if not body:
            raise ConfigurationError(
                "update() needs at least one of first_name, last_name, role_name, teams"
            )
        return self._send_object("PATCH", self._object_path(user_id), body=body)

    def delete(self, user_id: str) -> dict[str, Any]:
        """Delete a user.

        Args:
            user_id: the user (``USR-…``).

        Returns:
            ``{"id": ..., "deleted": True}``.

        Example:
            >>> hub.users.delete("USR-5M7MVRHK0O")
            {'id': 'USR-5M7MVRHK0O', 'deleted': True}
        """
        return self._send_object("DELETE", self._object_path(user_id))

    def availability(self, user_id: str) -> dict[str, Any]:
        """A user's scheduling availability: time zone, weekly hours and date overrides.

        Args:
            user_id: the user (``USR-…``).

        Returns:
            ``{"object": "schedule", "timezone", "weekly": [...], "overrides": [...]}``.

        Example:
            >>> schedule = hub.users.availability("USR-VUQ48RXCZX")
            >>> schedule["timezone"], schedule["weekly"][0]["day"], schedule["overrides"]
            ('America/Los_Angeles', 'Monday', [])
        """
        return self._send_object("GET", self._object_path(user_id, "scheduling-availability"))

    def update_availability(
        self,
        user_id: str,
        *,
        timezone: str | None = None,
        weekly: Sequence[Mapping[str, Any]] | None = None,
        overrides: Sequence[Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Change a user's availability (only the parts given are sent).

        Args:
            user_id: the user (``USR-…``).
            timezone: an IANA time zone.
            weekly: ``[{"day": "monday", "working_hours": [{"start_time": "09:00",
                "end_time": "17:00"}]}, ...]``.
            overrides: ``[{"date": "2026-12-24", "working_hours": []}, ...]``.

        Returns:
            The whole availability after the change.

        Raises:
            ConfigurationError: nothing to change.
            BadRequestError: e.g. overlapping hours.

        Example:
            >>> hub.users.update_availability("USR-1Q7NIG2CKR", timezone="Europe/Paris")["timezone"]
            'Europe/Paris'
        """
        body: dict[str, Any] = {}
        if timezone is not None:
            body["timezone"] = check_text("timezone", timezone)
        for name, value in (("weekly", weekly), ("overrides", overrides)):
            if value is not None:
                if isinstance(value, str | Mapping) or not isinstance(value, Sequence):
                    raise ConfigurationError(f"{name} takes a list of dicts, got {value!r}")
                body[name] = [dict(item) for item in value]
        if not body:
            raise ConfigurationError(
                "update_availability() needs at least one of timezone, weekly, overrides"
            )
        return self._send_object(
            "PATCH", self._object_path(user_id, "scheduling-availability"), body=body
        )

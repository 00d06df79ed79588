"""Contacts: list with filters, get, create / update / delete, and a typed DataFrame.

The API's field ``terms_of_sevice`` (spelled so in OnceHub's spec) is ``terms_of_service`` here,
in arguments and in frames; ``custom_fields`` may be given as a plain ``{name: value}`` dict.

Example:
    >>> new = hub.contacts.create(first_name="A", last_name="B", email="a@b.example")
    >>> new["id"], new["creation_time"]
    ('CTC-...', '2026-06-01T...Z')
    >>> frame = hub.contacts.to_frame(updated_after="2026-01-01")
    >>> frame.set_index("id").loc[new["id"], "email"]
    'a@b.example'
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from oncehub_nb._errors import ConfigurationError
from oncehub_nb.frames.build import Column
from oncehub_nb.resources._base import Resource
from oncehub_nb.resources._filters import CreatedFilters, Filter, UpdatedFilters, check_choice

__all__ = ["CONTACT_COLUMNS", "CONTACT_STATUSES", "Contacts"]

CONTACT_STATUSES = ("Qualified", "Sales qualified", "Marketing qualified", "Disqualified")

_TEXT_FIELDS = (
    "owner", "salutation", "job_title", "company", "company_size", "phone", "street_address",
    "city", "state", "post_code", "country", "timezone",
)  # fmt: skip
_FLAG_FIELDS = {"has_consent": "has_consent", "terms_of_service": "terms_of_sevice"}

CONTACT_COLUMNS: tuple[Column, ...] = (
    Column("id", "string"),
    Column("creation_time", "datetime"),
    Column("last_updated_time", "datetime"),
    Column("last_interacted_time", "datetime", nullable=True),
    Column("owner_id", "string", source=("owner",), id_of=True),
    Column("status", "category", choices=CONTACT_STATUSES, nullable=True),
    Column("email", "string"),
    Column("first_name", "string", nullable=True),
    Column("last_name", "string", nullable=True),
    Column("salutation", "string", nullable=True),
    Column("job_title", "string", nullable=True),
    Column("company", "string", nullable=True),
    Column("company_size", "string", nullable=True),
    Column("employees", "Int64"),
    Column("phone", "string", nullable=True),
    Column("mobile_phone", "string", nullable=True),
    Column("street_address", "string", nullable=True),
    Column("city", "string", nullable=True),
    Column("state", "string", nullable=True),
    Column("post_code", "string", nullable=True),
    Column("country", "string", nullable=True),
    Column("timezone", "string"),
    Column("has_consent", "boolean"),
    Column("terms_of_service", "boolean", source=("terms_of_sevice",)),
    Column("custom_fields", "list", items=("name", "value")),
)


def _contact_body(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Check contact fields and convert them to the API's names and shapes."""
    allowed = {*_TEXT_FIELDS, *_FLAG_FIELDS, "status", "employees", "custom_fields"}
    body: dict[str, Any] = {}
    for name, value in fields.items():
        if name not in allowed:
            raise ConfigurationError(
                f"Contacts have no writable field {name!r}; use one of {', '.join(sorted(allowed))}"
            )
        if value is None:
            continue
        if name in _TEXT_FIELDS and not isinstance(value, str):
            raise ConfigurationError(f"{name} takes a string, got {value!r}")
        if name in _FLAG_FIELDS and not isinstance(value, bool):
            raise ConfigurationError(f"{name} takes True or False, got {value!r}")
        if name == "employees" and (isinstance(value, bool) or not isinstance(value, int)):
            raise ConfigurationError(f"employees takes an integer, got {value!r}")
        if name == "status":
            value = check_choice("status", value, CONTACT_STATUSES)
        if name == "custom_fields":
            value = _custom_fields(value)
        body[_FLAG_FIELDS.get(name, name)] = value
    return body


def _custom_fields(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, Mapping):
        return [{"name": str(k), "value": v} for k, v in value.items()]
    if isinstance(value, list) and all(isinstance(f, Mapping) and "name" in f for f in value):
        return [dict(f) for f in value]
    raise ConfigurationError(
        "custom_fields takes a {name: value} dict or a list of {'name', 'value'} dicts"
    )


class ContactFilters(CreatedFilters, UpdatedFilters, total=False):
    """The filters of ``/contacts``."""

    email: Annotated[str, Filter("email", "only the contact with this email.", kind="text")]


class Contacts(Resource):
    """``/contacts``: the people bookings are made with.

    Example:
        >>> hub.contacts.get("CTC-03FSS423V6YYIB")["email"]
        'barbara.wright@neal-bryan.example.com'
    """

    path = "/contacts"
    filters_type = ContactFilters
    slice_by = "creation_time"
    noun, attribute, id_prefix = "contacts", "contacts", "CTC-"
    columns = CONTACT_COLUMNS

    def create(
        self,
        *,
        first_name: str,
        last_name: str,
        email: str | None = None,
        mobile_phone: str | None = None,
        **fields: Any,
    ) -> dict[str, Any]:
        """Create a contact (it needs an ``email`` or a ``mobile_phone``).

        Args:
            first_name: first name.
            last_name: last name.
            email: email (an identifier: cannot be changed later).
            mobile_phone: E.164 mobile number (an identifier too).
            **fields: any other contact field: ``owner``, ``status``, ``company``, ``city``,
                ``employees``, ``has_consent``, ``terms_of_service``, ``custom_fields`` ...

        Returns:
            The new contact.

        Raises:
            ConfigurationError: a missing, unknown or mistyped field (before any request).
            ConflictError: a contact with that email or phone exists.

        Example:
            >>> ann = hub.contacts.create(first_name="Ann", last_name="Lee",
            ...                           email="ann@example.com", custom_fields={"Source": "web"})
            >>> ann["id"], ann["custom_fields"]
            ('CTC-...', [{'name': 'Source', 'value': 'web'}])
        """
        if not email and not mobile_phone:
            raise ConfigurationError("create() needs email or mobile_phone (or both)")
        body: dict[str, Any] = {}
        for name, value in (("first_name", first_name), ("last_name", last_name)):
            if not isinstance(value, str) or not value.strip():
                raise ConfigurationError(f"{name} takes a non-empty string, got {value!r}")
            body[name] = value
        for name, identifier in (("email", email), ("mobile_phone", mobile_phone)):
            if identifier is not None:
                if not isinstance(identifier, str):
                    raise ConfigurationError(f"{name} takes a string, got {identifier!r}")
                body[name] = identifier
        body.update(_contact_body(fields))
        return self._send_object("POST", self.path, body=body)

    def update(self, contact_id: str, **fields: Any) -> dict[str, Any]:
        """Change a contact's fields (``custom_fields`` are merged by name).

        Args:
            contact_id: the contact (``CTC-…``).
            **fields: ``first_name``, ``last_name`` and the fields :meth:`create` accepts;
                ``email`` and ``mobile_phone`` cannot change.

        Returns:
            The updated contact.

        Raises:
            ConfigurationError: nothing to change, or an unknown or mistyped field.

        Example:
            >>> contact = hub.contacts.update("CTC-LZC16X2ACWYDE5", status="Qualified")
            >>> contact["status"], contact["last_updated_time"]
            ('Qualified', '2026-06-01T...Z')
        """
        for identifier in ("email", "mobile_phone"):
            if identifier in fields:
                raise ConfigurationError(f"{identifier} identifies a contact and cannot change")
        names = {k: v for k, v in fields.items() if k in ("first_name", "last_name")}
        for name, value in names.items():
            if not isinstance(value, str) or not value.strip():
                raise ConfigurationError(f"{name} takes a non-empty string, got {value!r}")
        body = {**names, **_contact_body({k: v for k, v in fields.items() if k not in names})}
        if not body:
            raise ConfigurationError("update() needs at least one field to change")
        return self._send_object("PATCH", self._object_path(contact_id), body=body)

    def delete(self, contact_id: str) -> dict[str, Any]:
        """Delete a contact.

        Args:
            contact_id: the contact (``CTC-…``).

        Returns:
            ``{"id": ..., "deleted": True}``.

        Example:
            >>> hub.contacts.delete("CTC-TGR7D3PR4OSY9M")
            {'id': 'CTC-TGR7D3PR4OSY9M', 'deleted': True}
        """
        return self._send_object("DELETE", self._object_path(contact_id))

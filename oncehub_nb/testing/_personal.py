"""Personal data out of recordings of a real account: emails, names, phone numbers, free text.

Recordings of the sandbox hold made-up people; recordings of a real account hold real ones.
:class:`PersonalData` replaces them, in the bodies of requests and responses, with stable fakes:
the same value gets the same fake throughout a recording (``Person 3`` is always ``Person 3``),
so a replayed flow stays consistent, and the fakes are plainly fake:

* emails become ``person-3@example.invalid`` (``.invalid`` is reserved: it can never be real);
* names (``first_name``, ``last_name``, ``name``) become ``Given 3``, ``Family 3``, ``Name 3``;
* phone numbers become ``+1-555-010-0003`` (555-01xx numbers are reserved for fiction);
* free text that often holds personal details (a booking's ``note``, an SMS ``message_body``,
  an address, a custom field's answer ...) becomes ``Text 3``;
* links that name a person or open a booking without signing in (a booking page ``url``, an
  ``ics_url``, a ``join_url`` ...) become ``https://link.invalid/3``.

Then every value seen in those fields is also replaced wherever else it shows up (a name inside
a subject, an email inside the ``GET /test`` message), and any other email address or ``+``
phone number in the text becomes a fake too. In query strings, personal values become a fixed
``<EMAIL>`` / ``<PERSONAL>`` (no counter), so a replayed request matches the recorded one.

:func:`oncehub_nb.testing.scan.scan_text` with ``personal=True`` is the check that follows.

Example:
    >>> people = PersonalData()
    >>> people.scrub_body('{"first_name": "Siobhan", "email": "siobhan@gmail.com"}')
    '{"first_name": "Given 1", "email": "person-1@example.invalid"}'
    >>> people.scrub_text("Booked by siobhan@gmail.com (Siobhan)")
    'Booked by person-1@example.invalid (Given 1)'
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

__all__ = ["EMAIL_RE", "PHONE_RE", "PersonalData", "is_fake"]

EMAIL_RE = re.compile(r"(?<![\w.+-])[\w.+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
#: International numbers (``+44 20 7946 0958``) and the ``1-5305550123`` shape of real data.
PHONE_RE = re.compile(r"(?<![\w+])(?:\+\d[\d ().-]{6,}\d|\b1-\d{10}\b)")
_FAKE_EMAIL = re.compile(r"^person-\d+@example\.invalid$")
_FAKE_PHONE = re.compile(r"^\+1-555-010-\d{4}$")
_FAKE_OTHER = re.compile(r"^(?:Given|Family|Name|Text) \d+$|^https://link\.invalid/\d+$")

#: JSON key -> the kind of fake its string value gets.
FIELDS: Mapping[str, str] = {
    "email": "email",
    "first_name": "given",
    "last_name": "family",
    "name": "name",
    "phone": "phone",
    "mobile_phone": "phone",
    "delivered_to": "phone",
    "note": "text",
    "message_body": "text",
    "location_description": "text",
    "street_address": "text",
    "post_code": "text",
    "city": "text",
    "job_title": "text",
    "company": "text",
    "reason": "text",
    "label": "text",
    "url": "link",
    "ics_url": "link",
    "join_url": "link",
    "cancel_url": "link",
    "reschedule_url": "link",
    "cancel_reschedule_url": "link",
}
#: List fields whose items are emails (attendees, a booking form's guests).
_EMAIL_LISTS = {"attendees", "guests"}
#: Query parameters that carry personal values (the email filters of users and contacts).
_QUERY_FIELDS = {"email": "<EMAIL>"}
#: Kinds whose values are also replaced wherever else they appear (names inside a subject ...),
#: from 3 characters on ("Al" stays where it is elsewhere); free text and links only from 12
#: characters on (a short answer such as "Yes" or "2026-06-14" is no one's secret elsewhere).
_GLOBAL_KINDS = {"email", "given", "family", "name", "phone"}
_MIN_GLOBAL = 3
_MIN_GLOBAL_TEXT = 12


def is_fake(value: str) -> bool:
    """Tell whether a value is one of the fakes this module makes.

    Example:
        >>> is_fake("person-2@example.invalid"), is_fake("+1-555-010-0002"), is_fake("Ann")
        (True, True, False)
    """
    return bool(_FAKE_EMAIL.match(value) or _FAKE_PHONE.match(value) or _FAKE_OTHER.match(value))


class PersonalData:
    """Replaces personal values with stable fakes; remembers what it replaced (for the scan).

    Example:
        >>> people = PersonalData()
        >>> people.fake("phone", "+44 20 7946 0958")
        '+1-555-010-0001'
        >>> people.fake("phone", "+44 20 7946 0958")  # stable
        '+1-555-010-0001'
    """

    def __init__(self) -> None:
        self._fakes: dict[tuple[str, str], str] = {}
        self._counts: dict[str, int] = {}
        self._by_value: dict[str, str] = {}  # values replaced wherever they appear
        self._global: re.Pattern[str] | None = None
        self._spelled: dict[str, str] = {}

    @property
    def originals(self) -> list[str]:
        """The values replaced wherever they appear: none may be left (the scan checks).

        Keep these out of any output: they are personal.
        """
        return sorted(self._by_value)

    def fake(self, kind: str, value: str) -> str:
        """The fake of a value (the same one each time), learning it.

        Args:
            kind: ``email``, ``given``, ``family``, ``name``, ``phone``, ``text`` or ``link``.
            value: the personal value.

        Returns:
            Its fake; blank values and fakes are returned as they are.
        """
        if not value.strip() or is_fake(value) or value.startswith("<"):
            return value
        known = self._fakes.get((kind, value))
        if known is not None:
            return known
        count = self._counts.get(kind, 0) + 1
        self._counts[kind] = count
        made = {
            "email": f"person-{count}@example.invalid",
            "given": f"Given {count}",
            "family": f"Family {count}",
            "name": f"Name {count}",
            "phone": f"+1-555-010-{count:04d}",
            "link": f"https://link.invalid/{count}",
        }.get(kind, f"Text {count}")
        self._fakes[(kind, value)] = made
        size = len(value.strip())
        if size >= (_MIN_GLOBAL if kind in _GLOBAL_KINDS else _MIN_GLOBAL_TEXT):
            self._by_value.setdefault(value, made)
            self._global = None
        return made

    # -- structured bodies -------------------------------------------------------------------

    def _walk(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            out = {k: self._walk(v, k) for k, v in value.items()}
            if key == "custom_fields":  # {name, value}: the answer is free text
                out["value"] = self._answer(out.get("value"))
            return out
        if isinstance(value, list):
            if key in _EMAIL_LISTS:
                return [self._email_or_text(item) for item in value]
            return [self._walk(item, key if key == "custom_fields" else None) for item in value]
        if isinstance(value, str) and key is not None and key in FIELDS:
            kind = FIELDS[key]
            if kind == "link" and "/v2/" in value:  # an API link (Link-style): not personal
                return value
            if kind == "phone" and "@" in value:
                kind = "email"
            return self.fake(kind, value)
        return value

    def _answer(self, answer: Any) -> Any:
        if isinstance(answer, str):
            return self.fake("text", answer)
        if isinstance(answer, list):
            return [self.fake("text", a) if isinstance(a, str) else a for a in answer]
        return answer

    def _email_or_text(self, item: Any) -> Any:
        if not isinstance(item, str):
            return item
        return self.fake("email" if "@" in item else "text", item)

    def scrub_body(self, text: str) -> str:
        """Scrub a body: JSON structurally (then as text), anything else as text.

        Args:
            text: the body, decoded.

        Returns:
            The body with fakes in place of personal values.
        """
        try:
            data = json.loads(text)
        except ValueError:
            return self.scrub_text(text)
        if not isinstance(data, dict | list):
            return self.scrub_text(text)
        return self.scrub_text(json.dumps(self._walk(data), ensure_ascii=False))

    # -- text -------------------------------------------------------------------------------

    def scrub_text(self, text: str) -> str:
        """Replace learned values, other emails and ``+`` phone numbers anywhere in a text.

        Args:
            text: any text (a body, a header value, a whole cassette file).

        Returns:
            The text with fakes.
        """
        if self._by_value:
            text = self._pattern().sub(lambda m: self._spelled[m.group(0)], text)
        text = EMAIL_RE.sub(lambda m: self.fake("email", m.group(0)), text)
        return PHONE_RE.sub(lambda m: self.fake("phone", m.group(0)), text)

    def _pattern(self) -> re.Pattern[str]:
        """One regex of every learned value, as written, JSON-escaped and URL-encoded."""
        if self._global is None:
            self._spelled = {}
            for value, fake in self._by_value.items():
                for spelling in (value, json.dumps(value)[1:-1], quote(value, safe="")):
                    self._spelled.setdefault(spelling, fake)
            alternatives = "|".join(
                re.escape(s) for s in sorted(self._spelled, key=len, reverse=True)
            )
            # Whole words only: the name "Ann" does not turn "Annual" into "Given 1ual".
            self._global = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")
        return self._global

    def scrub_uri(self, uri: str) -> str:
        """Replace personal query values with fixed tokens (replays match them).

        Example:
            >>> PersonalData().scrub_uri("https://x/v2/users?email=ann%40corp.com&limit=100")
            'https://x/v2/users?email=%3CEMAIL%3E&limit=100'
        """
        parts = urlsplit(uri)
        pairs_in = parse_qsl(parts.query, True)
        if not any(k in _QUERY_FIELDS for k, _ in pairs_in):
            return uri
        pairs = [(k, _QUERY_FIELDS.get(k, v)) for k, v in pairs_in]
        return urlunsplit(parts._replace(query=urlencode(pairs)))

"""A sandbox that looks like someone's real account, for the live-recording tests.

Its key is not shaped like the sandbox's own (``Sandbox(api_key=FOREIGN_KEY)``), and a WSGI
wrapper rewrites what its API answers: emails move to real-world mail domains, names become
other people's (with accents and apostrophes), phone numbers leave the 555 range, and request
ids are UUIDs. Every value it plants is remembered in :attr:`Foreign.planted`, so a test can
check, independently of the scanner, that none of them reached a cassette.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from oncehub_nb.sandbox import Sandbox

FOREIGN_KEY = "ohk_live_Zq8W3nLk2Pp9rTt7Yy0aB4cD6eF1gH5j"
_FIRST = ["Siobhán", "Oluwaseun", "Jürgen", "Mei-Ling", "Dagný", "Tomasz", "Aroha", "Inés"]
_LAST = ["O'Connor", "Adeyemi", "Müller", "Nakamura", "Guðmundsdóttir", "Kowalski", "Ngata"]
_DOMAINS = ["gmail.com", "outlook.com", "web.de", "yahoo.co.jp"]
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-]+)@(?:[A-Za-z0-9-]+\.)*example\.com")
_PHONE = re.compile(r"\+1(\d{3})555(\d{4})")


def _pick(options: list[str], value: str) -> str:
    return options[int(hashlib.sha256(value.encode()).hexdigest(), 16) % len(options)]


class Foreign:
    """WSGI middleware: see the module docstring."""

    def __init__(self, app: Callable[..., Iterable[bytes]]) -> None:
        self.app = app
        self.planted: set[str] = set()

    def _name(self, value: str, options: list[str]) -> str:
        new = _pick(options, value)
        self.planted.add(new)
        return new

    def _walk(self, value: Any, key: str | None = None) -> Any:
        if isinstance(value, dict):
            return {k: self._walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self._walk(item, key) for item in value]
        if not isinstance(value, str):
            return value
        if key == "first_name":
            return self._name(value, _FIRST)
        if key == "last_name":
            return self._name(value, _LAST)
        if key == "name" and re.fullmatch(r"[A-Z][a-z]+ [A-Z][a-z]+", value):
            first, last = value.split(" ")
            full = f"{self._name(first, _FIRST)} {self._name(last, _LAST)}"
            self.planted.add(full)
            return full
        value = _EMAIL.sub(self._email, value)
        return _PHONE.sub(self._phone, value)

    def _email(self, match: re.Match[str]) -> str:
        address = f"{match.group(1)}@{_pick(_DOMAINS, match.group(1))}"
        self.planted.add(address)
        return address

    def _phone(self, match: re.Match[str]) -> str:
        number = f"+44 7700 9{match.group(2)[:2]}{match.group(1)[-1]}{match.group(2)[2:]}"
        self.planted.add(number)
        return number

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not environ.get("PATH_INFO", "").startswith("/v2"):
            return self.app(environ, start_response)
        captured: dict[str, Any] = {}

        def keep(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured.update(status=status, headers=headers)
            return lambda data: None

        body = b"".join(self.app(environ, keep))
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if data is not None:
            body = json.dumps(self._walk(data), ensure_ascii=False).encode()
        skip = {"content-length", "request-id"}
        headers = [(k, v) for k, v in captured["headers"] if k.lower() not in skip]
        headers += [("Content-Length", str(len(body))), ("Request-Id", str(uuid.uuid4()))]
        start_response(captured["status"], headers)
        return [body]


def foreign(sb: Sandbox) -> Foreign:
    """Wrap a sandbox's app; returns the wrapper (its ``planted`` set fills as it answers)."""
    wrapper = Foreign(sb.app.wsgi_app)
    sb.app.wsgi_app = wrapper  # type: ignore[method-assign]
    return wrapper

"""Scrubbing of recorded HTTP exchanges: every secret out, in both directions, with stable names.

A :class:`Scrubber` is the ``before_record_request`` / ``before_record_response`` pair of one
cassette. It learns each secret where it first appears (a token in a JSON answer, a code in a
``Location`` header, an ``API-Key`` header, a ``client_secret`` in a form ...) and from then on
replaces that value wherever it occurs, in URIs, headers and bodies, with a placeholder such as
``<ACCESS_TOKEN_1>``: the same secret always gets the same placeholder, so a multi-step flow
still replays (the client sends back the very placeholder the recorded answer gave it).

Besides secrets it removes what makes re-recording noisy: ``Date`` and ``Server`` headers are
dropped, ``Request-Id`` values become ``req_replay000001`` ..., and the sandbox's random
``http://127.0.0.1:<port>`` becomes a fixed placeholder host (``https://sandbox.invalid``).
Webhook deliveries are re-signed with the placeholder of the webhook's secret, so a replayed
delivery still verifies.

vcrpy applies ``before_record_request`` to live requests before matching them, so the same
scrubber also works at replay time: values the client sends that are already placeholders are
kept as they are.

Recordings of a real account also pass ``personal=PersonalData()``: after the secrets, emails,
names, phone numbers and free text in bodies are replaced by stable fakes
(:mod:`oncehub_nb.testing._personal`).

Example:
    >>> s = Scrubber()
    >>> s.learn("ACCESS_TOKEN", "eyJhbGciOi-0123456789abcdef")
    '<ACCESS_TOKEN_1>'
    >>> s.scrub_text("Bearer eyJhbGciOi-0123456789abcdef")
    'Bearer <ACCESS_TOKEN_1>'
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote_plus

from oncehub_nb._redact import FORM_ONLY_FIELDS, SECRET_FIELDS, SECRET_HEADERS
from oncehub_nb.testing._personal import PersonalData

__all__ = ["ENV_SECRETS", "PLACEHOLDER_RE", "Scrubber", "is_placeholder"]

#: A scrubbed value: ``<KIND_n>``.
PLACEHOLDER_RE = re.compile(r"<[A-Z][A-Z0-9_]*_\d+>")
#: Environment variables whose values are live secrets: never written, wherever they show up.
ENV_SECRETS = (
    "ONCEHUB_API_KEY",
    "ONCEHUB_CLIENT_SECRET",
    "ONCEHUB_ACCESS_TOKEN",
    "ONCEHUB_REFRESH_TOKEN",
    "ONCEHUB_WEBHOOK_SECRET",
    "ONCEHUB_SANDBOX_ADMIN_TOKEN",
)

# Form and query fields holding secrets -> placeholder kind (the SDK's one list, _redact).
_FORM_FIELDS = {k: v for k, v in SECRET_FIELDS.items() if "-" not in k}
# JSON keys holding secrets ("code" and "ticket" are ordinary words in JSON answers).
_JSON_FIELDS = {
    **{k: v for k, v in _FORM_FIELDS.items() if k not in FORM_ONLY_FIELDS},
    "apiKey": "API_KEY",
}
_MIN_GLOBAL = 8  # shorter values are replaced in their field only, not everywhere
_DROP_RESPONSE_HEADERS = {"date", "server"}
_SECRET_HEADERS = {
    k: v for k, v in SECRET_HEADERS.items() if v in ("API_KEY", "ADMIN_TOKEN")
}  # Authorization and cookies have rules of their own below
_REQUEST_ID_RE = re.compile(r"\breq_[0-9a-f]{8,32}\b")
_NORMALISED_ID_RE = re.compile(r"req_replay\d{6}")


def is_placeholder(value: str) -> bool:
    """Tell whether a value is already a placeholder (``<ACCESS_TOKEN_1>``).

    Args:
        value: a header, field or query value.

    Returns:
        ``True`` for a whole placeholder.

    Example:
        >>> is_placeholder("<CODE_2>"), is_placeholder("abc")
        (True, False)
    """
    return PLACEHOLDER_RE.fullmatch(value.strip()) is not None


def _json_pattern(names: Mapping[str, str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf'("({alternatives})"\s*:\s*")((?:[^"\\]|\\.)*)(")')


def _form_pattern(names: Mapping[str, str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"((?:^|[?&#])({alternatives})=)([^&#\s\"'<>]*(?:<[A-Z0-9_]+>)?)")


_JSON_RE = _json_pattern(_JSON_FIELDS)
_FORM_RE = _form_pattern(_FORM_FIELDS)
_HIDDEN_RE = re.compile(
    r'(name="(ticket|code|client_secret|access_token|refresh_token)"\s+value=")([^"]*)(")'
)


class Scrubber:
    """Replace secrets with stable placeholders in vcrpy requests and responses.

    Args:
        hosts: URL roots to rewrite, e.g. ``{"http://127.0.0.1:40797": "https://sandbox.invalid"}``
            (the ``https://`` and URL-encoded spellings are rewritten too).
        env: environment whose live secrets (:data:`ENV_SECRETS`) are learned up front so they
            can never be written (default ``os.environ``).
        normalize_request_ids: rewrite ``Request-Id`` values to ``req_replay000001`` ...
        personal: replace personal data in bodies with stable fakes (recordings of a real
            account); ``None`` (the default) for the sandbox, whose people are made up.

    Example:
        >>> s = Scrubber(hosts={"http://127.0.0.1:5000": "https://sandbox.invalid"})
        >>> s.scrub_text("http://127.0.0.1:5000/oauth/token?code=abc123xyz789")
        'https://sandbox.invalid/oauth/token?code=<CODE_1>'
    """

    def __init__(
        self,
        *,
        hosts: Mapping[str, str] | None = None,
        env: Mapping[str, str] | None = None,
        normalize_request_ids: bool = True,
        personal: PersonalData | None = None,
    ) -> None:
        self.personal = personal
        self._names: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self._request_ids: dict[str, str] = {}
        self._normalize_request_ids = normalize_request_ids
        self._hosts: list[tuple[str, str]] = []
        for root, target in (hosts or {}).items():
            root = root.rstrip("/")
            spellings = {root, "https://" + root.split("://", 1)[-1]}
            spellings |= {quote(s, safe="") for s in list(spellings)}
            for spelling in spellings:
                replacement = target if "%" not in spelling else quote(target, safe="")
                self._hosts.append((spelling, replacement))
            self._hosts.append((root.split("://", 1)[-1], target.split("://", 1)[-1]))
        self._hosts.sort(key=lambda pair: len(pair[0]), reverse=True)
        env = os.environ if env is None else env
        for name in ENV_SECRETS:
            value = (env.get(name) or "").strip()
            if value:
                self.learn(name.removeprefix("ONCEHUB_"), value)

    # -- the mapping -----------------------------------------------------------------------

    def learn(self, kind: str, value: str) -> str:
        """Remember a secret; return its placeholder (the same one for the same value).

        Args:
            kind: what it is, e.g. ``"ACCESS_TOKEN"`` (used in the placeholder's name).
            value: the secret.

        Returns:
            The placeholder, or ``value`` itself when it already is one or is empty.

        Example:
            >>> s = Scrubber(env={})
            >>> s.learn("CODE", "abc-code-1234") == s.learn("TOKEN", "abc-code-1234")
            True
        """
        if not value or is_placeholder(value):
            return value
        known = self._names.get(value)
        if known is not None:
            return known
        count = self._counts.get(kind, 0) + 1
        self._counts[kind] = count
        placeholder = f"<{kind}_{count}>"
        self._names[value] = placeholder
        return placeholder

    @property
    def secrets(self) -> dict[str, str]:
        """Learned secrets and their placeholders (keep this out of any output)."""
        return dict(self._names)

    def _request_id(self, value: str) -> str:
        if _NORMALISED_ID_RE.fullmatch(value):
            return value
        if value not in self._request_ids:
            self._request_ids[value] = f"req_replay{len(self._request_ids) + 1:06d}"
        return self._request_ids[value]

    def scrub_text(self, text: str) -> str:
        """Rewrite hosts, secret fields and every learned secret in a piece of text.

        Args:
            text: a URI, header value or body.

        Returns:
            The scrubbed text.
        """
        for spelling, replacement in self._hosts:
            text = text.replace(spelling, replacement)
        text = _FORM_RE.sub(lambda m: self._field(m, _FORM_FIELDS, quoted=True), text)
        text = _JSON_RE.sub(lambda m: self._field(m, _JSON_FIELDS) + m.group(4), text)
        text = _HIDDEN_RE.sub(lambda m: self._field(m, _FORM_FIELDS) + m.group(4), text)
        for value in sorted(self._names, key=len, reverse=True):
            if len(value) < _MIN_GLOBAL:
                continue
            placeholder = self._names[value]
            text = text.replace(value, placeholder)
            encoded = quote(value, safe="")
            if encoded != value:
                text = text.replace(encoded, placeholder)
        if self._normalize_request_ids:
            text = _REQUEST_ID_RE.sub(lambda m: self._request_id(m.group(0)), text)
        return text

    def _field(self, match: re.Match[str], fields: Mapping[str, str], quoted: bool = False) -> str:
        prefix, name, raw = match.group(1), match.group(2), match.group(3)
        value = unquote_plus(raw) if quoted else raw
        if not value:
            return prefix + raw
        return prefix + self.learn(fields.get(name, "SECRET"), value)

    # -- headers -----------------------------------------------------------------------------

    def _authorization(self, value: str) -> str:
        scheme, _, credential = value.strip().partition(" ")
        credential = credential.strip()
        if scheme.lower() == "bearer":
            return f"{scheme} {self.learn('ACCESS_TOKEN', credential)}"
        if scheme.lower() == "basic":
            if is_placeholder(credential):
                return value
            try:
                decoded = base64.b64decode(credential, validate=True).decode()
                client_id, _, secret = decoded.partition(":")
            except ValueError:
                client_id, secret = "", ""
            if secret and not is_placeholder(unquote_plus(secret)):
                self.learn("CLIENT_SECRET", unquote_plus(secret))
                self.learn("CLIENT_SECRET", secret)
            del client_id
            return f"{scheme} {self.learn('CLIENT_CREDENTIALS', credential)}"
        return f"{scheme} {self.learn('CREDENTIAL', credential)}" if credential else value

    def _header(self, name: str, value: str) -> str:
        lower = name.lower()
        if lower == "authorization":
            return self._authorization(value)
        if lower in _SECRET_HEADERS:
            return self.learn(_SECRET_HEADERS[lower], value.strip())
        if lower in ("cookie", "set-cookie"):
            pairs: list[str] = []
            for part in value.split(";"):
                key, sep, val = part.strip().partition("=")
                is_attr = key.lower() in {"path", "domain", "expires", "max-age", "samesite"}
                if sep and not is_attr and not pairs:
                    val = self.learn("COOKIE", val)
                pairs.append(f"{key}{sep}{val}")
            return "; ".join(pairs)
        return self.scrub_text(value)

    # -- vcrpy hooks -------------------------------------------------------------------------

    def before_record_request(self, request: Any) -> Any:
        """Scrub a vcrpy request in place (vcrpy passes a copy) and return it.

        Args:
            request: a ``vcr.request.Request``.

        Returns:
            The scrubbed request.
        """
        original_body = request.body
        for name in list(request.headers):
            request.headers[name] = self._header(name, str(request.headers[name]))
        request.uri = self.scrub_text(request.uri)
        if self.personal is not None:
            request.uri = self.personal.scrub_uri(request.uri)
        if request.body:
            text = _text(request.body)
            if text is not None:
                text = self.scrub_text(text)
                if self.personal is not None:
                    text = self.personal.scrub_body(text)
                request.body = text.encode()
                if "Content-Length" in request.headers:
                    request.headers["Content-Length"] = str(len(request.body))
        signature = request.headers.get("Oncehub-Signature")
        if signature and isinstance(original_body, bytes):
            request.headers["Oncehub-Signature"] = self._resign(
                str(signature), original_body, request.body or b""
            )
        return request

    def before_record_response(self, response: dict[str, Any]) -> dict[str, Any]:
        """Scrub a vcrpy response dict: headers, body; drop ``Date``/``Server``; fix lengths.

        Args:
            response: vcrpy's response dict (``status``, ``headers``, ``body``).

        Returns:
            The scrubbed response.
        """
        headers: dict[str, list[str]] = {}
        for name, values in response.get("headers", {}).items():
            if name.lower() in _DROP_RESPONSE_HEADERS:
                continue
            headers[name] = [self._header(name, str(v)) for v in values]
        body = response.get("body", {}).get("string", b"")
        if body:
            text = _text(body)
            if text is not None:
                text = self.scrub_text(text)
                if self.personal is not None:
                    text = self.personal.scrub_body(text)
                body = text.encode()
                response["body"]["string"] = body
        for name in headers:
            if name.lower() == "content-length":
                headers[name] = [str(len(body))]
        response["headers"] = headers
        return response

    def _resign(self, header: str, original: bytes, scrubbed: bytes) -> str:
        parts = dict(p.strip().partition("=")[::2] for p in header.split(","))
        stamp = parts.get("t", "")
        for value, placeholder in self._names.items():
            if not placeholder.startswith("<WEBHOOK_SECRET_"):
                continue
            again = hmac.new(placeholder.encode(), f"{stamp}.".encode() + scrubbed, "sha256")
            if hmac.compare_digest(again.hexdigest(), parts.get("s", "")):
                return header  # scrubbed already
            digest = hmac.new(value.encode(), f"{stamp}.".encode() + original, hashlib.sha256)
            if hmac.compare_digest(digest.hexdigest(), parts.get("s", "")):
                again = hmac.new(placeholder.encode(), f"{stamp}.".encode() + scrubbed, "sha256")
                return f"t={stamp},s={again.hexdigest()}"
        return header  # an HMAC digest reveals nothing of its key; unknown keys are left alone


def _text(body: bytes | str) -> str | None:
    if isinstance(body, str):
        return body
    try:
        return body.decode()
    except UnicodeDecodeError:
        return None

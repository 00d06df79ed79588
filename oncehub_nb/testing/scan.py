"""A leak scanner for cassettes, notebooks and any text file: ``oncehub-nb scan PATH...``.

Three rules, line by line (a notebook's outputs and ``metadata.widgets`` are lines of its JSON):

* ``live-secret``: the value of a live secret from the environment (``ONCEHUB_API_KEY``,
  ``ONCEHUB_CLIENT_SECRET``, ... any ``ONCEHUB_*KEY/SECRET/TOKEN``) appears anywhere;
* ``secret-field``: a known secret field (``access_token``, ``client_secret``, ``API-Key``,
  ``Authorization: Bearer`` ...) holds a value that is not a placeholder (``<ACCESS_TOKEN_1>``),
  a mask (``abcd…``) or an obvious stand-in (``...``);
* ``token-shaped``: a high-entropy string of mixed case and digits, 20 characters or more,
  that is not an id (``BKNG-…``, ``req_…``), a hash (hex) or image data.

With ``personal=True`` (recordings of a real account), three more:

* ``personal-known``: a value the recorder replaced as personal (a name, an email ...) is
  still there, given as ``known=``;
* ``personal-email``: an email address outside the reserved example domains (``example.com``,
  ``*.example``, ``*.invalid``, ``*.test``, ``*.localhost``);
* ``personal-phone``: a ``+``-style phone number that is not one of the fakes (555-01xx).

Findings print as ``file:line: rule: excerpt`` with the secret masked; never whole.

Example:
    >>> scan_text('{"access_token": "<ACCESS_TOKEN_1>"}', env={})
    []
    >>> [f.rule for f in scan_text('{"access_token": "Zx81kQ0pLm2Nb7Vc4Tr9Yw"}', env={})]
    ['secret-field']
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from oncehub_nb._redact import FORM_ONLY_FIELDS, SECRET_FIELDS, mask, names_pattern
from oncehub_nb.testing._personal import EMAIL_RE, PHONE_RE, is_fake

__all__ = ["Finding", "live_secrets", "scan_paths", "scan_text"]

# The SDK's one list of secret fields; "code", "ticket" and "token" are also ordinary words in
# JSON and prose, so in quoted form only the unambiguous names count (``token=`` forms do).
_FIELDS = names_pattern(set(SECRET_FIELDS) - FORM_ONLY_FIELDS - {"token"})
_QUOTED_FIELD = re.compile(rf"""(?i)\\?["']?\b({_FIELDS})\\?["']?\s*[:=]\s*\\?["']([^"'\\\s]+)""")
_FORM_FIELD = re.compile(rf"(?i)(?:[?&]|\bbody:\s+)({_FIELDS}|code|token)=([^&\s\"'#]+)")
_AUTH_VALUE = re.compile(r"(?i)\b(bearer|basic)\s+([A-Za-z0-9._~+/=-]{12,})")
_HEADER_LINE = re.compile(r"(?i)^\s*(authorization|api-key|x-api-key|cookie|set-cookie):\s*(.*)$")
_YAML_ITEM = re.compile(r"^\s*-\s*['\"]?(.+?)['\"]?\s*$")
_TOKEN = re.compile(r"(?<![A-Za-z0-9_\-])([A-Za-z0-9_\-]{20,200})(?![A-Za-z0-9_\-])")
# Ids, not secrets: OnceHub's (BKNG-…), request ids, payment ids (ch_…), hash names.
_ID_PREFIX = re.compile(
    r"^(?:[A-Z]{2,6}[-_]|req_|replay-|sha\d+|"
    r"(?:ch|pi|py|pm|cus|evt|txn|in|re|src|card|sub|prod|price|acct|po|tr)_)"
)
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_HEX = re.compile(r"^[0-9a-f]+$|^[0-9A-F]+$")
_STAND_IN = re.compile(
    r"(?i)^(?:\.\.\.|…|x{3,}|\*{3,}|none|null|true|false|your[_-].*|\$.*|\{.*|"
    r"(?:not-the|wrong|fake|dummy|example|sample|placeholder|changeme|redacted)[-_].*)$"
)
_SKIP_LINE = re.compile(r'"image/|data:image|base64,|integrity|"sha\d+"|sha\d+[:=-]')
_SKIP_DIRS = {".git", ".venv", "venv", "__pycache__", "node_modules", ".ipynb_checkpoints"}
_MAX_BYTES = 5_000_000
_RESERVED_DOMAIN = re.compile(
    r"(?i)(?:^|\.)(?:example\.(?:com|net|org)|example|invalid|test|localhost)$"
)


@dataclasses.dataclass(frozen=True)
class Finding:
    """One suspected secret.

    Attributes:
        path: the file.
        line: the 1-based line number.
        rule: ``live-secret``, ``secret-field`` or ``token-shaped``.
        excerpt: the line around it, with the secret masked.

    Example:
        >>> str(Finding("a.yaml", 3, "secret-field", "token: abcd…"))
        'a.yaml:3: secret-field: token: abcd…'
    """

    path: str
    line: int
    rule: str
    excerpt: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule}: {self.excerpt}"


def live_secrets(env: Mapping[str, str] | None = None) -> list[str]:
    """The values of live secrets in the environment (``ONCEHUB_*`` keys, secrets, tokens).

    Args:
        env: the environment (default ``os.environ``).

    Returns:
        Values of 8 characters or more.

    Example:
        >>> live_secrets({"ONCEHUB_API_KEY": "k" * 20, "ONCEHUB_API_BASE": "https://x"})
        ['kkkkkkkkkkkkkkkkkkkk']
    """
    env = os.environ if env is None else env
    found = []
    for name, value in env.items():
        upper = name.upper()
        if upper.startswith("ONCEHUB_") and any(w in upper for w in ("KEY", "SECRET", "TOKEN")):
            value = value.strip()
            if len(value) >= 8:
                found.append(value)
    return found


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def _acceptable(value: str) -> bool:
    value = value.strip().strip("'\"`,;)")
    return (
        len(value) < 8
        or "<" in value
        or "…" in value
        or _STAND_IN.match(value) is not None
        or value.startswith("replay-")
        or re.fullmatch(r"[A-Z][A-Z0-9_]*", value) is not None  # a constant's or variable's name
    )


def _token_shaped(value: str) -> bool:
    if _ID_PREFIX.match(value) or _UUID.match(value) or _HEX.match(value):
        return False
    if not (re.search(r"[a-z]", value) and re.search(r"[A-Z]", value) and re.search(r"\d", value)):
        return False
    return _entropy(value) >= min(4.0, math.log2(len(value)) - 0.45)


def _excerpt(line: str, start: int, value: str) -> str:
    shown = line[:start] + mask(value) + line[start + len(value) :]
    begin = max(0, start - 40)
    return shown[begin : begin + 100].strip()


def _scan_line(line: str, secrets: Iterable[str]) -> Iterator[tuple[str, int, str]]:
    for secret in secrets:
        at = line.find(secret)
        if at >= 0:
            yield "live-secret", at, secret
    for pattern in (_QUOTED_FIELD, _FORM_FIELD, _AUTH_VALUE):
        for match in pattern.finditer(line):
            value = match.group(2)
            if pattern is _AUTH_VALUE and not re.search(r"\d", value):
                continue
            if not _acceptable(value):
                yield "secret-field", match.start(2), value
    if _SKIP_LINE.search(line):
        return
    for match in _TOKEN.finditer(line):
        if _token_shaped(match.group(1)):
            yield "token-shaped", match.start(1), match.group(1)


def _scan_personal(line: str, known: Iterable[str]) -> Iterator[tuple[str, int, str]]:
    for value in known:
        at = line.find(value)
        if at >= 0:
            yield "personal-known", at, value
    for match in EMAIL_RE.finditer(line):
        domain = match.group(0).rsplit("@", 1)[1]
        if not _RESERVED_DOMAIN.search(domain) and not is_fake(match.group(0)):
            yield "personal-email", match.start(), match.group(0)
    for match in PHONE_RE.finditer(line):
        if not is_fake(match.group(0).strip()):
            yield "personal-phone", match.start(), match.group(0)


def scan_text(
    text: str,
    *,
    path: str = "<text>",
    env: Mapping[str, str] | None = None,
    personal: bool = False,
    known: Iterable[str] = (),
) -> list[Finding]:
    """Scan a text for secrets (and, with ``personal=True``, for personal data).

    Args:
        text: the content.
        path: the name to report.
        env: where live secrets come from (default ``os.environ``).
        personal: also look for personal data (recordings of a real account).
        known: personal values that must not appear (what a recorder replaced).

    Returns:
        The findings, in line order (one per line and value).

    Example:
        >>> scan_text("Authorization: Bearer <ACCESS_TOKEN_1>", env={})
        []
        >>> [f.rule for f in scan_text("to: ann.lee@corp-mail.com", env={}, personal=True)]
        ['personal-email']
    """
    secrets = live_secrets(env)
    known = [value for value in known if len(value.strip()) >= 3]
    findings: list[Finding] = []
    header: str | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        hits: list[tuple[str, int, str]] = []
        item = _YAML_ITEM.match(line)
        if header is not None and item is not None:
            value = item.group(1).split(" ", 1)[-1] if header == "authorization" else item.group(1)
            value = value.split(";", 1)[0].split("=", 1)[-1] if "cookie" in header else value
            if not _acceptable(value):
                hits.append(("secret-field", line.find(value), value))
        match = _HEADER_LINE.match(line)
        header = match.group(1).lower() if match and not match.group(2).strip() else None
        if match and match.group(2).strip():
            value = match.group(2).strip().split(" ", 1)[-1]
            if not _acceptable(value) and not any(h[2] == value for h in hits):
                hits.append(("secret-field", line.find(value), value))
        hits.extend(_scan_line(line, secrets))
        if personal:
            hits.extend(_scan_personal(line, known))
        seen: set[str] = set()
        for rule, start, value in hits:
            if value not in seen:
                seen.add(value)
                findings.append(Finding(path, number, rule, _excerpt(line, max(start, 0), value)))
    return findings


def _files(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and not _SKIP_DIRS.intersection(child.parts):
                    yield child
        elif path.is_file():
            yield path


def scan_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    env: Mapping[str, str] | None = None,
    personal: bool = False,
    known: Iterable[str] = (),
) -> list[Finding]:
    """Scan files and folders (recursively; binary files and ``.git``/``.venv`` skipped).

    Args:
        paths: files or folders.
        env: where live secrets come from (default ``os.environ``).
        personal: also look for personal data (see :func:`scan_text`).
        known: personal values that must not appear.

    Returns:
        Every finding.

    Example:
        >>> from oncehub_nb.testing import cassette_dir
        >>> scan_paths([cassette_dir()])
        []
    """
    findings: list[Finding] = []
    for file in _files(paths):
        if file.stat().st_size > _MAX_BYTES:
            continue
        data = file.read_bytes()
        if b"\0" in data[:8192]:
            continue
        try:
            text = data.decode()
        except UnicodeDecodeError:
            continue
        findings.extend(scan_text(text, path=str(file), env=env, personal=personal, known=known))
    return findings

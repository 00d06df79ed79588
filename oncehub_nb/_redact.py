"""Masking of secrets: one function for values, one for free text, one logging filter.

Secrets are API keys, client secrets, authorization and device codes, PKCE verifiers, access and
refresh tokens. They show as their first four characters and an ellipsis (``'abcd…'``), or as
``'…'`` alone when too short for four characters to be safe to show.

Two defences work together in :func:`redact_text`:

* every secret the SDK handles is registered with :func:`register_secret` the moment it is read,
  together with the object that holds it (a client's auth, a token, a sign-in flow); while that
  object lives, any occurrence of the secret in text is masked, whatever surrounds it. Once the
  owner is garbage-collected its secrets are forgotten: a long-running kernel keeps no old ones;
* well-known shapes (``API-Key: ...``, ``Authorization: Bearer ...``, ``access_token=...``,
  ``"refresh_token": "..."``) are masked even when the value was never registered, which matters
  for third-party loggers such as requests-oauthlib, which logs whole tokens at DEBUG.

Example:
    >>> mask("sk_live_0123456789abcdef")
    'sk_l…'
    >>> redact_text('header API-Key: 0123456789abcdefXYZ sent')
    'header API-Key: 0123… sent'
"""

from __future__ import annotations

import collections
import contextlib
import hashlib
import logging
import re
import threading
import weakref
from collections.abc import Iterable, Iterator

__all__ = [
    "FORM_ONLY_FIELDS",
    "REDACTED_LOGGERS",
    "SECRET_FIELDS",
    "SECRET_HEADERS",
    "RedactingFilter",
    "fingerprint",
    "install_log_redaction",
    "is_secret_field",
    "mask",
    "names_pattern",
    "redact_text",
    "register_secret",
    "registered_secrets",
    "watch_registrations",
]

_SHOW = 4
_MIN_LEN_TO_SHOW_PREFIX = 16
_MIN_REGISTERED_LEN = 8

REDACTED_LOGGERS = ("oncehub_nb", "requests_oauthlib", "oauthlib", "urllib3")

_lock = threading.Lock()
#: Secrets by owner (``id(owner)``); an entry goes when its owner is garbage-collected.
_by_owner: dict[int, set[str]] = {}
#: Owners that died, waiting to be forgotten. Finalizers only append here: they can run inside
#: any allocation (the garbage collector), even while this module holds its lock.
_dead: collections.deque[int] = collections.deque()
#: Every live secret, longest first (rebuilt when an owner registers or goes).
_live: list[str] = []
#: Sets that also collect every secret registered while they are watched (leak tests).
_watchers: list[set[str]] = []

#: The one list of field names whose values are secrets (query strings, forms, JSON, headers):
#: the log redaction here, the errors' masked bodies, the cassette scrubber and the secret
#: scanner all read it. Each name maps to the placeholder kind cassettes write for it.
SECRET_FIELDS: dict[str, str] = {
    "access_token": "ACCESS_TOKEN",
    "refresh_token": "REFRESH_TOKEN",
    "id_token": "ID_TOKEN",
    "client_secret": "CLIENT_SECRET",
    "code": "CODE",
    "code_verifier": "CODE_VERIFIER",
    "device_code": "DEVICE_CODE",
    "code_challenge": "CODE_CHALLENGE",
    "ticket": "TICKET",
    "token": "TOKEN",
    "api_key": "API_KEY",
    "api-key": "API_KEY",
    "apikey": "API_KEY",
    "password": "PASSWORD",
    "assertion": "ASSERTION",
    "secret": "WEBHOOK_SECRET",
    "webhook_secret": "WEBHOOK_SECRET",
    "admin_token": "ADMIN_TOKEN",
}
#: Names that are ordinary words in JSON answers (an error's ``code``): secrets in forms only.
FORM_ONLY_FIELDS = frozenset({"code", "code_challenge", "ticket"})
#: Headers whose values are secrets -> placeholder kind.
SECRET_HEADERS: dict[str, str] = {
    "api-key": "API_KEY",
    "x-api-key": "API_KEY",
    "sandbox-admin-token": "ADMIN_TOKEN",
    "authorization": "AUTHORIZATION",
    "proxy-authorization": "AUTHORIZATION",
    "cookie": "COOKIE",
    "set-cookie": "COOKIE",
}


def names_pattern(names: Iterable[str]) -> str:
    """A regex alternation of field names, longest first (``code_verifier`` before ``code``).

    Example:
        >>> names_pattern(["code", "code_verifier"])
        'code_verifier|code'
    """
    return "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))


def is_secret_field(name: str, *, in_json: bool = False) -> bool:
    """Tell whether a field of that name holds a secret.

    Example:
        >>> is_secret_field("Refresh_Token"), is_secret_field("code", in_json=True)
        (True, False)
    """
    name = name.lower()
    if in_json and name in FORM_ONLY_FIELDS:
        return False
    return name in SECRET_FIELDS or "password" in name or "api_key" in name


_SENSITIVE_NAMES = names_pattern(SECRET_FIELDS)
_PATTERNS = [
    # Authorization: Bearer xxx / Basic xxx
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?(?:bearer|basic)\s+)([^\s'\",}]+)"),
    re.compile(r"(?i)\b(bearer\s+)([A-Za-z0-9._~+/=-]{8,})"),
    # "field": "value"  and  'field': 'value'
    re.compile(rf"(?i)(['\"](?:{_SENSITIVE_NAMES})['\"]\s*:\s*['\"])([^'\"]+)"),
    # field=value (query strings, form bodies) and Header: value
    re.compile(rf"(?i)(\b(?:{_SENSITIVE_NAMES})\s*[=:]\s*)([^\s&'\",;}}]+)"),
]


def mask(secret: str | None) -> str:
    """Show a secret safely: its first four characters and an ellipsis.

    Args:
        secret: the value to mask; ``None`` or empty gives ``'<none>'``.

    Returns:
        ``'abcd…'`` for secrets of 16 characters or more, ``'…'`` for shorter ones.

    Example:
        >>> mask("0123456789abcdefgh"), mask("short"), mask(None)
        ('0123…', '…', '<none>')
    """
    if not secret:
        return "<none>"
    if len(secret) >= _MIN_LEN_TO_SHOW_PREFIX:
        return secret[:_SHOW] + "…"
    return "…"


def fingerprint(secret: str, *, purpose: str) -> str:
    """A short name for a secret that does not reveal it: a keyed BLAKE2b digest.

    Files and log lines may hold it (the shared rate limiter names an account's budget so);
    the key separates purposes, so the same secret gets unrelated names for unrelated uses.

    Args:
        secret: the value to name.
        purpose: what the name is for (at most 48 characters).

    Returns:
        24 hex characters.

    Example:
        >>> a = fingerprint("0123456789abcdef0123", purpose="rate-limit")
        >>> len(a), "0123" in a, a == fingerprint("0123456789abcdef0123", purpose="other")
        (24, False, False)
    """
    key = b"oncehub-nb:" + purpose.encode()
    return hashlib.blake2b(secret.encode(), digest_size=12, key=key[:64]).hexdigest()


def register_secret(secret: str | None, *, owner: object) -> None:
    """Mask ``secret`` in every :func:`redact_text` for as long as ``owner`` lives.

    The owner is the object that holds the secret (an auth object, a token, a sign-in flow): the
    secret can only reach output through it, so it is masked exactly as long as it is held.
    Very short values (under 8 characters) are not registered: masking them would garble
    ordinary text, and nothing that short is a real credential.

    Args:
        secret: the value; ``None`` is ignored.
        owner: the object holding it; must support weak references.

    Example:
        >>> class Holder: ...
        >>> holder = Holder()
        >>> register_secret("my-very-secret-value-123", owner=holder)
        >>> redact_text("oops my-very-secret-value-123 leaked")
        'oops my-v… leaked'
        >>> del holder  # the owner is gone: so is the registration
        >>> "my-very-secret-value-123" in registered_secrets()
        False
    """
    if not secret or len(secret) < _MIN_REGISTERED_LEN:
        return
    key = id(owner)
    with _lock:
        _collect_dead()  # a dead owner's id may be reused: forget it before looking it up
        held = _by_owner.get(key)
        if held is None:
            held = _by_owner[key] = set()
            weakref.finalize(owner, _forget, key)
        if secret not in held:
            held.add(secret)
            _rebuild()
        for watcher in _watchers:
            watcher.add(secret)


def _forget(key: int) -> None:
    # No lock here: this runs from the garbage collector, possibly while the lock is held by
    # the same thread (a deadlock the token-answer fuzz test found).
    _dead.append(key)


def _collect_dead() -> None:
    """Drop the secrets of owners that died (the caller holds the lock)."""
    changed = False
    while _dead:
        changed |= _by_owner.pop(_dead.popleft(), None) is not None
    if changed:
        _rebuild()


def _rebuild() -> None:
    """Recompute the live list (the caller holds the lock)."""
    global _live
    _live = sorted({s for held in _by_owner.values() for s in held}, key=len, reverse=True)


@contextlib.contextmanager
def watch_registrations() -> Iterator[set[str]]:
    """Collect every secret registered while the block runs, whether or not its owner lives on.

    Leak tests use it: a secret that was used and dropped must still be looked for in what a
    run left behind (a saved notebook, a cassette, a log).

    Example:
        >>> class Holder: ...
        >>> with watch_registrations() as seen:
        ...     register_secret("short-lived-secret-0001", owner=Holder())
        >>> "short-lived-secret-0001" in seen
        True
    """
    seen: set[str] = set()
    with _lock:
        _watchers.append(seen)
    try:
        yield seen
    finally:
        with _lock:
            _watchers.remove(seen)


def registered_secrets() -> frozenset[str]:
    """Every secret currently registered by a live owner (for leak scanners and tests).

    Example:
        >>> isinstance(registered_secrets(), frozenset)
        True
    """
    with _lock:
        _collect_dead()
        return frozenset(_live)


def _mask_match(match: re.Match[str]) -> str:
    value = match.group(2)
    if value.endswith("…"):  # already masked
        return match.group(0)
    return match.group(1) + mask(value)


def redact_text(text: str) -> str:
    """Mask every registered secret and every secret-shaped field in a piece of text.

    Args:
        text: any text: a log message, an error message, a URL, a response body.

    Returns:
        The text with secrets masked.

    Example:
        >>> redact_text("POST /token code=Zx81LmQ0pW7eRt5yUi3oPa9s&grant_type=authorization_code")
        'POST /token code=Zx81…&grant_type=authorization_code'
    """
    # Shapes first: a registered secret that happens to be a field name (``code_verifier``)
    # must not turn ``code_verifier=<value>`` into something the shapes no longer recognise.
    for pattern in _PATTERNS:
        text = pattern.sub(_mask_match, text)
    if _dead:
        with _lock:
            _collect_dead()
    for secret in _live:  # a snapshot: the list is replaced, never changed in place
        if secret in text:
            text = text.replace(secret, mask(secret))
    return text


class RedactingFilter(logging.Filter):
    """A logging filter that masks secrets in a record's rendered message.

    The record's arguments are rendered first, then the whole message is redacted, so a token
    passed as ``%s`` argument (as requests-oauthlib does) is masked too.

    Example:
        >>> import logging
        >>> logging.getLogger("requests_oauthlib").addFilter(RedactingFilter())
    """

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drops it.

        Args:
            record: the record being logged.

        Returns:
            Always ``True``.
        """
        try:
            message = record.getMessage()
        except (TypeError, ValueError):  # a malformed record: leave it to logging's own handling
            return True
        redacted = redact_text(message)
        if redacted != message or record.args:
            record.msg = redacted
            record.args = None
        return True


_redactor = RedactingFilter()
_filtered: set[str] = set()
_factory_installed = False


def _install_record_factory() -> None:
    """Redact records of the watched namespaces as they are made, whichever logger makes them.

    Logger filters only cover loggers that exist when they are attached; a module imported
    later (oauthlib imports its grant modules lazily) would log unfiltered. The record factory
    sees every record that passes the level check, so nothing slips through. The previous
    factory is kept and called first.
    """
    global _factory_installed
    with _lock:
        if _factory_installed:
            return
        _factory_installed = True
    previous = logging.getLogRecordFactory()
    prefixes = tuple(name + "." for name in REDACTED_LOGGERS)

    def make_record(*args: object, **kwargs: object) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        if record.name in REDACTED_LOGGERS or record.name.startswith(prefixes):
            _redactor.filter(record)
        return record

    logging.setLogRecordFactory(make_record)


def install_log_redaction() -> None:
    """Redact the SDK's and its HTTP libraries' log records (idempotent).

    Run when the first transport is made (every client and sign-in flow has one), not when the
    package is imported: importing ``oncehub_nb`` changes nothing outside it.

    The record factory masks every record of the namespaces in :data:`REDACTED_LOGGERS`, whichever
    logger makes it, including loggers created later (oauthlib creates its module loggers
    lazily). The filter is also put on those loggers and on every child of them that exists now,
    so redaction holds even if an application replaces the record factory afterwards.

    Example:
        >>> install_log_redaction()
        >>> import logging
        >>> any(isinstance(f, RedactingFilter) for f in logging.getLogger("oncehub_nb").filters)
        True
    """
    _install_record_factory()
    prefixes = tuple(name + "." for name in REDACTED_LOGGERS)
    with _lock:
        known = [
            name
            for name in list(logging.root.manager.loggerDict)
            if name.startswith(prefixes) and name not in _filtered
        ]
        names = [name for name in REDACTED_LOGGERS if name not in _filtered] + known
        _filtered.update(names)
    for name in names:
        logging.getLogger(name).addFilter(_redactor)

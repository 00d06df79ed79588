"""Checks at the boundary: what comes back from outside is validated before it is used.

Token endpoint answers, stored tokens and stored pending sign-ins are read here into plain,
typed values, or refused with one ``ValueError`` whose message says what was wrong; the callers
turn that into the project's own error (:class:`~oncehub_nb.TokenExchangeError` for an answer,
:class:`~oncehub_nb.ConfigurationError` for a stored file, :class:`~oncehub_nb.StateMismatch` for
a pending sign-in).

How token answers are read (RFC 6749 section 5.1, and what real servers send):

* ``access_token``: required; printable ASCII without spaces (it goes into a header), at most
  4096 characters.
* ``token_type``: ``Bearer`` in any case, or absent (taken as Bearer); anything else is refused.
* ``expires_in``: a positive number of seconds (a numeric string too), at most ten years. A
  missing, zero, negative, boolean, non-numeric, infinite or NaN value means *not given*: the
  token is used until the API refuses it (401), then refreshed once.
* ``refresh_token``: printable ASCII, or absent (the previous one is kept); anything else is
  refused, and the stored refresh token stays as it was.
* ``scope``: text or a list of texts; any other value is ignored (the previous scope is kept).

Example:
    >>> fields = token_fields({"access_token": "a" * 20, "expires_in": "3600", "scope": ["r"]})
    >>> fields["expires_in"], fields["scope"], fields["token_type"]
    (3600.0, 'r', 'Bearer')
    >>> token_fields({"access_token": "a" * 20, "expires_in": -5})["expires_in"] is None
    True
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "LONGEST_LIFETIME",
    "device_fields",
    "pending_fields",
    "refresh_token_in",
    "stored_token_fields",
    "token_fields",
]

#: Lifetimes beyond ten years are cut to ten years (a date past 9999 cannot even be shown).
LONGEST_LIFETIME = 10 * 365 * 86400.0
_TOKEN_TEXT = re.compile(r"^[\x21-\x7e]{1,4096}$")
_VERIFIER = re.compile(r"^[A-Za-z0-9._~-]{43,128}$")


def _secret_text(value: Any, name: str) -> str:
    if not isinstance(value, str) or not _TOKEN_TEXT.match(value):
        raise ValueError(f"{name} is not a token (printable text without spaces)")
    return value


def _seconds(value: Any) -> float | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, int | float):
        return None
    try:
        seconds = float(value)
    except OverflowError:  # an int too large for a float
        return LONGEST_LIFETIME
    if not math.isfinite(seconds) or seconds <= 0:
        return None
    return min(seconds, LONGEST_LIFETIME)


def _finite_or_none(value: Any, name: str) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{name} is not a number")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{name} is not a finite number")
    return number


def refresh_token_in(body: Any) -> str | None:
    """A well-formed refresh token in an answer, even one that is otherwise broken.

    A server that rotates refresh tokens may retire the old one before its answer turns out to
    be unusable; the new one is kept rather than lost.

    Example:
        >>> refresh_token_in({"refresh_token": "r" * 20, "access_token": None})
        'rrrrrrrrrrrrrrrrrrrr'
        >>> refresh_token_in({"refresh_token": " "}) is None
        True
    """
    value = body.get("refresh_token") if isinstance(body, Mapping) else None
    return value if isinstance(value, str) and _TOKEN_TEXT.match(value) else None


def token_fields(body: Any) -> dict[str, Any]:
    """Read a token endpoint answer (see the module docstring for the rules).

    Args:
        body: the decoded answer.

    Returns:
        ``access_token``, ``token_type``, ``expires_in`` (seconds or ``None``),
        ``refresh_token`` (``None``: keep the previous one) and ``scope`` (``None``: keep it).

    Raises:
        ValueError: the answer is not a usable token response.

    Example:
        >>> token_fields({"access_token": "a b"})
        Traceback (most recent call last):
        ...
        ValueError: access_token is not a token (printable text without spaces)
    """
    if not isinstance(body, Mapping):
        raise ValueError("the answer is not a JSON object")
    access = _secret_text(body.get("access_token"), "access_token")
    kind = body.get("token_type")
    if kind is None:
        kind = "Bearer"
    if not isinstance(kind, str) or kind.lower() != "bearer":
        raise ValueError("token_type is not Bearer (RFC 6750), the only kind this SDK sends")
    refresh = body.get("refresh_token")
    if refresh is not None:
        refresh = _secret_text(refresh, "refresh_token")
    scope = body.get("scope")
    if isinstance(scope, list | tuple) and all(isinstance(s, str) for s in scope):
        scope = " ".join(scope)
    elif not isinstance(scope, str):
        scope = None
    return {
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": _seconds(body.get("expires_in")),
        "refresh_token": refresh,
        "scope": scope,
    }


def stored_token_fields(record: Any) -> dict[str, Any]:
    """Read a stored token record strictly (a damaged one is refused, never guessed at).

    Args:
        record: what a store returned.

    Returns:
        The :class:`~oncehub_nb.auth.tokens.Token` fields.

    Raises:
        ValueError: a field is missing or of the wrong type.

    Example:
        >>> stored_token_fields({"access_token": "a" * 20, "expires_at": "soon"})
        Traceback (most recent call last):
        ...
        ValueError: expires_at is not a number
    """
    if not isinstance(record, Mapping):
        raise ValueError("the record is not an object")
    refresh = record.get("refresh_token")
    scope = record.get("scope", "")
    kind = record.get("token_type", "Bearer")
    if not isinstance(scope, str) or not isinstance(kind, str):
        raise ValueError("scope and token_type must be text")
    return {
        "access_token": _secret_text(record.get("access_token"), "access_token"),
        "refresh_token": None if refresh is None else _secret_text(refresh, "refresh_token"),
        "expires_at": _finite_or_none(record.get("expires_at"), "expires_at"),
        "scope": scope,
        "token_type": kind,
        "obtained_at": _finite_or_none(record.get("obtained_at"), "obtained_at"),
    }


def pending_fields(record: Any) -> dict[str, Any]:
    """Read a stored pending sign-in (state, PKCE verifier, redirect URI, times) strictly.

    Args:
        record: what a store returned.

    Returns:
        ``state``, ``code_verifier``, ``redirect_uri``, ``created_at`` and ``expires_at``.

    Raises:
        ValueError: the record is damaged.

    Example:
        >>> pending_fields({"state": "s", "code_verifier": "v" * 43, "redirect_uri": "x",
        ...                 "created_at": 0, "expires_at": float("nan")})
        Traceback (most recent call last):
        ...
        ValueError: expires_at is not a finite number
    """
    if not isinstance(record, Mapping):
        raise ValueError("the record is not an object")
    state, verifier, redirect = (
        record.get("state"),
        record.get("code_verifier"),
        record.get("redirect_uri"),
    )
    if not isinstance(state, str) or not state or not isinstance(redirect, str):
        raise ValueError("state and redirect_uri must be text")
    if not isinstance(verifier, str) or not _VERIFIER.match(verifier):
        raise ValueError("code_verifier is not an RFC 7636 verifier")
    created = _finite_or_none(record.get("created_at"), "created_at")
    expires = _finite_or_none(record.get("expires_at"), "expires_at")
    if created is None or expires is None:
        raise ValueError("created_at and expires_at are required")
    return {
        "state": state,
        "code_verifier": verifier,
        "redirect_uri": redirect,
        "created_at": created,
        "expires_at": expires,
    }


_USER_CODE = re.compile(r"^[\x21-\x7e]{1,64}$")


def device_fields(body: Any) -> dict[str, Any]:
    """Read a device authorization answer (RFC 8628 section 3.2), or raise ``ValueError``.

    ``interval`` defaults to 5 s and is at least 1 s; ``expires_in`` is required.

    Example:
        >>> fields = device_fields({"device_code": "d" * 20, "user_code": "ABCD-EFGH",
        ...     "verification_uri": "https://example.com/device", "expires_in": 600})
        >>> fields["interval"], fields["verification_uri_complete"]
        (5.0, None)
    """
    if not isinstance(body, Mapping):
        raise ValueError("the answer is not a JSON object")
    device_code = _secret_text(body.get("device_code"), "device_code")
    user_code = body.get("user_code")
    if not isinstance(user_code, str) or not _USER_CODE.match(user_code):
        raise ValueError("user_code is missing or not printable text")
    uris: dict[str, str | None] = {}
    for name in ("verification_uri", "verification_uri_complete"):
        value = body.get(name)
        if value is None and name == "verification_uri_complete":
            uris[name] = None
            continue
        if not isinstance(value, str) or not value.lower().startswith(("https://", "http://")):
            raise ValueError(f"{name} is not a web address")
        uris[name] = value
    expires_in = _seconds(body.get("expires_in"))
    if expires_in is None:
        raise ValueError("expires_in is missing or not a positive number")
    interval = _seconds(body.get("interval"))
    return {
        "device_code": device_code,
        "user_code": user_code,
        **uris,
        "expires_in": min(expires_in, 86400.0),
        "interval": 5.0 if interval is None else max(interval, 1.0),
    }

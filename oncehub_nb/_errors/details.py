"""Safe views of an HTTP response for errors: headers and body with secrets masked.

The one JSON decoder for HTTP answers lives here too (:func:`decode_json`), so a body is decoded
the same way whether it is data or an error.

Example:
    >>> import requests
    >>> r = requests.Response()
    >>> r.headers["Set-Cookie"] = "session=abc"
    >>> dict(safe_headers(r.headers))
    {'Set-Cookie': '…'}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import requests
from requests.structures import CaseInsensitiveDict

from oncehub_nb._redact import SECRET_HEADERS, is_secret_field, redact_text

__all__ = ["decode_json", "safe_body", "safe_headers"]


def safe_headers(headers: Mapping[str, str]) -> CaseInsensitiveDict[str]:
    safe: CaseInsensitiveDict[str] = CaseInsensitiveDict()
    for name, value in headers.items():
        safe[name] = "…" if name.lower() in SECRET_HEADERS else redact_text(str(value))
    return safe


def safe_body(response: requests.Response) -> Any:
    try:
        body = decode_json(response)
    except ValueError:
        text = (response.text or "") if response.content else ""
        return redact_text(text[:2000]) if text else None
    return _redact_json(body)


def _redact_json(value: Any, depth: int = 0) -> Any:
    if depth > 20:
        return "…"
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {
            str(k): "…" if is_secret_field(str(k), in_json=True) else _redact_json(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_redact_json(v, depth + 1) for v in value]
    return value


def decode_json(response: requests.Response) -> Any:
    """Decode a response's JSON body: the SDK's one JSON decoder for HTTP answers.

    Args:
        response: the response.

    Returns:
        The decoded value.

    Raises:
        ValueError: the body is not JSON (also for absurdly deep nesting).

    Example:
        >>> import requests
        >>> r = requests.Response()
        >>> r._content = b"[" * 100_000
        >>> decode_json(r)
        Traceback (most recent call last):
        ...
        ValueError: the body is not JSON (nested too deeply)
    """
    try:
        return response.json()
    except RecursionError:
        raise ValueError("the body is not JSON (nested too deeply)") from None

"""The probe's walk, read-only: ``GET /test``, then one page of each list endpoint.

Where a list has a next page, the page after the first is fetched too, only to see that the
cursor moves on.

The client calls it (``hub.doctor()``) with its transport and its list resources.

Example:
    >>> from oncehub_nb import OnceHub
    >>> from oncehub_nb.sandbox import Sandbox
    >>> with Sandbox(bookings=3, rate_limit=False) as sb, OnceHub(
    ...     api_key=sb.api_key, api_base=sb.base_url, rate_limit=False
    ... ) as hub:
    ...     report = hub.doctor()
    >>> [(e.path, e.status, e.findings) for e in report.endpoints][6]
    ('/teams', 'ok', [])
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from oncehub_nb._config import DEFAULT_API_BASE
from oncehub_nb._errors import APIStatusError, AuthenticationError, PermissionDeniedError
from oncehub_nb._http.transport import Transport
from oncehub_nb._http.urls import is_loopback_url
from oncehub_nb._version import __version__
from oncehub_nb.doctor._checks import Finding, Tally, json_type, safe_name
from oncehub_nb.doctor._known import known_note
from oncehub_nb.doctor._report import DoctorReport, EndpointResult
from oncehub_nb.frames.build import Column

__all__ = ["PAGE_LIMIT", "ListEndpoint", "probe"]

#: The API's largest page: one request shows as many records as possible.
PAGE_LIMIT = 100
#: Fields the frames leave out on purpose, for every resource and per list path.
_LEFT_OUT = {"object"}
_LEFT_OUT_BY_PATH: Mapping[str, set[str]] = {"/webhooks": {"secret"}}
_RATE_HEADER = re.compile(r"(?i)rate-?limit|^retry-after$")


class ListEndpoint(Protocol):
    """What the probe needs of a resource: its list path and its frame's columns."""

    @property
    def path(self) -> str:
        """The list path, e.g. ``/bookings``."""

    @property
    def columns(self) -> tuple[Column, ...]:
        """The column schema the frames are built from."""


def _server(api_base: str) -> str:
    """Where the probe ran, without naming any private host."""
    if api_base.rstrip("/") == DEFAULT_API_BASE:
        return f"OnceHub ({DEFAULT_API_BASE})"
    return "another server (loopback)" if is_loopback_url(api_base) else "another server"


def _rate_headers(headers: Mapping[str, str], seen: dict[str, str]) -> None:
    for name, value in headers.items():
        if _RATE_HEADER.search(name):
            kind = "integer" if value.strip().isdigit() else "text"
            seen[safe_name(name)] = kind


def _error(exc: APIStatusError) -> str:
    return f"{type(exc).__name__} (HTTP {exc.status_code})"


def _records(body: Any, tally: Tally) -> list[Any] | None:
    """The page's records, or ``None`` (with an ``envelope`` finding) when it is no list page."""
    if isinstance(body, list):  # a bare array: the SDK reads it as one page
        return body
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        observed = json_type(body.get("data")) if isinstance(body, dict) else json_type(body)
        tally.add("envelope", field="data", expected="array", observed=observed)
        return None
    if "has_more" in body and not isinstance(body["has_more"], bool):
        tally.add(
            "envelope", field="has_more", expected="boolean", observed=json_type(body["has_more"])
        )
    return list(body["data"])


def _next_page_due(body: Any, records: Sequence[Any]) -> bool:
    has_more = body.get("has_more") if isinstance(body, dict) else False
    if isinstance(has_more, bool):
        return has_more and bool(records)
    return len(records) >= PAGE_LIMIT  # no has_more: a full page may have a next one


def _ids(records: Sequence[Any]) -> list[str]:
    return [r["id"] for r in records if isinstance(r, dict) and isinstance(r.get("id"), str)]


def _check_cursor(transport: Transport, path: str, first: Sequence[Any], tally: Tally) -> int:
    """Fetch the page after ``first``; count a finding when it repeats records. Returns pages."""
    ids = _ids(first)
    if not ids:
        return 0
    after = transport.request("GET", path, params={"limit": str(PAGE_LIMIT), "after": ids[-1]})
    try:
        body = after.json()
    except (ValueError, RecursionError):
        body = None
    second = body if isinstance(body, list) else body.get("data") if isinstance(body, dict) else []
    repeated = len(set(ids) & set(_ids(second if isinstance(second, list) else [])))
    if repeated:
        tally.add(
            "cursor-stuck",
            field="after",
            expected="the next page",
            observed="records of the page before",
            count=repeated,
        )
    return 1


def _endpoint(transport: Transport, resource: ListEndpoint, rate: dict[str, str]) -> EndpointResult:
    path = resource.path
    tally = Tally()
    try:
        response = transport.request("GET", path, params={"limit": str(PAGE_LIMIT)})
    except APIStatusError as exc:
        tally.add("error", field="", expected="HTTP 200", observed=_error(exc))
        return EndpointResult(path, status=_error(exc), findings=tally.findings(path))
    _rate_headers(response.headers, rate)
    try:
        body = response.json()
    except (ValueError, RecursionError):
        body = None
    records = _records(body, tally)
    pages = 1
    if records is not None:
        left_out = _LEFT_OUT | _LEFT_OUT_BY_PATH.get(path, set())
        tally.check(records, columns=resource.columns, left_out=left_out)
        if _next_page_due(body, records):
            try:
                pages += _check_cursor(transport, path, records, tally)
            except APIStatusError as exc:
                tally.add("error", field="after", expected="HTTP 200", observed=_error(exc))
    has_more = body.get("has_more") if isinstance(body, dict) else None
    return EndpointResult(
        path,
        status="ok",
        records=len(records or []),
        pages=pages,
        has_more=has_more if isinstance(has_more, bool) else None,
        findings=tally.findings(path),
    )


def probe(transport: Transport, resources: Sequence[ListEndpoint]) -> DoctorReport:
    """Check the credential, walk one page of each resource, compare with the schemas.

    Read-only: ``GET /test`` and ``GET <list path>?limit=100`` (plus ``after=<last id>`` when
    there is a next page, to see that the cursor moves on). Nothing is written to the account.

    Args:
        transport: the client's transport (its credential, rate limiter and retries).
        resources: the list resources to walk.

    Returns:
        The report; its findings carry types and field names, never values.

    Raises:
        APIConnectionError: OnceHub could not be reached at all.

    Example:
        >>> from oncehub_nb import OnceHub
        >>> from oncehub_nb.sandbox import Sandbox
        >>> with Sandbox(bookings=0) as sb, OnceHub(api_key="not-the-key-0123456789",
        ...                                         api_base=sb.base_url) as hub:
        ...     print(hub.doctor().credential)
        refused: AuthenticationError (HTTP 401)
    """
    base = transport.settings.api_base
    rate: dict[str, str] = {}
    try:
        answer = transport.request("GET", "/test")
    except (AuthenticationError, PermissionDeniedError) as exc:
        return DoctorReport(
            version=__version__,
            server=_server(base),
            credential=f"refused: {_error(exc)}",
            accepted=False,
        )
    _rate_headers(answer.headers, rate)
    endpoints = [_endpoint(transport, resource, rate) for resource in resources]
    for endpoint in endpoints:
        endpoint.findings = [
            _with_note(finding, known_note(finding)) for finding in endpoint.findings
        ]
    return DoctorReport(
        version=__version__,
        server=_server(base),
        credential=f"accepted (GET /test: HTTP {answer.status_code})",
        accepted=True,
        rate_limit_headers=rate,
        endpoints=endpoints,
    )


def _with_note(finding: Finding, note: str | None) -> Finding:
    return dataclasses.replace(finding, known=note)

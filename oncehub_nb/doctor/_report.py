"""The probe's result: a table to read, and a JSON report to attach to a bug report.

Neither holds a value from the account: field names, JSON types, counts and HTTP statuses only
(no ids, no emails, no names, no keys or tokens, not even the server's host unless it is
OnceHub's own).

Example:
    >>> report = DoctorReport(version="0", server="another server", credential="accepted",
    ...                       accepted=True)
    >>> print(report.table().splitlines()[0])
    oncehub-nb doctor 0 on another server: credential accepted
"""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Any

from oncehub_nb.doctor._checks import Finding

__all__ = ["DoctorReport", "EndpointResult"]


@dataclasses.dataclass
class EndpointResult:
    """What one list endpoint answered.

    Attributes:
        path: the list path (``/bookings``).
        status: ``ok``, or the error it answered with (``NotFoundError (HTTP 404)``).
        records: records on the first page.
        pages: pages fetched (2 when a next page was fetched to test the cursor).
        has_more: the envelope's ``has_more``; ``None`` when absent.
        findings: what differed from the schema.

    Example:
        >>> EndpointResult("/teams").status
        'ok'
    """

    path: str
    status: str = "ok"
    records: int = 0
    pages: int = 0
    has_more: bool | None = None
    findings: list[Finding] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class DoctorReport:
    """The result of ``hub.doctor()`` / ``oncehub-nb doctor``.

    Attributes:
        version: the oncehub_nb version that probed.
        server: ``OnceHub (https://api.oncehub.com/v2)`` or ``another server``.
        credential: whether ``GET /test`` accepted the credential, in words.
        accepted: ``True`` when it did.
        rate_limit_headers: rate-limit header names seen, with the kind of their values.
        endpoints: one :class:`EndpointResult` per list endpoint.

    Example:
        >>> DoctorReport(version="0", server="x", credential="accepted", accepted=True).new
        []
    """

    version: str
    server: str
    credential: str
    accepted: bool
    rate_limit_headers: dict[str, str] = dataclasses.field(default_factory=dict)
    endpoints: list[EndpointResult] = dataclasses.field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        """Every finding, endpoint by endpoint."""
        return [finding for endpoint in self.endpoints for finding in endpoint.findings]

    @property
    def new(self) -> list[Finding]:
        """Findings that are not documented departures of OnceHub from its spec."""
        return [finding for finding in self.findings if finding.known is None]

    @property
    def known(self) -> list[Finding]:
        """Findings that are documented departures (each with its note)."""
        return [finding for finding in self.findings if finding.known is not None]

    @property
    def ok(self) -> bool:
        """The credential works and nothing new was found."""
        return self.accepted and not self.new

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-able data: shapes and types only."""
        return {
            "report": "oncehub-nb doctor",
            "format": 1,
            "oncehub_nb": self.version,
            "server": self.server,
            "credential": self.credential,
            "rate_limit_headers": dict(sorted(self.rate_limit_headers.items())),
            "endpoints": [
                {k: v for k, v in dataclasses.asdict(e).items() if k != "findings"}
                for e in self.endpoints
            ],
            "findings": [dataclasses.asdict(f) for f in self.findings],
            "summary": {"known": len(self.known), "new": len(self.new)},
        }

    def to_json(self) -> str:
        """The report as indented JSON text."""
        return json.dumps(self.to_dict(), indent=2, sort_keys=False) + "\n"

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write :meth:`to_json` to ``path`` (replacing it).

        Args:
            path: the report file, e.g. ``doctor-report.json``.

        Returns:
            The path written.
        """
        from oncehub_nb._files import atomic_write

        text = self.to_json()

        def write(temp: Path) -> None:
            temp.write_text(text, encoding="utf-8")

        return atomic_write(path, write)

    def table(self) -> str:
        """A plain-text table for a terminal or a notebook cell."""
        rate = ", ".join(f"{k} ({v})" for k, v in sorted(self.rate_limit_headers.items()))
        lines = [f"oncehub-nb doctor {self.version} on {self.server}: credential {self.credential}"]
        if not self.accepted:
            lines.append("Nothing else was checked: fix the credential first.")
            return "\n".join(lines)
        lines.append(f"Rate-limit headers: {rate or 'none sent'}")
        lines.append("")
        lines.append(f"{'endpoint':<22}{'records':>8}{'pages':>6}  result")
        for e in self.endpoints:
            known = sum(1 for f in e.findings if f.known is not None)
            new = len(e.findings) - known
            if e.status != "ok":
                result = e.status
            else:
                result = f"{new} new, {known} known" if e.findings else "as the SDK expects"
            lines.append(f"{e.path:<22}{e.records:>8}{e.pages:>6}  {result}")
        for title, rows in (("New findings", self.new), ("Known departures", self.known)):
            if not rows:
                continue
            lines += ["", f"{title}:"]
            for f in rows:
                what = (
                    f"a field the schema does not read ({f.observed})"
                    if f.kind == "unknown-field"
                    else f"expected {f.expected}, got {f.observed}"
                )
                lines.append(
                    f"  {f.endpoint:<20} {f.kind:<16} {f.field or '-':<40} {what} ({f.count}x)"
                )
        lines += ["", "All clear: nothing new." if self.ok else f"{len(self.new)} new finding(s)."]
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.table()

    def _repr_html_(self) -> str:
        """Notebook view: the table, preformatted (it holds no value from the account)."""
        import html

        return f"<pre>{html.escape(self.table())}</pre>"

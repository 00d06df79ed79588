"""``hub.doctor()`` and ``oncehub-nb doctor``: a read-only probe of the account a key reaches.

For day one with real OnceHub: it checks the credential (``GET /test``), notes the rate-limit
headers, reads one page (``limit=100``) of every list endpoint and compares what came back with
the column schemas the frames are built from: unknown fields, nulls where the spec allows none,
unknown enum values, type mismatches, and a cursor that does not move on (the page after the
first is fetched for that). Findings that are documented departures of OnceHub from its spec
are marked *known*, with their source; the rest are *new*.

The report holds field names, JSON types, counts and HTTP statuses: no value from the
account (no ids, emails, names), no credential, and not the server's host unless it is
OnceHub's own. It is meant to be attached to a bug report, and passes ``oncehub-nb scan``.

This module does not import the sandbox, the testing kit, the notebook layer or the CLI.

Example:
    >>> from oncehub_nb import OnceHub
    >>> from oncehub_nb.sandbox import Sandbox
    >>> with Sandbox(bookings=40, seed=7, rate_limit=False) as sb, OnceHub(
    ...     api_key=sb.api_key, api_base=sb.base_url, rate_limit=False
    ... ) as hub:
    ...     report = hub.doctor()
    >>> report.accepted, report.new
    (True, [])
    >>> sorted({f.kind for f in report.known})
    ['unexpected-null']
"""

from oncehub_nb.doctor._checks import KINDS, Finding
from oncehub_nb.doctor._known import KNOWN
from oncehub_nb.doctor._probe import PAGE_LIMIT, probe
from oncehub_nb.doctor._report import DoctorReport, EndpointResult

__all__ = ["KINDS", "KNOWN", "PAGE_LIMIT", "DoctorReport", "EndpointResult", "Finding", "probe"]

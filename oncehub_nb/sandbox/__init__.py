"""A local OnceHub API v2 for tutorials, tests and benchmarks (needs the ``sandbox`` extra).

Owns the fake OnceHub: the API routes (following OnceHub's official spec), its seeded data, the
OAuth authorization server (OnceHub documents no OAuth; this one is built on oauthlib's
server side), faults, limits and admin endpoints. A leaf: nothing in the core imports it, and
besides its own modules it may import only the lowest layers (``_errors``, ``_consent``) and
``_http.urls`` (the one test of what a loopback host is); a contract in ``pyproject.toml``
keeps it off the client's send path.

Example:
    >>> from oncehub_nb.sandbox import Sandbox
    >>> with Sandbox(bookings=10, seed=7) as sb:
    ...     print(sb.base_url)
    ...     print(len(sb.ground_truth("bookings")))
    http://127.0.0.1:.../v2
    10
"""

from __future__ import annotations

try:
    import faker  # noqa: F401
    import flask  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installed extras
    from oncehub_nb._errors import MissingDependencyError

    raise MissingDependencyError("the sandbox needs Flask and Faker", extra="sandbox") from exc

from oncehub_nb._consent import ConsentError
from oncehub_nb.sandbox._departures import DEPARTURES, PROFILES, Departure, conform, live_spec
from oncehub_nb.sandbox._oauth import OAuthProvider
from oncehub_nb.sandbox._options import DataOptions, DeviceKnobs, OAuthKnobs, SandboxSettings
from oncehub_nb.sandbox._server import Sandbox
from oncehub_nb.sandbox._state import Account, SandboxState

__all__ = [
    "DEPARTURES",
    "PROFILES",
    "Account",
    "ConsentError",
    "DataOptions",
    "Departure",
    "DeviceKnobs",
    "OAuthKnobs",
    "OAuthProvider",
    "Sandbox",
    "SandboxSettings",
    "SandboxState",
    "conform",
    "live_spec",
]

"""MkDocs hook: tables generated from the code, so they cannot drift.

``<!-- generated: sandbox-routes -->`` becomes the sandbox's routes, read from its Flask app;
``<!-- generated: sandbox-oauth-knobs -->`` the OAuth knobs and their defaults;
``<!-- generated: sandbox-departures -->`` the sandbox's departures from OnceHub's spec;
``<!-- generated: scenarios -->`` the recorded scenarios of the testing kit. On the CLI page,
click 8.3's "no default" sentinel, which mkdocs-click prints as ``Sentinel.UNSET``, reads
"none". An admin route with no description below makes the strict build fail (a warning):
describe it here.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("mkdocs.hooks.generated")

#: What each admin route does. Keys are ``"METHOD /path"``.
ADMIN = {
    "POST /_sandbox/faults": (
        "Fail the next requests: JSON `{kind: 5xx|429|reset|slow, count, status, delay_ms, "
        "retry_after, path}`."
    ),
    "DELETE /_sandbox/faults": "Drop every pending fault.",
    "GET /_sandbox/stats": (
        "Counters: requests, responses by status, faults, rate-limit refusals, connections."
    ),
    "POST /_sandbox/stats/reset": "Zero the counters.",
    "POST /_sandbox/latency": "Add `{ms}` milliseconds to every API request.",
    "GET /_sandbox/ground-truth/<path:collection>": (
        "Every live record of a collection (`bookings`, `users`, ...), unexpanded."
    ),
    "GET /_sandbox/oauth/settings": (
        "Client settings for `?kind=confidential|public` (`client_id`, endpoints, ...)."
    ),
    "GET /_sandbox/oauth/knobs": "The OAuth knobs now.",
    "POST /_sandbox/oauth/knobs": "Change OAuth knobs: JSON `{name: value}` (table below).",
    "GET /_sandbox/oauth/stats": "OAuth counters: token requests by grant, refreshes, revocations.",
    "POST /_sandbox/oauth/stats/reset": "Zero the OAuth counters.",
    "POST /_sandbox/oauth/revoke": "Revoke `{token}` (a refresh token takes its access tokens).",
    "POST /_sandbox/oauth/expire": (
        "Expire access token `{token}` now (the client still trusts it)."
    ),
}


def _routes() -> list[tuple[str, str, str]]:
    from oncehub_nb.sandbox import Sandbox

    app = Sandbox(bookings=0).app
    rows = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            rows.append((rule.rule, method, rule.endpoint))
    return sorted(rows)


def _table(rows: list[tuple[str, str, str]]) -> str:
    lines = ["| Method | Path | What it does |", "|---|---|---|"]
    for path, method, endpoint in rows:
        key = f"{method} {path}"
        if path.startswith("/_sandbox/"):
            what = ADMIN.get(key)
            if what is None:
                log.warning("sandbox admin route %s has no description in %s", key, __file__)
                what = ""
        elif path.startswith("/oauth/"):
            what = "OAuth 2.0 authorization server (`" + endpoint.split(".")[-1] + "`)."
        else:
            what = "OnceHub API v2 (`" + endpoint + "`)."
        lines.append(f"| `{method}` | `{path}` | {what} |")
    return "\n".join(lines)


def sandbox_routes() -> str:
    """Markdown tables of the sandbox's routes: admin, OAuth, then the API."""
    rows = _routes()
    admin = [r for r in rows if r[0].startswith("/_sandbox/")]
    oauth = [r for r in rows if r[0].startswith("/oauth/")]
    api = [r for r in rows if not r[0].startswith(("/_sandbox/", "/oauth/"))]
    return "\n\n".join(
        [
            "### Admin endpoints (admin token, loopback, JSON bodies)",
            _table(admin),
            "### OAuth 2.0 endpoints",
            _table(oauth),
            "### API v2 endpoints",
            _table(api),
        ]
    )


def sandbox_oauth_knobs() -> str:
    """A Markdown table of the OAuth knobs with their defaults."""
    from oncehub_nb.sandbox import Sandbox

    knobs = Sandbox(bookings=0).oauth.knobs()
    lines = ["| Knob | Default |", "|---|---|"]
    lines += [f"| `{name}` | `{value!r}` |" for name, value in knobs.items()]
    return "\n".join(lines)


def sandbox_departures() -> str:
    """A Markdown table of the sandbox's documented departures from OnceHub's spec."""
    from oncehub_nb.sandbox import DEPARTURES

    lines = ["| Where | The spec says | The sandbox | Kind | Source |", "|---|---|---|---|---|"]
    for d in DEPARTURES:
        lines.append(
            f"| `{d.where}` | {d.spec_says} | {d.sandbox_does} | `{d.kind}` | {d.source} |"
        )
    return "\n".join(lines)


def scenarios() -> str:
    """A Markdown table of the recorded scenarios of ``oncehub_nb.testing``."""
    from oncehub_nb.testing import SCENARIOS

    lines = ["| Scenario | What happens | What it shows |", "|---|---|---|"]
    for name, scenario in sorted(SCENARIOS.items()):
        lines.append(f"| `{name}` | {scenario.title} | {scenario.proves} |")
    return "\n".join(lines)


GENERATORS = {
    "<!-- generated: scenarios -->": scenarios,
    "<!-- generated: sandbox-routes -->": sandbox_routes,
    "<!-- generated: sandbox-oauth-knobs -->": sandbox_oauth_knobs,
    "<!-- generated: sandbox-departures -->": sandbox_departures,
}


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    """Replace each generated-content marker with its table."""
    for marker, make in GENERATORS.items():
        if marker in markdown:
            markdown = markdown.replace(marker, make())
    return markdown


def on_page_content(html: str, page: Any, config: Any, files: Any) -> str:
    """Show click's "no default" sentinel as "none" in the generated CLI tables."""
    return html.replace("<code>Sentinel.UNSET</code>", "none")

"""``oncehub-nb demo``: the sandbox, an API-key pull summarised, then the OAuth flow with a refresh.

Everything runs on this machine against the bundled sandbox: no account, no network.

Example:
    In a shell: ``oncehub-nb demo``; from Python, ``run_demo(bookings=300, seed=1, echo=print)``.
    It takes a few seconds (it waits for a token to expire), so it runs in ``tests/test_cli.py``,
    which checks what it prints, rather than here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from oncehub_nb._redact import mask

__all__ = ["run_demo"]

DEMO_TOKEN_TTL = 4  # seconds: short, so the demo shows a refresh
DEMO_LEEWAY = 1.0


def _summarise(frame: Any, list_requests: int, elapsed: float, echo: Callable[[str], Any]) -> None:
    echo(
        f"\nPulled {len(frame)} bookings in {list_requests} list requests ({elapsed:.1f} s, "
        "rate limits respected)."
    )
    if len(frame):
        first, last = frame["starting_time"].min(), frame["starting_time"].max()
        echo(f"Starting times: {first:%Y-%m-%d} to {last:%Y-%m-%d}")
    echo(f"Columns: {len(frame.columns)} typed columns, e.g.")
    for name in ("starting_time", "status", "duration_minutes", "in_trash", "owner_id"):
        echo(f"  {name:<18} {frame[name].dtype}")
    counts = frame["status"].value_counts().sort_index()
    echo("\nBookings by status:")
    for name, count in counts.items():
        echo(f"  {name:<12} {count:>6}")
    echo(f"  {'total':<12} {int(counts.sum()):>6}")


def _oauth_part(sandbox: Any, echo: Callable[[str], Any]) -> None:
    from oncehub_nb._client import OnceHub
    from oncehub_nb.auth import (
        AuthorizationFlow,
        MemoryTokenStore,
        OAuthAuth,
        OAuthConfig,
        Token,
    )

    echo(
        "\nOAuth 2.0 (authorization code + PKCE) against the sandbox's authorization server."
        "\n(OnceHub itself documents API keys only; OAuth endpoints are configurable.)"
    )
    config = OAuthConfig(**sandbox.oauth_settings("public"))
    store = MemoryTokenStore()
    flow = AuthorizationFlow(config, store=store)
    url = flow.start()
    where = urlsplit(url)
    echo(f"  1. Authorize link: {where.scheme}://{where.netloc}{where.path}?... (state + S256)")
    redirect = sandbox.consent(url, allow=True)  # the demo acts as the user pressing Allow
    back = urlsplit(redirect)
    echo(f"  2. Allow pressed; the browser lands on {back.path}?code=…&state=…")
    token = flow.finish(redirect)
    echo(
        f"  3. Code exchanged: access token {mask(token.access_token)}, refresh token "
        f"{mask(token.refresh_token)}, valid {DEMO_TOKEN_TTL} s"
    )
    refreshed: list[Token] = []
    auth = OAuthAuth(config, store=store, leeway=DEMO_LEEWAY, on_token_refreshed=refreshed.append)
    with OnceHub(auth=auth, api_base=sandbox.base_url) as hub:
        echo(f"  4. API call with the token: account {hub.validate()}")
        count = sum(1 for _ in hub.bookings.list(status="scheduled"))
        echo(f"     {count} scheduled bookings")
        wait = (token.expires_at or time.time()) - auth.leeway_for(token) - time.time()
        echo(f"  5. Waiting {max(wait, 0):.1f} s until the token is about to expire ...")
        time.sleep(max(wait, 0) + 0.05)
        hub.validate()
    if refreshed:
        new = refreshed[-1]
        rotated = new.refresh_token != token.refresh_token
        echo(
            f"  6. Refreshed before expiry: access token {mask(new.access_token)}, refresh token "
            f"{'rotated' if rotated else 'kept'} and saved before use; the call went through."
        )


def run_demo(*, bookings: int, seed: int, echo: Callable[[str], Any]) -> None:
    """Run the demo, writing lines with ``echo``.

    Args:
        bookings: how many bookings the sandbox generates.
        seed: the seed of its data.
        echo: where lines go (``click.echo``).
    """
    from oncehub_nb._client import OnceHub
    from oncehub_nb.sandbox import Sandbox

    echo(f"Starting the OnceHub sandbox ({bookings} bookings, seed {seed}) ...")
    with Sandbox(bookings=bookings, seed=seed, access_token_ttl=DEMO_TOKEN_TTL) as sandbox:
        echo(f"  API base: {sandbox.base_url}")
        with OnceHub(api_key=sandbox.api_key, api_base=sandbox.base_url) as hub:
            echo(f"  API key accepted for account: {hub.validate()}")
            started = time.perf_counter()
            frame = hub.bookings.to_frame(progress=False)
            elapsed = time.perf_counter() - started
        list_requests = sandbox.stats()["requests"].get("GET /v2/bookings", 0)
        _summarise(frame, list_requests, elapsed, echo)
        _oauth_part(sandbox, echo)

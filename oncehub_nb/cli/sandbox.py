"""``oncehub-nb demo`` and ``oncehub-nb sandbox``: the local OnceHub, with and without a tour."""

from __future__ import annotations

import signal
import threading

import click

from oncehub_nb.cli.common import friendly_errors

__all__ = ["demo", "sandbox"]


@click.command()
@click.option("--bookings", default=1050, show_default=True, help="Bookings in the sandbox.")
@click.option("--seed", default=7, show_default=True, help="Seed of the sandbox's data.")
@friendly_errors
def demo(bookings: int, seed: int) -> None:
    """Start the sandbox; pull its bookings with an API key; sign in with OAuth; see a refresh.

    Runs entirely on this machine: no OnceHub account and no network are needed.
    """
    from oncehub_nb.cli.demo import run_demo

    run_demo(bookings=bookings, seed=seed, echo=click.echo)


@click.command()
@click.option("--port", default=8080, show_default=True, help="Port on 127.0.0.1 (0: any free).")
@click.option("--bookings", default=250, show_default=True, help="Bookings to generate.")
@click.option("--seed", default=0, show_default=True, help="Seed of the generated data.")
@click.option("--api-key", default=None, help="The API key to accept (default: a random one).")
@click.option("--no-rate-limit", is_flag=True, help="Do not enforce OnceHub's rate limits.")
@click.option("--latency-ms", default=0, show_default=True, help="Added to every API response.")
@click.option(
    "--time-scale",
    default=1.0,
    show_default=True,
    help="Multiply rate-limit windows (0.01: 200 per 3 s instead of per 5 min).",
)
@click.option(
    "--access-token-ttl", default=3600, show_default=True, help="OAuth access-token lifetime (s)."
)
@click.option(
    "--profile",
    type=click.Choice(["live", "spec"]),
    default="live",
    show_default=True,
    help="live: answer like real OnceHub data; spec: every answer valid against OnceHub's spec.",
)
@friendly_errors
def sandbox(
    port: int,
    bookings: int,
    seed: int,
    api_key: str | None,
    no_rate_limit: bool,
    latency_ms: int,
    time_scale: float,
    access_token_ttl: int,
    profile: str,
) -> None:
    """Run a local OnceHub API v2 on 127.0.0.1 until Ctrl-C.

    It prints its base URL, the API key to use and the admin token. Faults can be injected
    through its admin endpoints under /_sandbox/, which need that token in the
    Sandbox-Admin-Token header (see the docs).
    """
    from oncehub_nb.sandbox import Sandbox

    server = Sandbox(
        bookings=bookings,
        seed=seed,
        api_key=api_key,
        rate_limit=not no_rate_limit,
        latency_ms=latency_ms,
        time_scale=time_scale,
        port=port,
        access_token_ttl=access_token_ttl,
        profile=profile,
    )
    server.start()
    # The sandbox key is a throwaway credential for this local server: showing it is the point.
    click.echo(f"OnceHub sandbox running at {server.base_url}")
    click.echo(f"  export ONCEHUB_API_BASE={server.base_url}")
    click.echo(f"  export ONCEHUB_API_KEY={server.api_key}")
    oauth = server.oauth_settings("public")
    click.echo("OAuth 2.0 (the sandbox's own authorization server; public client, PKCE):")
    for name in ("client_id", "redirect_uri", "scope", "authorize_url", "token_url", "revoke_url"):
        click.echo(f"  export ONCEHUB_{name.upper()}='{oauth[name]}'")
    click.echo("Admin endpoints (/_sandbox/...): send this in the Sandbox-Admin-Token header:")
    click.echo(f"  export ONCEHUB_SANDBOX_ADMIN_TOKEN={server.admin_token}")
    click.echo("Press Ctrl-C to stop.")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):  # the server runs in its own thread; wait for Ctrl-C / TERM
            pass
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        click.echo("Sandbox stopped.")

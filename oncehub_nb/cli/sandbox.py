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
# Options left out are the sandbox's own defaults (oncehub_nb.sandbox.DataOptions and
# OAuthKnobs, their one source); the CLI does not import the sandbox before it runs, because
# that needs the `sandbox` extra (and 0.2 s of every command's start-up).
@click.option("--bookings", type=int, help="Bookings to generate.")
@click.option("--seed", type=int, help="Seed of the generated data.")
@click.option("--api-key", default=None, help="The API key to accept (default: a random one).")
@click.option("--no-rate-limit", is_flag=True, help="Do not enforce OnceHub's rate limits.")
@click.option("--latency-ms", type=int, help="Milliseconds added to every API response.")
@click.option(
    "--time-scale",
    type=float,
    help="Multiply rate-limit windows (0.01: 200 per 3 s instead of per 5 min).",
)
@click.option("--access-token-ttl", type=int, help="OAuth access-token lifetime (s).")
@click.option(
    "--profile",
    type=click.Choice(["live", "spec"]),
    help="live: answer like real OnceHub data; spec: every answer valid against OnceHub's spec.",
)
@friendly_errors
def sandbox(
    port: int,
    bookings: int | None,
    seed: int | None,
    api_key: str | None,
    no_rate_limit: bool,
    latency_ms: int | None,
    time_scale: float | None,
    access_token_ttl: int | None,
    profile: str | None,
) -> None:
    """Run a local OnceHub API v2 on 127.0.0.1 until Ctrl-C.

    It prints its base URL, the API key to use and the admin token. Faults can be injected
    through its admin endpoints under /_sandbox/, which need that token in the
    Sandbox-Admin-Token header (see the docs).
    """
    from oncehub_nb.sandbox import Sandbox

    given = {
        "bookings": bookings,
        "seed": seed,
        "latency_ms": latency_ms,
        "time_scale": time_scale,
        "access_token_ttl": access_token_ttl,
        "profile": profile,
    }
    server = Sandbox(
        port=port,
        api_key=api_key,
        rate_limit=not no_rate_limit,
        **{name: value for name, value in given.items() if value is not None},  # type: ignore[arg-type]
    )
    server.start()
    # The sandbox key is a throwaway credential for this local server: showing it is the point.
    click.echo(f"OnceHub sandbox running at {server.base_url}")
    limits = ", ".join(f"{n} per {window:g} s" for n, window in server.rate_limit) or "off"
    click.echo(f"  {len(server.ground_truth('bookings'))} bookings; rate limits: {limits}")
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

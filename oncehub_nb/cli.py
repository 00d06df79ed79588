"""The ``oncehub-nb`` command.

Example:
    .. code-block:: bash

        oncehub-nb demo                         # sandbox + API key + bookings summary
        oncehub-nb sandbox --port 8080 --seed 7 # a local OnceHub for your own code
"""

from __future__ import annotations

import signal
import threading

import click

from . import __version__, _cassettes_cli, _cli_auth, _scan
from ._cli_common import friendly_errors

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="oncehub-nb")
def main() -> None:
    """OnceHub from Python: a demo, and a local OnceHub sandbox for tutorials and tests."""


main.add_command(_cli_auth.login)
main.add_command(_cli_auth.status)
main.add_command(_cli_auth.logout)
main.add_command(_cassettes_cli.cassettes)
main.add_command(_scan.scan)


@main.command()
@click.option("--bookings", default=1050, show_default=True, help="Bookings in the sandbox.")
@click.option("--seed", default=7, show_default=True, help="Seed of the sandbox's data.")
@friendly_errors
def demo(bookings: int, seed: int) -> None:
    """Start the sandbox; pull its bookings with an API key; sign in with OAuth; see a refresh.

    Runs entirely on this machine: no OnceHub account and no network are needed.
    """
    from ._demo import run_demo

    run_demo(bookings=bookings, seed=seed, echo=click.echo)


@main.command()
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
    from .sandbox import Sandbox

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
    click.echo("Admin endpoints (/_sandbox/...): send this in the Sandbox-Admin-Token header:")
    click.echo(f"  export ONCEHUB_SANDBOX_ADMIN_TOKEN={server.admin_token}")
    oauth = server.oauth_settings("public")
    click.echo("OAuth 2.0 (the sandbox's own authorization server; public client, PKCE):")
    for name in ("client_id", "redirect_uri", "scope", "authorize_url", "token_url", "revoke_url"):
        click.echo(f"  export ONCEHUB_{name.upper()}='{oauth[name]}'")
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


@main.command("bookings")
@click.option("--since", default=None, help="Only bookings starting after this date or time.")
@click.option("--until", default=None, help="Only bookings starting before this date or time.")
@click.option(
    "--status",
    multiple=True,
    type=click.Choice(
        ["requested", "scheduled", "rescheduled", "completed", "canceled", "no_show"]
    ),
    help="Only this status; repeat for several (one walk per status).",
)
@click.option("--expand", multiple=True, help="Expand a related field (owner, contact ...).")
@click.option("--max-items", type=click.IntRange(min=0), default=None, help="Stop after N.")
@click.option("--after", default=None, help="Resume after this cursor (from a stopped pull).")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="Where to write: a .parquet or .csv file.",
)
@click.option("--api-key", envvar="ONCEHUB_API_KEY", show_envvar=True, help="OnceHub API key.")
@click.option("--api-base", envvar="ONCEHUB_API_BASE", show_envvar=True, help="API base URL.")
@click.option(
    "--progress/--no-progress",
    default=None,
    help="Progress bar on stderr (default: when stderr is a terminal).",
)
@friendly_errors
def bookings(
    since: str | None,
    until: str | None,
    status: tuple[str, ...],
    expand: tuple[str, ...],
    max_items: int | None,
    after: str | None,
    output: str,
    api_key: str | None,
    api_base: str | None,
    progress: bool | None,
) -> None:
    """Export bookings to a Parquet or CSV file (the typed frame; lists as JSON text).

    Example: oncehub-nb bookings --since 2026-01-01 --status scheduled -o out.parquet
    """
    from pathlib import Path

    from . import OnceHub
    from ._errors import ConfigurationError
    from ._export import FORMATS, write_frame
    from .resources._filters import to_api_time

    if Path(output).suffix.lower() not in FORMATS:
        raise click.BadParameter("use a .parquet or .csv file name", param_hint="--output")
    if not api_key:
        raise ConfigurationError("No API key: pass --api-key or set ONCEHUB_API_KEY")
    since = to_api_time(since, argument="--since") if since else None
    until = to_api_time(until, argument="--until") if until else None
    client = OnceHub(api_key=api_key, api_base=api_base) if api_base else OnceHub(api_key=api_key)
    with client as hub:
        frame = hub.bookings.to_frame(
            status=(status[0] if len(status) == 1 else list(status)) or None,
            starting_after=since,
            starting_before=until,
            expand=list(expand) or None,
            max_items=max_items,
            after=after,
            progress=progress,
        )
    write_frame(frame, output)
    click.echo(f"Wrote {len(frame)} bookings to {output}", err=True)


if __name__ == "__main__":
    main()

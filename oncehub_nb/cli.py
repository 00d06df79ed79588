"""The ``oncehub-nb`` command.

Example:
    .. code-block:: bash

        oncehub-nb demo                         # sandbox + API key + bookings summary
        oncehub-nb sandbox --port 8080 --seed 7 # a local OnceHub for your own code
"""

from __future__ import annotations

import functools
import signal
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import click

from . import __version__
from ._errors import OnceHubError

__all__ = ["main"]

F = TypeVar("F", bound=Callable[..., Any])


def _friendly_errors(func: F) -> F:
    """Turn the SDK's errors into a one-line message and exit status 1 (no traceback)."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OnceHubError as exc:
            raise click.ClickException(f"{type(exc).__name__}: {exc}") from exc

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="oncehub-nb")
def main() -> None:
    """OnceHub from Python: a demo, and a local OnceHub sandbox for tutorials and tests."""


@main.command()
@click.option("--bookings", default=1050, show_default=True, help="Bookings in the sandbox.")
@click.option("--seed", default=7, show_default=True, help="Seed of the sandbox's data.")
@_friendly_errors
def demo(bookings: int, seed: int) -> None:
    """Start the sandbox, pull its bookings with an API key, and summarise the DataFrame.

    Runs entirely on this machine: no OnceHub account and no network are needed.
    """
    from . import OnceHub
    from .sandbox import Sandbox

    click.echo(f"Starting the OnceHub sandbox ({bookings} bookings, seed {seed}) ...")
    with Sandbox(bookings=bookings, seed=seed) as sandbox:
        click.echo(f"  API base: {sandbox.base_url}")
        with OnceHub(api_key=sandbox.api_key, api_base=sandbox.base_url) as hub:
            click.echo(f"  API key accepted for account: {hub.validate()}")
            started = time.perf_counter()
            frame = hub.bookings.to_frame()
            elapsed = time.perf_counter() - started
        stats = sandbox.stats()
    list_requests = stats["requests"].get("GET /v2/bookings", 0)
    click.echo(
        f"\nPulled {len(frame)} bookings in {list_requests} list requests ({elapsed:.1f} s, "
        "rate limits respected)."
    )
    if len(frame):
        first, last = frame["starting_time"].min(), frame["starting_time"].max()
        click.echo(f"Starting times: {first:%Y-%m-%d} to {last:%Y-%m-%d}")
    click.echo(f"Columns: {len(frame.columns)} typed columns, e.g.")
    for name in ("starting_time", "status", "duration_minutes", "in_trash", "owner_id"):
        click.echo(f"  {name:<18} {frame[name].dtype}")
    counts = frame["status"].value_counts().sort_index()
    click.echo("\nBookings by status:")
    for status, count in counts.items():
        click.echo(f"  {status:<12} {count:>6}")
    click.echo(f"  {'total':<12} {int(counts.sum()):>6}")


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
@_friendly_errors
def sandbox(
    port: int,
    bookings: int,
    seed: int,
    api_key: str | None,
    no_rate_limit: bool,
    latency_ms: int,
    time_scale: float,
) -> None:
    """Run a local OnceHub API v2 on 127.0.0.1 until Ctrl-C.

    It prints its base URL and the API key to use. Faults can be injected through its admin
    endpoints under /_sandbox/ (see the docs).
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
    )
    server.start()
    # The sandbox key is a throwaway credential for this local server: showing it is the point.
    click.echo(f"OnceHub sandbox running at {server.base_url}")
    click.echo(f"  export ONCEHUB_API_BASE={server.base_url}")
    click.echo(f"  export ONCEHUB_API_KEY={server.api_key}")
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

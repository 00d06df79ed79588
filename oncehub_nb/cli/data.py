"""``oncehub-nb bookings``: export bookings to a Parquet or CSV file."""

from __future__ import annotations

import click

from oncehub_nb.cli.common import friendly_errors

__all__ = ["bookings"]


@click.command("bookings")
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

    from oncehub_nb import OnceHub
    from oncehub_nb._errors import ConfigurationError
    from oncehub_nb.frames.export import FORMATS, write_frame
    from oncehub_nb.resources._filters import to_api_time

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

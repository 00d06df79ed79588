"""``oncehub-nb bookings``: export bookings to a Parquet or CSV file.

The output path is checked before any request: a wrong suffix, a folder that does not exist
or cannot be written to is a one-line error, not a failure after the whole pull.
"""

from __future__ import annotations

import click

from oncehub_nb.cli.common import check_output, friendly_errors
from oncehub_nb.cli.credentials import account_options, find_credential, make_store

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
    type=click.Path(),
    help="Where to write: a .parquet or .csv file.",
)
@account_options()
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
    store: str,
    progress: bool | None,
) -> None:
    """Export bookings to a Parquet or CSV file (the typed frame; lists as JSON text).

    Example: oncehub-nb bookings --since 2026-01-01 --status scheduled -o out.parquet
    """
    from oncehub_nb._config import Settings
    from oncehub_nb.frames.export import FORMATS, write_frame
    from oncehub_nb.resources._filters import to_api_time

    check_output(output, suffixes=FORMATS, what="a .parquet or .csv file name")
    since = to_api_time(since, argument="--since") if since else None
    until = to_api_time(until, argument="--until") if until else None
    settings = Settings.resolve(api_base=api_base)
    found = find_credential(api_key, api_base=settings.api_base, store=make_store(store))
    client = found.client(api_base=api_base)
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

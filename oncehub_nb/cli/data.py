"""``oncehub-nb bookings``: export bookings to a Parquet or CSV file.

The output path is checked before any request: a wrong suffix, a folder that does not exist
or cannot be written to is a one-line error, not a failure after the whole pull.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from oncehub_nb.cli.common import friendly_errors
from oncehub_nb.cli.credentials import find_credential, make_store, store_option

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
@click.option(
    "--api-key",
    default=None,
    help="OnceHub API key (default: ONCEHUB_API_KEY, then the key `oncehub-nb login` kept).",
)
@click.option("--api-base", envvar="ONCEHUB_API_BASE", show_envvar=True, help="API base URL.")
@store_option
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
    from oncehub_nb.resources._filters import to_api_time

    check_output(output)
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
    from oncehub_nb.frames.export import write_frame

    write_frame(frame, output)
    click.echo(f"Wrote {len(frame)} bookings to {output}", err=True)


class OutputError(click.ClickException):
    """A ``-o`` path that cannot be written: one line, exit status 2 (a usage error)."""

    exit_code = 2


def check_output(output: str) -> None:
    """Refuse an output path that cannot be written, before anything is pulled.

    The folder is probed by creating (and at once removing) a temporary file in it, the way
    the export itself writes: this catches missing folders, permissions, read-only disks.

    Args:
        output: the ``-o`` value.

    Raises:
        OutputError: a suffix other than ``.parquet``, ``.pq`` or ``.csv``; a folder that does
            not exist or cannot be written to; a path that is a folder.

    Example:
        >>> check_output("no-such-folder/out.csv")
        Traceback (most recent call last):
        oncehub_nb.cli.data.OutputError: -o no-such-folder/out.csv: the folder 'no-such-folder' does not exist; create it first
    """  # noqa: E501 - a doctest line cannot be wrapped
    import tempfile

    from oncehub_nb.frames.export import FORMATS

    target = Path(output)
    if target.suffix.lower() not in FORMATS:
        raise OutputError(f"-o {output}: use a .parquet or .csv file name")
    folder = target.parent
    if not folder.is_dir():
        raise OutputError(
            f"-o {output}: the folder {str(folder)!r} does not exist; create it first"
        )
    if target.is_dir():
        raise OutputError(f"-o {output}: that is a folder; name a file in it")
    try:  # mkstemp: O_CREAT | O_EXCL, like the export (O_TMPFILE would misreport some folders)
        handle, probe = tempfile.mkstemp(prefix=".oncehub-nb-probe.", dir=folder)
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise OutputError(
            f"-o {output}: cannot write in the folder {str(folder)!r} ({reason})"
        ) from None
    os.close(handle)
    os.unlink(probe)

"""``oncehub-nb cassettes``: record the scenarios of :mod:`oncehub_nb.testing` from the sandbox.

Example:
    .. code-block:: bash

        oncehub-nb cassettes record                       # every scenario into ./cassettes
        oncehub-nb cassettes record --only refresh-rotation
        oncehub-nb cassettes list
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from oncehub_nb.cli.common import friendly_errors

__all__ = ["cassettes"]


@click.group()
def cassettes() -> None:
    """Recorded flows (VCR cassettes): list the scenarios, or re-record them from the sandbox."""


@cassettes.command("list")
def list_scenarios() -> None:
    """List the recorded scenarios and what each one proves."""
    from oncehub_nb.testing import SCENARIOS

    for scenario in SCENARIOS.values():
        click.echo(f"{scenario.name:28} {scenario.title}")


@cassettes.command()
@click.option(
    "--only",
    "only",
    multiple=True,
    metavar="NAME",
    help="Record only this scenario (repeat for several).",
)
@click.option(
    "--dir",
    "directory",
    default="cassettes",
    show_default=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the cassettes.",
)
@friendly_errors
def record(only: tuple[str, ...], directory: Path) -> None:
    """Record scenarios against fresh local sandboxes, scrubbed of every secret.

    Each flow runs live first and must end as its scenario promises, or nothing is written.
    """
    from oncehub_nb.testing import SCENARIOS, RecordingError, record_scenario

    unknown = [name for name in only if name not in SCENARIOS]
    if unknown:
        raise click.BadParameter(
            f"unknown scenario(s) {', '.join(unknown)}; see `oncehub-nb cassettes list`",
            param_hint="--only",
        )
    directory.mkdir(parents=True, exist_ok=True)
    for name in only or tuple(SCENARIOS):
        started = time.perf_counter()
        try:
            path = record_scenario(name, directory)
        except RecordingError as exc:
            raise click.ClickException(str(exc)) from None
        size = path.stat().st_size
        elapsed = time.perf_counter() - started
        click.echo(f"recorded {name:28} {size / 1024:7.1f} KiB  {elapsed:5.2f} s")

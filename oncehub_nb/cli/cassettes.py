"""``oncehub-nb cassettes``: record the scenarios of :mod:`oncehub_nb.testing` from the sandbox.

Example:
    .. code-block:: bash

        oncehub-nb cassettes record                       # every scenario into ./cassettes
        oncehub-nb cassettes record --only refresh-rotation
        oncehub-nb cassettes record --live                # your account, into ./live-cassettes
        oncehub-nb cassettes list
"""

from __future__ import annotations

import time
from pathlib import Path

import click

from oncehub_nb.cli.common import friendly_errors
from oncehub_nb.cli.credentials import account_options, find_credential, make_store

__all__ = ["cassettes"]


@click.group()
def cassettes() -> None:
    """Recorded flows (VCR cassettes): list the scenarios, or re-record them from the sandbox."""


@cassettes.command("list")
def list_scenarios() -> None:
    """List the recorded scenarios and what each one proves (and the --live ones)."""
    from oncehub_nb.testing import LIVE_SCENARIOS, SCENARIOS

    for scenario in SCENARIOS.values():
        click.echo(f"{scenario.name:28} {scenario.title}")
    for live in LIVE_SCENARIOS.values():
        click.echo(f"{live.name:28} (--live) {live.title}")


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
    default=None,
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the cassettes [default: cassettes; live-cassettes with --live].",
)
@click.option(
    "--live",
    is_flag=True,
    help="Record the read-only live-* scenarios against your account (your API key).",
)
@account_options("With --live: the API key (default: ONCEHUB_API_KEY, then the key login kept).")
@friendly_errors
def record(
    only: tuple[str, ...],
    directory: Path | None,
    live: bool,
    api_key: str | None,
    api_base: str | None,
    store: str,
) -> None:
    """Record scenarios against fresh local sandboxes, scrubbed of every secret.

    Each flow runs live first and must end as its scenario promises, or nothing is written.
    With --live, the read-only live-* scenarios run against your account instead; emails,
    names and phone numbers become stable fakes, and a cassette is kept only if a scan for
    secrets and personal data finds nothing.
    """
    if live:
        _record_live(only, directory or Path("live-cassettes"), api_key, api_base, store)
        return
    directory = directory or Path("cassettes")
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


def _record_live(
    only: tuple[str, ...], directory: Path, api_key: str | None, api_base: str | None, store: str
) -> None:
    from oncehub_nb._config import Settings
    from oncehub_nb.testing import LIVE_SCENARIOS, LiveRecordingError, record_live

    unknown = [name for name in only if name not in LIVE_SCENARIOS]
    if unknown:
        raise click.BadParameter(
            f"unknown live scenario(s) {', '.join(unknown)}; use {', '.join(LIVE_SCENARIOS)}",
            param_hint="--only",
        )
    settings = Settings.resolve(api_base=api_base)
    found = find_credential(
        api_key, api_base=settings.api_base, store=make_store(store), oauth=lambda: None
    )
    assert found.api_key is not None  # the live scenarios use an API key (oauth=None above)
    started = time.perf_counter()
    try:
        done = record_live(directory, api_key=found.api_key, only=only, api_base=api_base)
    except LiveRecordingError as exc:
        raise click.ClickException(str(exc)) from None
    for path, summary in done:
        counts = ", ".join(f"{k} {v}" for k, v in summary.items())
        click.echo(f"recorded {path.stem:28} {path.stat().st_size / 1024:7.1f} KiB  ({counts})")
    click.echo(
        f"Scanned: no secret and no personal data left ({time.perf_counter() - started:.1f} s). "
        f"Replay offline with oncehub_nb.testing.replay_live('{directory}/<name>.yaml').",
        err=True,
    )

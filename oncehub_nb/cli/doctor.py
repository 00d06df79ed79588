"""``oncehub-nb doctor``: a read-only probe of the account, with a report safe to share.

Example:
    .. code-block:: bash

        oncehub-nb doctor                         # the key from ONCEHUB_API_KEY or login
        oncehub-nb doctor -o report.json          # where the report goes
"""

from __future__ import annotations

import click

from oncehub_nb.cli.common import check_output, friendly_errors
from oncehub_nb.cli.credentials import account_options, find_credential, make_store

__all__ = ["doctor"]

DEFAULT_REPORT = "oncehub-doctor-report.json"


@click.command()
@click.option(
    "-o",
    "--report",
    default=DEFAULT_REPORT,
    show_default=True,
    help="Where to write the JSON report (field names and types only).",
)
@account_options()
@friendly_errors
def doctor(report: str, api_key: str | None, api_base: str | None, store: str) -> None:
    """Probe the account read-only: credential, rate-limit headers, one page of every list.

    What comes back is compared with the SDK's column schemas: unknown fields, unexpected
    nulls, unknown enum values, type mismatches, a cursor that does not move on. Documented
    departures of OnceHub from its spec show as known. Prints a table and writes a report with
    no value from the account in it, to attach to a bug report. Exit status 1 when the
    credential is refused or something new is found.
    """
    from oncehub_nb._config import Settings

    check_output(report, suffixes={".json"}, what="a .json file name")
    settings = Settings.resolve(api_base=api_base)
    found = find_credential(api_key, api_base=settings.api_base, store=make_store(store))
    with found.client(api_base=api_base) as hub:
        result = hub.doctor()
    click.echo(result.table())
    result.write(report)
    click.echo(
        f"\nReport written to {report}: field names, types and counts only, no value from the "
        "account; safe to attach to a bug report.",
        err=True,
    )
    if not result.ok:
        raise SystemExit(1)

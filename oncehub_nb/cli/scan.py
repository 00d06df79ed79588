"""``oncehub-nb scan``: fail on anything secret in cassettes, notebooks and text files."""

from __future__ import annotations

import click

__all__ = ["scan"]


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option(
    "--personal",
    is_flag=True,
    help="Also report personal data: emails outside example domains, real-looking phone numbers.",
)
def scan(paths: tuple[str, ...], personal: bool) -> None:
    """Look for secrets in cassettes, notebooks and other text files; exit 1 on a finding.

    Known secret fields with real values, token-shaped strings and the values of live
    ONCEHUB_*KEY/SECRET/TOKEN variables are reported as file:line with the secret masked.
    With --personal (recordings of a real account), emails and phone numbers too.

    Example: oncehub-nb scan cassettes notebooks docs
    """
    from oncehub_nb.testing.scan import scan_paths

    findings = scan_paths(paths, personal=personal)
    for finding in findings:
        click.echo(str(finding))
    if findings:
        click.echo(f"{len(findings)} possible secret(s) found.", err=True)
        raise SystemExit(1)
    click.echo(f"No secrets found in {', '.join(paths)}.", err=True)

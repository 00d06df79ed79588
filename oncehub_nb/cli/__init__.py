"""The ``oncehub-nb`` command: one module per command group.

The top layer: it may import every other part of the package, including the sandbox and the
testing kit (lazily, inside the commands that need them); nothing imports it. Owns argument
parsing, the one-line error messages of a terminal, and what each command prints.

Example:
    .. code-block:: bash

        oncehub-nb demo                         # sandbox + API key + bookings summary
        oncehub-nb sandbox --port 8080 --seed 7 # a local OnceHub for your own code
        oncehub-nb doctor                       # probe your account (read-only)
"""

from __future__ import annotations

import click

from oncehub_nb._version import __version__
from oncehub_nb.cli import auth, cassettes, data, doctor, sandbox, scan

__all__ = ["main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="oncehub-nb")
def main() -> None:
    """OnceHub from Python: a demo, and a local OnceHub sandbox for tutorials and tests."""


main.add_command(sandbox.demo)
main.add_command(sandbox.sandbox)
main.add_command(auth.login)
main.add_command(auth.status)
main.add_command(auth.logout)
main.add_command(data.bookings)
main.add_command(doctor.doctor)
main.add_command(cassettes.cassettes)
main.add_command(scan.scan)

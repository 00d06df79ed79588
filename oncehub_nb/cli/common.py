"""What the ``oncehub-nb`` commands share.

Example:
    >>> @friendly_errors
    ... def command() -> None: ...
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any, TypeVar

import click

from oncehub_nb._errors import OnceHubError

__all__ = ["OutputError", "check_output", "friendly_errors"]

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Turn the SDK's errors into a one-line message and exit status 1 (no traceback).

    Args:
        func: a click command callback.

    Returns:
        The wrapped callback.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except OnceHubError as exc:
            raise click.ClickException(f"{type(exc).__name__}: {exc}") from exc

    return wrapper  # type: ignore[return-value]


class OutputError(click.ClickException):
    """An output path that cannot be written: one line, exit status 2 (a usage error)."""

    exit_code = 2


def check_output(output: str, *, suffixes: Collection[str], what: str) -> None:
    """Refuse an output path that cannot be written, before any request is sent.

    The folder is probed by creating (and at once removing) a file in it, the way the output
    itself is written: this catches missing folders, permissions and read-only disks.

    Args:
        output: the ``-o`` value.
        suffixes: the file suffixes allowed (lower case, with the dot).
        what: the allowed names in words, for the message.

    Raises:
        OutputError: another suffix; a folder that does not exist or cannot be written to;
            a path that is a folder.

    Example:
        >>> check_output("no-such-folder/out.csv", suffixes={".csv"}, what="a .csv file")
        Traceback (most recent call last):
        oncehub_nb.cli.common.OutputError: -o no-such-folder/out.csv: the folder 'no-such-folder' does not exist; create it first
    """  # noqa: E501 - a doctest line cannot be wrapped
    import tempfile

    target = Path(output)
    if target.suffix.lower() not in suffixes:
        raise OutputError(f"-o {output}: use {what}")
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

"""What the ``oncehub-nb`` commands share.

Example:
    >>> @friendly_errors
    ... def command() -> None: ...
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import click

from oncehub_nb._errors import OnceHubError

__all__ = ["friendly_errors"]

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

"""Notebook widgets: the sign-in panel (ipywidgets, imported only when this package is).

Example:
    >>> from oncehub_nb.widgets import LoginPanel  # doctest: +SKIP
    >>> panel = oncehub_nb.login_panel()  # the usual way in  # doctest: +SKIP
"""

from __future__ import annotations

try:
    import ipywidgets  # noqa: F401
except ImportError as exc:  # pragma: no cover - depends on the installed packages
    from .._errors import MissingDependencyError

    raise MissingDependencyError(
        "the sign-in panel needs ipywidgets (and a notebook kernel)", extra="notebooks"
    ) from exc

from ._panel import LoginPanel

__all__ = ["LoginPanel"]

r"""Short errors in notebook cells: the message, and one line on how to see the traceback.

An :class:`~oncehub_nb.OnceHubError` is written for a person ("Not signed in yet: ..."), and the
forty lines of library frames above it bury that sentence. In a notebook cell (a Jupyter kernel)
it therefore shows as its class and message plus a hint; ``%tb`` in the next cell prints the whole
traceback. IPython's own ``_render_traceback_`` hook does the showing (the error class defines it
and asks the renderer installed here); scripts, pytest and the terminal IPython keep the full
traceback, because they never ask, or because :func:`short_traceback` answers ``None`` outside a
kernel.

Example:
    >>> from oncehub_nb import ReauthorizationRequired
    >>> short_traceback(ReauthorizationRequired("Not signed in yet."), kernel=True)[0]
    '\x1b[0;31mReauthorizationRequired\x1b[0m: Not signed in yet.'
"""

from __future__ import annotations

from oncehub_nb._errors import set_short_renderer

__all__ = ["HINT", "install", "short_traceback"]

HINT = "(an oncehub_nb error: run %tb in a new cell to see the full traceback)"


def _in_kernel() -> bool:
    from oncehub_nb._display import in_notebook

    return in_notebook()


def short_traceback(exc: BaseException, *, kernel: bool | None = None) -> list[str] | None:
    """The lines a notebook shows for ``exc``, or ``None`` for the full traceback.

    Args:
        exc: the error.
        kernel: running in a notebook kernel (default: detect).

    Returns:
        Two lines (class and message in red, then the hint), or ``None`` outside a kernel.
    """
    if not (_in_kernel() if kernel is None else kernel):
        return None
    return [f"\x1b[0;31m{type(exc).__name__}\x1b[0m: {exc}", f"\x1b[2m{HINT}\x1b[0m"]


def install() -> None:
    """Show oncehub_nb errors in short in notebook cells (done when the package is imported)."""
    set_short_renderer(short_traceback)

"""Notebook display: the one test for "in a notebook kernel", and facts as a small HTML table.

:func:`in_notebook` decides where widgets, progress bars and short errors may appear (the
sign-in, the pulls and the error display all ask it).

Objects describe themselves as ``(name, text)`` rows with secrets already masked (the client,
its credential, a sign-in flow); this turns rows into the ``_repr_html_`` a notebook shows.
Everything is escaped. A leaf: it imports nothing of the package.

Example:
    >>> html = facts_html("OnceHub client", [("Account", "<me>")])
    >>> "&lt;me&gt;" in html and "<me>" not in html
    True
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from html import escape

__all__ = ["facts_html", "facts_text", "in_notebook"]


def in_notebook() -> bool:
    """Tell whether this code runs in a notebook kernel (which can show widgets).

    IPython is never imported here: a kernel has already imported it. A kernel's shell is an
    ipykernel ``ZMQInteractiveShell`` (or a subclass with another name, as Colab's is), and
    its configuration holds ``IPKernelApp``; a terminal IPython has neither.

    Example:
        >>> in_notebook()
        False
    """
    shell_module = sys.modules.get("IPython")
    get_shell = getattr(shell_module, "get_ipython", None)
    shell = get_shell() if callable(get_shell) else None
    if shell is None:
        return False
    kernel_shell = any(c.__name__ == "ZMQInteractiveShell" for c in type(shell).__mro__)
    return kernel_shell or "IPKernelApp" in getattr(shell, "config", {})


_TABLE = (
    '<div class="oncehub-nb" style="font-family:var(--jp-ui-font-family,system-ui,sans-serif);'
    'font-size:13px"><strong>{title}</strong>'
    '<table style="border-collapse:collapse;margin-top:4px">{rows}</table></div>'
)
_ROW = (
    '<tr><th style="text-align:left;padding:2px 12px 2px 0;font-weight:normal;'
    'color:var(--jp-ui-font-color1,#3e4c59)">{name}</th>'
    '<td style="text-align:left;padding:2px 0">{value}</td></tr>'
)


def facts_html(title: str, rows: Iterable[tuple[str, str]]) -> str:
    """Render rows as a titled two-column table (all text escaped).

    Args:
        title: the heading.
        rows: ``(name, text)`` pairs.

    Returns:
        An HTML fragment.
    """
    body = "".join(_ROW.format(name=escape(str(n)), value=escape(str(v))) for n, v in rows)
    return _TABLE.format(title=escape(title), rows=body)


def facts_text(title: str, rows: Iterable[tuple[str, str]]) -> str:
    """Render rows as plain text lines under a title (consoles, logs).

    Example:
        >>> print(facts_text("Client", [("Account", "me"), ("Connection", "https://x")]))
        Client
          Account     me
          Connection  https://x
    """
    pairs = [(str(n), str(v)) for n, v in rows]
    width = max((len(n) for n, _ in pairs), default=0) + 2
    return "\n".join([title] + [f"  {n.ljust(width)}{v}" for n, v in pairs])

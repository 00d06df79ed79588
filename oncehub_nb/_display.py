"""Facts as a small HTML table: the one renderer of the notebook views of SDK objects.

Objects describe themselves as ``(name, text)`` rows with secrets already masked (the client,
its credential, a sign-in flow); this turns rows into the ``_repr_html_`` a notebook shows.
Everything is escaped. A leaf: it imports nothing of the package.

Example:
    >>> html = facts_html("OnceHub client", [("Account", "<me>")])
    >>> "&lt;me&gt;" in html and "<me>" not in html
    True
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

__all__ = ["facts_html", "facts_text"]

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

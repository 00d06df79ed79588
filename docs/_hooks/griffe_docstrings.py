"""Griffe extension: read this project's Google-style docstrings as the docs should show them.

* ``Example:`` (singular, as the code base writes it) becomes an examples section, so ``>>>``
  lines render as code rather than as quoted text.
* Sphinx roles (``:class:`~a.B```, ``:meth:`x```) become inline code (``B``, ``x``).
* ``.. code-block:: lang`` with an indented body becomes a fenced code block.

Only the rendering changes; the docstrings in the code stay as they are.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_EXAMPLE = re.compile(r"^(\s*)Example:\s*$", re.MULTILINE)
_ROLE = re.compile(r":(?:class|meth|func|mod|attr|data|exc|obj):`~?([^`]+)`")


def _role(match: re.Match[str]) -> str:
    whole = match.group(0)
    target = match.group(1)
    short = target.rsplit(".", 1)[-1] if "`~" in whole else target
    return f"`{short}`"


def _code_blocks(text: str) -> str:
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        found = re.match(r"^(\s*)\.\. code-block::\s*(\S*)\s*$", lines[i])
        if not found:
            out.append(lines[i])
            i += 1
            continue
        indent, lang = found.group(1), found.group(2)
        i += 1
        body: list[str] = []
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith(indent + " ")):
            body.append(lines[i])
            i += 1
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        depth = min(len(b) - len(b.lstrip()) for b in body if b.strip()) if body else 0
        out.append(f"{indent}```{lang}")
        out.extend(f"{indent}{b[depth:]}" if b.strip() else "" for b in body)
        out.append(f"{indent}```")
        out.append("")
    return "\n".join(out)


def rewrite(text: str) -> str:
    """The docstring as the docs show it."""
    text = _EXAMPLE.sub(r"\1Examples:", text)
    text = _ROLE.sub(_role, text)
    return _code_blocks(text) if ".. code-block::" in text else text


class ProjectDocstrings(griffe.Extension):
    """Rewrite each docstring as it is loaded."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite ``obj``'s docstring."""
        if obj.docstring is not None:
            obj.docstring.value = rewrite(obj.docstring.value)

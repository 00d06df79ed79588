"""MkDocs hook: render the notebooks in ``notebooks/`` (outside ``docs/``) as pages.

Every ``notebooks/*.ipynb`` is added to the site and listed under the nav's ``Notebooks``
section, in file-name order, titled by its first heading. A notebook added later appears by
itself; none is ever hand-listed. mkdocs-jupyter runs each one at build time (``execute:
true``) with no browser: this hook sets ``ONCEHUB_NB_HEADLESS=1`` for the kernels, so the
tutorials' stand-in cells sign in, and clears the other ``ONCEHUB_*`` variables, so each
notebook starts its own sandbox.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

# The sign-in panel's widget exists in the kernel during the build (nothing displays it: the
# page shows its static picture), so nbclient saves its state and nbconvert adds a loader for
# the widget renderer from unpkg.com. The site must work offline and fetch nothing outside, and
# no widget has a view on the page: both are taken out.
_WIDGET_LOADER = re.compile(
    r"<script>\s*\(function\(\) \{\s*function addWidgetsRenderer\(\).*?</script>", re.S
)
_WIDGET_STATE = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-state\+json">.*?</script>', re.S
)


def notebooks() -> list[Path]:
    """The notebooks to render, in file-name order."""
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def title(path: Path) -> str:
    """The notebook's first Markdown heading, else its file name."""
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    for cell in cells:
        if cell.get("cell_type") == "markdown":
            for line in "".join(cell.get("source", [])).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return path.stem


def on_config(config: Any) -> Any:
    """Fill the nav's ``Notebooks`` section; set the notebooks' kernels up for a headless run."""
    for name in [n for n in os.environ if n.startswith("ONCEHUB_")]:
        if name != "ONCEHUB_SANDBOX_ANCHOR":
            del os.environ[name]  # the docs show the sandbox, never an account of whoever builds
    os.environ["ONCEHUB_NB_HEADLESS"] = "1"
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    entries = [{title(p): f"notebooks/{p.name}"} for p in notebooks()]
    nav = config["nav"] or []
    for index, item in enumerate(nav):
        if isinstance(item, dict) and "Notebooks" in item:
            if entries:
                item["Notebooks"] = entries
            else:
                del nav[index]
            break
    return config


@event_priority(100)  # before mkdocs-jupyter wraps the .ipynb files
def on_files(files: Files, config: Any) -> Files:
    """Add the notebooks, read from ``notebooks/`` in place."""
    for path in notebooks():
        files.append(
            File(
                f"notebooks/{path.name}",
                src_dir=str(ROOT),
                dest_dir=config["site_dir"],
                use_directory_urls=config["use_directory_urls"],
            )
        )
    return files


def on_page_content(html: str, page: Any, config: Any, files: Files) -> str:
    """Give notebook headings Material's permalink class, so search leaves the "¶" out.

    nbconvert (through mkdocs-jupyter) ends each notebook heading with
    ``<a class="anchor-link">¶</a>``; Material's search indexes that "¶" into the section title,
    while it skips its own permalinks (``class="headerlink"``). As a ``headerlink`` the anchor
    also looks like the Markdown pages' (shown on hover). The saved widget state and the
    widget renderer's loader are taken out (see ``_WIDGET_LOADER``).
    """
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    html = _WIDGET_STATE.sub("", _WIDGET_LOADER.sub("", html))
    return html.replace('<a class="anchor-link" href="#', '<a class="headerlink" href="#')

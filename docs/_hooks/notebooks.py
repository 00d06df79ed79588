"""MkDocs hook: render the notebooks in ``notebooks/`` (outside ``docs/``) as pages.

Every ``notebooks/*.ipynb`` is added to the site (mkdocs-jupyter renders it, without running it)
and listed under the nav's ``Notebooks`` section, in file-name order, titled by its first
heading. A notebook added later appears by itself; none is ever hand-listed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"


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
    """Fill the nav's ``Notebooks`` section."""
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
    also looks like the Markdown pages' (shown on hover).
    """
    if not page.file.src_uri.endswith(".ipynb"):
        return html
    return html.replace('<a class="anchor-link" href="#', '<a class="headerlink" href="#')

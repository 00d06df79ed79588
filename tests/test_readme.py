"""The README tells a new user the truth (issue 15, item 5).

* two set-up commands on a fresh machine (the demo, the tests), and no install from PyPI, where
  the package is not (yet): it says how to install from the repository instead;
* the Python it needs, as pyproject.toml requires it;
* every notebook in notebooks/, by name and count;
* OnceHub's menu path to API keys, spelled one way everywhere (code, docs, notebooks), and the
  way OnceHub's own authentication page walks it.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from tests._spec import REFERENCE_DIR

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: The one spelling of OnceHub's menu path to the API keys page.
KEY_PATH = "gear icon > Account Integrations > APIs & Webhooks"
_WORDS = {"0": "no", "1": "one", "2": "two", "3": "three", "4": "four", "5": "five"}


def _bash_blocks(text: str) -> list[str]:
    return re.findall(r"```bash\n(.*?)```", text, flags=re.S)


def test_exactly_two_set_up_commands_the_demo_and_the_tests() -> None:
    blocks = _bash_blocks(README)
    assert len(blocks) == 2, blocks
    demo, tests = (block.strip() for block in blocks)
    assert demo.startswith("python3 -m venv .venv") and demo.endswith("oncehub-nb demo")
    assert tests.startswith("python3 -m venv .venv") and tests.endswith("python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci, "the README's test command is the one CI runs"


def test_no_install_from_the_package_index_while_the_package_is_not_there() -> None:
    assert not re.search(r"pip install ['\"]?oncehub-nb", README)
    assert "not on the Python package index (PyPI) yet" in README
    assert "pip install '/path/to/clone[sandbox]'" in README
    for page in (ROOT / "docs").rglob("*.md"):
        assert not re.search(r"pip install ['\"]?oncehub-nb", page.read_text("utf-8")), page


def test_the_python_it_needs_is_stated() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    minimum = project["requires-python"].removeprefix(">=")
    assert minimum == "3.11"
    assert f"Python {minimum} or newer" in README


def test_every_notebook_is_listed_with_the_right_count() -> None:
    notebooks = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))
    assert len(notebooks) == 3
    section = README.split("## In a notebook", 1)[1].split("\n## ", 1)[0]
    for name in notebooks:
        assert f"`{name}`" in section, name
    count = _WORDS.get(str(len(notebooks)), str(len(notebooks)))
    assert re.search(rf"\b{count} tutorials\b", section, flags=re.I), count


def _texts() -> list[tuple[Path, str]]:
    files = [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
    files += [*(ROOT / "oncehub_nb").rglob("*.py"), *(ROOT / "notebooks").glob("*.ipynb")]
    return [(f, f.read_text(encoding="utf-8")) for f in files]


def _flat(text: str) -> str:
    """Markup and line breaks out: ``*gear icon >\\n  Account*`` reads as one phrase."""
    text = text.replace("&gt;", ">").replace("&amp;", "&")
    text = re.sub(r'\\n",\s*"', " ", text)  # a notebook's source lines
    text = re.sub(r'"\s*\n\s*"', "", text)  # adjacent Python string literals
    text = re.sub(r"</?i>|[*_`]", "", text)
    return re.sub(r"\s+", " ", text)


def test_the_menu_path_to_api_keys_is_spelled_one_way_everywhere() -> None:
    mentions = 0
    for path, text in _texts():
        flat = _flat(text)
        assert not re.search(r"Settings\s*>\s*(?:Account|APIs)", flat), path
        for match in re.finditer(r"APIs & Webhooks", flat):
            mentions += 1
            before = flat[max(0, match.start() - 60) : match.end()]
            assert before.endswith(KEY_PATH), (path, before)
    assert mentions >= 8


def test_the_menu_path_is_the_one_oncehub_documents() -> None:
    page = REFERENCE_DIR / "oncehub-docs" / "overview-authentication.md"
    if not page.is_file():
        pytest.skip(f"OnceHub's authentication page is not at {page} (not shipped in the repo)")
    steps = page.read_text(encoding="utf-8").split("## Generate an API Key", 1)[1]
    places = [steps.find(f"**{part}**") for part in KEY_PATH.split(" > ")]
    assert -1 not in places and places == sorted(places), places

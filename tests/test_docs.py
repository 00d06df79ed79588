"""The docs cannot drift from the code.

* every public name is in the API reference (a ``::: name`` mkdocstrings entry);
* every reference entry imports, and every reference page is in the nav;
* every ``oncehub-nb`` command, including ones added later, has help and is on the CLI page
  (rendered here with the same mkdocs-click directive the site uses);
* every ``ONCEHUB_*`` variable the code reads is in the configuration reference;
* the sandbox knobs table says what ``Sandbox()`` really defaults to.

``mkdocs build --strict`` (in ``.ci/run``) then checks that each entry renders, each link
resolves, and each docstring matches its signature.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import markdown
import pytest
import yaml

import oncehub_nb
from oncehub_nb.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
REFERENCE = DOCS / "reference"
PUBLIC_MODULES = [
    "oncehub_nb",
    "oncehub_nb.auth",
    "oncehub_nb.webhooks",
    "oncehub_nb.sandbox",
    "oncehub_nb.testing",
]
_DIRECTIVE = re.compile(r"^::: ([\w.]+)\s*$", re.MULTILINE)


def resolve(path: str) -> Any:
    """Import ``package.module.attribute`` (any depth) and return the object."""
    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj: Any = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            obj = getattr(obj, name)
        return obj
    raise ImportError(path)


def directives(text: str) -> list[str]:
    """The mkdocstrings targets (``::: target``) of a page."""
    return [t for t in _DIRECTIVE.findall(text) if t != "mkdocs-click"]


def documented(pages: dict[str, str]) -> tuple[set[str], list[Any]]:
    """Paths with a reference entry, and the classes, functions and modules they are."""
    paths = {target for text in pages.values() for target in directives(text)}
    objects = [resolve(p) for p in sorted(paths)]
    return paths, [o for o in objects if inspect.isclass(o) or callable(o) or inspect.ismodule(o)]


def public_names() -> Iterator[str]:
    for module_name in PUBLIC_MODULES:
        module = importlib.import_module(module_name)
        for name in module.__all__:
            yield f"{module_name}.{name}"


def reference_pages() -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(REFERENCE.glob("*.md"))}


def undocumented(pages: dict[str, str]) -> list[str]:
    paths, objects = documented(pages)
    missing = []
    for path in public_names():
        if path in paths:
            continue
        obj = resolve(path)
        is_code = inspect.isclass(obj) or inspect.isfunction(obj) or inspect.ismodule(obj)
        if not (is_code and any(obj is other for other in objects)):
            missing.append(path)
    return missing


def test_every_public_name_is_in_the_reference() -> None:
    assert undocumented(reference_pages()) == []


def test_removing_an_entry_is_caught() -> None:
    pages = reference_pages()
    pages["client.md"] = pages["client.md"].replace("::: oncehub_nb.login\n", "")
    assert undocumented(pages) == ["oncehub_nb.login"]
    pages = reference_pages()
    pages["webhooks.md"] = pages["webhooks.md"].replace("::: oncehub_nb.webhooks.sign\n", "")
    assert undocumented(pages) == ["oncehub_nb.webhooks.sign"]


def test_every_reference_entry_imports() -> None:
    for name, text in reference_pages().items():
        for target in directives(text):
            assert resolve(target) is not None, f"{name}: {target}"


def _nav_files(nav: Any) -> Iterator[str]:
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, list):
        for item in nav:
            yield from _nav_files(item)
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from _nav_files(value)


def test_every_page_is_in_the_nav() -> None:
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    in_nav = set(_nav_files(config["nav"]))
    pages = {
        p.relative_to(DOCS).as_posix()
        for p in DOCS.rglob("*.md")
        if not p.relative_to(DOCS).as_posix().startswith("_")
    }
    assert sorted(pages - in_nav) == []
    assert sorted(f for f in in_nav - pages if not f.startswith("notebooks/")) == []


def _commands(group: click.Command, path: str) -> Iterator[tuple[str, click.Command]]:
    yield path, group
    if isinstance(group, click.Group):
        for name, command in sorted(group.commands.items()):
            yield from _commands(command, f"{path} {name}")


def test_every_command_and_option_has_help() -> None:
    commands = list(_commands(main, "oncehub-nb"))
    paths = {path for path, _ in commands}
    assert {"oncehub-nb sandbox", "oncehub-nb bookings", "oncehub-nb login"} <= paths
    for path, command in commands:
        assert (command.help or "").strip(), f"`{path}` has no help"
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                assert (param.help or "").strip(), f"`{path} {param.opts[0]}` has no help"


def test_every_command_is_on_the_cli_page() -> None:
    text = (REFERENCE / "cli.md").read_text(encoding="utf-8")
    assert ":module: oncehub_nb.cli" in text and ":command: main" in text
    html = markdown.markdown(text, extensions=["mkdocs-click", "tables", "attr_list"])
    headings, stack = set(), []  # "oncehub-nb cassettes list" from the nested headings
    for level, title in re.findall(r"<h(\d)[^>]*>(.*?)</h\d>", html):
        depth = int(level) - 2  # the page title is h1, the program h2
        if depth >= 0:
            stack = [*stack[:depth], re.sub(r"<[^>]+>", "", title).strip()]
            headings.add(" ".join(stack))
    for path, command in _commands(main, "oncehub-nb"):
        assert path in headings, f"`{path}` is not on docs/reference/cli.md"
        first_line = (command.help or "").strip().splitlines()[0]
        assert first_line.split(":")[0][:40] in html, f"`{path}` help is not rendered"


def test_every_oncehub_variable_is_in_the_configuration_reference() -> None:
    used = set()
    for file in (ROOT / "oncehub_nb").rglob("*.py"):
        used |= set(re.findall(r"\bONCEHUB_[A-Z][A-Z_]*[A-Z]\b", file.read_text("utf-8")))
    assert "ONCEHUB_API_KEY" in used and "ONCEHUB_TOKEN_DIR" in used
    page = (DOCS / "how-to" / "configuration.md").read_text(encoding="utf-8")
    assert sorted(v for v in used if f"`{v}`" not in page) == []


def test_sandbox_knobs_table_matches_the_code() -> None:
    from oncehub_nb.sandbox import DataOptions, DeviceKnobs, OAuthKnobs, Sandbox

    defaults: dict[str, object] = {
        name: param.default
        for name, param in inspect.signature(Sandbox).parameters.items()
        if param.default is not inspect.Parameter.empty
    }
    defaults |= dataclasses.asdict(DataOptions())
    defaults |= {name: getattr(OAuthKnobs, name) for name in OAuthKnobs.knob_types()}
    defaults |= {name: getattr(DeviceKnobs, name) for name in DeviceKnobs.knob_types()}
    page = (DOCS / "how-to" / "sandbox.md").read_text(encoding="utf-8")
    table = page.split("## Knobs", 1)[1].split("\n\n")[1]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    assert len(rows) >= 6
    for row in rows:
        names_cell, default_cell = row.split("|")[1:3]
        names = re.findall(r"`(\w+)`", names_cell)
        shown = re.findall(r"`([^`]+)`", default_cell)
        assert len(shown) in (0, len(names)), row
        for name, value in zip(names, shown, strict=False):
            assert name in defaults, f"{name} is not a Sandbox() argument"
            assert repr(defaults[name]) == value, f"{name}: docs say {value}"


def test_tests_cited_by_the_docs_exist() -> None:
    cited = set()
    for page in DOCS.rglob("*.md"):
        cited |= set(re.findall(r"(tests/[\w/]+\.py)::(\w+)", page.read_text(encoding="utf-8")))
    assert len(cited) >= 10
    for file, name in sorted(cited):
        path = ROOT / file
        assert path.is_file(), f"{file} is cited by the docs but does not exist"
        assert re.search(rf"^def {name}\(", path.read_text("utf-8"), re.MULTILINE), (
            f"{file}::{name} is cited by the docs but does not exist"
        )


@pytest.mark.parametrize("name", ["README.md"])
def test_readme_points_to_the_docs(name: str) -> None:
    text = (ROOT / name).read_text(encoding="utf-8")
    assert "](docs/" in text and "mkdocs serve" in text
    assert oncehub_nb.__version__

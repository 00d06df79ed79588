"""The shape of the package: layers, private names, file sizes (DESIGN §3).

The layers themselves are an import-linter contract (``[tool.importlinter]`` in pyproject.toml,
run by ``.ci/run``); these tests check what import-linter cannot: that no module reads another
module's private names, and that files stay small.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "oncehub_nb"
LIMIT = 400


def _modules() -> dict[str, ast.Module]:
    trees = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        trees[name] = ast.parse(path.read_text(encoding="utf-8"))
    return trees


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _defined(tree: ast.Module) -> set[str]:
    """Private names a module defines: its own functions, classes, globals and attributes."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
    return {n for n in names if _private(n)}


def cross_module_private_reads(trees: dict[str, ast.Module]) -> list[str]:
    """``from a import _x`` and ``obj._x`` where ``_x`` belongs to another module of ours."""
    defined = {name: _defined(tree) for name, tree in trees.items()}
    owners: dict[str, set[str]] = {}
    for module, names in defined.items():
        for name in names:
            owners.setdefault(name, set()).add(module)
    found = []
    for module, tree in trees.items():
        mine = defined[module]
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("oncehub_nb"):
                for alias in node.names:
                    submodule = f"{node.module}.{alias.name}" in trees  # a module, not a name
                    if _private(alias.name) and node.module != module and not submodule:
                        found.append(f"{module}: from {node.module} import {alias.name}")
            elif isinstance(node, ast.Attribute) and _private(node.attr):
                base = node.value
                if isinstance(base, ast.Name) and base.id in ("self", "cls"):
                    continue
                if isinstance(base, ast.Call) and getattr(base.func, "id", "") == "super":
                    continue
                if node.attr in owners and node.attr not in mine:
                    found.append(f"{module}:{node.lineno}: .{node.attr}")
    return found


def test_no_module_reads_another_modules_private_names() -> None:
    assert cross_module_private_reads(_modules()) == []


def test_the_private_name_check_would_notice_one() -> None:
    trees = {
        "oncehub_nb.a": ast.parse("class A:\n    def __init__(self):\n        self._secret = 1\n"),
        "oncehub_nb.b": ast.parse("def peek(a):\n    return a._secret\n"),
        "oncehub_nb.c": ast.parse("from oncehub_nb.a import _helper\n"),
    }
    assert cross_module_private_reads(trees) == [
        "oncehub_nb.b:2: ._secret",
        "oncehub_nb.c: from oncehub_nb.a import _helper",
    ]


@pytest.mark.parametrize("folder", ["oncehub_nb", "tests", "bench"])
def test_no_file_is_over_400_lines(folder: str) -> None:
    long = [
        f"{path.relative_to(ROOT)}: {n}"
        for path in sorted((ROOT / folder).rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > LIMIT
    ]
    assert long == []


def test_each_package_says_what_it_owns_and_may_import() -> None:
    for init in sorted(PACKAGE.rglob("__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
        assert len(doc.split()) >= 25, f"{init.relative_to(ROOT)} needs a paragraph: {doc!r}"
        assert "import" in doc, f"{init.relative_to(ROOT)} should say what it may import"


def test_the_layer_contract_fails_when_a_layer_is_broken(tmp_path: Path) -> None:
    """import-linter (the CI contract) notices an upward import: shown on a copy of the tree."""
    lint = Path(sys.executable).with_name("lint-imports")
    if not lint.exists():
        pytest.skip("import-linter is not installed (the dev extra brings it)")
    copy = tmp_path / "oncehub_nb"
    shutil.copytree(PACKAGE, copy)
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    ok = subprocess.run(
        [str(lint), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    upward = (
        "\n\ndef _peek() -> object:\n    from oncehub_nb import notebook\n\n    return notebook\n"
    )
    with (copy / "_http" / "transport.py").open("a") as handle:
        handle.write(textwrap.dedent(upward))
    broken = subprocess.run(
        [str(lint), "--no-cache"], cwd=tmp_path, capture_output=True, text=True, timeout=120
    )
    assert "Layers" in ok.stdout
    assert broken.returncode != 0 and "oncehub_nb._http" in broken.stdout

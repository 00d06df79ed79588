"""The docs' code blocks run: the home page, the tutorial and every how-to guide (sandbox).

Each page's ```python blocks run in order in one namespace, as a reader pasting them into
notebook cells would. A block preceded by ``<!-- docs-test: skip (reason) -->`` is not run (it
needs a real account, a keyring, a Ctrl-C ...); the tutorial may skip none. Blocks preceded by
``<!-- docs-test: pytest -->`` are test files: they are written to a file and run by pytest in a
subprocess, with the package's pytest plugin, as a user's own tests would be.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import pytest

DOCS = Path(__file__).resolve().parents[1] / "docs"
TUTORIAL = DOCS / "tutorial" / "oauth-flow.md"
PAGES = sorted([DOCS / "index.md", *DOCS.glob("tutorial/*.md"), *DOCS.glob("how-to/*.md")])

_FENCE = re.compile(r"^```python\s*$")
_MARKER = re.compile(r"^<!-- docs-test: (skip \(.+\)|pytest) -->$")


@dataclasses.dataclass
class Block:
    """One fenced ```python block of a page."""

    page: Path
    line: int  # 1-based line of the first code line
    source: str
    mode: str  # "run", "skip" or "pytest"


def blocks(page: Path) -> list[Block]:
    """The top-level ```python blocks of a Markdown page, with how each is to be tested."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found: list[Block] = []
    index = 0
    while index < len(lines):
        if not _FENCE.match(lines[index]):
            index += 1
            continue
        end = index + 1
        while end < len(lines) and lines[end].strip() != "```":
            end += 1
        assert end < len(lines), f"{page.name}:{index + 1}: unclosed code block"
        previous = next((ln for ln in reversed(lines[:index]) if ln.strip()), "")
        marker = _MARKER.match(previous.strip())
        mode = "run"
        if marker:
            mode = "pytest" if marker.group(1) == "pytest" else "skip"
        elif previous.strip().startswith("<!-- docs-test"):
            raise AssertionError(f"{page.name}:{index}: malformed marker {previous.strip()!r}")
        source = textwrap.dedent("\n".join(lines[index + 1 : end]))
        found.append(Block(page, index + 2, source, mode))
        index = end + 1
    return found


def run_blocks(page: Path, namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    """Run a page's runnable blocks in order in one namespace; return the namespace.

    A failing block raises with the page and line of the failure in the traceback.
    """
    namespace = {} if namespace is None else namespace
    namespace.setdefault("__name__", f"docs.{page.stem}")
    for block in blocks(page):
        if block.mode != "run":
            continue
        # Pad with newlines so tracebacks give the line number in the Markdown file.
        code = compile("\n" * (block.line - 1) + block.source, str(page), "exec")
        exec(code, namespace)  # noqa: S102 - running the docs' own examples is the point
    return namespace


def _clean_up(namespace: dict[str, Any]) -> None:
    from oncehub_nb import OnceHub
    from oncehub_nb.sandbox import Sandbox

    for value in namespace.values():
        if isinstance(value, OnceHub):
            value.close()
        elif isinstance(value, Sandbox):
            value.stop()  # safe when the page already stopped it


@pytest.mark.parametrize("page", PAGES, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_page_code_blocks_run(
    page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    saved_env = dict(os.environ)
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))  # the pages' temporary folders
    monkeypatch.setenv("ONCEHUB_TOKEN_DIR", str(tmp_path / "tokens"))
    namespace: dict[str, Any] = {}
    try:
        run_blocks(page, namespace)
    finally:
        _clean_up(namespace)
        os.environ.clear()
        os.environ.update(saved_env)
    if any(block.mode == "run" for block in blocks(page)):
        assert capsys.readouterr().out.strip(), f"{page.name} printed nothing"


def test_the_tutorial_runs_whole_and_in_order() -> None:
    found = blocks(TUTORIAL)
    assert all(b.mode == "run" for b in found), "every tutorial block must run"
    assert len(found) >= 20
    sources = "\n".join(b.source for b in found)
    # The steps the tutorial promises, in the order a reader meets them.
    steps = [
        "Sandbox(",
        "OAuthConfig.from_env()",
        "flow.start()",
        "sb.consent(url)",
        "flow.finish(pasted)",
        "OnceHub.from_oauth(",
        "sb.expire_access_token(",
        "OAuthAuth(",
        "store.directory",
        "signed_in.sign_out()",
        "except AuthorizationDenied",
        "except InvalidRedirectURL",
        "except StateMismatch",
        "except TokenExchangeError",
        "except ReauthorizationRequired",
        'replay("refresh-rotation")',
        "sb.stop()",
    ]
    positions = [sources.find(step) for step in steps]
    assert -1 not in positions, [s for s, p in zip(steps, positions, strict=True) if p < 0]
    assert positions == sorted(positions), "the tutorial's steps are out of order"


def test_pytest_examples_pass_as_user_tests(tmp_path: Path) -> None:
    examples = [b for page in PAGES for b in blocks(page) if b.mode == "pytest"]
    assert examples, "no pytest examples found"
    for number, block in enumerate(examples):
        (tmp_path / f"test_example_{number}.py").write_text(block.source + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    tests = sum(block.source.count("\ndef test_") + block.source.startswith("def test_")
                for block in examples)  # fmt: skip
    assert f"{tests} passed" in result.stdout, result.stdout


def test_skipped_blocks_are_few_and_say_why() -> None:
    skipped = [b for page in PAGES for b in blocks(page) if b.mode == "skip"]
    run = [b for page in PAGES for b in blocks(page) if b.mode == "run"]
    assert len(skipped) <= 5 and len(run) >= 10 * len(skipped), (len(skipped), len(run))
    for block in skipped:
        # still valid Python (as a notebook cell: a top-level await is allowed there)
        compile(block.source, f"{block.page}:{block.line}", "exec", ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)


def test_a_broken_block_fails_with_its_page_and_line(tmp_path: Path) -> None:
    page = tmp_path / "broken.md"
    page.write_text("# Page\n\n```python\nx = 1\n```\n\nText.\n\n```python\nx.nope\n```\n")
    with pytest.raises(AttributeError) as info:
        run_blocks(page)
    frame = info.traceback[-1]
    assert (Path(frame.path).name, frame.lineno + 1) == ("broken.md", 10)

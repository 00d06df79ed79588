"""The kept mutation check cannot rot: its snippets, its tests and the security page agree.

The mutation run itself (``python -m bench.mutants``) is slow and on demand; this is the fast
part: every mutant still applies to the source, names tests that exist, and the security page
links each checklist item to a mutant that exists.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bench.mutant_list import MUTANTS, Mutant
from bench.mutants import stale

ROOT = Path(__file__).resolve().parents[1]
SECURITY = ROOT / "docs" / "explanation" / "security.md"
LINK = re.compile(r"mutant `([a-z0-9-]+)`")


def _functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.name for m in MUTANTS])
def test_every_mutant_applies_and_names_tests_that_exist(mutant: Mutant) -> None:
    assert stale(mutant) is None, f"{mutant.name}: {stale(mutant)}"
    assert mutant.tests and mutant.why
    for test in mutant.tests:
        file, _, name = test.partition("::")
        assert (ROOT / file).is_file(), test
        assert name.split("[")[0] in _functions(ROOT / file), f"{test} is not defined"


def test_mutant_names_are_unique_and_the_issue_areas_are_covered() -> None:
    names = [m.name for m in MUTANTS]
    assert len(names) == len(set(names)) and len(names) >= 35
    for survivor in (  # the four survivors of issue 18's first run
        "token-error-description-unredacted",
        "action-retried-after-a-broken-connection",
        "scrub-json-refresh-token",
        "webhook-signature-compared-with-eq",
    ):
        assert survivor in names


def test_the_security_page_links_every_checklist_item_to_a_mutant() -> None:
    names = {m.name for m in MUTANTS}
    text = SECURITY.read_text(encoding="utf-8")
    linked = set(LINK.findall(text))
    assert linked and linked <= names, sorted(linked - names)
    rows = [
        line
        for line in text.splitlines()
        if line.startswith("| ") and "`tests/" in line  # a table row that cites a test
    ]
    unlinked = [row[:80] for row in rows if not LINK.search(row)]
    assert rows and unlinked == []
    assert re.search(r"\d+ of \d+ mutants killed \(\d+ %\)", text)

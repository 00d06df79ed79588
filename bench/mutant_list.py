"""The mutants of ``python -m bench.mutants``: one broken defence each, and the tests that see it.

Each entry: a name (the security page links its checklist to these names), the file, an exact
snippet found once in it, what replaces it, the tests that must fail with it (run first, fast),
wider test files to try when they do not (the named tests' files), and what the mutant breaks.
``tests/test_mutants.py`` checks that every snippet still exists and every named test is still
defined. The lists are in :mod:`bench.mutants_auth` and :mod:`bench.mutants_door`.
"""

from __future__ import annotations

from bench.mutant_kind import Mutant
from bench.mutants_auth import AUTH_MUTANTS
from bench.mutants_door import DOOR_MUTANTS

__all__ = ["MUTANTS", "Mutant"]

MUTANTS: tuple[Mutant, ...] = AUTH_MUTANTS + DOOR_MUTANTS

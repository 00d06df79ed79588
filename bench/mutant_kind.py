"""What a mutant of ``python -m bench.mutants`` is, and the shorthands its lists use."""

from __future__ import annotations

import dataclasses

__all__ = ["Mutant", "mutant"]


@dataclasses.dataclass(frozen=True)
class Mutant:
    """One deliberate break of a defence."""

    name: str
    file: str
    original: str
    replacement: str
    tests: tuple[str, ...]
    why: str
    wider: tuple[str, ...] = ()


def mutant(name: str, file: str, original: str, replacement: str, *tests: str, why: str) -> Mutant:
    files = tuple(dict.fromkeys(test.split("::")[0] for test in tests))  # run when they survive
    return Mutant(name, "oncehub_nb/" + file, original, replacement, tuple(tests), why, files)


SEC = "tests/test_security.py::"
ALONE = "tests/test_defences_alone.py::"
TWICE = "tests/test_defences_twice.py::"
SYNC = "tests/test_sync.py::"
FLOW = "tests/test_oauth_flow.py::"
DOOR = "tests/test_one_door.py::"
SANDBOX_OAUTH = "tests/test_oauth_sandbox.py::"
CLIENT = "tests/test_client_sandbox.py::"

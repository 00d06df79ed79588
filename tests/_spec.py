"""Where the tests find OnceHub's official OpenAPI spec (never copied into the repository).

The spec is OnceHub's copyrighted material. It is read from ``ONCEHUB_REFERENCE_DIR`` when set,
else from ``../shared/reference/`` beside the repository. Tests that need it skip with this
message where it is absent (the README's testing section says how many).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REFERENCE_DIR = Path(
    os.environ.get("ONCEHUB_REFERENCE_DIR")
    or Path(__file__).resolve().parents[1].parent / "shared" / "reference"
)
SPEC_PATH = REFERENCE_DIR / "oncehub-api-v2.openapi.json"


def require_spec() -> Path:
    """Return the spec's path, or skip the calling test saying where it was expected."""
    if not SPEC_PATH.is_file():
        pytest.skip(
            f"OnceHub's official spec is not at {SPEC_PATH}: put oncehub-api-v2.openapi.json "
            "there, or set ONCEHUB_REFERENCE_DIR to its folder (it is not shipped in the repo)"
        )
    return SPEC_PATH

"""Short errors in notebook cells; full tracebacks in scripts and pytest; %tb shows them all."""

from __future__ import annotations

import subprocess
import sys
import traceback

import pytest

import oncehub_nb
from oncehub_nb.notebook.errors import HINT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

# A real SDK error: a client with no credential, asked to check its key.
FAILING = "import oncehub_nb\noncehub_nb.OnceHub(env={}).validate()"


@pytest.mark.slow
def test_a_notebook_cell_shows_the_message_and_the_hint_then_tb_shows_all() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(FAILING), nbformat.v4.new_code_cell("%tb")]
    nbclient.NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute()
    (error,) = nb.cells[0].outputs
    assert error.output_type == "error" and error.ename == "ConfigurationError"
    assert len(error.traceback) == 2, error.traceback
    assert error.traceback[0].endswith(f"ConfigurationError\x1b[0m: {error.evalue}")
    assert HINT in error.traceback[1]
    full = "\n".join(line for out in nb.cells[1].outputs for line in out.get("traceback", []))
    assert "validate" in full and len(full.splitlines()) > 10  # the frames are all there


def test_a_script_keeps_the_full_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-c", FAILING], capture_output=True, text=True, timeout=60
    )
    assert "Traceback (most recent call last)" in result.stderr
    assert "ConfigurationError" in result.stderr and HINT not in result.stderr


def test_pytest_and_ipython_outside_a_kernel_keep_it_too() -> None:
    with pytest.raises(oncehub_nb.ConfigurationError) as caught:
        oncehub_nb.OnceHub(env={}).validate()
    assert not hasattr(caught.value, "_render_traceback_")  # IPython would show it in full
    assert len(traceback.format_exception(caught.value)) > 2

"""The one "in a notebook kernel" test, asked by the sign-in, the pulls and the error display."""

from __future__ import annotations

import sys
import types
from typing import ClassVar

import pytest

from oncehub_nb import OnceHubError, _display
from oncehub_nb.frames.pull import progress_wanted
from oncehub_nb.notebook import errors as notebook_errors
from oncehub_nb.notebook import login as notebook_login


class ZMQInteractiveShell:  # the name ipykernel's shell has
    config: ClassVar[dict[str, object]] = {}


class ColabShell(ZMQInteractiveShell):  # a subclass under another name, as Colab's
    pass


class TerminalInteractiveShell:  # IPython in a terminal
    config: ClassVar[dict[str, object]] = {"TerminalIPythonApp": {}}


class ConfiguredShell:  # a kernel recognised by its configuration only
    config: ClassVar[dict[str, object]] = {"IPKernelApp": {}}


def _ipython(monkeypatch: pytest.MonkeyPatch, shell: object | None) -> None:
    module = types.ModuleType("IPython")
    module.get_ipython = lambda: shell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", module)


@pytest.mark.parametrize(
    ("shell", "expected"),
    [
        (None, False),
        (TerminalInteractiveShell(), False),
        (ZMQInteractiveShell(), True),
        (ColabShell(), True),
        (ConfiguredShell(), True),
    ],
)
def test_every_caller_agrees_on_what_a_kernel_is(
    monkeypatch: pytest.MonkeyPatch, shell: object | None, expected: bool
) -> None:
    _ipython(monkeypatch, shell)
    assert _display.in_notebook() is expected
    assert notebook_login.in_notebook() is expected  # the sign-in asks the same function
    short = notebook_errors.short_traceback(OnceHubError("boom"))  # so do the short errors
    assert (short is not None) is expected
    monkeypatch.setattr("sys.stderr", None)  # no terminal: only a kernel wants a bar
    assert progress_wanted(None) is expected


def test_without_ipython_nothing_is_a_kernel(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert not _display.in_notebook()

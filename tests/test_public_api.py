from __future__ import annotations

import subprocess
import sys

import oncehub_nb


def test_all_is_sorted_and_complete() -> None:
    names = [n for n in oncehub_nb.__all__ if n != "__version__"]
    assert names == sorted(names)
    for name in oncehub_nb.__all__:
        assert hasattr(oncehub_nb, name), name


def test_import_does_not_pull_pandas_widgets_flask_or_sinks() -> None:
    code = (
        "import sys, oncehub_nb; "
        "heavy = ('pandas', 'ipywidgets', 'flask', 'faker', 'duckdb', 'dlt', 'polars'); "
        "print(sorted(m for m in heavy if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_importtime_report_has_no_heavy_modules() -> None:
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "import oncehub_nb"],
        capture_output=True,
        text=True,
        check=True,
    )
    imported = {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines() if "|" in line}
    assert "oncehub_nb" in imported
    assert not {"pandas", "ipywidgets", "flask"} & imported

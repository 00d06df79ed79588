"""The docs site's notebook pages show the notebooks run: frames, charts, the panel's picture.

Builds the site (mkdocs, which runs every notebook at build time against its own sandbox) into a
temporary folder and reads the pages, as a reader of the site would see them.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from oncehub_nb.notebook.errors import HINT

ROOT = Path(__file__).resolve().parents[1]

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=280,
        env=env,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return out


def page(site: Path, name: str) -> str:
    return (site / "notebooks" / name / "index.html").read_text()


def test_sign_in_page_shows_the_panel_and_the_connected_client(site: Path) -> None:
    html = page(site, "01-sign-in")
    assert html.count('src="data:image/png;base64,') >= 1  # the picture of the panel
    shown = "The sign-in panel (a code, OAuth sign-in or an API key) appears here"
    assert shown in html  # its output
    assert html.count("Connection</th>") >= 2 and "API key " in html  # hub, both ways
    assert 'class="dataframe"' in html and "BKNG-" in html
    assert "Already signed in as" in html
    assert "Traceback" not in html and HINT not in html  # no error, long or short


def test_bookings_page_shows_frames_and_charts(site: Path) -> None:
    html = page(site, "02-bookings-to-dataframe")
    charts = re.findall(r'<img[^>]+src="data:image/png;base64,', html)
    assert len(charts) >= 2
    assert html.count('class="dataframe"') >= 2  # the upcoming bookings, the rates
    assert "Traceback" not in html and HINT not in html

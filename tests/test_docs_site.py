"""The built docs site, opened page by page in headless Chromium as a reader would (issue 15).

The site is built with ``mkdocs build --strict`` into a temporary folder and served on
127.0.0.1. Every request the browser makes to anything but that server is blocked and counted:
opening every page (and running a search) makes none. Also checked in the browser: the first
tutorial comes before the OAuth one, navigation sections start collapsed, the palette toggle
switches to dark, and no search result shows the "¶" of a heading's permalink.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.test_browser import CHROMIUM, FLAGS, sync_api

ROOT = Path(__file__).resolve().parents[1]
pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(300)]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        """No access log."""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The docs, built strictly, served on 127.0.0.1: ``(root URL, folder)``."""
    folder = tmp_path_factory.mktemp("site")
    mkdocs = Path(sys.executable).with_name("mkdocs")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    build = subprocess.run(
        [str(mkdocs), "build", "--strict", "--site-dir", str(folder)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", folder
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _pages(folder: Path) -> list[str]:
    pages = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("index.html"))
    return [page.removesuffix("index.html") for page in pages]


@contextlib.contextmanager
def _browser(root: str) -> Iterator[tuple[Any, list[str], list[str]]]:
    """A page whose requests outside ``root`` are aborted and listed (and the local ones)."""
    outside: list[str] = []
    local: list[str] = []

    def route(request_route: Any) -> None:
        url = request_route.request.url
        if url.startswith((root + "/", "data:", "blob:")):
            local.append(url)
            request_route.continue_()
        else:
            outside.append(url)
            request_route.abort()

    with sync_api.sync_playwright() as p:
        real_clock = {k: v for k, v in os.environ.items() if k != "LD_PRELOAD"}
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=FLAGS, env=real_clock
        )
        try:
            context = browser.new_context(viewport={"width": 1400, "height": 1000})
            context.set_default_timeout(30_000)
            context.route("**/*", route)
            yield context.new_page(), outside, local
        finally:
            browser.close()


def _search(page: Any, query: str) -> None:
    """Type a query into the site's search, as a person would, and wait for its results.

    The search worker builds its index on first use, slowly on a busy machine, and a query typed
    before it is ready can be lost: wait until the result list stops saying "Initializing
    search", type key by key, and type again if no result shows.
    """
    page.wait_for_load_state("networkidle")
    page.wait_for_function(
        "() => { const m = document.querySelector('.md-search-result__meta');"
        " return m !== null && !/initializing/i.test(m.textContent || ''); }",
        timeout=120_000,
    )
    box = page.locator(".md-search__input")
    first = page.locator(".md-search-result__item").first
    for _ in range(4):
        box.click()
        box.press("Control+A")
        box.press("Backspace")
        box.press_sequentially(query, delay=20)
        try:
            first.wait_for(timeout=15_000)
            return
        except sync_api.TimeoutError:
            continue
    first.wait_for(timeout=1)  # raises with the locator in the message


def test_every_page_opens_with_no_outside_request(site: tuple[str, Path]) -> None:
    root, folder = site
    pages = _pages(folder)
    assert len(pages) >= 25, pages
    with _browser(root) as (page, outside, local):
        for path in pages:
            response = page.goto(f"{root}/{path}", wait_until="load")
            assert response is not None and response.ok, path
            page.wait_for_load_state("networkidle")
        # The search loads its worker and index only when used: use it once.
        page.goto(f"{root}/")
        _search(page, "sign-in panel")
        page.wait_for_load_state("networkidle")
    assert outside == [], sorted(set(outside))
    assert any(url.endswith("search_index.json") for url in local)
    assert len({u for u in local if u.endswith("/")}) >= len(pages)


def test_search_results_show_no_pilcrow(site: tuple[str, Path]) -> None:
    """Queries that hit notebook headings (nbconvert ends each with a "¶" anchor) and page ones.

    The whole result list is read, the "N more on this page" parts (collapsed) included.
    """
    root, _ = site
    with _browser(root) as (page, outside, _local):
        for query in ("sign-in panel", "Clean up", "Use the client", "notebook", "frame"):
            page.goto(f"{root}/")  # a fresh page per query: no list left from the last one
            _search(page, query)
            page.wait_for_timeout(300)  # the list fills in one go; let it finish
            shown = page.locator(".md-search-result").text_content() or ""
            assert "matching document" in shown and "¶" not in shown, (query, shown[:300])
    assert outside == []


def test_navigation_palette_and_tutorial_order(site: tuple[str, Path]) -> None:
    root, folder = site
    with _browser(root) as (page, outside, _local):
        page.goto(f"{root}/")
        toggles = page.locator("nav.md-nav--primary input.md-nav__toggle[id^='__nav_']")
        assert toggles.count() >= 4
        assert not any(toggles.nth(i).is_checked() for i in range(toggles.count()))  # collapsed
        links = page.locator("nav.md-nav--primary a.md-nav__link").evaluate_all(
            "els => els.map(e => e.getAttribute('href'))"
        )
        first = next(i for i, h in enumerate(links) if h and "tutorial/first-frame" in h)
        oauth = next(i for i, h in enumerate(links) if h and "tutorial/oauth-flow" in h)
        assert first < oauth
        schemes = []
        for _ in range(3):  # auto -> light -> dark (the toggle cycles)
            page.locator("form[data-md-component='palette'] label:visible").first.click()
            schemes.append(page.evaluate("document.body.getAttribute('data-md-color-scheme')"))
        assert "slate" in schemes and "default" in schemes, schemes
    assert outside == []
    html = (folder / "index.html").read_text(encoding="utf-8")
    assert "fonts.googleapis.com" not in html and "fonts.gstatic.com" not in html


def test_the_first_tutorial_runs_whole() -> None:
    from tests.test_docs_pages import blocks

    found = blocks(ROOT / "docs" / "tutorial" / "first-frame.md")
    assert len(found) >= 8 and all(b.mode == "run" for b in found)
    sources = "\n".join(b.source for b in found)
    steps = ["Sandbox(", "OnceHub(api_key=", "hub.validate()", "to_frame(", "expand=", "stop()"]
    positions = [sources.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), positions
    page = (ROOT / "docs" / "tutorial" / "first-frame.md").read_text(encoding="utf-8")
    assert page.count("<- the line to change") == 1 and "OnceHub.from_env()" in page

"""The pull progress bar: records, pages, rate and elapsed time; a real bar only when bounded."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from oncehub_nb.frames import pull


class Walk:
    """A paginator stand-in: ``count`` records in pages of 100."""

    def __init__(self, count: int, max_items: int | None = None) -> None:
        self.count, self.max_items, self.pages = count, max_items, 0
        self.cursor: str | None = None

    @property
    def pages_fetched(self) -> int:
        return self.pages

    def __iter__(self) -> Iterator[dict[str, Any]]:
        for i in range(self.count):
            self.pages = i // 100 + 1
            yield {"id": i}


def test_counting_without_a_bound(capsys: pytest.CaptureFixture[str]) -> None:
    assert len(pull.collect(Walk(250), progress=True, desc="bookings")) == 250
    last = capsys.readouterr().err.split("\r")[-1]
    assert "bookings: 250 records, 3 pages [" in last and "records/s]" in last
    assert "%" not in last and "?" not in last.split("[")[0]  # no "250/?", no empty bar


def test_a_bar_that_fills_up_with_max_items(capsys: pytest.CaptureFixture[str]) -> None:
    pull.collect(Walk(250, max_items=250), progress=True, desc="bookings")
    last = capsys.readouterr().err.split("\r")[-1]
    assert "100%|" in last and "250/250 records, 3 pages [" in last and "<00:00" in last


def test_notebook_bar_hides_the_square_when_unbounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from tqdm import notebook

    monkeypatch.setattr("tqdm.auto.tqdm", notebook.tqdm)
    unbounded = pull._bar("bookings", None, 0)
    bounded = pull._bar("bookings", 500, 0)
    try:
        assert unbounded.container.children[1].layout.display == "none"
        assert bounded.container.children[1].layout.display != "none"
        assert bounded.container.children[1].max == 500
    finally:
        unbounded.close()
        bounded.close()

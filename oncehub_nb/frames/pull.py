"""Long pulls: a progress bar, ``max_items``, and nothing lost when a pull stops early.

:func:`collect` walks a paginator into a list. It shows a ``tqdm.auto`` bar (a widget in a
notebook, text on stderr in a terminal) counting records. On Ctrl-C, or on an error that the
transport's retries could not absorb, it raises :class:`~oncehub_nb.PullInterrupted` holding
every record that arrived and the cursor to continue from. An error before the first record is
raised as itself: there is nothing to keep.

The bar's default (``progress=None``) shows it only when more than one page is fetched and the
output is a notebook or a terminal, so short lists, scripts with redirected output and tests stay
quiet. ``progress=True`` always shows it, ``progress=False`` never. While requests wait for the
rate limit (their turn under the limits this machine shares, or after a 429), the bar says so.

Example:
    >>> records = collect(hub.bookings.list(), progress=False, desc="bookings")
    >>> len(records), records[0]["id"]
    (60, 'BKNG-H60DZO03KD8P')
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import Any, Protocol

from oncehub_nb._config import rate_limit_notices
from oncehub_nb._display import in_notebook
from oncehub_nb._errors import OnceHubError, PullInterrupted

__all__ = ["FEED_EVERY", "RecordWalk", "collect", "progress_wanted"]

#: :func:`collect` hands its ``feed`` the records in runs of this many (a page of the default
#: size).
FEED_EVERY = 100


class RecordWalk(Protocol):
    """What :func:`collect` needs of a paginator (``oncehub_nb._http.pagination.Paginator``)."""

    max_items: int | None

    @property
    def cursor(self) -> str | None:
        """Where to resume: pass as ``after=``."""

    @property
    def pages_fetched(self) -> int:
        """List requests made so far."""

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Records, fetched page by page."""


def progress_wanted(progress: bool | None) -> bool:
    """Resolve the ``progress`` argument: ``None`` means "in a notebook or a terminal".

    Args:
        progress: the caller's choice.

    Returns:
        Whether a bar may be shown.

    Example:
        >>> progress_wanted(False)
        False
    """
    if progress is not None:
        return progress
    stderr = sys.stderr
    return in_notebook() or bool(stderr is not None and stderr.isatty())


# Records, pages, elapsed time and rate. A bar only when the end is known (max_items): the API
# gives no total, and tqdm's notebook bar for an unknown total is a 20-pixel square.
_COUNTING = "{desc}: {n_fmt} records{postfix} [{elapsed}, {rate_fmt}]"
_BOUNDED = "{desc}: {percentage:3.0f}%|{bar}| {n_fmt}/{total_fmt} records{postfix} [{elapsed}<{remaining}, {rate_fmt}]"  # noqa: E501


def _bar(desc: str, total: int | None, initial: int) -> Any:
    from tqdm.auto import tqdm

    bar = tqdm(
        desc=desc,
        total=total,
        initial=initial,
        unit=" records",
        file=sys.stderr,
        bar_format=_COUNTING if total is None else _BOUNDED,
        postfix="1 page",
    )
    widget = getattr(bar, "container", None)  # the notebook widget: (label, bar, text)
    if total is None and widget is not None:
        widget.children[1].layout.display = "none"
    return bar


def _advance(bar: Any, pages: int) -> None:
    if pages != getattr(bar, "pages", None):
        bar.pages = pages
        bar.set_postfix_str(f"{pages} page{'s' if pages != 1 else ''}", refresh=False)
    bar.update(1)


def _show_note(bar: Any, note: str | None) -> None:
    if bar is not None:  # the transport's rate-limit note, in the bar's postfix
        bar.set_postfix_str(note or "", refresh=True)


def collect(
    walk: RecordWalk,
    *,
    progress: bool | None,
    desc: str,
    feed: Callable[[list[dict[str, Any]]], None] | None = None,
) -> list[dict[str, Any]]:
    """Fetch every record of a walk, with a progress bar, keeping them all if it stops early.

    Args:
        walk: a paginator (or chain of paginators).
        progress: ``True`` always shows a bar, ``False`` never, ``None`` when more than one
            page is fetched in a notebook or terminal.
        desc: the bar's label.
        feed: called with the records in order, :data:`FEED_EVERY` at a time, while the walk
            goes on (the last fewer are not fed: they are the end of the list returned).

    Returns:
        The records, in API order.

    Raises:
        PullInterrupted: Ctrl-C or an SDK error after at least one record arrived; it holds
            ``records`` and ``cursor`` (the caller adds ``frame`` and ``resume``).

    Example:
        >>> [r["id"] for r in collect(hub.bookings.list(max_items=2), progress=False, desc="x")]
        ['BKNG-H60DZO03KD8P', 'BKNG-LR6FYVQU5H5M']
        >>> collect(iter([]), progress=False, desc="x")
        []
    """
    records: list[dict[str, Any]] = []
    show = progress_wanted(progress)
    bar = _bar(desc, walk.max_items, 0) if show and progress else None
    notes = contextlib.ExitStack()
    notes.enter_context(rate_limit_notices(lambda note: _show_note(bar, note)))
    try:
        for record in walk:
            records.append(record)
            if feed is not None and len(records) % FEED_EVERY == 0:
                feed(records[-FEED_EVERY:])
            if bar is not None:
                _advance(bar, walk.pages_fetched)
            elif show and walk.pages_fetched > 1:
                bar = _bar(desc, walk.max_items, len(records))
    except (KeyboardInterrupt, OnceHubError) as exc:
        if not records:
            raise
        reason = "Ctrl-C" if isinstance(exc, KeyboardInterrupt) else type(exc).__name__
        raise PullInterrupted(
            f"The pull stopped after {len(records)} records ({reason}: {exc}). Nothing is lost: "
            f".frame holds them, .resume() fetches the rest, or pass after={walk.cursor!r} "
            "with the same filters",
            records=records,
            cursor=walk.cursor,
        ) from exc
    finally:
        notes.close()
        if bar is not None:
            bar.close()
    return records

"""Waiting in a cell for the user to sign in, while the panel keeps answering clicks.

A cell that waits must let the kernel deliver the panel's messages, or clicks queue until the
cell ends. How depends on the kernel (measured: ``shared/reference/notebook-signin-facts.md``):

- ``await`` (:func:`wait_async`): ipykernel 7 hands widget messages to a running async cell, so
  a plain ``await asyncio.sleep`` loop is enough. ipykernel 6 does not; there the loop lets
  ``jupyter-ui-poll`` (a maintained package made for this) process the waiting messages.
- blocking (:func:`wait_blocking`): works where ``jupyter-ui-poll`` can still process events
  (ipykernel 6: the kernel has ``do_one_iteration``) or where the front end routes widget
  messages to a subshell that the kernel serves on another thread (ipykernel 7.0-7.3). It cannot
  work on ipykernel 7.4, and nothing tells in advance, so the wait asks the browser to answer
  (the "ready" handshake) and gives up after a few seconds without an answer, leaving the panel
  to work once the cell ends.

Headless runs (nbclient, ``nbconvert --execute``) have no browser to answer. They take the
explicit path: ``ONCEHUB_NB_HEADLESS=1`` makes every wait return at once (connected or not). A
headless run without it ends with a clear error when the handshake deadline passes, so a run
never hangs.

Example:
    >>> headless({"ONCEHUB_NB_HEADLESS": "1"})
    True
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Protocol

from oncehub_nb._errors import ReauthorizationRequired

__all__ = [
    "HEADLESS_ENV",
    "Waitable",
    "headless",
    "wait_async",
    "wait_blocking",
]

HEADLESS_ENV = "ONCEHUB_NB_HEADLESS"
#: Seconds a blocking wait gives the browser to answer (real browsers: 0.05-0.35 s).
BLOCKING_HANDSHAKE = 3.0
#: Seconds an awaited wait gives the browser to answer before deciding nobody sees the panel.
ASYNC_HANDSHAKE = 10.0
_TICK = 0.02


class Waitable(Protocol):
    """What the waits need of a panel (:class:`~oncehub_nb.notebook.panel.LoginPanel`)."""

    @property
    def connected(self) -> bool:
        """Signed in."""

    @property
    def front_end(self) -> Any:
        """A ``threading.Event`` set when a browser answered the handshake."""

    @property
    def stop(self) -> Any:
        """A ``threading.Event`` set by "Stop waiting"."""

    def ping(self) -> None:
        """Ask the browsers showing the panel to answer."""

    def show_waiting(self, text: str) -> None:
        """Say in the panel that a cell waits."""

    def say(self, text: str, tone: str = "info") -> None:
        """Set the status line."""


def headless(env: Mapping[str, str] | None = None) -> bool:
    """``True`` when told that no browser shows this notebook (``ONCEHUB_NB_HEADLESS=1``).

    Example:
        >>> headless({})
        False
    """
    env = os.environ if env is None else env
    return (env.get(HEADLESS_ENV) or "").strip().lower() in ("1", "true", "yes")


def _duration(seconds: float) -> str:
    return f"{seconds:.0f} s" if seconds < 120 else f"{seconds / 60:.0f} min"


def _kernel() -> Any:
    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return getattr(shell, "kernel", None)


def _ipykernel_major() -> int:
    try:
        import ipykernel
    except ImportError:  # pragma: no cover - a notebook kernel has it
        return 0
    head = str(getattr(ipykernel, "__version__", "0")).split(".", 1)[0]
    return int(head) if head.isdigit() else 0


@contextlib.contextmanager
def _blocking_events() -> Iterator[Callable[[int], Any]]:
    """``jupyter-ui-poll``'s event pump where it can pump (the kernel has ``do_one_iteration``)."""
    if hasattr(_kernel(), "do_one_iteration"):
        from jupyter_ui_poll import ui_events

        with ui_events() as poll:
            yield poll
    else:  # ipykernel 7.1+: messages arrive on a subshell thread, or not at all
        yield lambda _n: None


def _stopped(panel: Waitable, why: str) -> ReauthorizationRequired:
    panel.show_waiting("")
    panel.say(f"{why} You can still sign in here; then run the next cell.")
    return ReauthorizationRequired(
        f"{why} Sign in in the panel above (the client works once it says Connected), then run "
        "the next cell."
    )


def _check(panel: Waitable, started: float, timeout: float) -> None:
    if panel.stop.is_set():
        raise _stopped(panel, "You stopped waiting, so this cell stopped without signing in.")
    if time.monotonic() - started > timeout:
        raise _stopped(panel, f"Nobody signed in within {_duration(timeout)}.")


def _no_browser(panel: Waitable, handshake: float) -> ReauthorizationRequired:
    panel.show_waiting("")
    return ReauthorizationRequired(
        f"No browser shows the sign-in panel (none answered within {handshake:.0f} s): this "
        "notebook seems to run headless, where nobody can sign in. Sign in beforehand (a kept "
        f"token or key, or ONCEHUB_API_KEY), or set {HEADLESS_ENV}=1 to skip waiting."
    )


def wait_blocking(panel: Waitable, *, timeout: float, handshake: float | None = None) -> bool:
    """Block until the panel connects, processing widget events while the cell waits.

    Args:
        panel: the panel.
        timeout: seconds to wait at most.
        handshake: seconds the browser has to answer before the wait gives up (default
            :data:`BLOCKING_HANDSHAKE`).

    Returns:
        ``True`` when connected; ``False`` when no browser answered within ``handshake``
        (this kernel cannot serve a blocking wait, or nobody sees the panel).

    Raises:
        ReauthorizationRequired: ``timeout`` passed, or "Stop waiting" was pressed.
    """
    if panel.connected:
        return True
    handshake = BLOCKING_HANDSHAKE if handshake is None else handshake
    started = time.monotonic()
    panel.stop.clear()
    panel.ping()
    panel.show_waiting(f"This cell waits for you to connect (up to {_duration(timeout)}).")
    try:
        with _blocking_events() as poll:
            while not panel.connected:
                poll(10)
                if not panel.front_end.is_set() and time.monotonic() - started > handshake:
                    return False
                _check(panel, started, timeout)
                time.sleep(_TICK)
    except KeyboardInterrupt:
        raise _stopped(panel, "The kernel was interrupted, so this cell stopped waiting.") from None
    finally:
        panel.show_waiting("")
    return True


async def wait_async(panel: Waitable, *, timeout: float, handshake: float | None = None) -> None:
    """Wait, as an awaited cell, until the panel connects; the panel stays live meanwhile.

    Args:
        panel: the panel.
        timeout: seconds to wait at most.
        handshake: seconds the browser has to answer before the wait decides nobody sees it
            (default :data:`ASYNC_HANDSHAKE`).

    Raises:
        ReauthorizationRequired: ``timeout`` passed, "Stop waiting" was pressed, the kernel
            was interrupted, or no browser answered (a headless run).
    """
    if panel.connected:
        return
    handshake = ASYNC_HANDSHAKE if handshake is None else handshake
    started = time.monotonic()
    panel.stop.clear()
    panel.ping()
    panel.show_waiting(f"This cell waits for you to connect (up to {_duration(timeout)}).")
    try:
        async with contextlib.AsyncExitStack() as stack:
            poll = None
            if _ipykernel_major() < 7 and hasattr(_kernel(), "do_one_iteration"):
                from jupyter_ui_poll import ui_events  # ipykernel 6 queues messages otherwise

                poll = await stack.enter_async_context(ui_events())
            while not panel.connected:
                if poll is not None:
                    await poll(10)
                await asyncio.sleep(_TICK)
                if not panel.front_end.is_set() and time.monotonic() - started > handshake:
                    raise _no_browser(panel, handshake)
                _check(panel, started, timeout)
    except (KeyboardInterrupt, asyncio.CancelledError):
        raise _stopped(panel, "The kernel was interrupted, so this cell stopped waiting.") from None
    finally:
        panel.show_waiting("")

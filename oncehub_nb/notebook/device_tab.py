"""The panel's "Sign in with a code" tab: the device authorization grant (RFC 8628) in a notebook.

For remote kernels (Colab, JupyterHub, SSH, containers), where the browser cannot reach the
kernel's loopback address: the panel shows a link to the verification page and a short code;
the user opens the page (anywhere, even on a phone), enters the code and presses Allow, and the
panel says "Connected". Nothing is pasted back.

How it runs: :meth:`DeviceTab.start` asks the device authorization endpoint for a code and polls
the token endpoint in a background thread (at the server's ``interval``, obeying ``slow_down``,
see :class:`~oncehub_nb.auth.device.DeviceFlow`), with a cancel event that a new start, sign-out
and closing the panel set. The link, the user code and the seconds left reach the browser as one
one-time message (``{"type": "device", ...}``), never as synced traits, so a saved notebook holds
none of them. The device code itself (whoever holds it gets the token once the user approves)
never leaves the kernel: it is not in any message, trait, output or log.

Example:
    >>> from oncehub_nb.auth import MemoryTokenStore
    >>> from oncehub_nb.notebook.panel import LoginPanel
    >>> LoginPanel(store=MemoryTokenStore(), env={}).device.available
    False
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from oncehub_nb._errors import (
    AuthorizationDenied,
    DeviceCodeExpired,
    OnceHubError,
)
from oncehub_nb.notebook.connect import Outcome, explain

if TYPE_CHECKING:
    from oncehub_nb.auth.device import DeviceCode
    from oncehub_nb.notebook.connect import Connector
    from oncehub_nb.notebook.widget import SignInWidget

__all__ = ["DENIED", "EXPIRED", "DeviceTab"]

#: What the panel says when the user pressed Deny on the verification page.
DENIED = (
    "The sign-in with a code was denied on the verification page, so nothing was connected. "
    "Press Get a new code to try again, then press Allow."
)
#: What the panel says when the code ran out before anyone pressed Allow.
EXPIRED = (
    "The code expired before anyone pressed Allow. Press Get a new code, enter it on the "
    "verification page and press Allow."
)
WAITING = "Waiting for you to enter the code on the verification page and press Allow…"


class DeviceTab:
    """Start, show and poll sign-ins with a code for one panel; at most one runs at a time.

    Args:
        connector: the panel's sign-in logic (its OAuth app, store and transport).
        widget: the panel's widget (status line and one-time messages).
        apply: what the panel does with an outcome (shows "Connected" or the error).

    Attributes:
        clock: the flow's clock (default ``time.monotonic``); tests pass a fake one.
        sleep: the wait between polls (default: one that a cancel cuts short); tests pass one
            that moves the fake clock, so no real second passes.
        code: the code being shown (``None``: none); its device code stays in the kernel.
    """

    def __init__(
        self,
        connector: Connector,
        widget: SignInWidget,
        apply: Callable[[Outcome], None],
    ) -> None:
        self.connector = connector
        self.widget = widget
        self.apply = apply
        self.clock: Callable[[], float] = time.monotonic
        self.sleep: Callable[[float], object] | None = None
        self.code: DeviceCode | None = None
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        """``True`` when the OAuth app has a device authorization endpoint."""
        config = self.connector.config
        return config is not None and bool(config.device_authorization_url)

    @property
    def running(self) -> bool:
        """``True`` while a code is being requested or polled for."""
        thread = self._thread
        return thread is not None and thread.is_alive()

    def start(self, *, new: bool = False) -> bool:
        """Show a code and poll for it in the background (a new one with ``new=True``).

        Without ``new``, a code still being polled for is shown again instead (a second view
        of the panel, a re-rendered page).

        Args:
            new: cancel the current code, if any, and request another.

        Returns:
            ``True`` when a code is (being) shown; ``False`` when the app has no device
            endpoint or the panel is connected.
        """
        if not self.available or self.connector.connected:
            return False
        with self._lock:
            if not new and self.running:
                self._tell(self.code)
                return True
            self._cancel.set()
            cancel = self._cancel = threading.Event()
            self.code = None
            self._tell(None)
            self.widget.say("Asking for a code…")
            thread = threading.Thread(
                target=self._run, args=(cancel,), name="oncehub-device-sign-in", daemon=True
            )
            self._thread = thread
        thread.start()
        return True

    def resend(self) -> None:
        """Tell the browser the current code again (after a new view said "ready")."""
        if self.running and self.code is not None:
            self._tell(self.code)

    def cancel(self) -> None:
        """Stop polling and take the code off the page (sign-out, closing, a new start)."""
        with self._lock:
            self._cancel.set()
            shown, self.code = self.code, None
        if shown is not None:
            self._tell(None)

    def join(self, timeout: float | None = None) -> None:
        """Wait for the background thread to end (tests; it ends on success, error or cancel)."""
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    # -- the background thread --------------------------------------------------------------

    def _run(self, cancel: threading.Event) -> None:
        flow = self.connector.device_flow(clock=self.clock, sleep=self.sleep)
        try:
            code = flow.start()
            with self._lock:
                if cancel.is_set():
                    return
                self.code = code
            self._tell(code)
            self.widget.say(WAITING)
            flow.wait(code, cancel=cancel)
        except BaseException as exc:  # every end is shown in the panel (bugs re-raised)
            if cancel.is_set():
                return  # a new start, sign-out or close: nothing to say
            outcome = self._explain(exc)
        else:
            if cancel.is_set():
                return
            outcome = self.connector.connect_device()
        with self._lock:
            if cancel.is_set():
                return
            self.code = None
        self._tell(None, ended="ok" if outcome.ok else "failed")
        self.apply(outcome)

    def _explain(self, exc: BaseException) -> Outcome:
        if isinstance(exc, AuthorizationDenied):
            return Outcome(False, DENIED, False, exc)
        if isinstance(exc, DeviceCodeExpired):
            return Outcome(False, EXPIRED, False, exc)
        if isinstance(exc, OnceHubError):
            outcome = explain(exc, api_base=self.connector.api_base, via="oauth")
            text = outcome.message.replace("Press Start again", "Press Get a new code")
            return Outcome(False, text, False, exc)
        raise exc  # a bug: let the thread report it

    def _tell(self, code: DeviceCode | None, *, ended: str = "") -> None:
        """The one message the browser gets about a code: no device code in it, ever."""
        message: dict[str, Any] = {"type": "device", "link": None, "user_code": None}
        if code is not None:
            message.update(
                link=code.link,
                page=code.verification_uri,
                user_code=code.user_code,
                expires_in=max(0.0, round(code.expires_at - self.clock(), 1)),
            )
        if ended:
            message["ended"] = ended
        self.widget.tell(message)

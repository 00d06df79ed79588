"""Knobs mixed into :class:`~oncehub_nb.sandbox.Sandbox`: faults, latency, limits, counters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from oncehub_nb.sandbox._dataset import Record
from oncehub_nb.sandbox._state import SandboxState, check_fault


class SandboxKnobs:
    """Server-side controls of a sandbox (also at ``/_sandbox/...`` for other processes)."""

    state: SandboxState

    def inject(
        self,
        kind: str,
        *,
        count: int = 1,
        status: int = 500,
        delay_ms: int = 0,
        retry_after: float | None = None,
        path: str | None = None,
        after: int = 0,
    ) -> None:
        """Make the next ``count`` API requests fail: ``5xx``, ``429``, ``reset`` or ``slow``.

        With ``after=N`` the fault is armed only once N more API requests have been answered
        (a deterministic "in the middle of a pull" trigger; see :meth:`schedule`).

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> sb = Sandbox(bookings=0)
            >>> sb.inject("5xx", count=3, status=503)
            >>> sb.inject("reset", after=5)
        """
        arguments: dict[str, Any] = {
            "count": count,
            "status": status,
            "delay_ms": delay_ms,
            "retry_after": retry_after,
            "path": path,
        }
        if after <= 0:
            self.state.inject(kind, **arguments)
            return
        check_fault(kind, count=count, status=status)  # refuse now, not in the server thread
        self.state.schedule(after, lambda: self.state.inject(kind, **arguments))

    def schedule(self, after: int, action: Callable[[], object]) -> None:
        """Run ``action`` when the API request after the next ``after`` ones arrives.

        A hook for mid-pull events: revoke a token, tighten the rate limit, break the token
        endpoint. The action runs in the server thread, before that request is handled.

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> sb = Sandbox(bookings=0)
            >>> sb.schedule(10, lambda: sb.set_rate_limits([(1, 0.5)]))
        """
        self.state.schedule(after, action)

    def set_rate_limits(self, limits: list[tuple[int, float]]) -> None:
        """Enforce other limits from now on: ``[(requests, window seconds)]`` (account[, IP]).

        Windows are real seconds (``time_scale`` is not applied). Use it to tighten the limit
        in the middle of a pull; :attr:`rate_limits` reports the new values.

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> sb = Sandbox(bookings=0, time_scale=0.01)
            >>> sb.set_rate_limits([(2, 0.1), (100, 3.0)])
            >>> sb.rate_limits
            [(2, 0.1), (100, 3.0)]
        """
        self.state.set_rate_limits(limits)

    def clear_faults(self) -> None:
        """Drop every pending fault.

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> Sandbox(bookings=0).clear_faults()
        """
        self.state.clear_faults()

    def set_latency(self, ms: int) -> None:
        """Add ``ms`` milliseconds to every API request.

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> Sandbox(bookings=0).set_latency(50)
        """
        if ms < 0:
            raise ValueError("latency must be >= 0")
        self.state.latency_ms = ms

    def stats(self) -> dict[str, Any]:
        """Counters: API requests and responses, faults, rate-limit refusals, TCP connections.

        ``connections`` counts the connections the server accepted (all routes): a client that
        keeps its connection alive adds one for a whole pull.

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> Sandbox(bookings=0).stats()["rate_limited"]
            0
        """
        return self.state.stats()

    def reset_stats(self) -> None:
        """Zero the counters.

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> Sandbox(bookings=0).reset_stats()
        """
        self.state.reset_stats()

    def set_seat(self, user_id: str, *, assigned: bool) -> None:
        """Give a user a seat, or take it away: a seatless host's calendars answer 402.

        Time slots and scheduling on a booking calendar hosted by a user with no seat answer
        402, and reassigning a booking to such a user answers 409 (OnceHub's documented
        answers). Every generated user has a seat.

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> sb = Sandbox(bookings=0)
            >>> user = sb.ground_truth("users")[0]["id"]
            >>> sb.set_seat(user, assigned=False)
        """
        with self.state.lock:
            if user_id not in self.state.data.collections["users"]:
                raise ValueError(f"no such user: {user_id!r}")
            if assigned:
                self.state.data.seatless.discard(user_id)
            else:
                self.state.data.seatless.add(user_id)

    def ground_truth(self, collection: str = "bookings") -> list[Record]:
        """Every live record of ``collection`` as the API returns it (unexpanded, API order).

        ``"one-time-links"`` gives the one-time links made through the API, with what they were
        made for (``source``, ``booking_form`` ...): no API call lists them.

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> len(Sandbox(bookings=4).ground_truth("bookings"))
            4
        """
        return self.state.ground_truth(collection)

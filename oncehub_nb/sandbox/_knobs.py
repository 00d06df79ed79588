"""Knobs mixed into :class:`~oncehub_nb.sandbox.Sandbox`: faults, latency, limits, counters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Unpack

from oncehub_nb.sandbox._dataset import Record
from oncehub_nb.sandbox._options import LimitPairs
from oncehub_nb.sandbox._state import Fault, FaultSettings, SandboxState


class SandboxKnobs:
    """Server-side controls of a sandbox (also at ``/_sandbox/...`` for other processes)."""

    state: SandboxState

    def inject(self, kind: str, *, after: int = 0, **fault: Unpack[FaultSettings]) -> None:
        """Make the next ``count`` API requests fail: ``5xx``, ``429``, ``reset`` or ``slow``.

        Args:
            kind: ``5xx`` (answer ``status``), ``429`` (with ``retry_after`` seconds when
                given), ``reset`` (close the connection) or ``slow`` (answer ``delay_ms`` late).
            after: arm the fault only once this many more API requests have been answered (a
                deterministic "in the middle of a pull" trigger; see :meth:`schedule`).
            **fault: ``count`` (default 1), ``status``, ``delay_ms``, ``retry_after``, ``path``
                (only requests under it): the fields of ``Fault``, whose defaults apply.

        Raises:
            ValueError: an impossible fault (checked now, not in the server thread).

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> sb = Sandbox(bookings=0)
            >>> sb.inject("5xx", count=3, status=503)
            >>> sb.inject("reset", after=5)
        """
        self.state.inject(Fault(kind, **fault), after=after)

    def schedule(self, after: int, action: Callable[[], object]) -> None:
        """Run ``action`` when the API request after the next ``after`` ones arrives.

        A hook for mid-pull events: revoke a token, tighten the rate limit, break the token
        endpoint. The action runs in the server thread, before that request is handled.

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> sb = Sandbox(bookings=0)
            >>> sb.schedule(10, lambda: sb.set_rate_limit([(1, 0.5)]))
        """
        self.state.schedule(after, action)

    def set_rate_limit(self, rate_limit: bool | LimitPairs) -> None:
        """Enforce other limits from now on: what the ``rate_limit`` setting takes.

        ``True``: OnceHub's (time-scaled); ``False``: none; or ``[(requests, window seconds)]``
        pairs (account[, IP]) in real seconds (``time_scale`` is not applied). Use it to tighten
        the limit in the middle of a pull; :attr:`rate_limit` reports the new values.

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> sb = Sandbox(bookings=0, time_scale=0.01)
            >>> sb.set_rate_limit([(2, 0.1), (100, 3.0)])
            >>> sb.rate_limit
            [(2, 0.1), (100, 3.0)]
            >>> sb.set_rate_limit(False)
            >>> sb.rate_limit
            []
        """
        self.state.set_rate_limit(rate_limit)

    @property
    def rate_limit(self) -> list[tuple[int, float]]:
        """The enforced ``(requests, window seconds)`` pairs, time-scaled; ``[]`` when off.

        A client keeps under the same limits with ``OnceHub(rate_limit=sb.rate_limit)``.

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> Sandbox(bookings=0, time_scale=0.01).rate_limit
            [(5, 0.01), (200, 3.0)]
            >>> Sandbox(bookings=0, rate_limit=False).rate_limit
            []
        """
        return list(self.state.limits.enforced) if self.state.rate_limit else []

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

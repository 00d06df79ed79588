"""Mutable sandbox state: dataset, API keys, injected faults, statistics, rate limits."""

from __future__ import annotations

import copy
import dataclasses
import random
import secrets
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypedDict, Unpack

from werkzeug.datastructures import Headers

from oncehub_nb.sandbox._data import generate
from oncehub_nb.sandbox._dataset import Dataset, Record
from oncehub_nb.sandbox._departures import check_profile
from oncehub_nb.sandbox._errors import no_plan, unauthorized
from oncehub_nb.sandbox._limits import enforced, limits_for
from oncehub_nb.sandbox._options import DataOptions, DataSettings, LimitPairs
from oncehub_nb.sandbox._times import SandboxClock

FAULT_KINDS = ("5xx", "429", "reset", "slow")


@dataclass(frozen=True)
class Account:
    """Who a request acts for, as decided by an authenticator.

    Example:
        >>> Account(key="k", email="owner@example.com").has_api_access
        True
    """

    key: str
    email: str
    has_api_access: bool = True


@dataclass
class Fault:
    """A pending injected fault: ``count`` more requests under ``path`` will get it.

    The defaults here are the only ones: ``Sandbox.inject`` and ``POST /_sandbox/faults``
    pass on what they are given. An impossible fault raises ``ValueError`` when made.

    Example:
        >>> Fault(kind="5xx", count=2).status
        500
        >>> Fault("5xx", status=404)
        Traceback (most recent call last):
        ...
        ValueError: status must be a 5xx code
    """

    kind: str
    count: int = 1
    status: int = 500
    delay_ms: int = 0
    retry_after: float | None = None
    path: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(
                f"unknown fault kind {self.kind!r}; use one of {', '.join(FAULT_KINDS)}"
            )
        if self.count < 1:
            raise ValueError("count must be >= 1")
        if self.kind == "5xx" and not 500 <= self.status <= 599:
            raise ValueError("status must be a 5xx code")


class FaultSettings(TypedDict, total=False):
    """:class:`Fault`'s fields besides ``kind``, as keyword arguments (see there)."""

    count: int
    status: int
    delay_ms: int
    retry_after: float | None
    path: str | None


#: An authenticator looks at request headers and returns an account, raises ApiError to refuse,
#: or returns None when the request carries no credential it understands.
Authenticator = Callable[[Headers], Account | None]


class SandboxState:
    """Everything a running sandbox knows; shared by the routes and the ``Sandbox`` runner.

    Thread-safe: the server answers requests on several threads.

    Example:
        >>> state = SandboxState(bookings=10, seed=0, api_key="secret-key")
        >>> state.authenticate({"API-Key": "secret-key"}).email == state.data.account_email
        True
    """

    def __init__(
        self, options: DataOptions | None = None, /, **settings: Unpack[DataSettings]
    ) -> None:
        o = DataOptions(**settings) if options is None else dataclasses.replace(options, **settings)
        if o.bookings < 0:
            raise ValueError("bookings must be >= 0")
        #: ``"live"`` (answers like real OnceHub data) or ``"spec"`` (see ``_departures``).
        self.profile = check_profile(o.profile)
        self.lock = threading.RLock()
        #: The sandbox's present: its data's anchor and the time it stamps on writes.
        self.clock = SandboxClock(o.anchor, clock=o.clock)
        self.data: Dataset = generate(bookings=o.bookings, seed=o.seed, anchor=self.clock.anchor)
        #: Ids of records the API creates (and webhook event ids) come from here: the same
        #: requests on the same seed make the same ids. Secrets still come from ``secrets``.
        self.rng = random.Random(f"sandbox-writes-{o.seed}")
        self.api_key = o.api_key or secrets.token_urlsafe(24)
        self.no_plan_api_key = secrets.token_urlsafe(24)
        #: Opens the admin and test endpoints (``Sandbox-Admin-Token`` header).
        self.admin_token = o.admin_token or secrets.token_urlsafe(32)
        self.time_scale = o.time_scale
        self.rate_limit = enforced(o.rate_limit)
        self.limits = limits_for(o.rate_limit, o.time_scale)
        self.latency_ms = o.latency_ms
        self.faults: list[Fault] = []
        #: Actions armed by :meth:`schedule`: [API requests still to let through, action].
        self._scheduled: list[tuple[list[int], Callable[[], object]]] = []
        self._requests: Counter[str] = Counter()
        self._responses: Counter[str] = Counter()
        self._faults_injected: Counter[str] = Counter()
        self._rate_limited = 0
        self._connections = 0
        self.authenticators: list[Authenticator] = [self._api_key_authenticator]
        #: Webhook deliveries made (see ``_webhook_delivery``), oldest first.
        self.webhook_deliveries: list[dict[str, Any]] = []
        #: Deliveries wait for this gate (open by default). Recording a webhook flow closes it
        #: while the client's own request is in flight: vcrpy un-patches HTTP globally while it
        #: sends a request, so a delivery sent at that moment would not be recorded.
        self.webhook_gate = threading.Event()
        self.webhook_gate.set()

    # -- authentication -------------------------------------------------------------------

    def _api_key_authenticator(self, headers: Headers) -> Account | None:
        key = headers.get("API-Key")
        if key is None:
            return None
        if secrets.compare_digest(key.encode(), self.api_key.encode()):
            return Account(key=self.api_key, email=self.data.account_email)
        if secrets.compare_digest(key.encode(), self.no_plan_api_key.encode()):
            return Account(
                key=self.no_plan_api_key, email=self.data.account_email, has_api_access=False
            )
        raise unauthorized()

    def authenticate(self, headers: Headers | Mapping[str, str]) -> Account:
        """Return the account the request acts for, or raise the 401/403 :class:`ApiError`.

        Authenticators in :attr:`authenticators` are asked in order; the first that
        recognises a credential decides. Later features append their own (e.g. Bearer tokens).

        Example:
            >>> state = SandboxState(bookings=0, api_key="k")
            >>> state.authenticate({}).email
            Traceback (most recent call last):
            ...
            oncehub_nb.sandbox._errors.ApiError: Invalid API key.
        """
        lookup = headers if isinstance(headers, Headers) else Headers(list(headers.items()))
        for authenticator in self.authenticators:
            account = authenticator(lookup)
            if account is not None:
                if not account.has_api_access:
                    raise no_plan()
                return account
        raise unauthorized()

    # -- faults ---------------------------------------------------------------------------

    def inject(self, fault: Fault, *, after: int = 0) -> None:
        """Queue a fault for the next ``fault.count`` API requests (only under its ``path``).

        With ``after=N`` it is armed only once N more API requests have been answered.

        Example:
            >>> state = SandboxState(bookings=0)
            >>> state.inject(Fault("5xx", count=2, status=503))
            >>> state.take_fault("/v2/test").status
            503
        """
        if after > 0:
            self.schedule(after, lambda: self.inject(fault))
            return
        with self.lock:
            self.faults.append(dataclasses.replace(fault))  # its count is spent: a copy

    def clear_faults(self) -> None:
        """Drop every pending fault and every scheduled action.

        Example:
            >>> SandboxState(bookings=0).clear_faults()
        """
        with self.lock:
            self.faults.clear()
            self._scheduled.clear()

    def schedule(self, after: int, action: Callable[[], object]) -> None:
        """Run ``action`` once, when the API request after the next ``after`` ones arrives.

        The ``after`` requests are answered normally; the action runs before the next one is
        handled (before its fault, rate-limit and auth checks), so what it changes applies to
        that request: a deterministic trigger for faults in the middle of a pull.

        Example:
            >>> state = SandboxState(bookings=0)
            >>> state.schedule(1, lambda: state.inject(Fault("5xx")))
            >>> state.run_scheduled(); state.take_fault("/v2/x") is None
            True
            >>> state.run_scheduled(); state.take_fault("/v2/x").kind
            '5xx'
        """
        if after < 0:
            raise ValueError("after must be >= 0")
        with self.lock:
            self._scheduled.append(([after], action))

    def run_scheduled(self) -> None:
        """Count one API request against the scheduled actions; run those that fall due.

        Example:
            >>> SandboxState(bookings=0).run_scheduled()
        """
        with self.lock:
            due = []
            for entry in list(self._scheduled):
                left, action = entry
                if left[0] <= 0:
                    self._scheduled.remove(entry)
                    due.append(action)
                else:
                    left[0] -= 1
        for action in due:  # outside the lock: an action may take other locks (OAuth)
            action()

    def set_rate_limit(self, rate_limit: bool | LimitPairs) -> None:
        """Enforce other limits from now on (what ``DataOptions.rate_limit`` takes).

        ``True``: OnceHub's, time-scaled; ``False``: none; or ``(requests, window seconds)``
        pairs, real seconds: the per-account limit, then (if given) the per-IP limit.

        Example:
            >>> state = SandboxState(bookings=0)
            >>> state.set_rate_limit([(1, 0.5)])
            >>> state.limits.enforced
            [(1, 0.5)]
        """
        with self.lock:
            self.rate_limit = enforced(rate_limit)
            old, self.limits = self.limits, limits_for(rate_limit, self.time_scale)
        old.close()

    def take_fault(self, path: str) -> Fault | None:
        """Consume one unit of the first pending fault that applies to ``path``.

        Example:
            >>> SandboxState(bookings=0).take_fault("/v2/bookings") is None
            True
        """
        with self.lock:
            for fault in self.faults:
                if fault.path is None or path.startswith(fault.path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self.faults.remove(fault)
                    self._faults_injected[fault.kind] += 1
                    return fault
        return None

    # -- statistics -----------------------------------------------------------------------

    def count_request(self, key: str) -> None:
        """Count one API request under ``"METHOD /route"``.

        Example:
            >>> state = SandboxState(bookings=0)
            >>> state.count_request("GET /v2/test")
            >>> state.stats()["requests"]
            {'GET /v2/test': 1}
        """
        with self.lock:
            self._requests[key] += 1

    def count_connection(self) -> None:
        """Count one TCP connection accepted by the server (clients that reuse one count once).

        Example:
            >>> state = SandboxState(bookings=0)
            >>> state.count_connection()
            >>> state.stats()["connections"]
            1
        """
        with self.lock:
            self._connections += 1

    def count_response(self, status: int, *, rate_limited: bool = False) -> None:
        """Count one API response by status (and limiter refusals separately).

        Example:
            >>> state = SandboxState(bookings=0)
            >>> state.count_response(429, rate_limited=True)
            >>> state.stats()["rate_limited"]
            1
        """
        with self.lock:
            self._responses[str(status)] += 1
            if rate_limited:
                self._rate_limited += 1

    def stats(self) -> dict[str, Any]:
        """Return a snapshot of the counters.

        Example:
            >>> sorted(SandboxState(bookings=0).stats())
            ['connections', 'faults_injected', 'rate_limited', 'requests', 'responses']
        """
        with self.lock:
            return {
                "connections": self._connections,
                "requests": dict(self._requests),
                "responses": dict(self._responses),
                "faults_injected": dict(self._faults_injected),
                "rate_limited": self._rate_limited,
            }

    def reset_stats(self) -> None:
        """Zero every counter.

        Example:
            >>> SandboxState(bookings=0).reset_stats()
        """
        with self.lock:
            self._requests.clear()
            self._responses.clear()
            self._faults_injected.clear()
            self._rate_limited = 0
            self._connections = 0

    # -- data -----------------------------------------------------------------------------

    def admit_ip(self, ip: str) -> bool:
        """Apply the per-IP limit (always ``True`` when rate limits are off).

        Example:
            >>> SandboxState(bookings=0, rate_limit=False).admit_ip("::1")
            True
        """
        return not self.rate_limit or self.limits.admit_ip(ip)

    def admit_account(self, account: Account) -> bool:
        """Apply the per-account limit (always ``True`` when rate limits are off).

        Example:
            >>> SandboxState(bookings=0).admit_account(Account(key="k", email="a@b.c"))
            True
        """
        return not self.rate_limit or self.limits.admit_account(account.key)

    def ground_truth(self, collection: str) -> list[Record]:
        """Return copies of every live record of ``collection`` in API order.

        ``"one-time-links"`` gives the one-time links made through the API (oldest first), which
        no API call lists.

        Example:
            >>> len(SandboxState(bookings=7).ground_truth("bookings"))
            7
        """
        with self.lock:
            if collection == "one-time-links":
                return copy.deepcopy(list(self.data.one_time_links.values()))
            if collection not in self.data.collections:
                raise ValueError(f"unknown collection {collection!r}")
            return copy.deepcopy(self.data.live(collection))

    def close(self) -> None:
        """Release the rate limiter.

        Example:
            >>> SandboxState(bookings=0).close()
        """
        self.limits.close()

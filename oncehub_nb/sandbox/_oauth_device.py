"""The sandbox's device authorization grant (RFC 8628), on oauthlib's server side.

oauthlib 4 ships the whole provider side: :class:`DeviceAuthorizationEndpoint` issues the
``device_code`` / ``user_code`` pair and :class:`DeviceCodeGrant` answers the token requests,
mapping what :meth:`DeviceGrants.status` returns to ``authorization_pending``, ``slow_down``,
``access_denied``, ``expired_token`` or a token. This module only keeps the records, the knobs
and the counters, and serves the verification page (enter the code, Allow / Deny).

Its knobs are :class:`~oncehub_nb.sandbox.DeviceKnobs` (what each means, and its default), set
with ``sb.oauth.configure(device_interval=...)`` or ``POST /_sandbox/oauth/knobs``. For example
``device_pending_polls=3, device_slow_down=3``: pending, pending, slow_down, token.

Time is read from :attr:`DeviceGrants.clock` (``time.monotonic``; tests share a fake one with
the client, so intervals are checked without real waiting).

Example:
    >>> grants = DeviceGrants()
    >>> grants.configure(device_interval=2, device_auto_decision="allow")
    >>> grants.knobs()["device_interval"]
    2
"""

from __future__ import annotations

import dataclasses
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable

from oauthlib.common import Request

from oncehub_nb.sandbox._options import DeviceKnobs

__all__ = ["DEVICE_GRANT", "DeviceGrants", "DeviceRecord"]

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"
_ALPHABET = "BCDFGHJKLMNPQRSTVWXZ"  # RFC 8628 6.1: no vowels, no look-alike digits


def new_user_code() -> str:
    """Eight letters as ``XXXX-XXXX`` (about 34 bits; RFC 8628 section 6.1).

    Example:
        >>> len(new_user_code()), new_user_code()[4]
        (9, '-')
    """
    letters = "".join(secrets.choice(_ALPHABET) for _ in range(8))
    return f"{letters[:4]}-{letters[4:]}"


@dataclasses.dataclass
class DeviceRecord:
    """One issued code pair and what became of it."""

    client_id: str
    user_code: str
    scopes: list[str]
    expires_at: float
    interval: float
    decision: str = "pending"  # "pending", "allow", "deny", "used"
    undecided_polls: int = 0
    poll_times: list[float] = dataclasses.field(default_factory=list)


class DeviceGrants(DeviceKnobs):
    """Device codes of one sandbox: records, knobs, counters, the status oauthlib asks for.

    Args:
        clock: seconds, monotonic (tests pass a fake one shared with the client).
    """

    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        #: Makes the user codes (the cassette recorder sets a repeatable one).
        self.new_user_code: Callable[[], str] = new_user_code
        self.records: dict[str, DeviceRecord] = {}  # by device_code
        self._lock = threading.RLock()
        self._stats: Counter[str] = Counter()

    # -- knobs ----------------------------------------------------------------------------

    # -- records --------------------------------------------------------------------------

    def issue(self, device_code: str, user_code: str, client_id: str, scopes: list[str]) -> None:
        """Keep a code pair oauthlib just issued."""
        with self._lock:
            now = self.clock()
            for stale in [k for k, r in self.records.items() if r.expires_at + 3600 < now]:
                del self.records[stale]
            self.records[device_code] = DeviceRecord(
                client_id, user_code, scopes, now + self.device_code_ttl, self.device_interval
            )
            self._stats["codes_issued"] += 1

    def find(self, user_code: str) -> DeviceRecord | None:
        """The live, undecided record of a user code (spaces, case and dashes ignored)."""
        wanted = "".join(ch for ch in user_code.upper() if ch.isalnum())
        with self._lock:
            for record in self.records.values():
                if record.user_code.replace("-", "") == wanted and record.decision == "pending":
                    return record if record.expires_at > self.clock() else None
        return None

    def decide(self, user_code: str, *, allow: bool) -> bool:
        """Allow or deny a code, as the verification page does; ``False`` when unknown."""
        with self._lock:
            record = self.find(user_code)
            if record is None:
                return False
            record.decision = "allow" if allow else "deny"
            self._stats["approved" if allow else "denied"] += 1
            return True

    def poll_times(self) -> list[list[float]]:
        """For each code, the clock times of its token requests (to check the intervals)."""
        with self._lock:
            return [list(r.poll_times) for r in self.records.values()]

    # -- what oauthlib asks ---------------------------------------------------------------

    def status(self, client_id: str, device_code: str, request: Request) -> str | None:
        """The RFC 8628 status of ``device_code`` for a token request (oauthlib's question)."""
        with self._lock:
            record = self.records.get(device_code)
            if record is None or record.client_id != client_id or record.decision == "used":
                return None  # invalid_grant
            now = self.clock()
            previous = record.poll_times[-1] if record.poll_times else None
            record.poll_times.append(now)
            self._stats["polls"] += 1
            if now >= record.expires_at:
                self._stats["expired_token"] += 1
                return "expired_token"
            auto = self.device_auto_decision
            due = record.undecided_polls >= self.device_pending_polls
            if record.decision == "pending" and auto != "none" and due:
                record.decision = auto
            if record.decision == "pending":
                return self._undecided(record, previous, now)
            if record.decision == "deny":
                self._stats["access_denied"] += 1
                return "access_denied"
            record.decision = "used"  # a device code is redeemed once
            request.scopes = list(record.scopes)
            request.user = "sandbox-user"
            request.code = device_code  # the token family's origin (revocation on reuse)
            self._stats["granted"] += 1
            return "authorized"

    def _undecided(self, record: DeviceRecord, previous: float | None, now: float) -> str:
        if previous is not None and now - previous < record.interval:
            self._stats["too_fast"] += 1
            return self._slow_down(record)
        record.undecided_polls += 1
        if record.undecided_polls == self.device_slow_down:
            return self._slow_down(record)
        self._stats["authorization_pending"] += 1
        return "authorization_pending"

    def _slow_down(self, record: DeviceRecord) -> str:
        record.interval += 5  # RFC 8628 3.5: for this and all later requests
        self._stats["slow_down"] += 1
        return "slow_down"

    # -- counters -------------------------------------------------------------------------

    def stats(self) -> dict[str, int]:
        """Counters: codes issued, polls, answers by kind, too-fast polls, decisions."""
        names = (
            "codes_issued", "polls", "authorization_pending", "slow_down", "too_fast",
            "access_denied", "expired_token", "granted", "approved", "denied",
        )  # fmt: skip
        with self._lock:
            return {name: self._stats[name] for name in names}

    def reset_stats(self) -> None:
        """Zero the counters."""
        with self._lock:
            self._stats.clear()

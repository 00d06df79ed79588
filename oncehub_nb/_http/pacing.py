"""A transport's side of the shared rate limit: a turn before each API request, 429s after.

Before an API request leaves, :meth:`Pacer.turn` takes its turn in the budgets this machine
shares (:mod:`.limits`), waiting at most until the request's ``max_wait`` deadline; a longer
wait is announced to progress bars (``oncehub_nb._config.rate_limit_notices``); a turn held up
since it was taken (the IP's, while the account's waited; a garbage collection of this process
before the request was written) is dated again as the request leaves (:meth:`Pacer.leaving`,
called as the connection pool hands the request its connection). After a 429,
:meth:`Pacer.answered` slows the shared limiter down for every process.

Example:
    >>> Pacer(None, max_wait=600).limiter is None  # rate_limit=False: no turns to take
    True
"""

from __future__ import annotations

import time

import requests

from oncehub_nb._config import notify_rate_limit
from oncehub_nb._errors import no_turn_in_time
from oncehub_nb._http.limits import SharedLimiter
from oncehub_nb._http.retries import retry_after_seconds

__all__ = ["WAITING_NOTE", "Pacer"]

#: What a progress bar shows while requests wait for their turn or after a 429.
WAITING_NOTE = "waiting for the rate limit"


class Pacer:
    """Turns under the shared limits for one transport, and the note shown while waiting.

    Args:
        limiter: the shared limiter (``None``: the client-side limit is off).
        max_wait: the setting of the same name (for the error's message).
    """

    def __init__(self, limiter: SharedLimiter | None, *, max_wait: float) -> None:
        self.limiter = limiter
        self.max_wait = max_wait
        self._noted = False

    def turn(self, request: requests.PreparedRequest, account: str, deadline: float) -> None:
        """Wait for the request's turn, until ``deadline`` (``time.monotonic()``) at most.

        Call it just before the request is sent: its turns are dated when this returns, and
        again by :meth:`leaving` if the request leaves later.

        Args:
            request: the request about to leave.
            account: the credential's account name (a digest).
            deadline: when the request's ``max_wait`` runs out.

        Raises:
            RateLimitError: no turn in time; the request was not sent.
        """
        if self.limiter is None:
            return
        waited = [False]

        def announce() -> None:
            waited[0] = True
            self.note(WAITING_NOTE)

        left = max(0.0, deadline - time.monotonic())
        if not self.limiter.try_acquire(account, timeout=left, notify=announce):
            path = (request.path_url or "/").split("?", 1)[0]
            raise no_turn_in_time(f"{request.method} {path}", max_wait=self.max_wait)
        if not waited[0]:
            self.note(None)  # requests flow again: the bar's note goes

    def leaving(self, account: str) -> None:
        """The request this thread took its turn for leaves now: date the turn now.

        Between the turn and the write, this process may pause (a full garbage collection of
        a pull's records took 20-49 ms in ``bench/arrival.py``); a turn dated before the pause
        would let the requests after it reach the server closer than its window allows.

        Args:
            account: the account the turn was taken for.
        """
        if self.limiter is not None:
            self.limiter.leaving(account)

    def answered(self, response: requests.Response, account: str) -> None:
        """After a 429, slow the shared limiter down (the server's budget is smaller).

        Args:
            response: the API's answer.
            account: the account it was sent for.
        """
        if self.limiter is not None and response.status_code == 429:
            self.limiter.slow_down(account, retry_after=retry_after_seconds(response))

    def note(self, note: str | None) -> None:
        """Tell the progress bars (only when the note changes from shown to cleared).

        Args:
            note: what the requests wait for, or ``None``.
        """
        if note is None and not self._noted:
            return  # nothing shown: no need to tell the listeners on every request
        self._noted = note is not None
        notify_rate_limit(note)

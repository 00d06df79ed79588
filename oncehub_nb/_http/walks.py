"""How many walks at once a listing's pull needs, from what its pages cost.

:mod:`.parallel` asks it after every page (on the medians of the last pages); :mod:`.slicing`
then decides where the walks' slices start.

Example:
    >>> walks_needed(5.0, 0.26, cpu=0.01, most=4)
    2
"""

from __future__ import annotations

import math

__all__ = ["MARGIN", "MIN_GAIN", "WAIT_OVER_CPU", "walks_needed"]

#: Walks wanted = allowed rate x seconds a page takes x this (variance of the page times).
MARGIN = 1.25
#: Slice only when the allowed rate is this many times what one walk makes.
MIN_GAIN = 1.1
#: Slice only when a page's waiting is at least this many times this process's CPU in it:
#: walks overlap waiting, one runs in the interpreter at a time, and the consumer merges and
#: types in it too. Pages with more CPU come from a server on this machine (the sandbox on
#: loopback); over a network a page is mostly waiting (at 250 ms, CPU is 2-4 % of it).
WAIT_OVER_CPU = 2.0


def walks_needed(rate: float, seconds: float, *, cpu: float, most: int) -> int:
    """How many walks at once keep ``rate`` requests/s busy when a page takes ``seconds``.

    One walk sends its next request when the last answer is in, so it makes at most
    ``1 / seconds`` requests a second. More walks overlap the waiting (network, server), not
    the work: a page whose waiting is less than :data:`WAIT_OVER_CPU` times this process's own
    CPU in it (``cpu`` seconds: decoding, or a sandbox in the same process) stays one walk, and
    so does one that the rate limit already holds back (``rate * seconds`` under
    :data:`MIN_GAIN`).

    Args:
        rate: the fastest rate the limits allow (requests per second).
        seconds: what a page takes, from sending the request to its records decoded.
        cpu: this process's CPU time in that page.
        most: the most walks allowed (``max_walks``).

    Returns:
        1 (one walk) or more.

    Example:
        >>> walks_needed(5.0, 0.016, cpu=0.006, most=4), walks_needed(5.0, 0.26, cpu=0.01, most=4)
        (1, 2)
        >>> walks_needed(100.0, 0.012, cpu=0.005, most=4)  # a server on this machine: its CPU
        1
    """
    if most < 2 or rate <= 0 or not math.isfinite(seconds) or seconds <= 0:
        return 1
    if seconds - cpu < WAIT_OVER_CPU * cpu or rate * seconds < MIN_GAIN:
        return 1
    overlap = math.floor(seconds / cpu) if cpu > 0 else most
    return max(1, min(most, overlap, math.ceil(rate * seconds * MARGIN)))

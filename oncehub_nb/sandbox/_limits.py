"""OnceHub's two rate limits, enforced with pyrate-limiter's sliding-window log."""

from __future__ import annotations

from collections.abc import Sequence

from pyrate_limiter import (
    AbstractBucket,
    BucketFactory,
    Duration,
    InMemoryBucket,
    Limiter,
    Rate,
    RateItem,
)

#: The documented limits: (requests, window in seconds) per account and per client IP.
ACCOUNT_LIMIT = (5, 1.0)
IP_LIMIT = (200, 300.0)


class _PerNameFactory(BucketFactory):
    """One in-memory bucket per item name (``key:...`` or ``ip:...``), no leak thread."""

    def __init__(self, rates_for: dict[str, list[Rate]]) -> None:
        self._rates_for = rates_for
        self._buckets: dict[str, InMemoryBucket] = {}

    def wrap_item(self, name: str, weight: int = 1) -> RateItem:
        bucket = self._bucket(name)
        return RateItem(name, bucket.now(), weight=weight)  # type: ignore[no-untyped-call]

    def get(self, item: RateItem) -> InMemoryBucket:
        bucket = self._bucket(item.name)
        bucket.leak(item.timestamp)
        return bucket

    def _bucket(self, name: str) -> InMemoryBucket:
        bucket = self._buckets.get(name)
        if bucket is None:
            bucket = InMemoryBucket(self._rates_for[name.split(":", 1)[0]])
            self._buckets[name] = bucket
        return bucket

    def owned_buckets(self) -> list[AbstractBucket]:
        return list(self._buckets.values())


class RateLimits:
    """The per-account and per-IP limits, with windows scaled by ``time_scale``.

    Example:
        >>> limits = RateLimits(time_scale=0.5)
        >>> limits.enforced
        [(5, 0.5), (200, 150.0)]
        >>> limits.admit_ip("127.0.0.1") and limits.admit_account("k")
        True
    """

    def __init__(
        self, *, time_scale: float = 1.0, limits: list[tuple[int, float]] | None = None
    ) -> None:
        if time_scale <= 0:
            raise ValueError("time_scale must be positive")
        if limits is not None:  # explicit limits (seconds, not scaled): account [, ip]
            if not 1 <= len(limits) <= 2 or any(n < 1 or w <= 0 for n, w in limits):
                raise ValueError("limits must be 1 or 2 (requests >= 1, window > 0) pairs")
            self.enforced: list[tuple[int, float]] = [(int(n), float(w)) for n, w in limits]
        else:
            self.enforced = [
                (count, window * time_scale) for count, window in (ACCOUNT_LIMIT, IP_LIMIT)
            ]
        rates = [
            Rate(count, max(1, round(window * Duration.SECOND))) for count, window in self.enforced
        ]
        self._ip_limited = len(rates) > 1
        self._limiter = Limiter(_PerNameFactory({"key": rates[:1], "ip": rates[1:]}))

    def admit_ip(self, ip: str) -> bool:
        """Take one request from the client IP's budget; ``False`` when it is spent.

        A refused request is not recorded, so hammering does not extend the wait.

        Example:
            >>> RateLimits().admit_ip("::1")
            True
        """
        if not self._ip_limited:
            return True
        return bool(self._limiter.try_acquire(f"ip:{ip}", blocking=False))

    def admit_account(self, account: str) -> bool:
        """Take one request from the account's (API key's) budget; ``False`` when it is spent.

        Example:
            >>> RateLimits().admit_account("key")
            True
        """
        return bool(self._limiter.try_acquire(f"key:{account}", blocking=False))

    def close(self) -> None:
        """Release the limiter's buckets.

        Example:
            >>> RateLimits().close()
        """
        self._limiter.close()


def enforced(rate_limit: bool | Sequence[tuple[int, float]]) -> bool:
    """Whether a ``rate_limit`` setting enforces anything (``False`` and ``[]`` do not).

    Example:
        >>> enforced(True), enforced([]), enforced([(1, 1.0)])
        (True, False, True)
    """
    return rate_limit is True or (not isinstance(rate_limit, bool) and len(rate_limit) > 0)


def limits_for(rate_limit: bool | Sequence[tuple[int, float]], time_scale: float) -> RateLimits:
    """The limits a ``rate_limit`` setting names: OnceHub's (time-scaled) or the pairs given.

    Example:
        >>> limits_for([(2, 0.5)], 1.0).enforced, limits_for(True, 0.5).enforced[0]
        ([(2, 0.5)], (5, 0.5))
    """
    if isinstance(rate_limit, bool) or not rate_limit:
        return RateLimits(time_scale=time_scale)
    return RateLimits(limits=[(int(n), float(window)) for n, window in rate_limit])

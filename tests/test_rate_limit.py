"""Client-side rate limiting against the sandbox's enforced limits (OnceHub's real numbers)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from oncehub_nb import RateLimitError
from oncehub_nb.sandbox import Sandbox
from tests.conftest import client_for


@pytest.mark.slow
def test_3000_bookings_with_real_limits_get_zero_429(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(bookings=3000, seed=11)  # 5 requests/s per key, 200 per 5 min per IP
    assert sorted(sb.rate_limits) == [(5, 1.0), (200, 300.0)]
    with client_for(sb) as hub:  # the client's default limits are OnceHub's
        assert hub.settings.rate_limits == ((5, 1.0), (200, 300.0))
        hub.validate()
        # a tight loop of single gets as well as the paged pull
        for booking in sb.ground_truth("bookings")[:12]:
            hub.bookings.get(booking["id"])
        ids = [b["id"] for b in hub.bookings.list()]
    assert len(ids) == len(set(ids)) == 3000
    stats = sb.stats()
    assert stats["responses"].get("429", 0) == 0
    assert stats["rate_limited"] == 0
    assert stats["requests"]["GET /v2/bookings"] == 30


def test_without_the_client_limiter_the_sandbox_does_limit(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = make_sandbox(bookings=5, seed=1)
    with client_for(sb, rate_limit=False, max_retries=0) as hub:
        with pytest.raises(RateLimitError) as info:
            for _ in range(20):
                hub.validate()
    assert info.value.error_type == "rate_limit_error"
    assert sb.stats()["rate_limited"] >= 1

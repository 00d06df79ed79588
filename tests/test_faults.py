"""Pulls of 2,500 bookings while the sandbox injects faults mid-pull (issue 8).

Every scenario lives in :mod:`tests.reliability_scenarios` (``bench/reliability.py`` runs the
same functions). Each must end with exactly the sandbox's ground truth: directly, or through a
``PullInterrupted`` whose cursor resumes it. Retries are bounded by counts, not seconds: every
request beyond one per page is explained by a fault the client saw.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests

from oncehub_nb import APIResponseValidationError, OnceHub, PullInterrupted
from tests.reliability_scenarios import BOOKINGS, MAX_RETRIES, PAGE, SCENARIOS, ScenarioResult

pytestmark = [pytest.mark.faults, pytest.mark.timeout(90)]

#: Scenarios whose fault cannot be absorbed by retries: a typed stop, then a resume.
INTERRUPTED_BY = {
    "5xx_beyond_retries": ["ServerError"],
    "refresh_token_revoked": ["ReauthorizationRequired"],
}


def check_complete(result: ScenarioResult) -> None:
    assert result.expected == BOOKINGS
    assert (result.lost, result.duplicates, result.received) == (0, 0, BOOKINGS), result
    assert result.identical, "records differ from the sandbox's ground truth"
    assert result.cursor_ok, "a PullInterrupted cursor was not the last record kept"
    assert result.pages == BOOKINGS // PAGE
    assert result.pages <= result.requests <= result.request_bound, result
    # The absolute ceiling: no page is tried more than once plus its retries, per resume.
    assert result.requests <= result.pages + (MAX_RETRIES + 1) * 4 * (result.resumes + 1) + 80
    assert result.secrets_checked >= 1
    assert result.secrets_found == 0, "a secret showed up in logs, errors or reprs"


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_fault_scenario_ends_with_the_ground_truth(name: str) -> None:
    result = SCENARIOS[name]()
    check_complete(result)
    assert result.faults_injected >= 1
    assert result.interrupted_by == INTERRUPTED_BY.get(name, []), result
    assert result.resumes == len(result.interrupted_by)
    if name == "access_token_revoked":
        assert result.refreshes == 1  # one 401, one refresh, no stop
    if name == "refresh_token_revoked":
        assert result.signed_in_again
        assert result.refreshes == 0  # the new sign-in's token is used as it is
    if name == "token_endpoint_down":
        assert result.refreshes == 1  # the 503 at refresh was retried: one refresh, no stop
    if name == "rate_limit_tightened":
        assert result.requests > result.pages  # the tighter limit was felt ...
        assert result.interrupted_by == []  # ... and absorbed


class SamePageAdapter(requests.adapters.BaseAdapter):
    """A broken proxy or cache that ignores ``after``: always the first page, ``has_more``."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = 0

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.sent += 1
        response = requests.Response()
        response.status_code = 200
        body = {"data": [{"id": f"BKNG-{i}"} for i in range(100)], "has_more": True}
        response._content = json.dumps(body).encode()
        response.request = request
        return response

    def close(self) -> None:
        pass


def test_a_cursor_that_does_not_advance_stops_the_pull() -> None:
    adapter = SamePageAdapter()
    with OnceHub(
        api_key="k" * 24, api_base="https://stuck.invalid/v2", env={}, rate_limit=False
    ) as hub:
        hub.transport.session.mount("https://stuck.invalid", adapter)
        with pytest.raises(PullInterrupted) as info:
            hub.bookings.to_frame(raw=True, progress=False)
    assert isinstance(info.value.__cause__, APIResponseValidationError)
    assert len(info.value.records) == 100  # the page once, no duplicates
    assert info.value.cursor == "BKNG-99"
    assert adapter.sent == 2  # not an endless loop

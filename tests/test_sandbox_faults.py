"""Sandbox knobs: rate limits, injected faults, latency, stats and the admin endpoints."""

from __future__ import annotations

import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from oncehub_nb.sandbox import Sandbox


@pytest.fixture(scope="module")
def sb() -> Iterator[Sandbox]:
    with Sandbox(bookings=30, seed=1, rate_limit=False) as sandbox:
        yield sandbox


@pytest.fixture(autouse=True)
def clean(sb: Sandbox) -> None:
    sb.clear_faults()
    sb.set_latency(0)
    sb.reset_stats()


@pytest.fixture
def http(sb: Sandbox) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers["API-Key"] = sb.api_key
        yield session


def test_rate_limit_per_key_with_time_scale() -> None:
    with Sandbox(bookings=5, seed=1, time_scale=0.5) as sb, requests.Session() as http:
        assert sb.rate_limit == [(5, 0.5), (200, 150.0)]
        http.headers["API-Key"] = sb.api_key
        codes = [http.get(f"{sb.base_url}/test", timeout=5).status_code for _ in range(8)]
        assert codes[:5] == [200] * 5
        assert 429 in codes[5:]
        refused = http.get(f"{sb.base_url}/test", timeout=5)
        assert refused.json() == {
            "type": "rate_limit_error",
            "message": "Request rate limit exceeded",
        }
        assert "Retry-After" not in refused.headers
        stats = sb.stats()
        assert stats["rate_limited"] == codes.count(429) + 1
        assert stats["faults_injected"] == {}
        time.sleep(0.55)
        assert http.get(f"{sb.base_url}/test", timeout=5).status_code == 200


def test_rate_limit_per_ip_counts_every_request() -> None:
    # A 15 s window (time_scale 0.05): 203 quick requests fit in it even on a loaded machine.
    with Sandbox(bookings=5, seed=1, time_scale=0.05) as sb, requests.Session() as http:
        limit, window = sb.rate_limit[1]
        assert (limit, window) == (200, pytest.approx(15.0))
        started = time.monotonic()
        # Unauthenticated requests still count against the IP (and never reach the key limit).
        codes = [http.get(f"{sb.base_url}/test", timeout=5).status_code for _ in range(limit + 3)]
        assert time.monotonic() - started < window, "machine too slow for this window"
        assert codes[:limit] == [401] * limit
        assert codes[limit:] == [429] * 3
        assert sb.stats()["rate_limited"] == 3


def test_no_rate_limit_when_switched_off(http: requests.Session, sb: Sandbox) -> None:
    assert {http.get(f"{sb.base_url}/test", timeout=5).status_code for _ in range(12)} == {200}


def test_injected_5xx_and_429(http: requests.Session, sb: Sandbox) -> None:
    sb.inject("5xx", count=2, status=503)
    sb.inject("429", count=1, retry_after=2)
    answers = [http.get(f"{sb.base_url}/bookings", timeout=5) for _ in range(4)]
    assert [a.status_code for a in answers] == [503, 503, 429, 200]
    assert answers[0].json()["type"] == "api_error"
    assert answers[2].json()["type"] == "rate_limit_error"
    assert answers[2].headers["Retry-After"] == "2"
    assert all(a.headers["Request-Id"].startswith("req_") for a in answers)
    stats = sb.stats()
    assert stats["faults_injected"] == {"5xx": 2, "429": 1}
    assert stats["rate_limited"] == 0
    assert stats["requests"] == {"GET /v2/bookings": 4}
    assert stats["responses"] == {"503": 2, "429": 1, "200": 1}


def test_reset_fault(http: requests.Session, sb: Sandbox) -> None:
    sb.inject("reset", count=2)
    for _ in range(2):
        with pytest.raises(requests.exceptions.ConnectionError):
            http.get(f"{sb.base_url}/test", timeout=5)
    assert http.get(f"{sb.base_url}/test", timeout=5).status_code == 200
    stats = sb.stats()
    assert stats["faults_injected"] == {"reset": 2}
    assert stats["requests"]["GET /v2/test"] == 3
    assert stats["responses"] == {"200": 1}


def test_slow_fault_and_latency(http: requests.Session, sb: Sandbox) -> None:
    sb.inject("slow", count=1, delay_ms=300)
    started = time.monotonic()
    assert http.get(f"{sb.base_url}/test", timeout=5).status_code == 200
    assert time.monotonic() - started >= 0.3
    http.get(f"{sb.base_url}/test", timeout=5)  # the fault was used up by the first request
    assert sb.stats()["faults_injected"]["slow"] == 1
    sb.inject("slow", delay_ms=600)
    with pytest.raises(requests.exceptions.Timeout):
        http.get(f"{sb.base_url}/test", timeout=0.2)
    sb.set_latency(150)
    started = time.monotonic()
    http.get(f"{sb.base_url}/test", timeout=5)
    assert time.monotonic() - started >= 0.15


def test_the_limits_count_a_request_as_it_arrives_and_answer_after_the_latency() -> None:
    # One request per 10 s for the key. The first request is held up 600 ms after it arrives
    # (a slow fault); the second arrives meanwhile. Counted on arrival, as a gateway counts,
    # the first is let in and the second refused; counted after the wait, it was the reverse.
    with Sandbox(bookings=5, seed=1, rate_limit=[(1, 10.0)], latency_ms=100) as sb:
        sb.inject("slow", count=1, delay_ms=600)

        def get() -> requests.Response:
            return requests.get(f"{sb.base_url}/test", headers={"API-Key": sb.api_key}, timeout=5)

        with ThreadPoolExecutor(2) as pool:
            first = pool.submit(get)
            deadline = time.monotonic() + 5
            while not sb.stats()["requests"] and time.monotonic() < deadline:
                time.sleep(0.01)
            time.sleep(0.2)  # the first is counted (and held up) before the second leaves
            started = time.monotonic()
            second = pool.submit(get).result()
            answered = time.monotonic() - started
        assert first.result().status_code == 200
        assert second.status_code == 429
        assert answered >= 0.1  # the refusal too comes after the latency


def test_fault_path_filter(http: requests.Session, sb: Sandbox) -> None:
    sb.inject("5xx", count=1, path="/v2/contacts")
    assert http.get(f"{sb.base_url}/bookings", timeout=5).status_code == 200
    assert http.get(f"{sb.base_url}/contacts", timeout=5).status_code == 500
    assert http.get(f"{sb.base_url}/contacts", timeout=5).status_code == 200


def test_inject_validation(sb: Sandbox) -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        sb.inject("explode")
    with pytest.raises(ValueError, match="5xx"):
        sb.inject("5xx", status=404)


def test_admin_endpoints(sb: Sandbox) -> None:
    admin = f"{sb.root_url}/_sandbox"
    with requests.Session() as http:
        http.headers.update(sb.admin_headers)
        assert http.post(
            f"{admin}/faults", json={"kind": "5xx", "count": 1, "status": 502}, timeout=5
        ).ok
        assert http.post(f"{admin}/faults", json={"kind": "nope"}, timeout=5).status_code == 400
        api = {"API-Key": sb.api_key, "Sandbox-Admin-Token": ""}
        assert http.get(f"{sb.base_url}/test", headers=api, timeout=5).status_code == 502
        http.post(f"{admin}/faults", json={"kind": "429", "count": 5}, timeout=5)
        assert http.delete(f"{admin}/faults", timeout=5).ok
        assert http.get(f"{sb.base_url}/test", headers=api, timeout=5).status_code == 200
        stats = http.get(f"{admin}/stats", timeout=5).json()
        assert stats["requests"] == {"GET /v2/test": 2}
        assert stats["faults_injected"] == {"5xx": 1}
        assert http.post(f"{admin}/stats/reset", timeout=5).ok
        assert http.get(f"{admin}/stats", timeout=5).json()["requests"] == {}
        assert http.post(f"{admin}/latency", json={"ms": 5}, timeout=5).json()["ms"] == 5
        assert sb.state.latency_ms == 5
        truth = http.get(f"{admin}/ground-truth/bookings", timeout=5)
        assert truth.json() == sb.ground_truth("bookings")
        assert truth.headers["Request-Id"].startswith("req_")
        assert http.get(f"{admin}/ground-truth/nothing", timeout=5).status_code == 404
        assert sb.stats()["requests"] == {}

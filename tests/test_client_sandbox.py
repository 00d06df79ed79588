"""The API-key client against the sandbox over real HTTP on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable

import pytest

from oncehub_nb import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    BadRequestError,
    ConfigurationError,
    NotFoundError,
    OnceHub,
    PermissionDeniedError,
    ServerError,
)
from oncehub_nb.sandbox import Sandbox
from tests.conftest import client_for


def test_validate_returns_the_account(hub: OnceHub) -> None:
    account = hub.validate()
    assert "@" in account
    assert hub.account == account
    assert hub.last_request_id and hub.last_request_id.startswith("req_")


def test_wrong_key_and_no_plan_key_map_to_typed_errors(sandbox: Sandbox) -> None:
    with OnceHub(api_key="wrong-key-0123456789abcdef", api_base=sandbox.base_url, env={}) as bad:
        with pytest.raises(AuthenticationError) as info:
            bad.validate()
    assert info.value.status_code == 401
    assert info.value.error_type == "authentication_error"
    assert info.value.request_id and info.value.request_id.startswith("req_")
    assert "wrong-key-0123456789abcdef" not in str(info.value)
    with OnceHub(api_key=sandbox.no_plan_api_key, api_base=sandbox.base_url, env={}) as no_plan:
        with pytest.raises(PermissionDeniedError, match="plan"):
            no_plan.validate()


def test_pulling_1050_bookings_takes_exactly_11_list_requests(sandbox: Sandbox) -> None:
    sandbox.reset_stats()
    with client_for(sandbox) as hub:
        ids = [b["id"] for b in hub.bookings.list()]
    assert len(ids) == 1050
    assert len(set(ids)) == 1050
    assert sorted(ids) == sorted(b["id"] for b in sandbox.ground_truth("bookings"))
    assert sandbox.stats()["requests"]["GET /v2/bookings"] == 11


def test_list_is_lazy_and_resumable(sandbox: Sandbox) -> None:
    sandbox.reset_stats()
    with client_for(sandbox) as hub:
        pages = hub.bookings.list(max_items=150)
        assert sandbox.stats()["requests"].get("GET /v2/bookings", 0) == 0
        first = [b["id"] for b in pages]
        assert len(first) == 150
        assert pages.pages_fetched == 2
        rest = [b["id"] for b in hub.bookings.list(after=pages.cursor)]
    assert len(first) + len(rest) == 1050
    assert not set(first) & set(rest)


def test_a_listing_can_be_iterated_twice_and_by_page(sandbox: Sandbox) -> None:
    with client_for(sandbox) as hub:
        listing = hub.bookings.list(status="scheduled")
        first = [b["id"] for b in listing]
        second = [b["id"] for b in listing]  # a new walk: the same bookings again
        pages = [len(page.data) for page in listing.pages()]
        some = hub.bookings.list(max_items=150)
        assert len(list(some)) == len(list(some)) == 150
    truth = [b["id"] for b in sandbox.ground_truth("bookings") if b["status"] == "scheduled"]
    assert first == second == truth
    assert sum(pages) == len(truth) and pages[0] == 100


def test_filters_are_sent_on_every_page(sandbox: Sandbox) -> None:
    truth = sandbox.ground_truth("bookings")
    since = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    expected = {
        b["id"]
        for b in truth
        if b["status"] == "completed"
        and dt.datetime.fromisoformat(b["starting_time"].replace("Z", "+00:00")) > since
    }
    assert len(expected) > 100  # several pages, so the filter must survive paging
    with client_for(sandbox) as hub:
        got = list(hub.bookings.list(status="completed", starting_after=since))
    assert {b["id"] for b in got} == expected
    assert len(got) == len(expected)


def test_get_and_expand(hub: OnceHub, sandbox: Sandbox) -> None:
    some = sandbox.ground_truth("bookings")[0]
    booking = hub.bookings.get(some["id"])
    assert booking == some
    expanded = hub.bookings.get(some["id"], expand="owner")
    assert isinstance(expanded["owner"], dict)
    assert expanded["owner"]["id"] == some["owner"]


def test_not_found_carries_param_and_request_id(hub: OnceHub) -> None:
    with pytest.raises(NotFoundError) as info:
        hub.bookings.get("BKNG-DOESNOTEXIST")
    err = info.value
    assert (err.status_code, err.error_type, err.param) == (404, "invalid_request_error", "id")
    assert "BKNG-DOESNOTEXIST" in err.message
    assert err.request_id and err.request_id.startswith("req_")


def test_api_validation_error_is_bad_request(hub: OnceHub) -> None:
    with pytest.raises(BadRequestError) as info:
        next(iter(hub.bookings.list(after="BKNG-NOSUCHCURSOR")))
    assert info.value.status_code == 400


@pytest.mark.parametrize(
    ("kwargs", "named"),
    [
        ({"status": "done"}, "status"),
        ({"starting_after": "next tuesday"}, "starting_after"),
        ({"created_before": 12}, "created_before"),
        ({"owner": ""}, "owner"),
        ({"expand": "attendees"}, "expand"),
    ],
)
def test_wrong_filters_fail_before_any_request(
    sandbox: Sandbox, kwargs: dict[str, object], named: str
) -> None:
    sandbox.reset_stats()
    with client_for(sandbox) as hub, pytest.raises(ConfigurationError, match=named):
        hub.bookings.list(**kwargs)  # type: ignore[arg-type]
    assert sum(sandbox.stats()["requests"].values()) == 0


def test_a_misspelt_filter_name_gets_a_suggestion(hub: OnceHub, sandbox: Sandbox) -> None:
    sandbox.reset_stats()
    with pytest.raises(ConfigurationError, match="Did you mean 'status'"):
        hub.bookings.list(statuss="scheduled")
    with pytest.raises(ConfigurationError, match="Did you mean 'created_after'"):
        hub.bookings.to_frame(crated_after="2026-01-01", progress=False)
    assert sum(sandbox.stats()["requests"].values()) == 0  # refused before any request


def test_list_and_to_frame_show_the_filters_as_keyword_arguments() -> None:
    import inspect

    from oncehub_nb.resources import Bookings, Contacts, Webhooks

    for method in (Bookings.list, Bookings.to_frame):
        params = inspect.signature(method).parameters
        assert {"status", "owner", "starting_after", "updated_before", "expand"} <= set(params)
        assert "status:" in (method.__doc__ or "") and "starting_after:" in (method.__doc__ or "")
    assert "email" in inspect.signature(Contacts.list).parameters
    assert list(inspect.signature(Webhooks.list).parameters) == ["self", "after", "max_items"]


def test_frame_is_typed_and_matches_ground_truth(hub: OnceHub, sandbox: Sandbox) -> None:
    frame = hub.bookings.to_frame()
    assert len(frame) == 1050
    dtypes = frame.dtypes.astype(str).to_dict()
    assert dtypes["starting_time"].startswith("datetime64[") and dtypes["starting_time"].endswith(
        "UTC]"
    )
    assert dtypes["status"] == "category"
    assert dtypes["duration_minutes"] == "Int64"
    assert dtypes["in_trash"] == "boolean"
    assert dtypes["id"] == "string"
    truth = Counter(b["status"] for b in sandbox.ground_truth("bookings"))
    assert frame["status"].value_counts().to_dict() == {
        k: truth.get(k, 0) for k in frame["status"].cat.categories
    }
    empty = hub.bookings.to_frame(status="requested", starting_after="2099-01-01")
    assert len(empty) == 0
    assert empty.dtypes.astype(str).to_dict() == dtypes


def test_burst_of_429_503_and_resets_still_returns_every_booking_once(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = make_sandbox(bookings=1050, seed=3, time_scale=0.01)
    sb.inject("429", count=2, path="/v2/bookings")
    sb.inject("5xx", count=2, status=503, path="/v2/bookings")
    sb.inject("reset", count=2, path="/v2/bookings")
    with client_for(sb, max_retries=8) as hub:
        ids = [b["id"] for b in hub.bookings.list()]
    assert len(ids) == len(set(ids)) == 1050
    assert set(ids) == {b["id"] for b in sb.ground_truth("bookings")}
    stats = sb.stats()
    assert stats["faults_injected"] == {"429": 2, "5xx": 2, "reset": 2}
    assert stats["requests"]["GET /v2/bookings"] == 11 + 6


def test_retry_after_is_honoured(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(bookings=5, seed=1, rate_limit=False)
    sb.inject("429", count=1, retry_after=3)
    waits: list[float] = []
    with client_for(sb) as hub:
        hub.transport.sleep = waits.append
        assert hub.validate()
    assert waits == [3.0]


def test_retries_are_bounded(make_sandbox: Callable[..., Sandbox]) -> None:
    sb = make_sandbox(bookings=5, seed=1, rate_limit=False)
    sb.inject("5xx", count=50, status=500)
    with client_for(sb, max_retries=3) as hub:
        hub.transport.sleep = lambda _s: None
        with pytest.raises(ServerError) as info:
            hub.validate()
    assert info.value.status_code == 500
    assert sb.stats()["requests"]["GET /v2/test"] == 4


def test_post_actions_are_not_retried_after_a_server_error(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = make_sandbox(bookings=30, seed=1, rate_limit=False)
    booking = next(b for b in sb.ground_truth("bookings") if b["status"] == "scheduled")
    sb.inject("5xx", count=1, status=503)
    with client_for(sb) as hub:
        with pytest.raises(ServerError):
            hub.transport.request("POST", f"/bookings/{booking['id']}/no-show")
    assert sum(v for k, v in sb.stats()["requests"].items() if k.startswith("POST")) == 1


def test_slow_responses_time_out_then_succeed_on_retry(
    make_sandbox: Callable[..., Sandbox],
) -> None:
    sb = make_sandbox(bookings=5, seed=1, rate_limit=False)
    sb.inject("slow", count=1, delay_ms=1500)
    with client_for(sb, timeout=0.5) as hub:
        hub.transport.sleep = lambda _s: None
        assert hub.validate()
    sb.inject("slow", count=5, delay_ms=1500)
    with client_for(sb, timeout=0.5, max_retries=1) as hub:
        hub.transport.sleep = lambda _s: None
        with pytest.raises(APITimeoutError, match=r"within 0\.5 s"):
            hub.validate()


def test_unreachable_api_is_a_connection_error() -> None:
    with OnceHub(api_key="k" * 20, api_base="http://127.0.0.1:9/v2", env={}, max_retries=0) as hub:
        with pytest.raises(APIConnectionError, match="ONCEHUB_API_BASE"):
            hub.validate()


def test_a_misspelt_choice_gets_a_suggestion(hub: OnceHub) -> None:
    with pytest.raises(ConfigurationError, match="Did you mean 'canceled'"):
        hub.bookings.list(status="cancelled")

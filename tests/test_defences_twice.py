"""Defences that one test held: a second, independent test each, at another level (issue 18).

Unit tests where only a whole-client test held a rule (the door's policies, the limiter, the
incremental sync), a whole-login test where only the catcher's own test held the state check.
Each names its mutant of ``bench/mutants.py``.
"""

from __future__ import annotations

import datetime as dt
import socket
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pandas as pd
import pytest
import requests

import oncehub_nb
from oncehub_nb import ConfigurationError, OnceHub, StateMismatch, TokenExchangeError
from oncehub_nb._config import Settings
from oncehub_nb._http.credentials import Policy
from oncehub_nb._http.exchange import exchange
from oncehub_nb._http.limits import shared_limiter
from oncehub_nb._http.transport import Transport
from oncehub_nb.auth import AuthorizationFlow, MemoryTokenStore, OAuthAuth, OAuthConfig, Token
from oncehub_nb.frames.sync import sync_bookings
from oncehub_nb.notebook import signin as _signin
from oncehub_nb.sandbox import Sandbox
from tests.http_doubles import json_answer, redirect_to, serve


def _transport(**settings: Any) -> Transport:
    return Transport(Settings.resolve(env={}, rate_limit=False, backoff_base=0.01, **settings))


# -- mutant loopback-state-unchecked: the whole login, not the catcher alone -------------------


def test_a_forged_redirect_to_the_loopback_catcher_does_not_end_the_login(
    make_sandbox: Callable[..., Sandbox], monkeypatch: pytest.MonkeyPatch
) -> None:
    sb = make_sandbox(bookings=3, seed=5, rate_limit=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        redirect = f"http://127.0.0.1:{s.getsockname()[1]}/callback"
    config = OAuthConfig(**sb.oauth_settings("public", redirect_uri=redirect))
    link: list[str] = []
    answers: dict[str, int] = {}

    def browser() -> None:
        forged = requests.get(f"{redirect}?code=forged-code-0123456789&state=forged", timeout=5)
        answers["forged"] = forged.status_code
        answers["real"] = requests.get(sb.consent(link[0]), timeout=10).status_code

    thread = threading.Thread(target=browser)

    def see(*texts: object) -> None:
        words = " ".join(map(str, texts)).split()
        link.extend(w for w in words if "/oauth/authorize?" in w)
        if "Waiting" in words:  # the catcher is listening
            thread.start()

    monkeypatch.setattr(_signin, "print", see, raising=False)
    monkeypatch.setattr("builtins.input", pytest.fail)  # no paste needed
    hub = oncehub_nb.login(
        api_base=sb.base_url, rate_limit=False, env={}, store=MemoryTokenStore(), config=config,
        catch_redirect=True, wait=20,
    )  # fmt: skip
    thread.join(10)
    assert answers == {"forged": 400, "real": 200}
    assert hub.validate()
    assert sb.oauth.stats()["token_requests"] == {"authorization_code": 1}  # the forged code: never


# -- mutant transport-follows-redirects: one exchange, below the transport ----------------------


@pytest.mark.parametrize("status", [302, 307])
def test_one_exchange_never_follows_a_redirect(status: int) -> None:
    with serve(json_answer(b"{}")) as (elsewhere, caught):
        with serve(redirect_to(f"{elsewhere}/steal", status)) as (base, seen):
            request = requests.Request(
                "POST", f"{base}/token", headers={"API-Key": "k" * 24}, data={"code": "c" * 20}
            ).prepare()
            with requests.Session() as session:
                response = exchange(session, request, timeout=5, max_bytes=4096)
    assert response.status_code == status
    assert len(seen.requests) == 1 and caught.requests == []


# -- mutant url-not-checked-before-each-send ----------------------------------------------------


def test_a_request_to_a_plain_http_host_is_refused_at_the_door() -> None:
    door = _transport()
    seen: list[object] = []
    door.hooks["request"].append(seen.append)
    for url in ("http://example.com/v2/test", "http://evil.example:80\\@127.0.0.1/v2"):
        request = requests.Request("GET", url, headers={"API-Key": "k" * 24}).prepare()
        with pytest.raises(ConfigurationError):
            door.send(request, policy=Policy.READ)
    assert seen == []  # refused before anything was sent


# -- mutant action-retried-on-5xx: the door's policy, without a client --------------------------


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_the_door_sends_an_action_once_whatever_5xx_comes_back(status: int) -> None:
    with serve(json_answer(b'{"type": "api_error", "message": "x"}', status)) as (base, seen):
        request = requests.Request("POST", f"{base}/v2/bookings/BKNG-1/cancel").prepare()
        assert _transport(max_retries=5).send(request, policy=Policy.ACTION).status_code == status
    assert len(seen.requests) == 1
    with serve(json_answer(b"{}", status)) as (base, seen):  # while a read is retried
        request = requests.Request("GET", f"{base}/v2/test").prepare()
        _transport(max_retries=2).send(request, policy=Policy.READ)
    assert len(seen.requests) == 3


# -- mutants limiter-not-consulted, limiter-drops-the-longer-window -----------------------------


def test_the_limiter_holds_every_window() -> None:
    limiter = shared_limiter("https://limits.test/windows", ((2, 0.2), (3, 60.0)))
    assert [limiter.try_acquire("oncehub", blocking=False) for _ in range(3)] == [
        True, True, False,
    ]  # fmt: skip
    time.sleep(0.3)  # the short window is free again; the minute still counts 2 of 3
    assert [limiter.try_acquire("oncehub", blocking=False) for _ in range(2)] == [True, False]
    time.sleep(0.3)
    assert not limiter.try_acquire("oncehub", blocking=False)  # the minute's 3 are spent


def test_api_requests_are_counted_against_the_shared_limiter() -> None:
    with serve(json_answer(b'{"message": "ok"}')) as (base, seen):
        limits = ((3, 60.0),)
        with OnceHub(
            api_key="k" * 24, api_base=f"{base}/v2", env={}, rate_limit=limits
        ) as hub:  # fmt: skip
            hub.validate()
            hub.validate()
            account = hub.auth.rate_limit_account() or "oncehub"  # the key's digest
        budget = shared_limiter(f"{base}/v2", limits)
        assert budget.try_acquire(account, blocking=False)  # the third of three ...
        assert not budget.try_acquire(account, blocking=False)  # ... then none is left
    assert len(seen.requests) == 2


# -- mutants sync-fetches-everything-again, sync-upsert-keeps-stale-rows: the sync alone ---------


class _Source:
    """A bookings resource that answers pulls from a list, and records the filters asked."""

    def __init__(self, columns: Any, records: list[dict[str, Any]]) -> None:
        self.columns, self.api_base = columns, "https://sync.test/v2"
        self.records, self.asked = records, []  # type: list[dict[str, Any]], list[Any]

    def pull(self, filters: Mapping[str, Any], *, build: Any, progress: Any, done: Any) -> Any:
        self.asked.append(dict(filters))
        since = filters.get("updated_after")
        chosen = [
            r
            for r in self.records
            if since is None or pd.Timestamp(r["last_updated_time"]) > pd.Timestamp(since)
        ]
        return build(chosen)


def test_a_second_sync_asks_only_for_changes_and_upserts_by_id(tmp_path: Path) -> None:
    records = Sandbox(bookings=4, seed=3).ground_truth("bookings")
    with OnceHub(api_key="k" * 24, env={}) as hub:
        source = _Source(hub.bookings.columns, [dict(r) for r in records])
    target = tmp_path / "bookings.parquet"
    first = sync_bookings(source, target, progress=False)
    assert len(first) == 4 and source.asked == [{}]
    newest = max(pd.Timestamp(r["last_updated_time"]) for r in records)
    changed = dict(records[0], status="canceled")
    changed["last_updated_time"] = (newest + pd.Timedelta(minutes=1)).isoformat()
    source.records = [changed]
    second = sync_bookings(source, target, overlap=dt.timedelta(seconds=30), progress=False)
    since = pd.Timestamp(source.asked[-1]["updated_after"])
    assert since == newest - pd.Timedelta(seconds=30)  # only what changed since the last sync
    assert len(second) == 4 and second["id"].is_unique
    assert second.set_index("id").loc[changed["id"], "status"] == "canceled"


# -- mutant profile-ignores-the-token-endpoint: through the configs and a shared store ----------


def test_two_authorization_servers_never_share_a_stored_token_or_sign_in() -> None:
    redirect = "http://127.0.0.1:8765/callback"
    a, b = (
        OAuthConfig(client_id="app", redirect_uri=redirect, token_url=f"https://{host}/token")
        for host in ("a.example", "b.example")
    )
    store = MemoryTokenStore()
    store.save_token(a.profile, Token(access_token="a" * 24, refresh_token="r" * 24))
    assert store.load_token(b.profile) is None
    state = parse_qs(urlsplit(AuthorizationFlow(a, store=store).start()).query)["state"][0]
    with pytest.raises(StateMismatch):  # a's pending sign-in is not b's
        AuthorizationFlow(b, store=store).finish(f"{redirect}?code=c0de&state={state}")


# -- mutant broken-answer-loses-the-rotated-refresh-token: one broken answer, unit level ---------


def test_a_broken_refresh_answer_carrying_a_rotated_refresh_token_keeps_it() -> None:
    answer = b'{"refresh_token": "rotated-0123456789abcdef", "token_type": "Bearer"}'
    with serve(json_answer(answer)) as (base, seen):  # no access_token: not a token answer
        config = OAuthConfig(client_id="app", token_url=f"{base}/token")
        store = MemoryTokenStore()
        store.save_token(
            config.profile, Token(access_token="old-access-0123456789", refresh_token="old-r" * 5)
        )
        with pytest.raises(TokenExchangeError):
            OAuthAuth(config, store=store).refresh(_transport())
    kept = store.load_token(config.profile)
    assert len(seen.requests) == 1
    assert kept is not None and kept.refresh_token == "rotated-0123456789abcdef"

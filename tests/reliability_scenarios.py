"""Fault and concurrency scenarios, shared by the tests and ``bench/reliability.py``.

Each fault scenario starts its own sandbox (``time_scale=0.01``: OnceHub's limits, 100 times
faster), pulls a few thousand bookings while the sandbox injects one kind of fault at a fixed
point of the pull (the sandbox's ``after=N requests`` trigger, not a timer), and returns a
:class:`ScenarioResult`: what came back against the sandbox's ground truth, how many requests
were made, how many faults were injected, and how many secrets showed up in what was captured
(DEBUG logs of every library, error messages, reprs). A pull that ends in ``PullInterrupted``
is resumed (after signing in again when the error asks for it) until it completes.

:func:`concurrency_check` runs several processes, each with several threads, sharing one token
file through repeated expiries with rotation, while this process reads the file throughout and
one extra process rewriting the file is killed with SIGKILL.

Run a worker by hand: ``python -m tests.reliability_scenarios worker|rewriter ...`` (the
concurrency check does it).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import math
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from oncehub_nb import OnceHub, PullInterrupted, ReauthorizationRequired
from oncehub_nb.auth import MemoryTokenStore, OAuthAuth, OAuthConfig
from oncehub_nb.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[1]
BOOKINGS = 2500
PAGE = 100
MAX_RETRIES = 5
MAX_RESUMES = 5
CAPTURED_LOGGERS = ("", "oncehub_nb", "urllib3", "requests_oauthlib", "oauthlib", "requests")


@dataclasses.dataclass
class ScenarioResult:
    """What one fault scenario did and got."""

    name: str
    fault: str
    expected: int = 0
    received: int = 0
    lost: int = 0
    duplicates: int = 0
    identical: bool = False
    requests: int = 0
    pages: int = 0
    request_bound: int = 0
    faults_injected: int = 0
    interrupted_by: list[str] = dataclasses.field(default_factory=list)
    resumes: int = 0
    cursor_ok: bool = True
    refreshes: int = 0
    signed_in_again: bool = False
    secrets_checked: int = 0
    secrets_found: int = 0
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        """Complete and exact, within the request bound, nothing leaked."""
        return (
            self.lost == 0
            and self.duplicates == 0
            and self.identical
            and self.cursor_ok
            and self.pages <= self.requests <= self.request_bound
            and self.secrets_found == 0
        )


# -- capture: every log line, message and repr produced during a scenario ---------------------


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        try:
            self.lines.append(self.format(record))
        except Exception:  # a record that cannot format is still evidence
            self.lines.append(repr(record.__dict__))


@contextlib.contextmanager
def capture() -> Iterator[list[str]]:
    """Collect every DEBUG log line of the SDK and its HTTP/OAuth libraries (and more text)."""
    collector = _Collector()
    loggers = [logging.getLogger(name) for name in CAPTURED_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
    root = logging.getLogger()
    root.addHandler(collector)
    texts: list[str] = []
    try:
        yield texts
    finally:
        root.removeHandler(collector)
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
        texts.extend(collector.lines)


def sandbox_secrets(sb: Sandbox, config: OAuthConfig | None = None) -> list[str]:
    """Every secret a scenario could leak: the API key, client secret, codes and all tokens."""
    found = [sb.api_key]
    if config is not None and config.client_secret:
        found.append(config.client_secret)
    validator = sb.oauth.validator
    with validator.lock:
        found += [*validator.codes, *validator.access, *validator.refresh]
    return [s for s in found if s and len(s) >= 8]


def count_leaks(texts: list[str], secrets: list[str]) -> int:
    """How many (text, secret) pairs have the whole secret in the text."""
    return sum(1 for text in texts for secret in secrets if secret in text)


def describe(exc: BaseException) -> list[str]:
    """The texts a user sees of an error: message, repr, and those of its causes."""
    texts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(texts) < 20:
        texts += [str(seen), repr(seen)]
        seen = seen.__cause__ or seen.__context__
    return texts


# -- the pull, resumed until complete -------------------------------------------------------


def pull_to_completion(
    hub: OnceHub,
    result: ScenarioResult,
    texts: list[str],
    *,
    on_reauthorize: Callable[[], None] | None = None,
) -> list[dict[str, Any]]:
    """Pull every booking (raw records), resuming each ``PullInterrupted`` (a bounded number)."""
    try:
        return list(hub.bookings.to_frame(raw=True, progress=False))
    except PullInterrupted as first:
        stop = first
    for _ in range(MAX_RESUMES):
        cause = stop.__cause__
        result.interrupted_by.append(type(cause).__name__ if cause else "?")
        texts += describe(stop)
        # The cursor is the id of the last record kept: resuming from it loses and repeats nothing.
        if not stop.records or stop.cursor != stop.records[-1].get("id"):
            result.cursor_ok = False
        if isinstance(cause, ReauthorizationRequired):
            if on_reauthorize is None:
                raise stop
            on_reauthorize()
            result.signed_in_again = True
        result.resumes += 1
        try:
            return list(stop.resume())
        except PullInterrupted as again:
            stop = again
    raise stop


def _finish(
    result: ScenarioResult,
    sb: Sandbox,
    records: list[dict[str, Any]],
    texts: list[str],
    secrets: list[str],
    started: float,
) -> ScenarioResult:
    truth = sb.ground_truth("bookings")
    ids = [r.get("id") for r in records]
    truth_ids = [r["id"] for r in truth]
    result.expected = len(truth)
    result.received = len(records)
    result.lost = len(set(truth_ids) - set(ids))
    result.duplicates = len(ids) - len(set(ids))
    result.identical = records == truth
    stats = sb.stats()
    result.requests = stats["requests"].get("GET /v2/bookings", 0)
    result.pages = math.ceil(len(truth) / PAGE)
    faults = sum(stats["faults_injected"].values())
    result.faults_injected += faults
    # Every request beyond one per page must be explained by a fault the client saw: an
    # injected fault, a rate-limit refusal or a 401. Anything more would be a retry loop.
    unexplained_budget = faults + stats["rate_limited"] + stats["responses"].get("401", 0)
    result.request_bound = result.pages + unexplained_budget
    result.secrets_checked = len(secrets)
    result.secrets_found = count_leaks(texts, secrets)
    result.seconds = time.perf_counter() - started
    return result


# -- API-key scenarios ------------------------------------------------------------------------


def _api_key_scenario(
    name: str, fault: str, arm: Callable[[Sandbox], int], **settings: Any
) -> ScenarioResult:
    """Pull with an API key while ``arm(sb)`` schedules the fault; returns the result."""
    started = time.perf_counter()
    result = ScenarioResult(name, fault)
    with Sandbox(bookings=BOOKINGS, seed=11, time_scale=0.01) as sb:
        result.faults_injected += arm(sb)
        settings.setdefault("rate_limit", sb.rate_limit)
        settings.setdefault("backoff_base", 0.01)
        settings.setdefault("max_retries", MAX_RETRIES)
        # The request bound below is a single walk's: a slow answer may make a pull slice
        # (tests/test_sliced_*.py test that), and each slice may end on one more request.
        settings.setdefault("max_walks", 1)
        with (
            capture() as texts,
            OnceHub(api_key=sb.api_key, api_base=sb.base_url, env={}, **settings) as hub,
        ):
            records = pull_to_completion(hub, result, texts)
            texts.append(repr(hub))
        return _finish(result, sb, records, texts, sandbox_secrets(sb), started)


def scenario_5xx_burst() -> ScenarioResult:
    """Three 503s in a row in the middle of the pull: absorbed by retries."""
    return _api_key_scenario(
        "5xx burst", "3 x 503 after 5 requests", lambda sb: _inject(sb, "5xx", 3, 5, status=503)
    )


def scenario_5xx_beyond_retries() -> ScenarioResult:
    """More 500s than retries: ``ServerError`` -> ``PullInterrupted`` -> resume."""
    return _api_key_scenario(
        "5xx beyond retries",
        f"{MAX_RETRIES + 1} x 500 after 8 requests",
        lambda sb: _inject(sb, "5xx", MAX_RETRIES + 1, 8, status=500),
    )


def scenario_429_storm() -> ScenarioResult:
    """Two storms of 429s, one with ``Retry-After``, one without."""

    def arm(sb: Sandbox) -> int:
        _inject(sb, "429", 4, 3, retry_after=0.02)
        _inject(sb, "429", 4, 12)
        return 0

    return _api_key_scenario("429 storm", "2 x 4 x 429 (Retry-After, none)", arm)


def scenario_connection_reset() -> ScenarioResult:
    """Connections reset (TCP RST, no response) twice in a row, then once more later."""

    def arm(sb: Sandbox) -> int:
        _inject(sb, "reset", 2, 4)
        _inject(sb, "reset", 1, 15)
        return 0

    return _api_key_scenario("connection resets", "2 + 1 resets", arm)


def scenario_slower_than_timeout() -> ScenarioResult:
    """Two responses slower than the client's timeout: retried as timeouts.

    The timeout leaves a normal page (tens of ms) a wide margin even on a loaded 2-core machine:
    at 0.3 s, one ordinary page in a few hundred timed out too and the count was off by one.
    """
    return _api_key_scenario(
        "slower than timeout",
        "2 x 2000 ms, timeout 0.8 s",
        lambda sb: _inject(sb, "slow", 2, 6, delay_ms=2000),
        timeout=0.8,
    )


def scenario_rate_limit_tightened() -> ScenarioResult:
    """The server tightens its limit to 1 request per 0.15 s mid-pull; the client adapts."""

    def arm(sb: Sandbox) -> int:
        sb.schedule(6, lambda: sb.set_rate_limit([(1, 0.15), (200, 3.0)]))
        return 1

    return _api_key_scenario("rate limit tightened", "5 per 0.01 s -> 1 per 0.15 s", arm)


def _inject(sb: Sandbox, kind: str, count: int, after: int, **knobs: Any) -> int:
    sb.inject(kind, count=count, after=after, path="/v2/bookings", **knobs)
    return 0  # counted by the sandbox when they happen


# -- OAuth scenarios --------------------------------------------------------------------------


def _oauth_scenario(
    name: str, fault: str, arm: Callable[[Sandbox, Any], int], *, sign_in_again: bool = False
) -> ScenarioResult:
    from tests.oauth_helpers import config_for, sign_in

    started = time.perf_counter()
    result = ScenarioResult(name, fault)
    with Sandbox(bookings=BOOKINGS, seed=12, time_scale=0.01) as sb:
        config = config_for(sb)
        store = MemoryTokenStore()
        token = sign_in(sb, config, store)
        result.faults_injected += arm(sb, token)
        with capture() as texts:
            hub = OnceHub.from_oauth(
                config,
                store=store,
                api_base=sb.base_url,
                rate_limit=sb.rate_limit,
                backoff_base=0.01,
                max_retries=MAX_RETRIES,
                max_walks=1,  # the request bound is a single walk's (see run_scenario)
                env={},
            )
            with hub:
                again = (lambda: sign_in(sb, config, store)) if sign_in_again else None
                records = pull_to_completion(hub, result, texts, on_reauthorize=again)
                session = hub.auth
                assert isinstance(session, OAuthAuth)
                result.refreshes = session.refresh_count
                texts += [
                    repr(hub),
                    repr(session),
                    repr(config),
                    repr(store.load_token(config.profile)),
                ]
        secrets = sandbox_secrets(sb, config)
        return _finish(result, sb, records, texts, secrets, started)


def scenario_access_token_revoked() -> ScenarioResult:
    """The access token is revoked mid-pull: one 401, one refresh, the pull goes on."""

    def arm(sb: Sandbox, token: Any) -> int:
        sb.schedule(7, lambda: sb.revoke_token(token.access_token))
        return 1

    return _oauth_scenario("access token revoked", "access token revoked after 7", arm)


def scenario_refresh_token_revoked() -> ScenarioResult:
    """Access and refresh tokens revoked: ``ReauthorizationRequired``, sign in, resume."""

    def arm(sb: Sandbox, token: Any) -> int:
        sb.schedule(9, lambda: sb.revoke_token(token.refresh_token))
        return 1

    return _oauth_scenario(
        "refresh token revoked", "refresh + access revoked after 9", arm, sign_in_again=True
    )


def scenario_token_endpoint_down() -> ScenarioResult:
    """The token endpoint answers 503 when a refresh is needed mid-pull."""

    def arm(sb: Sandbox, token: Any) -> int:
        def outage() -> None:
            sb.oauth.configure(token_endpoint_down=1)
            sb.expire_access_token(token.access_token)

        sb.schedule(10, outage)
        return 2

    return _oauth_scenario("token endpoint down", "token expired + 1 x 503 at refresh", arm)


SCENARIOS: dict[str, Callable[[], ScenarioResult]] = {
    "5xx_burst": scenario_5xx_burst,
    "5xx_beyond_retries": scenario_5xx_beyond_retries,
    "429_storm": scenario_429_storm,
    "connection_reset": scenario_connection_reset,
    "slower_than_timeout": scenario_slower_than_timeout,
    "rate_limit_tightened": scenario_rate_limit_tightened,
    "access_token_revoked": scenario_access_token_revoked,
    "refresh_token_revoked": scenario_refresh_token_revoked,
    "token_endpoint_down": scenario_token_endpoint_down,
}

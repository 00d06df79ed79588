"""The recorded scenarios: each one a flow written once, recorded from the sandbox, replayed.

Every scenario is a function of a :class:`~oncehub_nb.testing.FlowContext` that returns a small
JSON-able outcome. The recorder checks the live outcome against :attr:`Scenario.expected`
before it keeps a cassette, and the replay tests check the replayed outcome against the same
value: a cassette is only ever a faithful recording of the behaviour it claims.

Example:
    >>> SCENARIOS["refresh-rotation"].auth
    'confidential'
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import oncehub_nb
from oncehub_nb import (
    AuthorizationDenied,
    OnceHubError,
    ReauthorizationRequired,
    TokenExchangeError,
)
from oncehub_nb.auth.grants import exchange_code, refresh_grant
from oncehub_nb.testing._context import FlowContext

__all__ = ["SCENARIOS", "Scenario"]

Outcome = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class Scenario:
    """One recorded flow.

    Attributes:
        name: the cassette's name (``cassettes/<name>.yaml``).
        title: one line: what happens.
        proves: what a passing replay shows.
        run: the flow, as a function of a :class:`FlowContext`.
        expected: the outcome the flow must produce, live and replayed.
        auth: ``"api_key"``, ``"confidential"``, ``"public"`` or ``None``: what
            :attr:`Replay.hub <oncehub_nb.testing.Replay.hub>` signs in with.
        sandbox: keyword arguments of the sandbox it is recorded against.
        client: client settings the flow uses (``page_size`` ...), also given to
            :attr:`Replay.hub <oncehub_nb.testing.Replay.hub>`.

    Example:
        >>> SCENARIOS["api-key-valid"].expected
        {'account': 'kevin.hernandez@martin-mcmillan.example.com'}
    """

    name: str
    title: str
    proves: str
    run: Callable[[FlowContext], Outcome]
    expected: Outcome
    auth: str | None = "api_key"
    sandbox: dict[str, Any] = dataclasses.field(default_factory=dict)
    client: dict[str, Any] = dataclasses.field(default_factory=dict)


SCENARIOS: dict[str, Scenario] = {}
_SMALL = {"bookings": 5, "seed": 7, "rate_limit": False}
#: The sandbox account (seed 7) every signed-in scenario ends up in.
ACCOUNT = "kevin.hernandez@martin-mcmillan.example.com"
_DATA = {"bookings": 60, "seed": 7, "rate_limit": False}
PAGE = 25


def scenario(
    name: str,
    title: str,
    proves: str,
    expected: Outcome,
    *,
    auth: str | None = "api_key",
    **sandbox: Any,
) -> Callable[[Callable[[FlowContext], Outcome]], Callable[[FlowContext], Outcome]]:
    """Register a scenario function under ``name``."""

    def register(run: Callable[[FlowContext], Outcome]) -> Callable[[FlowContext], Outcome]:
        data = sandbox.pop("data", False)
        knobs = {**(_DATA if data else _SMALL), **sandbox}
        client = {"page_size": PAGE} if data else {}
        SCENARIOS[name] = Scenario(name, title, proves, run, expected, auth, knobs, client)
        return run

    return register


def error_outcome(exc: OnceHubError) -> Outcome:
    public = next(c.__name__ for c in type(exc).__mro__ if c.__name__ in oncehub_nb.__all__)
    return {"error": public, "code": getattr(exc, "error", None)}


# -- authorization ---------------------------------------------------------------------------


def _sign_in_and_validate(ctx: FlowContext, kind: str) -> Outcome:
    config = ctx.oauth_config(kind)
    token = ctx.sign_in(config)
    with ctx.oauth_client(config) as hub:
        account = hub.validate()
    return {
        "account": account,
        "has_refresh_token": bool(token.refresh_token),
        "expires_in": (token.expires_at or 0) - (token.obtained_at or 0),
    }


_SIGNED_IN = {"account": ACCOUNT, "has_refresh_token": True, "expires_in": 3600}


@scenario(
    "oauth-code-confidential",
    "A confidential app exchanges an authorization code (HTTP Basic client auth) for tokens.",
    "state is checked, the code is exchanged once, the token calls GET /test with Bearer.",
    _SIGNED_IN,
    auth="confidential",
)
def _code_confidential(ctx: FlowContext) -> Outcome:
    return _sign_in_and_validate(ctx, "confidential")


@scenario(
    "oauth-code-public-pkce",
    "A public app (no secret) exchanges a code with its PKCE S256 verifier.",
    "PKCE alone authenticates a public client; the token works on the API.",
    _SIGNED_IN,
    auth="public",
)
def _code_public(ctx: FlowContext) -> Outcome:
    return _sign_in_and_validate(ctx, "public")


@scenario(
    "oauth-denied",
    "The user presses Deny on the consent page.",
    "error=access_denied in the redirect becomes AuthorizationDenied; no token request is sent.",
    {"error": "AuthorizationDenied", "code": None},
    auth=None,
)
def _denied(ctx: FlowContext) -> Outcome:
    flow = ctx.flow(ctx.oauth_config())
    try:
        flow.finish(ctx.consent(flow.start(), allow=False))
    except AuthorizationDenied as exc:
        return error_outcome(exc)
    return {}


@scenario(
    "oauth-code-reused",
    "An authorization code is redeemed a second time.",
    "The server refuses a used code with invalid_grant: TokenExchangeError.",
    {"first": "ok", "error": "TokenExchangeError", "code": "invalid_grant"},
    auth=None,
)
def _code_reused(ctx: FlowContext) -> Outcome:
    seen: list[tuple[Any, ...]] = []

    def remember(*args: Any) -> Any:
        seen.append(args)
        return exchange_code(*args, sender=ctx.sender)

    flow = ctx.flow(ctx.oauth_config(), exchange=remember)
    flow.finish(ctx.consent(flow.start()))
    try:
        exchange_code(*seen[0], sender=ctx.sender)
    except TokenExchangeError as exc:
        return {"first": "ok", **error_outcome(exc)}
    return {}


@scenario(
    "oauth-code-expired",
    "The code is redeemed after it expired (the sandbox's codes live 0.2 s here).",
    "An expired code is refused with invalid_grant: TokenExchangeError.",
    {"error": "TokenExchangeError", "code": "invalid_grant"},
    auth=None,
    code_ttl=0.2,
)
def _code_expired(ctx: FlowContext) -> Outcome:
    flow = ctx.flow(ctx.oauth_config())
    redirect = ctx.consent(flow.start())
    ctx.wait(0.5)
    try:
        flow.finish(redirect)
    except TokenExchangeError as exc:
        return error_outcome(exc)
    return {}


@scenario(
    "oauth-wrong-redirect",
    "A code issued for one registered redirect URI is redeemed with another.",
    "redirect_uri must match the authorization request exactly: TokenExchangeError.",
    {"error": "TokenExchangeError", "code": "invalid_grant"},
    auth=None,
)
def _wrong_redirect(ctx: FlowContext) -> Outcome:
    issued_for = ctx.oauth_config(redirect_uri=ctx.root + "/callback")
    other = ctx.oauth_config()

    def misconfigured(_config: Any, code: str, verifier: str, _redirect: str, state: str) -> Any:
        return exchange_code(other, code, verifier, other.redirect_uri, state, sender=ctx.sender)

    flow = ctx.flow(issued_for, exchange=misconfigured)
    try:
        flow.finish(ctx.consent(flow.start()))
    except TokenExchangeError as exc:
        return error_outcome(exc)
    return {}


@scenario(
    "oauth-wrong-secret",
    "A confidential app sends the wrong client secret with the code.",
    "Client authentication fails with invalid_client: TokenExchangeError.",
    {"error": "TokenExchangeError", "code": "invalid_client"},
    auth=None,
)
def _wrong_secret(ctx: FlowContext) -> Outcome:
    wrong = "not-the-secret-0123456789" if ctx.recording else "<CLIENT_SECRET_2>"
    flow = ctx.flow(ctx.oauth_config(client_secret=wrong))
    try:
        flow.finish(ctx.consent(flow.start()))
    except TokenExchangeError as exc:
        return error_outcome(exc)
    return {}


# -- tokens ----------------------------------------------------------------------------------


def _refresh_before_expiry(ctx: FlowContext) -> Outcome:
    config = ctx.oauth_config()
    first = ctx.sign_in(config)
    with ctx.oauth_client(config) as hub:
        hub.validate()
        ctx.clock.advance(3600 - 30)  # inside the 60 s leeway: refresh before the next call
        hub.validate()
        refreshes = getattr(hub.auth, "refresh_count", 0)
    new = ctx.store.load_token(config.profile)
    assert new is not None
    outcome = {"refreshes": refreshes, "rotated": new.refresh_token != first.refresh_token}
    if outcome["rotated"]:
        try:
            refresh_grant(config, first.refresh_token or "", sender=ctx.sender)
        except TokenExchangeError as exc:
            outcome["old_refresh_token"] = error_outcome(exc)["code"]
    return outcome


scenario(
    "refresh-before-expiry",
    "The access token is refreshed 30 s before it expires (leeway 60 s), no rotation.",
    "Refresh happens before expiry by the kit's clock; the refresh token is kept.",
    {"refreshes": 1, "rotated": False},
    auth="confidential",
    rotate_refresh_tokens=False,
)(_refresh_before_expiry)
scenario(
    "refresh-rotation",
    "Refresh with rotation: a new refresh token is issued, saved, and the old one is dead.",
    "The rotated refresh token is stored before use; reusing the old one is invalid_grant.",
    {"refreshes": 1, "rotated": True, "old_refresh_token": "invalid_grant"},
    auth="confidential",
)(_refresh_before_expiry)


@scenario(
    "refresh-revoked-reauthorize",
    "The refresh token was revoked: refresh is refused, the user signs in again.",
    "invalid_grant on refresh clears the token and raises ReauthorizationRequired; a new "
    "sign-in works.",
    {"error": "ReauthorizationRequired", "cleared": True, "callback": True, "after": "ok"},
    auth="confidential",
)
def _revoked(ctx: FlowContext) -> Outcome:
    config = ctx.oauth_config()
    token = ctx.sign_in(config)
    called: list[bool] = []
    outcome: Outcome = {}
    with ctx.oauth_client(config, on_reauthorization_required=lambda: called.append(True)) as hub:
        hub.validate()
        ctx.on_server(lambda sb: sb.revoke_token(token.refresh_token or ""))
        ctx.clock.advance(3600)
        try:
            hub.validate()
        except ReauthorizationRequired as exc:
            outcome["error"] = type(exc).__name__
    outcome["cleared"] = ctx.store.load_token(config.profile) is None
    outcome["callback"] = called == [True]
    ctx.sign_in(config)
    with ctx.oauth_client(config) as hub:
        outcome["after"] = "ok" if hub.validate() else "failed"
    return outcome


@scenario(
    "oauth-401-refresh-retry",
    "The server rejects a token that still looks valid (401): refresh once, retry once.",
    "A 401 with an unexpired token triggers one refresh and one retry, which succeeds.",
    {"account": ACCOUNT, "refreshes": 1},
    auth="confidential",
)
def _401_retry(ctx: FlowContext) -> Outcome:
    config = ctx.oauth_config()
    token = ctx.sign_in(config)
    with ctx.oauth_client(config) as hub:
        hub.validate()
        ctx.on_server(lambda sb: sb.expire_access_token(token.access_token))
        account = hub.validate()
        refreshes = getattr(hub.auth, "refresh_count", 0)
    return {"account": account, "refreshes": refreshes}

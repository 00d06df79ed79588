"""Helpers for OAuth tests: sign in against a sandbox as a user would."""

from __future__ import annotations

from typing import Any

from oncehub_nb._config import Settings
from oncehub_nb._http.transport import Transport
from oncehub_nb.auth import AuthorizationFlow, OAuthConfig, Token, TokenStore
from oncehub_nb.sandbox import Sandbox


def config_for(sb: Sandbox, kind: str = "confidential", **overrides: Any) -> OAuthConfig:
    return OAuthConfig(**{**sb.oauth_settings(kind), **overrides})


def sign_in(sb: Sandbox, config: OAuthConfig, store: TokenStore, **flow_kwargs: Any) -> Token:
    """start -> the user presses Allow on the consent page -> finish with the redirect URL."""
    flow = AuthorizationFlow(config, store=store, **flow_kwargs)
    return flow.finish(sb.consent(flow.start(), allow=True))


def sender() -> Transport:
    """A transport with no credential, for grant calls a test makes directly (no rate limit)."""
    return Transport(Settings.resolve(env={}, rate_limit=False, backoff_base=0.01))


class FakeClock:
    """Seconds that move only when someone sleeps (a device flow's clock and sleep)."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds

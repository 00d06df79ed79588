"""The world a recorded flow runs in: a live sandbox when recording, a cassette when replaying.

A scenario is written once against :class:`FlowContext` and runs unchanged in both modes. While
recording, the context talks to a real :class:`~oncehub_nb.sandbox.Sandbox` (and may act on it
server-side: revoke a token, inject a fault, wait); while replaying, the same calls are answered
from the cassette, server-side actions do nothing, and the addresses and credentials are the
placeholders the scrubber wrote (``https://sandbox.invalid``, ``<API_KEY_1>`` ...).

Expiry decisions use a :class:`ReplayClock` the context owns, never the wall clock, and the
sign-in ``state`` and PKCE verifier come from :func:`replay_secrets`, so a replay sends exactly
what was recorded and the recorded redirect's ``state`` matches.

Example:
    >>> clock = ReplayClock()
    >>> clock.advance(30)
    >>> clock() - REPLAY_EPOCH
    30.0
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from oncehub_nb._config import Settings
from oncehub_nb._consent import press_consent
from oncehub_nb._http.transport import Transport
from oncehub_nb.auth import AuthorizationFlow, MemoryTokenStore, OAuthAuth, OAuthConfig, Token

if TYPE_CHECKING:
    from oncehub_nb._client import OnceHub
    from oncehub_nb.auth.device import DeviceFlow
    from oncehub_nb.sandbox import Sandbox

__all__ = [
    "REPLAY_API_BASE",
    "REPLAY_EPOCH",
    "REPLAY_RECEIVER",
    "REPLAY_ROOT",
    "FlowContext",
    "ReplayClock",
    "replay_secrets",
]

#: Where recorded sandbox traffic lives in cassettes (its random port is normalised away).
REPLAY_ROOT = "https://sandbox.invalid"
#: The API base replayed clients use.
REPLAY_API_BASE = f"{REPLAY_ROOT}/v2"
#: Where recorded webhook deliveries were sent.
REPLAY_RECEIVER = "https://receiver.invalid"
#: The start of every scenario's clock (2026-06-01T00:00:00Z).
REPLAY_EPOCH = 1_780_272_000.0
#: The sandbox's OAuth clients (checked against the sandbox when recording).
CLIENT_IDS = {"confidential": "sandbox-confidential-app", "public": "sandbox-public-app"}
#: Credentials replayed clients send (the placeholders the recorder assigns up front).
REPLAY_CREDENTIALS = {
    "api_key": "<API_KEY_1>",
    "no_plan_api_key": "<API_KEY_2>",
    "client_secret": "<CLIENT_SECRET_1>",
}


class ReplayClock:
    """A clock that only moves when told to: the ``clock=`` of flows and sessions in replays.

    Args:
        start: the Unix time it shows first.

    Example:
        >>> clock = ReplayClock(start=100.0)
        >>> clock.advance(3570)
        >>> clock()
        3670.0
    """

    def __init__(self, start: float = REPLAY_EPOCH) -> None:
        self.now = float(start)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move the clock forward by ``seconds``."""
        self.now += seconds

    def __repr__(self) -> str:
        return f"ReplayClock(now={self.now!r})"


def replay_secrets(seed: str) -> Callable[[int], str]:
    """A deterministic ``new_secret`` for :class:`~oncehub_nb.auth.AuthorizationFlow` replays.

    Each call returns the next value of a hash chain of ``seed``: the same scenario makes the
    same ``state`` and PKCE verifier when recorded and when replayed. Never use it for a real
    sign-in: these values are predictable by design.

    Args:
        seed: the scenario's name.

    Returns:
        A function of the requested byte count, returning URL-safe text of 43 characters or
        more (RFC 7636's minimum for a verifier).

    Example:
        >>> a, b = replay_secrets("demo"), replay_secrets("demo")
        >>> a(32) == b(32), a(32) == a(32)
        (True, False)
    """
    counter = [0]

    def new_secret(nbytes: int) -> str:
        counter[0] += 1
        digest = hashlib.sha256(f"{seed}:{counter[0]}".encode()).hexdigest()
        return f"replay-{counter[0]}-{digest}"[: max(43, min(nbytes, 128))]

    return new_secret


def consent(authorize_url: str, *, allow: bool = True, timeout: float = 10) -> str:
    """Act as the user on a consent page: open it, press Allow or Deny, return the redirect.

    The sandbox's own :meth:`~oncehub_nb.sandbox.Sandbox.consent` does the same; both press
    the buttons through one function (``oncehub_nb._consent``). Replaying, the page and the
    answer come from the cassette.

    Args:
        authorize_url: the URL :meth:`AuthorizationFlow.start` returned.
        allow: press Allow (``True``) or Deny.
        timeout: seconds per request.

    Returns:
        The ``Location`` the browser would be sent to.

    Raises:
        ConsentError: the page showed an error instead of the form (a ``RuntimeError``).

    Example:
        >>> consent(flow.start())
        'http://127.0.0.1:.../oauth/callback?code=...&state=...'
    """
    return press_consent(authorize_url, allow=allow, timeout=timeout)


def _no_sleep(_seconds: float) -> None:
    """Retries in recorded flows do not wait (the backoff is not what is being recorded)."""


class FlowContext:
    """Addresses, credentials, clock and helpers of one scenario run (recording or replay).

    Args:
        seed: the scenario's name (seeds :func:`replay_secrets`).
        sandbox: the live sandbox when recording; ``None`` when replaying.
        cassette: the vcrpy cassette in use (replays read webhook deliveries from it).
        receiver: ``(url, inbox)`` of the local webhook receiver while recording.
        clock: the scenario's clock (the recorder gives the sandbox the same one).

    Attributes:
        clock: the :class:`ReplayClock` every flow and session of the scenario uses.
        store: the scenario's :class:`~oncehub_nb.auth.MemoryTokenStore`.

    Example:
        >>> ctx = FlowContext("demo")
        >>> ctx.api_base, ctx.recording
        ('https://sandbox.invalid/v2', False)
    """

    def __init__(
        self,
        seed: str,
        *,
        sandbox: Sandbox | None = None,
        cassette: Any = None,
        receiver: tuple[str, Any] | None = None,
        clock: ReplayClock | None = None,
    ) -> None:
        self.seed = seed
        self.sandbox = sandbox
        self.cassette = cassette
        self._receiver = receiver
        self.clock = clock if clock is not None else ReplayClock()
        self.store = MemoryTokenStore()
        self.new_secret = replay_secrets(seed)
        #: The transport sign-ins and direct grant calls of the scenario go through.
        self.sender = Transport(Settings.resolve(env={}, rate_limit=False), sleep=_no_sleep)

    @property
    def recording(self) -> bool:
        """``True`` while recording against a live sandbox."""
        return self.sandbox is not None

    @property
    def root(self) -> str:
        """The server's root URL (``https://sandbox.invalid`` in replays)."""
        return self.sandbox.root_url if self.sandbox is not None else REPLAY_ROOT

    @property
    def api_base(self) -> str:
        """The API base URL."""
        return self.sandbox.base_url if self.sandbox is not None else REPLAY_API_BASE

    @property
    def api_key(self) -> str:
        """The valid API key (``<API_KEY_1>`` in replays)."""
        return self.sandbox.api_key if self.sandbox is not None else REPLAY_CREDENTIALS["api_key"]

    @property
    def no_plan_api_key(self) -> str:
        """The key of an account whose plan has no API access (``<API_KEY_2>`` in replays)."""
        if self.sandbox is not None:
            return self.sandbox.no_plan_api_key
        return REPLAY_CREDENTIALS["no_plan_api_key"]

    def oauth_config(self, kind: str = "confidential", **overrides: Any) -> OAuthConfig:
        """The sandbox's OAuth app of ``kind`` (``"confidential"`` or ``"public"``).

        Args:
            kind: which app.
            **overrides: any :class:`~oncehub_nb.auth.OAuthConfig` field.

        Returns:
            The config (with the placeholder secret in replays).
        """
        if self.sandbox is not None:
            settings = self.sandbox.oauth_settings(kind)
        else:
            root = REPLAY_ROOT
            secret = REPLAY_CREDENTIALS["client_secret"] if kind == "confidential" else None
            settings = {
                "client_id": CLIENT_IDS[kind],
                "client_secret": secret,
                "redirect_uri": f"{root}/oauth/callback",
                "scope": "read write",
                "authorize_url": f"{root}/oauth/authorize",
                "token_url": f"{root}/oauth/token",
                "revoke_url": f"{root}/oauth/revoke",
                "device_authorization_url": f"{root}/oauth/device",
            }
        return OAuthConfig(**{**settings, **overrides})

    def flow(self, config: OAuthConfig, **kwargs: Any) -> AuthorizationFlow:
        """An :class:`~oncehub_nb.auth.AuthorizationFlow` on this context's clock and secrets."""
        kwargs.setdefault("store", self.store)
        kwargs.setdefault("sender", self.sender)
        return AuthorizationFlow(config, clock=self.clock, new_secret=self.new_secret, **kwargs)

    def device_flow(self, config: OAuthConfig, **kwargs: Any) -> DeviceFlow:
        """A sign-in with a code on this context's clock: its waits move the clock, never sleep."""
        from oncehub_nb.auth.device import DeviceFlow

        kwargs.setdefault("sleep", self.clock.advance)
        kwargs.setdefault("store", self.store)
        kwargs.setdefault("sender", self.sender)
        return DeviceFlow(config, clock=self.clock, wall=self.clock, **kwargs)

    def consent(self, authorize_url: str, *, allow: bool = True) -> str:
        """Press Allow or Deny on the consent page (recorded HTTP); return the redirect URL."""
        return consent(authorize_url, allow=allow)

    def sign_in(self, config: OAuthConfig) -> Token:
        """Start a sign-in, press Allow, finish it: the token, saved in :attr:`store`."""
        flow = self.flow(config)
        return flow.finish(self.consent(flow.start()))

    def settings(self, **settings: Any) -> dict[str, Any]:
        """Client settings for recorded flows: this API base, no client-side rate limit."""
        return {"api_base": self.api_base, "rate_limit": False, "env": {}, **settings}

    def client(self, api_key: str | None = None, **settings: Any) -> OnceHub:
        """An API-key client (the valid key unless another is given)."""
        from oncehub_nb._client import OnceHub

        hub = OnceHub(api_key=api_key or self.api_key, **self.settings(**settings))
        hub.transport.sleep = _no_sleep
        return hub

    def oauth_client(
        self,
        config: OAuthConfig,
        *,
        on_reauthorization_required: Callable[[], None] | None = None,
        **settings: Any,
    ) -> OnceHub:
        """An OAuth client on the token in :attr:`store`, refreshing by :attr:`clock`."""
        from oncehub_nb._client import OnceHub

        auth = OAuthAuth(
            config,
            store=self.store,
            clock=self.clock,
            on_reauthorization_required=on_reauthorization_required,
        )
        hub = OnceHub(auth=auth, **self.settings(**settings))
        hub.transport.sleep = _no_sleep
        return hub

    def on_server(self, action: Callable[[Sandbox], Any]) -> Any:
        """Act on the live sandbox (revoke, inject a fault ...); nothing happens in a replay."""
        return action(self.sandbox) if self.sandbox is not None else None

    def wait(self, seconds: float) -> None:
        """Wait for real while recording (e.g. for a code to expire); not in a replay."""
        if self.sandbox is not None:
            threading.Event().wait(seconds)

    @property
    def receiver_url(self) -> str:
        """Where webhooks are delivered (a local receiver while recording)."""
        return self._receiver[0] if self._receiver is not None else f"{REPLAY_RECEIVER}/hook"

    def deliveries(self, count: int) -> list[tuple[str, bytes]]:
        """The first ``count`` webhook deliveries: ``(Oncehub-Signature, body)`` pairs.

        Recording: what the local receiver got. Replay: the deliveries in the cassette.
        """
        if self._receiver is not None:
            inbox = self._receiver[1]
            return [inbox.get(timeout=5) for _ in range(count)]
        found = []
        for request in self.cassette.requests if self.cassette is not None else []:
            if request.uri.startswith(REPLAY_RECEIVER):
                body = request.body if isinstance(request.body, bytes) else b""
                found.append((str(request.headers.get("Oncehub-Signature", "")), body))
        return found[:count]


def outcome_json(outcome: dict[str, Any]) -> str:
    """A scenario's outcome as sorted JSON (what the recorder checks and the README shows).

    Example:
        >>> outcome_json({"b": 1, "a": [1]})
        '{"a": [1], "b": 1}'
    """
    return json.dumps(outcome, sort_keys=True)

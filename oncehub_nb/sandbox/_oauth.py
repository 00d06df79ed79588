"""The sandbox's OAuth 2.0 authorization server: clients, knobs, statistics, Bearer auth.

Built on oauthlib's :class:`~oauthlib.oauth2.WebApplicationServer` (authorization code grant,
refresh token grant, RFC 7009 revocation, Bearer resource checks) plus oauthlib's RFC 8628
device code grant (:mod:`._oauth_device`); :mod:`._oauth_validator`
answers its questions from memory, :mod:`._oauth_routes` serves it over HTTP (and
``_oauth_routes.install`` puts it on the app).

About ``http://``: oauthlib's *client* side refuses ``http://`` URLs unless the process-wide
``OAUTHLIB_INSECURE_TRANSPORT`` variable is set. Its *server* endpoints (4.0.1, read in the
source) never call ``is_secure_transport`` on the request URI; the only call is on a CORS
``Origin`` header, which the sandbox does not use. So the sandbox passes the real
``http://127.0.0.1`` URI to oauthlib and sets no environment variable at all; a test pins this.
"""

from __future__ import annotations

import secrets
import threading
from collections import Counter
from collections.abc import Callable
from typing import Any, Unpack

from flask import has_request_context, request
from oauthlib.common import Request
from oauthlib.oauth2 import WebApplicationServer
from oauthlib.oauth2.rfc6749.grant_types.authorization_code import code_challenge_method_s256
from oauthlib.oauth2.rfc8628.grant_types import DeviceCodeGrant
from werkzeug.datastructures import Headers

from oncehub_nb.sandbox._errors import ApiError
from oncehub_nb.sandbox._oauth_device import DEVICE_GRANT, DeviceGrants
from oncehub_nb.sandbox._oauth_records import Client
from oncehub_nb.sandbox._oauth_validator import MemoryValidator
from oncehub_nb.sandbox._options import DeviceKnobs, OAuthKnobs, OAuthSettings, unknown_knob
from oncehub_nb.sandbox._state import Account, SandboxState

CONFIDENTIAL_ID = "sandbox-confidential-app"
PUBLIC_ID = "sandbox-public-app"


def _token_error(status: int, error: str, message: str, scope: str | None = None) -> ApiError:
    challenge = f'Bearer error="{error}"' + (f', scope="{scope}"' if scope else "")
    return ApiError(
        status, message, error_type="authentication_error", headers={"WWW-Authenticate": challenge}
    )


class OAuthProvider(OAuthKnobs):
    """The authorization server of one sandbox, with its knobs (settable at runtime).

    Args:
        state: The sandbox state (its account is the one tokens act for).
        root_url: Returns the sandbox's ``http://host:port`` (known once bound).
        **knobs: Any :class:`OAuthKnobs` or :class:`DeviceKnobs` (their defaults are there).

    Example:
        >>> oauth = OAuthProvider(SandboxState(bookings=0), root_url=lambda: "http://127.0.0.1:1")
        >>> oauth.configure(code_ttl=5, widen_scope=True)
        >>> oauth.code_ttl, oauth.clients[PUBLIC_ID].secret
        (5, None)
    """

    def __init__(
        self, state: SandboxState, *, root_url: Callable[[], str], **knobs: Unpack[OAuthSettings]
    ) -> None:
        self.state = state
        self.root_url = root_url
        #: RFC 8628: codes, knobs and counters of the device grant (its token requests are
        #: answered by oauthlib's DeviceCodeGrant, added to the token endpoint's grants).
        self.devices = DeviceGrants()
        self.configure(**knobs)
        self.clients = {
            CONFIDENTIAL_ID: Client(
                CONFIDENTIAL_ID, secrets.token_urlsafe(32), "Notebook Analytics (confidential)"
            ),
            PUBLIC_ID: Client(PUBLIC_ID, None, "Notebook Analytics (public)"),
        }
        self.validator = MemoryValidator(
            list(self.clients.values()), self.callback_url, lambda: self
        )
        self.server = WebApplicationServer(
            self.validator, token_expires_in=lambda _request: self.access_token_ttl
        )
        # PKCE "plain" is refused (RFC 9700 2.1.1): oauthlib then answers a missing or "plain"
        # code_challenge_method with invalid_request, redirected to the client.
        self.server.auth_grant._code_challenge_methods = {"S256": code_challenge_method_s256}
        for grant in (self.server.auth_grant, self.server.refresh_grant):
            grant.register_token_modifier(self._modify_token)
        self.server.grant_types[DEVICE_GRANT] = DeviceCodeGrant(self.validator)
        self._lock = threading.Lock()
        self._stats: Counter[str] = Counter()
        self._grants: Counter[str] = Counter()

    # -- knobs ----------------------------------------------------------------------------

    def configure(self, **knobs: Any) -> None:
        """Set knobs by name (this server's and the device grant's), checking each value.

        A wrong name or value raises ``ValueError``.

        Example:
            >>> oauth = OAuthProvider(SandboxState(bookings=0), root_url=lambda: "")
            >>> oauth.configure(token_endpoint_down=2, device_interval=1)
            >>> oauth.token_endpoint_down, oauth.devices.device_interval
            (2, 1)
        """
        device_names = DeviceKnobs.knob_types()
        device = {k: v for k, v in knobs.items() if k in device_names}
        own = {k: v for k, v in knobs.items() if k not in device_names}
        for name in own:  # checked before anything is set, with every name to choose from
            if name not in self.knob_types():
                raise unknown_knob(name, [*self.knob_types(), *device_names])
        OAuthKnobs().configure(**own)  # every value checked (on a throwaway) before any is set
        DeviceKnobs().configure(**device)
        super().configure(**own)
        self.devices.configure(**device)

    def knobs(self) -> dict[str, Any]:
        """Return the current knob values (this server's and the device grant's).

        Example:
            >>> OAuthProvider(SandboxState(bookings=0), root_url=lambda: "").knobs()["code_ttl"]
            60.0
        """
        return {**super().knobs(), **self.devices.knobs()}

    def take_outage(self) -> bool:
        """Consume one unit of ``token_endpoint_down``; ``True`` when this request must 503.

        Example:
            >>> OAuthProvider(SandboxState(bookings=0), root_url=lambda: "").take_outage()
            False
        """
        with self._lock:
            if self.token_endpoint_down <= 0:
                return False
            self.token_endpoint_down -= 1
            return True

    def _modify_token(self, token: Any, token_handler: Any, request: Request) -> Any:
        if self.expires_in_as_string and "expires_in" in token:
            token["expires_in"] = str(token["expires_in"])
        return token

    # -- addresses ------------------------------------------------------------------------

    def callback_url(self) -> str:
        """``<root_url>/oauth/callback``, the default registered redirect URI.

        Example:
            >>> OAuthProvider(SandboxState(bookings=0), root_url=lambda: "http://h:1").callback_url()
            'http://h:1/oauth/callback'
        """
        return f"{self.root_url()}/oauth/callback"

    def settings(
        self, kind: str = "confidential", redirect_uri: str | None = None
    ) -> dict[str, Any]:
        """Client settings for ``kind`` (``"confidential"`` or ``"public"``): OAuthConfig keywords.

        Example:
            >>> oauth = OAuthProvider(SandboxState(bookings=0), root_url=lambda: "http://h:1")
            >>> oauth.settings("public")["token_url"]
            'http://h:1/oauth/token'
        """
        if kind not in ("confidential", "public"):
            raise ValueError(f"kind must be 'confidential' or 'public', not {kind!r}")
        client = self.clients[CONFIDENTIAL_ID if kind == "confidential" else PUBLIC_ID]
        redirect_uri = redirect_uri or self.callback_url()
        if not self.validator.validate_redirect_uri(client.client_id, redirect_uri, None):
            raise ValueError(
                f"redirect_uri {redirect_uri!r} is not registered: use {self.callback_url()!r} "
                "or http://127.0.0.1:<port>/callback"
            )
        root = self.root_url()
        return {
            "client_id": client.client_id,
            "client_secret": client.secret,
            "redirect_uri": redirect_uri,
            "scope": "read write",
            "authorize_url": f"{root}/oauth/authorize",
            "token_url": f"{root}/oauth/token",
            "revoke_url": f"{root}/oauth/revoke",
            "device_authorization_url": f"{root}/oauth/device",
        }

    # -- statistics -----------------------------------------------------------------------

    def count(self, key: str, grant_type: str | None = None) -> None:
        """Add one to counter ``key`` (or, with ``grant_type``, to the token requests by grant).

        Example:
            >>> oauth = OAuthProvider(SandboxState(bookings=0), root_url=lambda: "")
            >>> oauth.count("revocations")
            >>> oauth.stats()["revocations"]
            1
        """
        with self._lock:
            if grant_type is not None:
                self._grants[grant_type] += 1
            else:
                self._stats[key] += 1

    def stats(self) -> dict[str, Any]:
        """Counters: token requests by grant type, refreshes, invalid_grant, codes, revocations.

        Example:
            >>> sorted(OAuthProvider(SandboxState(bookings=0), root_url=lambda: "").stats())[:2]
            ['codes_issued', 'device']
        """
        with self._lock:
            out: dict[str, Any] = {
                name: self._stats[name]
                for name in (
                    "codes_issued",
                    "invalid_grant",
                    "refreshes",
                    "revocations",
                    "token_endpoint_down",
                )
            }
            out["token_requests"] = dict(self._grants)
        out["device"] = self.devices.stats()
        return out

    def reset_stats(self) -> None:
        """Zero the counters.

        Example:
            >>> OAuthProvider(SandboxState(bookings=0), root_url=lambda: "").reset_stats()
        """
        with self._lock:
            self._stats.clear()
            self._grants.clear()
        self.devices.reset_stats()

    # -- resource side --------------------------------------------------------------------

    def authenticate(self, headers: Headers) -> Account | None:
        """The ``state.authenticators`` hook: ``Authorization: Bearer`` for API requests.

        GET needs the ``read`` scope, other methods ``write``. Refusals are 401
        ``invalid_token`` or 403 ``insufficient_scope`` with an RFC 6750 challenge.

        Example:
            >>> oauth = OAuthProvider(SandboxState(bookings=0), root_url=lambda: "")
            >>> oauth.authenticate(Headers({"API-Key": "k"})) is None
            True
        """
        scheme, _, token = headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer":
            return None
        method = request.method if has_request_context() else "GET"
        needed = "read" if method in ("GET", "HEAD", "OPTIONS") else "write"
        with self.validator.lock:
            # Only the Authorization header is passed: the API body and query are not oauthlib's.
            valid, checked = self.server.verify_request(
                f"{self.root_url()}/v2",
                http_method=method,
                headers={"Authorization": f"Bearer {token.strip()}"},
                scopes=[needed],
            )
        if valid:
            return Account(key=self.state.api_key, email=self.state.data.account_email)
        if getattr(checked, "token_problem", None) == "insufficient_scope":
            raise _token_error(
                403, "insufficient_scope", f"The access token lacks the '{needed}' scope.", needed
            )
        raise _token_error(401, "invalid_token", "Invalid access token.")

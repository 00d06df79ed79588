"""The OAuth 2.0 device authorization grant (RFC 8628): sign in with a code, no pasting.

For remote kernels (Colab, JupyterHub, SSH, containers), where the browser cannot reach the
kernel's loopback address. The flow asks the device authorization endpoint for a code, shows
the ``verification_uri`` (and ``verification_uri_complete`` when given) with the ``user_code``,
then polls the token endpoint:

* never faster than the server's ``interval`` (5 s when it names none): the flow sleeps a full
  interval after each answer before it asks again;
* ``authorization_pending``: ask again; ``slow_down``: the interval grows by 5 s for this and
  every later request (RFC 8628 section 3.5);
* ``access_denied`` raises :class:`~oncehub_nb.AuthorizationDenied`, ``expired_token`` (or the
  code's own ``expires_in`` running out) :class:`~oncehub_nb.DeviceCodeExpired`;
* a 5xx answer or a connection failure is tolerated until the code expires (the transport has
  already retried what it may).

Every request goes through the one send path (:class:`~oncehub_nb.auth.grants.GrantSession`);
oauthlib's ``DeviceClient`` builds the token request and requests-oauthlib parses the answers,
as for the other grants. PKCE does not apply; a confidential app authenticates with HTTP Basic
as for the other grants. The ``device_code`` is a secret (whoever holds it gets the token once
the user approves): it is registered for redaction, masked in every repr and never shown. The
``user_code`` is shown on purpose: it is short-lived and useless without the device code. The
token is saved in the store under the app's profile, so :class:`~oncehub_nb.auth.oauth.OAuthAuth`
uses and refreshes it like any other.

OnceHub documents no OAuth: this works with endpoints you configure
(``ONCEHUB_DEVICE_AUTHORIZATION_URL``) and is proven against the bundled sandbox.

Example:
    >>> flow = DeviceFlow(config, store=store)
    >>> code = flow.start()
    >>> print(code.verification_uri, code.user_code)  # open the link, enter the code
    http://127.0.0.1:.../oauth/device/verify ...-...
    >>> sb.oauth.devices.decide(code.user_code, allow=True)  # you press Allow on that page
    True
    >>> token = flow.poll(code)  # one try; flow.wait(code) polls until you decide
    >>> token.scope
    'read write'
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from oncehub_nb._errors import (
    APIConnectionError,
    AuthorizationDenied,
    ConfigurationError,
    DeviceCodeExpired,
    ReauthorizationRequired,
    TokenExchangeError,
    decode_json,
)
from oncehub_nb._http.credentials import Sender
from oncehub_nb._http.urls import check_url
from oncehub_nb._redact import mask, register_secret
from oncehub_nb.auth.config import OAuthConfig
from oncehub_nb.auth.grants import (
    GrantSession,
    OAuthServerError,
    call_grant,
    client_auth,
    oauthlib_url,
)
from oncehub_nb.auth.stores import store_or_default
from oncehub_nb.auth.tokens import Token, TokenStore
from oncehub_nb.auth.validate import device_fields

__all__ = ["SLOW_DOWN_STEP", "DeviceCode", "DeviceFlow"]

#: Seconds ``slow_down`` adds to the interval (RFC 8628 section 3.5).
SLOW_DOWN_STEP = 5.0
_PENDING = "authorization_pending"


@dataclasses.dataclass(eq=False)
class DeviceCode:
    """One started sign-in with a code: what to show, and (hidden) the device code.

    Attributes:
        user_code: the code the user types on the verification page (shown on purpose).
        verification_uri: the page to open.
        verification_uri_complete: the page with the code filled in, when the server gives it.
        expires_at: when the code stops working, on the flow's clock.
        interval: seconds between token requests (grows by 5 on ``slow_down``).
        polls: token requests made so far.

    Example:
        >>> code = DeviceCode("d" * 32, "WDJB-MJHT", "https://h/device", None, 600.0, 5.0)
        >>> "d" * 32 in repr(code), code.user_code
        (False, 'WDJB-MJHT')
    """

    device_code: str = dataclasses.field(repr=False)
    user_code: str
    verification_uri: str
    verification_uri_complete: str | None
    expires_at: float
    interval: float
    polls: int = 0

    def __post_init__(self) -> None:
        register_secret(self.device_code, owner=self)

    @property
    def link(self) -> str:
        """The address to open: the complete one when given, else the verification page."""
        return self.verification_uri_complete or self.verification_uri

    def __repr__(self) -> str:
        return (
            f"DeviceCode(user_code={self.user_code!r}, verification_uri="
            f"{self.verification_uri!r}, device_code={mask(self.device_code)!r}, "
            f"interval={self.interval:g})"
        )


class DeviceFlow:
    """Sign in with a code: request it, show it, poll until approved, denied or expired.

    Args:
        config: the app; needs ``device_authorization_url``.
        store: where the token is saved (default: the file store in the config dir).
        sender: the transport (default: one of its own, from ``ONCEHUB_*`` settings).
        clock: the time function for intervals and expiry (default ``time.monotonic``).
        sleep: waits between polls (default: a wait that a cancel event cuts short). Tests pass
            one that moves a fake clock, so no real second passes.
        wall: the wall clock the token's expiry is stamped with (default ``time.time``).

    Example:
        >>> from oncehub_nb.auth.stores import MemoryTokenStore
        >>> DeviceFlow(OAuthConfig(client_id="app"), store=MemoryTokenStore()).available
        False
    """

    def __init__(
        self,
        config: OAuthConfig,
        *,
        store: TokenStore | None = None,
        sender: Sender | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] | None = None,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.store = store_or_default(store)
        self._sender = sender
        self._clock = clock
        self._sleep = sleep
        self._wall = wall

    @property
    def available(self) -> bool:
        """``True`` when the app has a device authorization endpoint."""
        return bool(self.config.device_authorization_url)

    def _transport(self) -> Sender:
        if self._sender is None:
            from oncehub_nb._http.transport import standalone_transport

            self._sender = standalone_transport()
        return self._sender

    def start(self) -> DeviceCode:
        """Ask the device authorization endpoint for a code (RFC 8628 section 3.1).

        Returns:
            The code to show (``user_code`` and the link); the device code stays hidden.

        Raises:
            ConfigurationError: no ``device_authorization_url`` is configured.
            OAuthServerError: the endpoint refused (``invalid_client`` ...).
            TokenExchangeError: the answer is not a device authorization response.
        """
        url = self.config.device_authorization_url
        if not url:
            raise ConfigurationError(
                "Signing in with a code needs the app's device authorization endpoint "
                "(device_authorization_url or ONCEHUB_DEVICE_AUTHORIZATION_URL)."
            )
        import requests

        # client_id goes in the form for every app (RFC 8628 3.1 shows it; servers built on
        # oauthlib require it); a confidential app also authenticates with HTTP Basic.
        data = {"client_id": self.config.client_id}
        if self.config.scope:
            data["scope"] = self.config.scope
        auth = None
        if not self.config.is_public:
            auth = requests.auth.HTTPBasicAuth(
                self.config.client_id, self.config.client_secret or ""
            )
        with GrantSession(self.config, self._transport()) as session:
            response = session.post(oauthlib_url(url), data=data, auth=auth, withhold_token=True)
        try:
            body = decode_json(response)
        except ValueError:
            body = None
        if response.status_code != 200:
            error = body.get("error") if isinstance(body, Mapping) else None
            error = error if isinstance(error, str) and error.isprintable() else "error"
            raise OAuthServerError(
                f"The device authorization endpoint refused to give a code (HTTP "
                f"{response.status_code}, {error[:60]}). Check client_id, client_secret and "
                "device_authorization_url.",
                error=error,
            )
        try:
            fields = device_fields(body)
            for name in ("verification_uri", "verification_uri_complete"):
                if fields[name]:
                    check_url(fields[name], what=name)
        except (ValueError, ConfigurationError) as exc:
            raise TokenExchangeError(
                f"The device authorization endpoint's answer is not usable ({exc})."
            ) from None
        return DeviceCode(
            fields["device_code"],
            fields["user_code"],
            fields["verification_uri"],
            fields["verification_uri_complete"],
            self._clock() + fields["expires_in"],
            fields["interval"],
        )

    def poll(self, code: DeviceCode) -> Token | None:
        """Make one token request (RFC 8628 section 3.4); save and return the token if granted.

        Args:
            code: the started sign-in.

        Returns:
            The token (saved in the store), or ``None`` while the user has not decided yet
            (``authorization_pending``, ``slow_down``, a 5xx or a connection failure).

        Raises:
            AuthorizationDenied: the user pressed Deny.
            DeviceCodeExpired: the code expired.
            OAuthServerError: the endpoint refused in another way (``invalid_client`` ...).
        """
        from oauthlib.oauth2 import DeviceClient

        code.polls += 1
        client = DeviceClient(self.config.client_id)
        session = GrantSession(self.config, self._transport(), client=client)
        try:
            with session:
                body: Mapping[str, Any] = call_grant(
                    "sign-in with a code",
                    session,
                    lambda: session.fetch_token(
                        oauthlib_url(self.config.token_url),
                        device_code=code.device_code,
                        **client_auth(self.config),
                    ),
                )
        except OAuthServerError as exc:
            self._refused(code, exc.error, session)  # raises unless the user may still decide
            return None
        except TokenExchangeError:
            if _server_failed(session):
                return None
            raise
        except APIConnectionError:
            return None  # the transport retried what it may; try again next interval
        token = Token.from_response(dict(body), now=self._wall())
        self.store.save_token(self.config.profile, token)
        return token

    def _refused(self, code: DeviceCode, error: str, session: GrantSession) -> None:
        if error == _PENDING:
            return
        if error == "slow_down":
            code.interval += SLOW_DOWN_STEP
            return
        if error == "access_denied":
            raise AuthorizationDenied(
                "The sign-in with a code was denied on the verification page, so nothing was "
                "connected. Start again and press Allow to connect."
            )
        if error == "expired_token":
            raise _expired()
        if _server_failed(session):
            return  # e.g. 503 temporarily_unavailable: tolerated until the code expires
        raise OAuthServerError(
            f"The token endpoint refused the sign-in with a code ({error[:60]}). Start again; "
            "if it keeps failing, check client_id, client_secret and token_url.",
            error=error,
        )

    def wait(self, code: DeviceCode, *, cancel: threading.Event | None = None) -> Token:
        """Poll at the server's interval until the user approves, denies, or the code expires.

        Args:
            code: the started sign-in.
            cancel: set it to stop waiting (e.g. "Stop waiting" in the panel).

        Returns:
            The token, saved in the store.

        Raises:
            AuthorizationDenied: the user pressed Deny.
            DeviceCodeExpired: the code expired before anyone approved it.
            ReauthorizationRequired: ``cancel`` was set.
        """
        stop = cancel if cancel is not None else threading.Event()
        pause = self._sleep if self._sleep is not None else stop.wait
        while True:
            remaining = code.expires_at - self._clock()
            if remaining <= 0:
                raise _expired()
            pause(min(code.interval, remaining))
            if stop.is_set():
                raise ReauthorizationRequired("Stopped waiting for the sign-in with a code.")
            if self._clock() >= code.expires_at:
                raise _expired()
            token = self.poll(code)
            if token is not None:
                return token

    def __repr__(self) -> str:
        return (
            f"<DeviceFlow client_id={self.config.client_id!r} "
            f"endpoint={self.config.device_authorization_url!r}>"
        )


def _server_failed(session: GrantSession) -> bool:
    response = session.last_response
    return response is not None and response.status_code >= 500


def _expired() -> DeviceCodeExpired:
    return DeviceCodeExpired(
        "The code expired before the sign-in was approved. Start again for a new code, then "
        "enter it on the verification page and press Allow."
    )

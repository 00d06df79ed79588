"""The client: settings, a transport, and the API's resources as attributes.

Every credential plugs into one slot, ``auth=``: an :class:`~oncehub_nb.auth.ApiKeyAuth` (what
``api_key=`` makes), an :class:`~oncehub_nb.auth.OAuthAuth`, or the sign-in panel's deferred
slot. The client never asks which one it holds.

Example:
    >>> from oncehub_nb import OnceHub
    >>> hub = OnceHub(api_key="0123456789abcdef0123", env={})
    >>> hub
    OnceHub(api_base='https://api.oncehub.com/v2', auth=ApiKeyAuth(api_key='0123…'))
    >>> hub.close()
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Unpack

from oncehub_nb._config import ClientSettings, Settings
from oncehub_nb._display import facts_html, facts_text
from oncehub_nb._errors import ConfigurationError, ReauthorizationRequired
from oncehub_nb._http.credentials import Credential
from oncehub_nb._http.transport import Transport
from oncehub_nb.auth.api_key import ApiKeyAuth
from oncehub_nb.resources import (
    BookingCalendars,
    BookingPages,
    Bookings,
    Contacts,
    EventTypes,
    MasterPages,
    SmsNotifications,
    Teams,
    Users,
    Webhooks,
)

if TYPE_CHECKING:
    from oncehub_nb.auth.config import OAuthConfig
    from oncehub_nb.auth.tokens import Token, TokenStore
    from oncehub_nb.doctor import DoctorReport

__all__ = ["OnceHub"]

_ACCOUNT_RE = re.compile(r"account:\s*(\S+)\s*$")


class OnceHub:
    """A connection to the OnceHub API v2.

    Pass an API key (OnceHub's documented authentication) or a credential object (``auth=``).
    With neither, the key is read from ``ONCEHUB_API_KEY``.

    Args:
        api_key: an OnceHub API key (gear icon > Account Integrations > APIs & Webhooks).
        auth: a credential instead: :class:`~oncehub_nb.auth.ApiKeyAuth`,
            :class:`~oncehub_nb.auth.OAuthAuth` (see :meth:`from_oauth`) ...
        env: the environment to read ``ONCEHUB_*`` variables from (default ``os.environ``).
        **settings: any :class:`~oncehub_nb._config.Settings` field: ``api_base``, ``timeout``,
            ``max_retries``, ``page_size``, ``rate_limit``, ``max_wait``, ...

    Attributes:
        bookings: the ``/bookings`` resource (also ``contacts``, ``users``, ``teams``,
            ``booking_calendars``, ``booking_pages``, ``master_pages``, ``event_types``,
            ``webhooks``, ``sms_notifications``).
        settings: the resolved settings.
        auth: the credential.
        transport: the one send path every request of this client goes through.
        account: the account name from the last :meth:`validate`, else ``None``.

    Raises:
        ConfigurationError: no credentials, or an invalid setting (named in the message).

    Example:
        >>> with OnceHub(api_key=sb.api_key, api_base=sb.base_url) as hub:  # sb: the sandbox
        ...     print(hub.validate())
        ...     frame = hub.bookings.to_frame(status="scheduled", progress=False)
        kevin.hernandez@martin-mcmillan.example.com
        >>> hub
        OnceHub(api_base='http://127.0.0.1:.../v2', auth=ApiKeyAuth(api_key='...…'))
        >>> frame[["id", "starting_time"]].head(2)
                          id             starting_time
        0  BKNG-H60DZO03KD8P 2026-06-10 09:30:00+00:00
        1  BKNG-LR6FYVQU5H5M 2026-06-30 23:45:00+00:00
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        auth: Credential | None = None,
        env: Mapping[str, str] | None = None,
        **settings: Unpack[ClientSettings],
    ) -> None:
        env = os.environ if env is None else env
        self.settings = Settings.resolve(env=env, **settings)
        if api_key is not None and auth is not None:
            raise ConfigurationError("Pass either api_key or auth, not both")
        if auth is None:
            stored_in = None if api_key is not None else "ONCEHUB_API_KEY (environment)"
            api_key = api_key if api_key is not None else env.get("ONCEHUB_API_KEY")
            if api_key is None:
                raise ConfigurationError(
                    "No credentials: pass api_key=... (or set ONCEHUB_API_KEY), or sign in with "
                    "oncehub_nb.login(). OnceHub API keys are created under gear icon > Account "
                    "Integrations > APIs & Webhooks."
                )
            auth = ApiKeyAuth(api_key, stored_in=stored_in)
        if not callable(getattr(auth, "authenticate", None)):  # e.g. a requests AuthBase
            raise ConfigurationError(
                f"auth= takes an oncehub_nb credential (ApiKeyAuth, OAuthAuth), not "
                f"{type(auth).__name__}"
            )
        self.auth: Credential = auth
        self.transport = Transport(self.settings, auth=auth)
        self.account: str | None = None
        self.bookings = Bookings(self.transport)
        self.contacts = Contacts(self.transport)
        self.users = Users(self.transport)
        self.teams = Teams(self.transport)
        self.booking_calendars = BookingCalendars(self.transport)
        self.booking_pages = BookingPages(self.transport)
        self.master_pages = MasterPages(self.transport)
        self.event_types = EventTypes(self.transport)
        self.webhooks = Webhooks(self.transport)
        self.sms_notifications = SmsNotifications(self.transport)

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, **settings: Unpack[ClientSettings]
    ) -> OnceHub:
        """Build a client from ``ONCEHUB_API_KEY``, ``ONCEHUB_API_BASE`` and the other variables.

        Args:
            env: the environment to read (default ``os.environ``).
            **settings: settings that win over the environment.

        Returns:
            The client.

        Raises:
            ConfigurationError: ``ONCEHUB_API_KEY`` is not set, or a variable is invalid.

        Example:
            >>> hub = OnceHub.from_env({"ONCEHUB_API_KEY": "0123456789abcdef0123"})
            >>> hub.settings.api_base
            'https://api.oncehub.com/v2'
        """
        env = os.environ if env is None else env
        if not (env.get("ONCEHUB_API_KEY") or "").strip():
            raise ConfigurationError(
                "ONCEHUB_API_KEY is not set. Set it to an OnceHub API key (gear icon > Account "
                "Integrations > APIs & Webhooks), or pass api_key= to OnceHub()."
            )
        return cls(env=env, **settings)

    @classmethod
    def from_oauth(
        cls,
        config: OAuthConfig | None = None,
        *,
        store: TokenStore | None = None,
        on_token_refreshed: Callable[[Token], None] | None = None,
        on_reauthorization_required: Callable[[], None] | None = None,
        leeway: float = 60.0,
        env: Mapping[str, str] | None = None,
        **settings: Unpack[ClientSettings],
    ) -> OnceHub:
        """Build a client on a stored OAuth token, refreshed as needed.

        OnceHub documents API keys only; this works with the OAuth endpoints you configure
        (and with the sandbox's).

        Args:
            config: the app and endpoints (default: from ``ONCEHUB_CLIENT_ID`` and friends).
            store: where the token is (default: the file store in the platform config dir).
            on_token_refreshed: called with each new token, after it is saved.
            on_reauthorization_required: called when the token is gone or refused.
            leeway: refresh when the token expires within this many seconds (at most 10 % of
                its lifetime).
            env: the environment for ``ONCEHUB_*`` variables.
            **settings: client settings (``api_base`` ...).

        Returns:
            The client.

        Raises:
            ReauthorizationRequired: no token is stored for this app: sign in first.

        Example:
            >>> token = flow.finish(sb.consent(flow.start()))  # sign in (sandbox: no person)
            >>> hub = OnceHub.from_oauth(config, store=store, api_base=sb.base_url)
            >>> hub.validate()
            'kevin.hernandez@martin-mcmillan.example.com'
        """
        from oncehub_nb.auth.config import OAuthConfig
        from oncehub_nb.auth.oauth import OAuthAuth

        config = config if config is not None else OAuthConfig.from_env(env)
        auth = OAuthAuth(
            config,
            store=store,
            on_token_refreshed=on_token_refreshed,
            on_reauthorization_required=on_reauthorization_required,
            leeway=leeway,
        )
        if auth.current_token is None:
            raise ReauthorizationRequired(
                f"No token is stored for client {config.client_id!r} in "
                f"{auth.store.describe()}. Sign in first: oncehub_nb.login() in a notebook, "
                "or `oncehub-nb login`."
            )
        return cls(auth=auth, env=env, **settings)

    def validate(self) -> str:
        """Check the credentials with ``GET /test``.

        Returns:
            The account the credentials belong to (OnceHub names it by its email).

        Raises:
            AuthenticationError: the key or token is not valid.
            PermissionDeniedError: the account's plan has no API access.

        Example:
            >>> hub.validate()
            'kevin.hernandez@martin-mcmillan.example.com'
        """
        body = self.transport.request_json("GET", "/test", expect=dict)
        message = body.get("message", "")
        match = _ACCOUNT_RE.search(message) if isinstance(message, str) else None
        self.account = match.group(1) if match else (str(message) or "valid")
        return self.account

    def sign_out(self) -> str:
        """Forget the credential where it is kept (revoking an OAuth token where possible).

        Returns:
            What was done, in words.

        Example:
            >>> OnceHub(api_key="0123456789abcdef0123", env={}).sign_out()
            'Nothing was kept: the key was given in code.'
        """
        self.account = None
        return self.auth.forget(self.transport)

    def describe(self) -> list[tuple[str, str]]:
        """Connection, account and credential facts, as ``(name, text)`` rows; secrets masked.

        Example:
            >>> OnceHub(api_key="0123456789abcdef0123", env={}).describe()[2]
            ('Credential', 'API key 0123…')
        """
        account = self.account or "not checked yet (hub.validate())"
        return [("Connection", self.settings.api_base), ("Account", account), *self.auth.describe()]

    def doctor(self) -> DoctorReport:
        """Probe the account read-only and compare its data with the SDK's column schemas.

        ``GET /test``, then one page (``limit=100``) of every list endpoint, and the page after
        it where there is one (to see the cursor move on). See :mod:`oncehub_nb.doctor`.

        Returns:
            The report: ``print()`` it for a table, ``.write(path)`` it for a JSON file with
            field names and types only (no value from the account), ``.new`` for what is not
            a documented departure of OnceHub from its spec.

        Raises:
            APIConnectionError: OnceHub could not be reached.

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> with Sandbox(bookings=30, rate_limit=False) as sb, OnceHub(
            ...     api_key=sb.api_key, api_base=sb.base_url, rate_limit=False
            ... ) as hub:
            ...     report = hub.doctor()
            >>> report.ok, len(report.endpoints)
            (True, 10)
        """
        from oncehub_nb.doctor import probe

        resources = [
            self.bookings,
            self.booking_calendars,
            self.booking_pages,
            self.master_pages,
            self.event_types,
            self.users,
            self.teams,
            self.contacts,
            self.webhooks,
            self.sms_notifications,
        ]
        return probe(self.transport, resources)

    @property
    def last_request_id(self) -> str | None:
        """The ``Request-Id`` of the last response this thread got, to quote to OnceHub support."""
        return self.transport.last_request_id

    def close(self) -> None:
        """Close the pooled connections."""
        self.transport.close()

    def __enter__(self) -> OnceHub:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"OnceHub(api_base={self.settings.api_base!r}, auth={self.auth!r})"

    def __str__(self) -> str:
        return facts_text("OnceHub client", self.describe())

    def _repr_html_(self) -> str:
        """Notebook view: connection, account, masked credential, where it is kept, expiry."""
        return facts_html("OnceHub client", self.describe())

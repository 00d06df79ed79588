"""The client: settings, a transport, and the API's resources as attributes.

Example:
    >>> from oncehub_nb import OnceHub
    >>> hub = OnceHub(api_key="0123456789abcdef0123")
    >>> hub
    OnceHub(api_base='https://api.oncehub.com/v2', auth=ApiKeyAuth(api_key='0123…'))
    >>> hub.close()
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any

import requests

from oncehub_nb._config import Settings
from oncehub_nb._errors import ConfigurationError, ReauthorizationRequired
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

    Pass an API key (OnceHub's documented authentication), or any requests ``auth`` object, or a
    ready ``session`` that authenticates by itself (the OAuth session). With none of them, the
    key is read from ``ONCEHUB_API_KEY``.

    Args:
        api_key: an OnceHub API key (gear icon > Account Integrations > APIs & Webhooks).
        auth: a requests auth object, instead of ``api_key``.
        session: a requests session that authenticates its own requests (OAuth).
        env: the environment to read ``ONCEHUB_*`` variables from (default ``os.environ``).
        **settings: any :class:`~oncehub_nb._config.Settings` field: ``api_base``, ``timeout``,
            ``max_retries``, ``page_size``, ``rate_limit``, ``rate_limits``, ...

    Attributes:
        bookings: the ``/bookings`` resource (also ``contacts``, ``users``, ``teams``,
            ``booking_calendars``, ``booking_pages``, ``master_pages``, ``event_types``,
            ``webhooks``, ``sms_notifications``).
        settings: the resolved settings.
        account: the account name from the last :meth:`validate`, else ``None``.

    Raises:
        ConfigurationError: no credentials, or an invalid setting (named in the message).

    Example:
        >>> with OnceHub(api_key="...") as hub:  # doctest: +SKIP
        ...     print(hub.validate())
        ...     frame = hub.bookings.to_frame(status="scheduled")
    """

    def __init__(
        self,
        api_key: str | None = None,
        *,
        auth: requests.auth.AuthBase | None = None,
        session: requests.Session | None = None,
        env: Mapping[str, str] | None = None,
        **settings: Any,
    ) -> None:
        env = os.environ if env is None else env
        self.settings = Settings.resolve(env=env, **settings)
        if api_key is not None and auth is not None:
            raise ConfigurationError("Pass either api_key or auth, not both")
        if auth is None and session is None:
            api_key = api_key if api_key is not None else env.get("ONCEHUB_API_KEY")
            if api_key is None:
                raise ConfigurationError(
                    "No credentials: pass api_key=... (or set ONCEHUB_API_KEY), or sign in with "
                    "oncehub_nb.login(). OnceHub API keys are created under gear icon > Account "
                    "Integrations > APIs & Webhooks."
                )
            auth = ApiKeyAuth(api_key)
        self.auth = auth
        self._transport = Transport(self.settings, auth=auth, session=session)
        self.account: str | None = None
        self.bookings = Bookings(self._transport)
        self.contacts = Contacts(self._transport)
        self.users = Users(self._transport)
        self.teams = Teams(self._transport)
        self.booking_calendars = BookingCalendars(self._transport)
        self.booking_pages = BookingPages(self._transport)
        self.master_pages = MasterPages(self._transport)
        self.event_types = EventTypes(self._transport)
        self.webhooks = Webhooks(self._transport)
        self.sms_notifications = SmsNotifications(self._transport)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **settings: Any) -> OnceHub:
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
        **settings: Any,
    ) -> OnceHub:
        """Build a client on a stored OAuth token, refreshed as needed.

        OnceHub documents API keys only; this works with the OAuth endpoints you configure
        (and with the sandbox's).

        Args:
            config: the app and endpoints (default: from ``ONCEHUB_CLIENT_ID`` and friends).
            store: where the token is (default: the file store in the platform config dir).
            on_token_refreshed: called with each new token, after it is saved.
            on_reauthorization_required: called when the token is gone or refused.
            leeway: refresh when the token expires within this many seconds.
            env: the environment for ``ONCEHUB_*`` variables.
            **settings: client settings (``api_base`` ...).

        Returns:
            The client.

        Raises:
            ReauthorizationRequired: no token is stored for this app: sign in first.

        Example:
            >>> hub = OnceHub.from_oauth(OAuthConfig.from_env(), api_base=...)  # doctest: +SKIP
        """
        from oncehub_nb.auth.config import OAuthConfig
        from oncehub_nb.auth.session import OAuthSession

        config = config if config is not None else OAuthConfig.from_env(env)
        session = OAuthSession(
            config,
            store=store,
            on_token_refreshed=on_token_refreshed,
            on_reauthorization_required=on_reauthorization_required,
            leeway=leeway,
        )
        if session.current_token is None:
            session.close()
            raise ReauthorizationRequired(
                f"No token is stored for client {config.client_id!r} in "
                f"{session.store.describe()}. Sign in first: oncehub_nb.login() in a notebook, "
                "or `oncehub-nb login`."
            )
        return cls(session=session, env=env, **settings)

    def validate(self) -> str:
        """Check the credentials with ``GET /test``.

        Returns:
            The account the credentials belong to (OnceHub names it by its email).

        Raises:
            AuthenticationError: the key or token is not valid.
            PermissionDeniedError: the account's plan has no API access.

        Example:
            >>> hub.validate()  # doctest: +SKIP
            'admin@example.com'
        """
        body = self._transport.request_json("GET", "/test")
        message = body.get("message", "") if isinstance(body, dict) else ""
        match = _ACCOUNT_RE.search(message) if isinstance(message, str) else None
        self.account = match.group(1) if match else (message or "valid")
        return self.account

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
        return probe(self._transport, resources)

    @property
    def last_request_id(self) -> str | None:
        """The ``Request-Id`` of the last response, to quote to OnceHub support."""
        return self._transport.last_request_id

    def close(self) -> None:
        """Close the pooled connections."""
        self._transport.close()

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
        auth = repr(self.auth) if self.auth is not None else repr(self._transport.session)
        return f"OnceHub(api_base={self.settings.api_base!r}, auth={auth})"

    def _repr_html_(self) -> str:
        """Notebook view: connection, account, masked credential, where it is kept, expiry."""
        from oncehub_nb.notebook.html import client_html

        return client_html(self)

    def _use_credentials(
        self, *, auth: requests.auth.AuthBase | None = None, session: requests.Session | None = None
    ) -> None:
        """Swap the credentials in place (the sign-in panel connecting or signing out)."""
        old, new = self._transport.session, session if session is not None else requests.Session()
        new.headers.update(
            {k: old.headers[k] for k in ("User-Agent", "Accept") if k in old.headers}
        )
        self._transport.session, self._transport.auth, self.auth = new, auth, auth
        self.account = None
        if old is not new:
            old.close()

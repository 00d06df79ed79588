"""OAuth helpers mixed into :class:`~oncehub_nb.sandbox.Sandbox` (demo notebooks and tests)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from oncehub_nb._consent import press_consent

if TYPE_CHECKING:
    from oncehub_nb.sandbox._oauth import OAuthProvider


class OAuthHelpers:
    """Methods on :class:`Sandbox` that drive the OAuth server from Python.

    Everything goes over real HTTP except :meth:`revoke_token`, :meth:`expire_access_token`
    and :meth:`oauth_stats`, which are server-side controls (also at ``/_sandbox/oauth/...``).
    """

    oauth: OAuthProvider

    def oauth_settings(
        self, kind: str = "confidential", redirect_uri: str | None = None
    ) -> dict[str, Any]:
        """Client settings for the sandbox, keyed like the SDK's ``OAuthConfig`` keywords.

        Args:
            kind: ``"confidential"`` (has a ``client_secret``) or ``"public"`` (PKCE, no secret).
            redirect_uri: A registered redirect URI; default ``<root_url>/oauth/callback``.
                ``http://127.0.0.1:<port>/callback`` and ``http://localhost:<port>/callback``
                are registered too.

        Returns:
            ``client_id``, ``client_secret`` (``None`` for public), ``redirect_uri``, ``scope``,
            ``authorize_url``, ``token_url`` and ``revoke_url``.

        Raises:
            ValueError: Unknown ``kind`` or unregistered ``redirect_uri``.

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> with Sandbox(bookings=0) as sb:
            ...     settings = sb.oauth_settings("public")
            >>> settings["client_id"], settings["client_secret"], settings["scope"]
            ('sandbox-public-app', None, 'read write')
        """
        return self.oauth.settings(kind, redirect_uri)

    def consent(self, authorize_url: str, allow: bool = True, *, timeout: float = 10) -> str:
        """Act as the user on the consent page: open it, press Allow or Deny, keep the redirect.

        Args:
            authorize_url: The full authorization URL the client built.
            allow: Press Allow (``True``) or Deny (``False``).
            timeout: Seconds per HTTP request.

        Returns:
            The redirect URL (``Location``): with ``code`` and ``state``, or with ``error``.

        Raises:
            ConsentError: The page showed an error (unknown client, unregistered redirect URI,
                malformed link) instead of the form.

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> with Sandbox(bookings=0) as sb:
            ...     s = sb.oauth_settings()
            ...     url = (f"{s['authorize_url']}?response_type=code&client_id={s['client_id']}"
            ...            f"&redirect_uri={s['redirect_uri']}&scope=read&state=xyz")
            ...     "code=" in sb.consent(url)
            True
        """
        return press_consent(authorize_url, allow=allow, timeout=timeout)

    def revoke_token(self, token: str) -> bool:
        """Revoke an access or refresh token server-side (a refresh token takes its access tokens).

        Returns:
            ``True`` when the token was known.

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> Sandbox(bookings=0).revoke_token("not-a-token")
            False
        """
        return self.oauth.validator.revoke(token)

    def expire_access_token(self, token: str) -> bool:
        """Expire an access token now, while its client still believes it valid.

        Returns:
            ``True`` when the token was known.

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> Sandbox(bookings=0).expire_access_token("not-a-token")
            False
        """
        return self.oauth.validator.expire(token)

    def oauth_stats(self) -> dict[str, Any]:
        """OAuth counters: token requests per grant type, refreshes, invalid_grant, codes, revokes.

        Example:
            >>> from oncehub_nb.sandbox import Sandbox
            >>> Sandbox(bookings=0).oauth_stats()["token_requests"]
            {}
        """
        return self.oauth.stats()

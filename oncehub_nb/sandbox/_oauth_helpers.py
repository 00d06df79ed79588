"""OAuth helpers mixed into :class:`~oncehub_nb.sandbox.Sandbox` (demo notebooks and tests)."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import requests

if TYPE_CHECKING:
    from oncehub_nb.sandbox._oauth import OAuthProvider


class ConsentError(RuntimeError):
    """The consent page showed an error instead of the Allow / Deny form.

    Example:
        >>> str(ConsentError("Mismatching redirect URI."))
        'Mismatching redirect URI.'
    """


class _FormReader(HTMLParser):
    """Collect the consent form's hidden fields, its action and the error text, if any."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.action: str | None = None
        self.error: str | None = None
        self._in_error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.action = values.get("action")
        elif tag == "input" and values.get("type") == "hidden" and "name" in values:
            self.fields[values["name"]] = values.get("value", "")
        elif values.get("id") == "error":
            self._in_error = True
            self.error = ""

    def handle_endtag(self, tag: str) -> None:
        self._in_error = False

    def handle_data(self, data: str) -> None:
        if self._in_error and self.error is not None:
            self.error += data


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
        with requests.Session() as session:
            page = session.get(authorize_url, allow_redirects=False, timeout=timeout)
            if page.is_redirect:
                return str(page.headers["Location"])  # an error the client can handle
            reader = _FormReader()
            reader.feed(page.text)
            if page.status_code != 200 or reader.action is None:
                detail = (reader.error or "").strip() or f"HTTP {page.status_code}"
                raise ConsentError(f"the authorization page showed an error: {detail}")
            answer = session.post(
                urljoin(authorize_url, reader.action),
                data={**reader.fields, "decision": "allow" if allow else "deny"},
                allow_redirects=False,
                timeout=timeout,
            )
        if not answer.is_redirect:
            reader = _FormReader()
            reader.feed(answer.text)
            detail = (reader.error or "").strip() or f"HTTP {answer.status_code}"
            raise ConsentError(f"the consent form was refused: {detail}")
        return str(answer.headers["Location"])

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

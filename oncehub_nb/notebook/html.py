"""Rich HTML views of a client and of pending sign-ins, for notebooks (no ipywidgets needed).

Everything shown is passed through :func:`html.escape`; credentials show masked (``'abcd…'``).

Example:
    >>> from oncehub_nb import OnceHub
    >>> html_text = client_html(OnceHub(api_key="0123456789abcdef0123", env={}))
    >>> "0123…" in html_text and "0123456789abcdef0123" not in html_text
    True
"""

from __future__ import annotations

import datetime as dt
import time
import weakref
from html import escape
from typing import TYPE_CHECKING, Any

from oncehub_nb._redact import mask

if TYPE_CHECKING:
    from oncehub_nb._client import OnceHub
    from oncehub_nb.auth.oauth import AuthorizationFlow

__all__ = ["client_html", "describe_expiry", "flow_html", "note_store"]

_STORES: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()

_TABLE = (
    '<div class="oncehub-nb" style="font-family:system-ui,sans-serif;font-size:13px">'
    "<strong>{title}</strong>"
    '<table style="border-collapse:collapse;margin-top:4px">{rows}</table></div>'
)
_ROW = (
    '<tr><th style="text-align:left;padding:2px 12px 2px 0;color:#52606d;font-weight:normal">'
    '{name}</th><td style="text-align:left;padding:2px 0">{value}</td></tr>'
)


def note_store(client: Any, description: str | None) -> None:
    """Remember where a client's API key is kept, for its HTML view.

    Args:
        client: the client.
        description: the store's :meth:`~oncehub_nb.auth.TokenStore.describe`, or ``None``.
    """
    if description is None:
        _STORES.pop(client, None)
    else:
        _STORES[client] = description


def describe_expiry(expires_at: float | None, *, now: float | None = None) -> str:
    """Say when a token expires, in words.

    Args:
        expires_at: Unix time, or ``None``.
        now: the current Unix time (default: now).

    Returns:
        A short text.

    Example:
        >>> describe_expiry(1_000_000_600.0, now=1_000_000_000.0)
        '2001-09-09 01:56:40 UTC (in 10 min)'
        >>> describe_expiry(None)
        'no expiry given'
    """
    if expires_at is None:
        return "no expiry given"
    left = expires_at - (time.time() if now is None else now)
    when = dt.datetime.fromtimestamp(expires_at, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    if left <= 0:
        return f"{when} (expired: refreshed on next use)"
    return f"{when} (in {left / 60:.0f} min)"


def credential_rows(client: OnceHub) -> list[tuple[str, str]]:
    """Describe a client's credential as (name, plain text) rows; secrets masked.

    Args:
        client: the client.

    Returns:
        Rows for ``Credential``, ``Stored in`` and ``Expires`` (those that apply).
    """
    from oncehub_nb.auth.api_key import ApiKeyAuth
    from oncehub_nb.auth.session import OAuthSession

    session = client._transport.session
    if isinstance(session, OAuthSession):
        token = session.current_token
        if token is None:
            return [("Credential", "OAuth: no token (sign in again)")]
        return [
            (
                "Credential",
                f"OAuth token {mask(token.access_token)} (client {session.config.client_id})",
            ),
            ("Stored in", session.store.describe()),
            ("Expires", describe_expiry(token.expires_at)),
        ]
    if isinstance(client.auth, ApiKeyAuth):
        rows = [("Credential", f"API key {client.auth.masked}")]
        stored = _STORES.get(client)
        rows.append(("Stored in", stored or "not stored (given in code or ONCEHUB_API_KEY)"))
        rows.append(("Expires", "never (delete it in OnceHub to revoke it)"))
        return rows
    if client.auth is None:
        return [("Credential", "none")]
    return [("Credential", str(getattr(client.auth, "describe", lambda: "custom")()))]


def client_html(client: OnceHub) -> str:
    """The client's HTML view: connection, account, masked credential, store, expiry.

    Args:
        client: the client.

    Returns:
        An HTML fragment.
    """
    account = client.account or "not checked yet (hub.validate())"
    rows = [("Connection", client.settings.api_base), ("Account", account)]
    rows += credential_rows(client)
    body = "".join(_ROW.format(name=escape(n), value=escape(v)) for n, v in rows)
    return _TABLE.format(title="OnceHub client", rows=body)


def flow_html(flow: AuthorizationFlow) -> str:
    """The HTML view of an authorization flow: the app, its pending sign-ins, the store.

    Args:
        flow: the flow.

    Returns:
        An HTML fragment (no ``state``, verifier or code is shown).
    """
    pending = flow.pending()
    rows = [
        ("App", flow.config.client_id),
        ("Authorization server", flow.config.authorize_url),
        ("Redirect address", flow.config.redirect_uri or "not set"),
        ("Kept in", flow.store.describe()),
        ("Pending sign-ins", str(len(pending)) if pending else "none: call flow.start()"),
    ]
    if pending:
        latest = max(float(p.get("expires_at") or 0) for p in pending)
        rows.append(("Link valid until", describe_expiry(latest)))
        rows.append(("Next step", "open the link, press Allow, then flow.finish(pasted_address)"))
    body = "".join(_ROW.format(name=escape(n), value=escape(v)) for n, v in rows)
    return _TABLE.format(title="OnceHub sign-in", rows=body)

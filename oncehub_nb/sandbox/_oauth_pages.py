"""Small HTML pages of the sandbox's authorization server: consent, error, callback.

Every value that came from a request is passed through :func:`html.escape` (quotes included).
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from flask import Response

SCOPE_WORDS = {
    "read": "See your bookings, contacts, users, teams and booking pages.",
    "write": "Create, change and cancel bookings and other scheduling data.",
}

_STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;"
    "color:#1f2933}h1{font-size:1.4rem}button{font-size:1rem;padding:.5rem 1.2rem;margin:.3rem}"
    "input[type=text]{width:100%;font-family:monospace;padding:.4rem}"
    ".note{color:#52606d;font-size:.9rem}"
)


def page(title: str, body: str, status: int = 200) -> Response:
    """Wrap ``body`` (already escaped HTML) in the sandbox's page, no-store and not framable."""
    html = (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body>{body}</body></html>"
    )
    response = Response(html, status=status, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Frame-Options"] = "DENY"  # RFC 6749 10.13: no clickjacking of consent
    response.headers["Referrer-Policy"] = "no-referrer"  # codes in URLs stay on this page
    return response


def consent_page(app_name: str, scopes: list[str], fields: Mapping[str, str]) -> Response:
    """Render the consent page: the app, what it asks for, and an Allow / Deny form.

    Example:
        >>> from flask import Flask
        >>> with Flask(__name__).app_context():
        ...     page = consent_page("<App>", ["read"], {"state": '"x"'})
        >>> b"&lt;App&gt;" in page.data and b'value="&quot;x&quot;"' in page.data
        True
    """
    items = "".join(f"<li>{escape(SCOPE_WORDS.get(s, s))}</li>" for s in scopes)
    hidden = "".join(
        f'<input type="hidden" name="{escape(name)}" value="{escape(value)}">'
        for name, value in fields.items()
    )
    body = (
        "<h1>Sign in to the OnceHub sandbox</h1>"
        f'<p><strong id="app-name">{escape(app_name)}</strong> wants to:</p>'
        f'<ul id="scopes">{items}</ul>'
        '<form method="post" action="/oauth/authorize">'
        f"{hidden}"
        '<button type="submit" name="decision" value="allow">Allow</button>'
        '<button type="submit" name="decision" value="deny">Deny</button>'
        "</form>"
        '<p class="note">This is a local sandbox: no real OnceHub account is involved.</p>'
    )
    return page("Allow access?", body)


def error_page(description: str, status: int = 400) -> Response:
    """Render an error page for a request that must not be redirected (bad client or URI).

    Example:
        >>> from flask import Flask
        >>> with Flask(__name__).app_context():
        ...     error_page("Mismatching redirect URI.").status_code
        400
    """
    body = (
        "<h1>This sign-in link cannot be used</h1>"
        f'<p id="error">{escape(description)}</p>'
        "<p>Go back to your notebook and start signing in again. If it keeps happening, check "
        "the client id and the redirect URI registered with the sandbox.</p>"
    )
    return page("Sign-in error", body, status)


def callback_page(url: str, denied: bool) -> Response:
    """Render the default redirect page: the full URL to copy back into the notebook.

    Example:
        >>> from flask import Flask
        >>> with Flask(__name__).app_context():
        ...     page = callback_page("http://127.0.0.1:1/oauth/callback?error=access_denied", True)
        >>> b"denied" in page.data
        True
    """
    if denied:
        lead = (
            "<h1>Access was denied</h1><p>The app was denied access. Copy this address and "
            "paste it into your notebook anyway: it will tell you what happened.</p>"
        )
    else:
        lead = (
            "<h1>Almost done</h1><p>Copy this address and paste it into your notebook, "
            "in the cell that asked for it.</p>"
        )
    body = (
        f"{lead}"
        f'<input type="text" id="url" readonly value="{escape(url)}" '
        'onfocus="this.select()" aria-label="Address to copy">'
        '<p><button type="button" id="copy">Copy</button> <span id="copied"></span></p>'
        '<p class="note">The address holds a one-time code that expires quickly. '
        "Do not share it.</p>"
        "<script>document.getElementById('copy').addEventListener('click',function(){"
        "navigator.clipboard.writeText(document.getElementById('url').value).then("
        "function(){document.getElementById('copied').textContent='Copied.';},"
        "function(){document.getElementById('url').select();"
        "document.getElementById('copied').textContent='Press Ctrl+C to copy.';});});"
        "</script>"
    )
    return page("Copy this address", body)

"""Act as the person on an OAuth consent page: open it, press Allow or Deny, keep the redirect.

The sandbox's consent page is a form with hidden fields, an action and a ``decision`` button
(``allow`` / ``deny``), and shows a refusal in an element with ``id="error"``. Tutorials and
tests press its buttons through :meth:`oncehub_nb.sandbox.Sandbox.consent`; a recorded flow
presses them through its context, against the sandbox or its cassette. Both call
:func:`press_consent`. A leaf: it imports nothing of the package.

Example:
    >>> reader = ConsentForm()
    >>> reader.feed('<form action="/oauth/consent"><input type="hidden" name="t" value="1">')
    >>> reader.action, reader.fields
    ('/oauth/consent', {'t': '1'})
"""

from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import urljoin

import requests

__all__ = ["ConsentError", "ConsentForm", "press_consent"]


class ConsentError(RuntimeError):
    """The consent page showed an error instead of the Allow / Deny form.

    Example:
        >>> str(ConsentError("Mismatching redirect URI."))
        'Mismatching redirect URI.'
    """


class ConsentForm(HTMLParser):
    """Collect the consent form's hidden fields, its action and the error text, if any.

    Example:
        >>> form = ConsentForm()
        >>> form.feed('<p id="error">Unknown client.</p>')
        >>> form.error
        'Unknown client.'
    """

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, str] = {}
        self.action: str | None = None
        self.error: str | None = None
        self._in_error = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        """Note the form's action, its hidden fields and the start of the error text."""
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.action = values.get("action")
        elif tag == "input" and values.get("type") == "hidden" and "name" in values:
            self.fields[values["name"]] = values.get("value", "")
        elif values.get("id") == "error":
            self._in_error = True
            self.error = ""

    def handle_endtag(self, tag: str) -> None:
        """The error text ends with its element."""
        self._in_error = False

    def handle_data(self, data: str) -> None:
        """Collect the error text."""
        if self._in_error and self.error is not None:
            self.error += data


def _detail(response: requests.Response) -> str:
    form = ConsentForm()
    form.feed(response.text)
    return (form.error or "").strip() or f"HTTP {response.status_code}"


def press_consent(authorize_url: str, *, allow: bool = True, timeout: float = 10) -> str:
    """Open the consent page, press Allow or Deny, and return where the browser is sent.

    Args:
        authorize_url: the full authorization URL the client built.
        allow: press Allow (``True``) or Deny (``False``).
        timeout: seconds per HTTP request.

    Returns:
        The redirect URL (``Location``): with ``code`` and ``state``, or with ``error``. A page
        that redirects at once (an error the client can handle) gives that address.

    Raises:
        ConsentError: the page showed an error (unknown client, unregistered redirect URI,
            malformed link) instead of the form, or the form was refused.

    Example:
        >>> from oncehub_nb.sandbox import Sandbox
        >>> with Sandbox(bookings=0) as sb:
        ...     s = sb.oauth_settings()
        ...     url = (f"{s['authorize_url']}?response_type=code&client_id={s['client_id']}"
        ...            f"&redirect_uri={s['redirect_uri']}&scope=read&state=xyz")
        ...     "code=" in press_consent(url, allow=True)
        True
    """
    with requests.Session() as session:
        page = session.get(authorize_url, allow_redirects=False, timeout=timeout)
        if page.is_redirect:
            return str(page.headers["Location"])
        form = ConsentForm()
        form.feed(page.text)
        if page.status_code != 200 or form.action is None:
            raise ConsentError(f"the authorization page showed an error: {_detail(page)}")
        answer = session.post(
            urljoin(authorize_url, form.action),
            data={**form.fields, "decision": "allow" if allow else "deny"},
            allow_redirects=False,
            timeout=timeout,
        )
    if not answer.is_redirect:
        raise ConsentError(f"the consent form was refused: {_detail(answer)}")
    return str(answer.headers["Location"])

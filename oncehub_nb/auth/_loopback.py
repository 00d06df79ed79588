"""Plain ``http://`` to loopback hosts only, without oauthlib's process-wide switch.

oauthlib and requests-oauthlib refuse every ``http://`` URL unless the environment variable
``OAUTHLIB_INSECURE_TRANSPORT`` is set, which would allow plain http to *any* host for the whole
process. Instead, our sessions hand oauthlib the ``https://`` spelling of a loopback URL (so its
checks pass) and mount :class:`LoopbackHTTPAdapter` for loopback ``https://`` prefixes, which sends
those requests as plain http. The switch is per session and only for 127.0.0.0/8, ``localhost``
and ``[::1]``: a non-loopback http URL is still refused by oauthlib.

Example:
    >>> to_oauthlib_url("http://127.0.0.1:8080/oauth/token")
    'https://127.0.0.1:8080/oauth/token'
    >>> to_oauthlib_url("http://example.com/token")
    'http://example.com/token'
"""

from __future__ import annotations

from typing import Any

import requests
from requests.adapters import HTTPAdapter

from oncehub_nb._config import is_loopback_url

__all__ = ["LOOPBACK_PREFIXES", "LoopbackHTTPAdapter", "mount_loopback", "to_oauthlib_url"]

LOOPBACK_PREFIXES = ("https://127.", "https://localhost", "https://[::1]")


def to_oauthlib_url(url: str) -> str:
    """Spell a loopback ``http://`` URL as ``https://`` for oauthlib; leave others unchanged.

    Args:
        url: any URL.

    Returns:
        The URL oauthlib may be given.
    """
    if url.lower().startswith("http://") and is_loopback_url(url):
        return "https://" + url[len("http://") :]
    return url


class LoopbackHTTPAdapter(HTTPAdapter):
    """Sends ``https://<loopback>`` requests as plain http (the sandbox serves no TLS).

    Example:
        >>> session = requests.Session()
        >>> mount_loopback(session)
        >>> type(session.get_adapter("https://127.0.0.1:1/x")).__name__
        'LoopbackHTTPAdapter'
    """

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> Any:
        """Rewrite the scheme of a loopback request to http, then send it.

        Args:
            request: the prepared request.
            *args: passed to :meth:`HTTPAdapter.send`.
            **kwargs: passed to :meth:`HTTPAdapter.send`.

        Returns:
            The response.
        """
        url = request.url or ""
        if url.lower().startswith("https://") and is_loopback_url(url):
            request.url = "http://" + url[len("https://") :]
        return super().send(request, *args, **kwargs)


def mount_loopback(session: requests.Session) -> None:
    """Mount :class:`LoopbackHTTPAdapter` on a session for the loopback ``https://`` prefixes.

    Args:
        session: the session (an OAuth session) to adjust.
    """
    adapter = LoopbackHTTPAdapter()
    for prefix in LOOPBACK_PREFIXES:
        session.mount(prefix, adapter)

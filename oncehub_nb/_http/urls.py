r"""The one URL check: where a request may go, decided by the parser that sends it.

requests hands every URL to urllib3's ``parse_url`` to decide where to connect. Python's
``urllib.parse`` reads some spellings differently: ``http://evil.example:80\@127.0.0.1/v2``
is ``127.0.0.1`` to ``urlsplit`` but ``evil.example`` to urllib3, so a loopback check made with
``urlsplit`` let plain http (and the ``API-Key`` header) go to another host. Here a URL is
accepted only when

* it has no backslash, whitespace or control character, and no ``user:password@`` part;
* urllib3 and ``urllib.parse`` agree on its scheme, host and port;
* it is ``https://``, or ``http://`` to a loopback host (``localhost``, 127.0.0.0/8, ``[::1]``)
  as urllib3 reads it: the bundled sandbox speaks plain http on 127.0.0.1.

Every endpoint the SDK is configured with goes through :func:`check_url` when it is set
(``api_base``, ``token_url``, ``revoke_url``, ``authorize_url``, ``redirect_uri``, the local
redirect catcher's address), and the transport checks each URL again before sending.

Example:
    >>> check_url("https://api.oncehub.com/v2", what="api_base")
    'https://api.oncehub.com/v2'
    >>> is_loopback_url("http://127.0.0.1:8080/v2"), is_loopback_url("http://example.com/")
    (True, False)
    >>> check_url("http://evil.example:80\\@127.0.0.1/v2", what="api_base")
    Traceback (most recent call last):
    ...
    oncehub_nb.ConfigurationError: api_base ... contains a backslash, ...
"""

from __future__ import annotations

import ipaddress
from typing import NamedTuple
from urllib.parse import urlsplit

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

from oncehub_nb._errors import ConfigurationError

__all__ = ["Where", "check_url", "is_loopback_host", "is_loopback_url", "where"]


class Where(NamedTuple):
    """Scheme, host and port of a URL, as urllib3 (the sender) reads them.

    Example:
        >>> where("https://API.oncehub.com/v2")
        Where(scheme='https', host='api.oncehub.com', port=443)
    """

    scheme: str
    host: str
    port: int


_DEFAULT_PORTS = {"http": 80, "https": 443}


def is_loopback_host(host: str) -> bool:
    """Tell whether a host name (as urllib3 gives it) is this machine.

    Example:
        >>> is_loopback_host("[::1]"), is_loopback_host("127.0.0.2"), is_loopback_host("127.1")
        (True, True, False)
    """
    host = host.strip("[]").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def where(url: str) -> Where | None:
    r"""Scheme, host and port of ``url`` when both parsers read it alike; ``None`` otherwise.

    Example:
        >>> where("http://evil.example:80\\@127.0.0.1/") is None
        True
    """
    if not isinstance(url, str) or any(ch == "\\" or ch.isspace() or ord(ch) < 32 for ch in url):
        return None
    try:
        sent = parse_url(url)
        read = urlsplit(url)
        read_port = read.port
    except (LocationParseError, ValueError):
        return None
    scheme = (sent.scheme or "").lower()
    host = (sent.host or "").lower()
    if scheme not in _DEFAULT_PORTS or not host or sent.auth or "@" in read.netloc:
        return None
    port = sent.port or _DEFAULT_PORTS[scheme]
    same = (
        read.scheme.lower() == scheme
        and (read.hostname or "").lower() == host.strip("[]")
        and (read_port or _DEFAULT_PORTS[scheme]) == port
    )
    return Where(scheme, host, port) if same else None


def is_loopback_url(url: str) -> bool:
    """Tell whether a URL points at this machine, read the way it would be sent.

    Example:
        >>> is_loopback_url("http://[::1]:8080/cb"), is_loopback_url("http://localhost/")
        (True, True)
    """
    place = where(url)
    return place is not None and is_loopback_host(place.host)


def check_url(url: str, *, what: str, hint: str = "") -> str:
    """Return ``url`` when requests may be sent to it; raise with a clear message otherwise.

    Args:
        url: the URL.
        what: the argument or variable it came from (named in the message).
        hint: one more sentence for the message (e.g. what the URL should look like).

    Returns:
        The URL, unchanged.

    Raises:
        ConfigurationError: the URL is unreadable, ambiguous, carries credentials, or is plain
            http to a host that is not this machine.

    Example:
        >>> check_url("http://example.com/token", what="token_url")
        Traceback (most recent call last):
        ...
        oncehub_nb.ConfigurationError: token_url ... uses plain http: ...
    """
    extra = f" {hint}" if hint else ""
    if not isinstance(url, str) or not url:
        raise ConfigurationError(f"{what} must be an absolute https:// URL, got {url!r}.{extra}")
    if any(ch == "\\" or ch.isspace() or ord(ch) < 32 for ch in url):
        raise ConfigurationError(
            f"{what} {url!r} contains a backslash, a space or a control character; write the "
            f"address plainly{extra}"
        )
    place = where(url)
    if place is None:
        raise ConfigurationError(
            f"{what} {url!r} is not a plain absolute http(s) URL (no user:password@, one host "
            f"and port that every parser reads alike).{extra}"
        )
    if place.scheme == "http" and not is_loopback_host(place.host):
        raise ConfigurationError(
            f"{what} {url!r} uses plain http: only this machine (the sandbox) may; use https{extra}"
        )
    return url

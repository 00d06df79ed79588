"""The sandbox's doors: its own ``Host`` only, and the admin endpoints behind a token.

A web page open in the user's browser can reach ``http://127.0.0.1:<port>`` too: it can send
"simple" cross-site requests (a ``text/plain`` POST needs no CORS preflight), and through DNS
rebinding it can even read answers, its requests then carrying ``Host: <its own name>``. So:

* every request must name the sandbox itself in ``Host`` (``127.0.0.1:<port>`` or
  ``localhost:<port>``), or it is refused before anything else happens;
* the admin and test endpoints (``/_sandbox/...``) also need the sandbox's admin token in the
  ``Sandbox-Admin-Token`` header (a header no cross-site request can carry without a
  preflight, which the sandbox never grants), come from loopback, and take JSON bodies only.

Flask's ``TRUSTED_HOSTS`` setting is not used for the ``Host`` check: it ignores the port and
cannot express an IPv6 literal (werkzeug 3.1 cuts ``[::1]`` at its first colon).
"""

from __future__ import annotations

import ipaddress
import secrets
from collections.abc import Callable

from flask import request

from oncehub_nb.sandbox._errors import ApiError

#: The request header that carries the admin token.
ADMIN_HEADER = "Sandbox-Admin-Token"


def own_hosts(host: str, port: int) -> set[str]:
    """The ``Host`` values that name a sandbox bound to ``host:port`` (lower case).

    Example:
        >>> sorted(own_hosts("127.0.0.1", 8080))
        ['127.0.0.1:8080', 'localhost:8080']
        >>> sorted(own_hosts("::1", 80))
        ['[::1]', '[::1]:80', 'localhost', 'localhost:80']
    """
    names = {f"[{host}]" if ":" in host else host, "localhost"}
    hosts = {f"{name}:{port}" for name in names}
    if port == 80:
        hosts |= names
    return {h.lower() for h in hosts}


def check_host(allowed: Callable[[], set[str]]) -> None:
    """Refuse a request whose ``Host`` header is not one of ``allowed()`` (DNS rebinding).

    Raises:
        ApiError: 400 naming the problem (not the header's value).

    Example:
        >>> from flask import Flask
        >>> with Flask(__name__).test_request_context(headers={"Host": "evil.example"}):
        ...     check_host(lambda: {"127.0.0.1:8080"})
        Traceback (most recent call last):
        ...
        oncehub_nb.sandbox._errors.ApiError: The Host header does not name this sandbox: \
send requests to its own address (127.0.0.1 or localhost, with its port).
    """
    if request.host.lower() not in allowed():
        raise ApiError(
            400,
            "The Host header does not name this sandbox: send requests to its own address "
            "(127.0.0.1 or localhost, with its port).",
        )


def require_loopback() -> None:
    """Refuse a request that does not come from this machine.

    Raises:
        ApiError: 403 for any other client address.

    Example:
        >>> from flask import Flask
        >>> with Flask(__name__).test_request_context(environ_base={"REMOTE_ADDR": "127.0.0.1"}):
        ...     require_loopback()
    """
    try:
        local = ipaddress.ip_address(request.remote_addr or "").is_loopback
    except ValueError:
        local = False
    if not local:
        raise ApiError(403, "The sandbox admin endpoints are reachable from loopback only.")


def admin_guard(token: Callable[[], str]) -> Callable[[], None]:
    """Build the ``before_request`` check of the admin blueprints: loopback, token, JSON.

    Args:
        token: Returns the sandbox's admin token.

    Example:
        >>> from flask import Flask
        >>> guard = admin_guard(lambda: "t0ken")
        >>> with Flask(__name__).test_request_context(
        ...     method="POST", data="{}", content_type="text/plain",
        ...     headers={ADMIN_HEADER: "t0ken"}, environ_base={"REMOTE_ADDR": "127.0.0.1"},
        ... ):
        ...     guard()
        Traceback (most recent call last):
        ...
        oncehub_nb.sandbox._errors.ApiError: The sandbox admin endpoints accept application/json \
bodies only.
    """

    def check() -> None:
        require_loopback()
        sent = request.headers.get(ADMIN_HEADER, "")
        if not secrets.compare_digest(sent.encode(), token().encode()):
            raise ApiError(
                401,
                f"The sandbox admin endpoints need the sandbox's admin token in the {ADMIN_HEADER} "
                "header (Sandbox.admin_token; printed by `oncehub-nb sandbox`).",
                error_type="authentication_error",
            )
        has_body = bool(request.content_length) or "Transfer-Encoding" in request.headers
        if (has_body or request.content_type) and not request.is_json:
            raise ApiError(415, "The sandbox admin endpoints accept application/json bodies only.")

    return check

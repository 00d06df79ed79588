"""One try of one HTTP exchange: sent by requests' adapter, bounded in time and in size.

The adapter is called directly, not ``Session.send``: requests' redirect machinery never runs
(it even decodes ``Location`` when redirects are off, which raised ``UnicodeDecodeError`` on a
non-UTF-8 one), so a redirect is just a response for the caller to refuse.

Example:
    >>> import requests
    >>> r = requests.Response()
    >>> r.status_code, r.raw = 200, __import__("io").BytesIO(b"x" * 10)
    >>> try:
    ...     read_body(r, max_bytes=4)
    ... except Exception as exc:
    ...     print(type(exc).__name__, exc.status_code)
    APIResponseValidationError 200
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Mapping

import requests
import urllib3

from oncehub_nb._errors import invalid_response
from oncehub_nb._http.deadline import DeadlineAdapter, watching

__all__ = ["exchange", "read_body"]

_CHUNK = 64 * 1024


def _body_read_timed_out(exc: requests.exceptions.RequestException) -> bool:
    """Whether ``exc`` is a read timeout while the body streamed in.

    requests reports a socket timeout met while iterating a streamed body as a
    ``ConnectionError`` wrapping urllib3's ``ReadTimeoutError``: a slow answer, not a broken
    connection, and it must be reported (and retried, or not) as a timeout.
    """
    return isinstance(exc, requests.exceptions.ConnectionError) and any(
        isinstance(arg, urllib3.exceptions.ReadTimeoutError) for arg in exc.args
    )


def read_body(response: requests.Response, *, max_bytes: int) -> None:
    """Read a streamed response's body into it, refusing more than ``max_bytes``.

    Args:
        response: a response made with ``stream=True``.
        max_bytes: the cap (decoded bytes, so a compressed bomb is caught too).

    Raises:
        APIResponseValidationError: the body is larger than the cap.
    """
    if response.raw is None:  # an adapter that built the body itself (test doubles)
        if len(response.content or b"") > max_bytes:
            raise invalid_response(
                response, f"The answer is larger than {max_bytes} bytes; refused"
            )
        return
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        response.close()
        raise invalid_response(response, f"The answer is larger than {max_bytes} bytes; refused")
    chunks: list[bytes] = []
    size = 0
    try:
        for chunk in response.iter_content(_CHUNK):
            size += len(chunk)
            if size > max_bytes:
                raise invalid_response(
                    response, f"The answer is larger than {max_bytes} bytes; refused"
                )
            chunks.append(chunk)
    finally:
        response.close()
    response._content = b"".join(chunks)  # requests' own slot for a body already read


def exchange(
    session: requests.Session,
    request: requests.PreparedRequest,
    *,
    timeout: float,
    max_bytes: int,
    leaving: Callable[[], None] | None = None,
) -> requests.Response:
    """Send ``request`` once and read its answer, all within ``timeout`` seconds.

    Args:
        session: whose adapters, proxies and TLS settings to use.
        request: the prepared request.
        timeout: seconds for the whole exchange, connect to last byte.
        max_bytes: the largest body accepted.
        leaving: called once as the request leaves: when the pool hands it its connection
            (see :func:`~.deadline.watching`), or just before the adapter's ``send`` when the
            pool is not this SDK's (another adapter mounted, a SOCKS proxy).

    Returns:
        The response, body read, whatever its status; its ``elapsed`` is the whole exchange,
        body included (requests sets it in ``Session.send``, which is not used here).

    Raises:
        requests.exceptions.ReadTimeout: the deadline passed.
        requests.exceptions.RequestException: any other failure on the way.
        APIResponseValidationError: the body is larger than ``max_bytes``.
    """
    url = request.url or ""
    adapter = session.get_adapter(url)
    options = session.merge_environment_settings(url, {}, None, None, None)
    verify: bool | str = options.get("verify", True) or True
    proxies = options.get("proxies") or {}
    if leaving is not None and not _pools_are_ours(adapter, proxies):
        leaving()  # no hand-out of ours will say when the request leaves
        leaving = None
    started = time.perf_counter()
    with watching(timeout, leaving=leaving) as watch:
        try:
            response = adapter.send(
                request,
                stream=True,
                timeout=(timeout, timeout),
                verify=verify,
                cert=options.get("cert"),
                proxies=proxies,
            )
            read_body(response, max_bytes=max_bytes)
        except requests.exceptions.RequestException as exc:
            if watch.expired:
                raise requests.exceptions.ReadTimeout("the whole answer took too long") from None
            if _body_read_timed_out(exc):
                raise requests.exceptions.ReadTimeout(
                    "no byte of the answer came in time"
                ) from None
            raise
        except OSError as exc:  # the watchdog's shutdown, seen below requests' wrapping
            if watch.expired:
                raise requests.exceptions.ReadTimeout("the whole answer took too long") from None
            raise requests.exceptions.ConnectionError(exc) from None
        if watch.expired:  # cut short by the watchdog, yet parsed as if complete
            raise requests.exceptions.ReadTimeout("the whole answer took too long")
    response.elapsed = dt.timedelta(seconds=time.perf_counter() - started)
    return response


def _pools_are_ours(adapter: object, proxies: Mapping[str, str]) -> bool:
    """Whether the connection pools are :class:`~.deadline.DeadlineAdapter`'s (not SOCKS)."""
    socks = any(str(proxy).lower().startswith("socks") for proxy in proxies.values())
    return isinstance(adapter, DeadlineAdapter) and not socks

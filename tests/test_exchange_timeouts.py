"""How one exchange reports a slow answer: a timeout, never a broken connection."""

from __future__ import annotations

import pytest
import requests
import urllib3

from oncehub_nb._http.exchange import exchange


class _SlowBodyAdapter(requests.adapters.HTTPAdapter):
    """Answers the headers, then the socket times out while the body streams in.

    This is how requests reports it: a ``ConnectionError`` wrapping urllib3's
    ``ReadTimeoutError`` (requests' ``Response.iter_content``), raised here directly so that
    which timer fires first (the socket's or the exchange's deadline) is not left to the load
    of the machine.
    """

    def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        raise requests.exceptions.ConnectionError(
            urllib3.exceptions.ReadTimeoutError(None, request.url, "Read timed out.")
        )


class _ResetAdapter(requests.adapters.HTTPAdapter):
    def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
        raise requests.exceptions.ConnectionError("Connection reset by peer")


def _send(adapter: requests.adapters.HTTPAdapter) -> requests.Response:
    session = requests.Session()
    session.mount("http://", adapter)
    request = requests.Request("POST", "http://127.0.0.1:9/token", data={"a": "b"}).prepare()
    return exchange(session, request, timeout=5, max_bytes=1000)


def test_a_body_that_stops_coming_is_a_timeout() -> None:
    with pytest.raises(requests.exceptions.ReadTimeout, match="no byte of the answer came in time"):
        _send(_SlowBodyAdapter())


def test_a_reset_stays_a_connection_error() -> None:
    with pytest.raises(requests.exceptions.ConnectionError) as info:
        _send(_ResetAdapter())
    assert not isinstance(info.value, requests.exceptions.Timeout)

"""The one URL check: loopback decided by the sending parser; spellings read two ways refused."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from urllib3.util import parse_url

from oncehub_nb import ConfigurationError, OnceHub
from oncehub_nb._http.urls import check_url, is_loopback_url, where
from oncehub_nb.auth import OAuthConfig
from oncehub_nb.auth.callback import CallbackServer

pytestmark = pytest.mark.fuzz

#: Spellings where urllib.parse and urllib3 read a different host, or that hide one.
AMBIGUOUS = [
    "http://evil.example:8080\\@127.0.0.1/v2",
    "http://evil.example\\@127.0.0.1:8080/v2",
    "http://127.0.0.1:8080\\@evil.example/v2",
    "http://evil.example\t@127.0.0.1/v2",
    "http://evil.example\n@127.0.0.1/v2",
    "http://user@127.0.0.1/v2",
    "http://user:pass@127.0.0.1:8080/v2",
    "http://127.0.0.1%2f@evil.example/v2",
    "http://127.0.0.1:80:80/v2",
    "http://[::1/v2",
    "http://127.0.0.1 /v2",
    "http://127.0.0.1:99999/v2",
]

PLAIN_HTTP_ELSEWHERE = ["http://evil.example/v2", "http://10.0.0.1/v2", "http://127.1/v2"]


@pytest.mark.parametrize("url", AMBIGUOUS + PLAIN_HTTP_ELSEWHERE)
def test_api_base_refuses_ambiguous_or_plain_http(url: str) -> None:
    with pytest.raises(ConfigurationError):
        OnceHub(api_key="k" * 24, api_base=url, env={})


@pytest.mark.parametrize("field", ["token_url", "revoke_url", "authorize_url", "redirect_uri"])
@pytest.mark.parametrize("url", AMBIGUOUS + PLAIN_HTTP_ELSEWHERE)
def test_oauth_endpoints_refuse_ambiguous_or_plain_http(field: str, url: str) -> None:
    with pytest.raises(ConfigurationError, match=field):
        OAuthConfig(client_id="app", **{field: url})


@pytest.mark.parametrize("url", AMBIGUOUS + PLAIN_HTTP_ELSEWHERE)
def test_the_redirect_catcher_refuses_them_too(url: str) -> None:
    with pytest.raises(ValueError, match="loopback"):
        CallbackServer(url, timeout=0.1)


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8080/v2", "http://localhost:1/v2", "http://[::1]:8080/v2",
     "https://api.oncehub.com/v2", "https://API.OnceHub.com:443/v2"],
)  # fmt: skip
def test_plain_spellings_pass(url: str) -> None:
    assert check_url(url, what="api_base") == url
    with OnceHub(api_key="k" * 24, api_base=url, env={}) as hub:
        assert hub.settings.api_base == url


urls = st.builds(
    lambda scheme, host, port, tail: f"{scheme}://{host}{port}{tail}",
    st.sampled_from(["http", "https", "HTTP", "ftp", ""]),
    st.one_of(
        st.sampled_from(["127.0.0.1", "localhost", "[::1]", "evil.example", "10.0.0.1"]),
        st.text("abc.:@\\[]%/?#\t 127", max_size=24),
    ),
    st.sampled_from(["", ":80", ":8080", ":0", ":x", ":99999"]),
    st.text("/abc@\\?#:%.\t", max_size=16),
)


@settings(max_examples=3000, deadline=None)
@given(url=urls)
def test_whatever_passes_the_check_is_read_alike_by_both_parsers(url: str) -> None:
    try:
        check_url(url, what="x")
    except ConfigurationError:
        return
    sent, read = parse_url(url), urlsplit(url)
    assert (sent.host or "").lower().strip("[]") == (read.hostname or "").lower()
    assert (sent.port or None) == (read.port or None) or sent.port is None
    if url.lower().startswith("http://"):  # plain http: urllib3 must see this machine too
        assert is_loopback_url(url)
        assert where(url) is not None


@pytest.mark.parametrize(
    "make",
    [
        lambda: OnceHub(api_key="k" * 24, api_base="ftp://127.0.0.1/v2", env={}),
        lambda: OAuthConfig(client_id="a", token_url="not a url"),
    ],
)
def test_unusable_urls_are_configuration_errors(make: Callable[[], Any]) -> None:
    with pytest.raises(ConfigurationError):
        make()

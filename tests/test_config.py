from __future__ import annotations

import pytest

from oncehub_nb import ConfigurationError, OnceHub, Settings


def test_defaults_are_real_oncehub() -> None:
    s = Settings.resolve(env={})
    assert s.api_base == "https://api.oncehub.com/v2"
    assert s.page_size == 100
    assert s.rate_limit == ((5, 1.0), (200, 300.0))
    assert s.user_agent.startswith("oncehub-nb/")


def test_environment_then_arguments_win() -> None:
    env = {
        "ONCEHUB_API_BASE": "http://127.0.0.1:9/v2/",
        "ONCEHUB_RATE_LIMIT": "off",
        "ONCEHUB_TIMEOUT": "12.5",
        "ONCEHUB_MAX_RETRIES": "2",
        "ONCEHUB_PAGE_SIZE": "50",
    }
    s = Settings.resolve(env=env)
    assert (s.api_base, s.rate_limit, s.timeout, s.max_retries, s.page_size) == (
        "http://127.0.0.1:9/v2",
        (),
        12.5,
        2,
        50,
    )
    assert Settings.resolve(env=env, rate_limit=True, page_size=10).page_size == 10
    assert Settings.resolve(env=env, rate_limit=True).rate_limit == ((5, 1.0), (200, 300.0))


@pytest.mark.parametrize(
    ("given", "pairs"),
    [
        (True, ((5, 1.0), (200, 300.0))),
        (False, ()),
        ([(2, 1), (100, 60)], ((2, 1.0), (100, 60.0))),
        (((3, 0.5),), ((3, 0.5),)),
    ],
)
def test_rate_limit_is_one_setting_on_off_or_pairs(given: object, pairs: object) -> None:
    assert Settings.resolve(env={}, rate_limit=given).rate_limit == pairs  # type: ignore[arg-type]


@pytest.mark.parametrize("given", ["on", [(0, 1.0)], [(5, 0)], [(5,)], 7])
def test_a_wrong_rate_limit_names_the_setting(given: object) -> None:
    with pytest.raises(ConfigurationError, match="rate_limit must be True, False or"):
        Settings.resolve(env={}, rate_limit=given)  # type: ignore[arg-type]


def test_rate_limits_is_no_longer_a_setting() -> None:
    with pytest.raises(ConfigurationError, match="unknown setting"):
        Settings.resolve(env={}, rate_limits=((5, 1.0),))  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"ONCEHUB_RATE_LIMIT": "sometimes"}, "ONCEHUB_RATE_LIMIT"),
        ({"ONCEHUB_TIMEOUT": "soon"}, "ONCEHUB_TIMEOUT"),
        ({"ONCEHUB_MAX_RETRIES": "1.5"}, "ONCEHUB_MAX_RETRIES"),
        ({"ONCEHUB_PAGE_SIZE": "500"}, "page_size"),
        ({"ONCEHUB_API_BASE": "api.oncehub.com"}, "ONCEHUB_API_BASE"),
        ({"ONCEHUB_API_BASE": "http://api.oncehub.com/v2"}, "plain http"),
    ],
)
def test_invalid_values_name_the_variable(env: dict[str, str], named: str) -> None:
    # The client is where settings meet the transport's one URL check.
    with pytest.raises(ConfigurationError, match=named):
        OnceHub(api_key="k" * 20, env=env)


def test_plain_http_only_to_loopback() -> None:
    for base in ("http://127.0.0.1:1/v2", "http://localhost:1/v2", "http://[::1]:1/v2"):
        with OnceHub(api_key="k" * 20, env={}, api_base=base) as hub:
            assert hub.settings.api_base == base
    with pytest.raises(ConfigurationError, match="https"):
        OnceHub(api_key="k" * 20, env={}, api_base="http://10.0.0.1/v2")


def test_unknown_setting_is_named() -> None:
    with pytest.raises(ConfigurationError, match="page_sise"):
        Settings.resolve(env={}, page_sise=3)


def test_client_needs_credentials_and_says_how() -> None:
    with pytest.raises(ConfigurationError, match="ONCEHUB_API_KEY"):
        OnceHub(env={})
    with pytest.raises(ConfigurationError, match="ONCEHUB_API_KEY is not set"):
        OnceHub.from_env({})
    with pytest.raises(ConfigurationError, match="empty"):
        OnceHub(api_key="  ''  ", env={})


def test_from_env_reads_key_and_base() -> None:
    hub = OnceHub.from_env(
        {"ONCEHUB_API_KEY": " 'abcdefghijklmnopqrst' ", "ONCEHUB_API_BASE": "http://127.0.0.1:5/v2"}
    )
    assert hub.settings.api_base == "http://127.0.0.1:5/v2"
    assert "abcdefghijklmnopqrst" not in repr(hub)
    assert "abcd…" in repr(hub)
    hub.close()

"""The sandbox's settings: each default written once, every layer built from it."""

from __future__ import annotations

import dataclasses
import types
import typing

import pytest

from oncehub_nb.sandbox import DataOptions, DeviceKnobs, OAuthKnobs, Sandbox, SandboxSettings
from oncehub_nb.sandbox._options import DataSettings, OAuthSettings


def _hints(cls: type) -> dict[str, object]:
    return typing.get_type_hints(cls)


def test_the_keyword_types_name_exactly_the_settings_with_the_same_types() -> None:
    fields = {f.name: f.type for f in dataclasses.fields(DataOptions)}
    assert set(_hints(DataSettings)) == set(fields)
    assert _hints(DataSettings) == typing.get_type_hints(DataOptions)
    knobs = {**OAuthKnobs.knob_types(), **DeviceKnobs.knob_types()}
    assert _hints(OAuthSettings) == knobs
    assert set(_hints(SandboxSettings)) == set(fields) | set(knobs)


def test_a_sandbox_starts_from_the_written_defaults() -> None:
    sb = Sandbox(bookings=0)
    defaults = DataOptions()
    assert sb.state.profile == defaults.profile
    assert sb.state.latency_ms == defaults.latency_ms
    assert sb.rate_limit == [(5, 1.0), (200, 300.0)]
    knobs = sb.oauth.knobs()
    for name in OAuthKnobs.knob_types():
        assert knobs[name] == getattr(OAuthKnobs, name)
    for name in DeviceKnobs.knob_types():
        assert knobs[name] == getattr(DeviceKnobs, name)


def test_settings_reach_the_layer_that_uses_them() -> None:
    sb = Sandbox(bookings=3, latency_ms=7, code_ttl=5, device_interval=2, rate_limit=[(2, 0.5)])
    assert len(sb.ground_truth("bookings")) == 3
    assert sb.state.latency_ms == 7
    assert (sb.oauth.code_ttl, sb.oauth.devices.device_interval) == (5, 2)
    assert sb.rate_limit == [(2, 0.5)]
    assert Sandbox(bookings=0, rate_limit=False).rate_limit == []
    off = Sandbox(bookings=0, rate_limit=False)
    assert Sandbox(bookings=0, rate_limit=off.rate_limit).rate_limit == []  # [] mirrors "off"
    assert Sandbox(bookings=0, time_scale=0.1).rate_limit == [(5, 0.1), (200, 30.0)]


def test_a_misspelt_setting_names_the_closest_one() -> None:
    with pytest.raises(TypeError, match="'latency' \\(did you mean 'latency_ms'\\?\\)"):
        Sandbox(latency=5)  # type: ignore[call-arg]


def test_a_wrong_knob_value_is_refused_at_construction() -> None:
    with pytest.raises(ValueError, match="device_auto_decision must be one of"):
        Sandbox(bookings=0, device_auto_decision="maybe")
    with pytest.raises(ValueError, match="access_token_ttl must be an integer"):
        Sandbox(bookings=0, access_token_ttl=1.5)  # type: ignore[arg-type]


def test_the_rate_limit_can_be_turned_off_and_back_on_while_running() -> None:
    with Sandbox(bookings=0, time_scale=0.01) as sb:
        sb.set_rate_limit(False)
        assert sb.rate_limit == []
        assert all(
            sb.state.admit_account(sb.state.authenticate({"API-Key": sb.api_key}))
            for _ in range(50)
        )
        sb.set_rate_limit(True)
        assert sb.rate_limit == [(5, 0.01), (200, 3.0)]


def test_configure_sets_nothing_when_any_value_is_wrong() -> None:
    sb = Sandbox(bookings=0)
    with pytest.raises(ValueError, match="device_interval must be a number >= 0"):
        sb.oauth.configure(code_ttl=5, device_interval=-1)
    assert sb.oauth.code_ttl == OAuthKnobs.code_ttl
    assert sb.oauth.devices.device_interval == DeviceKnobs.device_interval


def test_the_data_options_repr_shows_no_key() -> None:
    shown = repr(DataOptions(api_key="sandbox-key-0123456789", admin_token="admin-0123456789"))
    assert "sandbox-key-0123456789" not in shown and "admin-0123456789" not in shown


def test_a_large_data_set_is_collected_once_before_serving(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A full collection owed for the data would otherwise pause the serving sandbox."""
    from oncehub_nb.sandbox import _server

    collections: list[str] = []
    collector = types.SimpleNamespace(collect=lambda: collections.append("full") or 0)
    monkeypatch.setattr(_server, "gc", collector)
    with Sandbox(bookings=3, seed=1):
        assert collections == []  # small data: nothing to settle
    big = Sandbox(bookings=_server.SETTLE_FROM_BOOKINGS, seed=1, rate_limit=False)
    assert collections == []  # not when it is built ...
    with big:
        assert collections == ["full"]  # ... but once, before it serves

from __future__ import annotations

import gc
import logging

import pytest

from oncehub_nb._redact import (
    install_log_redaction,
    mask,
    redact_text,
    register_secret,
    registered_secrets,
)


class _Holder:
    """Stands for an object that holds a secret (an auth, a token, a flow)."""


def test_mask_shows_at_most_four_characters() -> None:
    assert mask("0123456789abcdefghij") == "0123…"
    assert mask("short-secret") == "…"
    assert mask("") == "<none>"


@pytest.mark.parametrize(
    "text",
    [
        "API-Key: Zq8bW3nLk2Pp9rTt7Yy",
        "Authorization: Bearer Zq8bW3nLk2Pp9rTt7Yy",
        "Authorization: Basic Zq8bW3nLk2Pp9rTt7Yy==",
        "grant_type=refresh_token&refresh_token=Zq8bW3nLk2Pp9rTt7Yy&x=1",
        '{"access_token": "Zq8bW3nLk2Pp9rTt7Yy", "expires_in": 3600}',
        "{'client_secret': 'Zq8bW3nLk2Pp9rTt7Yy'}",
        "https://127.0.0.1/cb?code=Zq8bW3nLk2Pp9rTt7Yy&state=abc",
        "code_verifier=Zq8bW3nLk2Pp9rTt7Yy",
    ],
)
def test_secret_shapes_are_masked(text: str) -> None:
    assert "Zq8bW3nLk2Pp9rTt7Yy" not in redact_text(text)
    assert "Zq8b…" in redact_text(text)


def test_registered_secret_is_masked_anywhere() -> None:
    holder = _Holder()
    register_secret("plain-looking-value-0042", owner=holder)
    assert redact_text("x plain-looking-value-0042 y") == "x plai… y"


def test_a_registered_field_name_does_not_unmask_its_value() -> None:
    # The flake of issue 11: a test registered the word "code_verifier", which then masked the
    # key and let the value through. Shapes are now applied before registered values.
    holder = _Holder()
    register_secret("code_verifier", owner=holder)
    assert "Zq8bW3nLk2Pp9rTt7Yy" not in redact_text("code_verifier=Zq8bW3nLk2Pp9rTt7Yy")


def test_secrets_are_forgotten_with_their_owner() -> None:
    holder, other = _Holder(), _Holder()
    register_secret("owned-secret-value-0077", owner=holder)
    register_secret("owned-secret-value-0077", owner=other)
    register_secret("second-secret-value-0078", owner=holder)
    assert {"owned-secret-value-0077", "second-secret-value-0078"} <= registered_secrets()
    del holder
    gc.collect()
    # still held by the other owner; the second one had only the first owner
    assert "owned-secret-value-0077" in registered_secrets()
    assert "second-secret-value-0078" not in registered_secrets()
    assert redact_text("x second-secret-value-0078") == "x second-secret-value-0078"
    del other
    gc.collect()
    assert "owned-secret-value-0077" not in registered_secrets()


def test_a_client_registers_its_key_for_its_lifetime() -> None:
    from oncehub_nb import OnceHub

    hub = OnceHub(api_key="client-lifetime-key-0123456789")
    assert "client-lifetime-key-0123456789" in registered_secrets()
    hub.close()
    del hub
    gc.collect()
    assert "client-lifetime-key-0123456789" not in registered_secrets()


def test_log_filter_masks_third_party_child_loggers(caplog: pytest.LogCaptureFixture) -> None:
    child = logging.getLogger("requests_oauthlib.oauth2_session")
    install_log_redaction()
    with caplog.at_level(logging.DEBUG, logger="requests_oauthlib"):
        child.debug("Adding token %s to request.", {"access_token": "Zq8bW3nLk2Pp9rTt7Yy"})
    assert "Zq8bW3nLk2Pp9rTt7Yy" not in caplog.text
    assert "Adding token" in caplog.text


def test_loggers_made_after_the_install_are_masked_too(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction()
    late = logging.getLogger("oauthlib.made.after.the.install")  # oauthlib makes them lazily
    with caplog.at_level(logging.DEBUG, logger="oauthlib"):
        late.debug("Token %s", {"refresh_token": "Rt8bW3nLk2Pp9rTt7Yy0"})
    assert "Rt8bW3nLk2Pp9rTt7Yy0" not in caplog.text
    assert "{'refresh_token': 'Rt8b…'}" in caplog.text


def test_importing_the_package_changes_nothing_outside_it() -> None:
    import subprocess
    import sys

    code = (
        "import logging; before = logging.getLogRecordFactory(); import oncehub_nb; "
        "print(logging.getLogRecordFactory() is before); "
        "oncehub_nb.OnceHub(api_key='k' * 24, env={}); "
        "print(logging.getLogRecordFactory() is before)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.split() == ["True", "False"], out.stderr  # installed on first use only

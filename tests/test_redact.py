from __future__ import annotations

import logging

import pytest

from oncehub_nb._redact import install_log_redaction, mask, redact_text, register_secret


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
    register_secret("plain-looking-value-0042")
    assert redact_text("x plain-looking-value-0042 y") == "x plai… y"


def test_log_filter_masks_third_party_child_loggers(caplog: pytest.LogCaptureFixture) -> None:
    child = logging.getLogger("requests_oauthlib.oauth2_session")
    install_log_redaction()
    with caplog.at_level(logging.DEBUG, logger="requests_oauthlib"):
        child.debug("Adding token %s to request.", {"access_token": "Zq8bW3nLk2Pp9rTt7Yy"})
    assert "Zq8bW3nLk2Pp9rTt7Yy" not in caplog.text
    assert "Adding token" in caplog.text

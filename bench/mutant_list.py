"""The mutants of ``python -m bench.mutants``: one broken defence each, and the tests that see it.

Each entry: a name (the security page links its checklist to these names), the file, an exact
snippet found once in it, what replaces it, the tests that must fail with it (run first, fast),
wider test files to try when they do not, and what the mutant breaks. ``tests/test_mutants.py``
checks that every snippet still exists and every named test is still defined.
"""

from __future__ import annotations

import dataclasses

__all__ = ["MUTANTS", "Mutant"]


@dataclasses.dataclass(frozen=True)
class Mutant:
    """One deliberate break of a defence."""

    name: str
    file: str
    original: str
    replacement: str
    tests: tuple[str, ...]
    why: str
    wider: tuple[str, ...] = ()


def _m(name: str, file: str, original: str, replacement: str, *tests: str, why: str) -> Mutant:
    files = tuple(dict.fromkeys(test.split("::")[0] for test in tests))  # run when they survive
    return Mutant(name, "oncehub_nb/" + file, original, replacement, tuple(tests), why, files)


SEC = "tests/test_security.py::"
ALONE = "tests/test_defences_alone.py::"
TWICE = "tests/test_defences_twice.py::"
SYNC = "tests/test_sync.py::"
FLOW = "tests/test_oauth_flow.py::"
DOOR = "tests/test_one_door.py::"
SANDBOX_OAUTH = "tests/test_oauth_sandbox.py::"
CLIENT = "tests/test_client_sandbox.py::"

MUTANTS: tuple[Mutant, ...] = (
    # -- the four survivors of the first mutation run (issue 18) --------------------------------
    _m(
        "token-error-description-unredacted",
        "auth/grants.py",
        'description = redact_text(description)[:200] if isinstance(description, str) else ""',
        'description = description[:200] if isinstance(description, str) else ""',
        ALONE + "test_a_token_endpoint_echoing_secrets_in_its_error_shows_none_of_them",
        why="an error_description echoing a secret reaches the message",
    ),
    _m(
        "action-retried-after-a-broken-connection",
        "_http/transport.py",
        "if policy is not Policy.READ:\n                return False",
        "if policy is Policy.TOKEN:\n                return False",
        ALONE + "test_a_post_action_meeting_a_reset_or_a_read_timeout_reaches_the_server_once",
        why="a POST action is sent again after a reset or a read timeout",
    ),
    _m(
        "scrub-json-refresh-token",
        "testing/_scrub.py",
        "if k not in FORM_ONLY_FIELDS},",
        'if k not in FORM_ONLY_FIELDS and k != "refresh_token"},',
        ALONE + "test_a_first_token_answer_loses_its_new_refresh_token_through_the_json_rule_alone",
        why="a refresh_token in a JSON response body is written to the cassette",
    ),
    _m(
        "webhook-signature-compared-with-eq",
        "webhooks.py",
        "if not any(hmac.compare_digest(expected, candidate) for candidate in given):",
        "if not any(expected == candidate for candidate in given):",
        ALONE + "test_webhook_signatures_are_compared_by_hmac_compare_digest",
        why="webhook signatures compared with == (not constant time)",
    ),
    # -- state, PKCE, the redirect URI, expiry ---------------------------------------------------
    _m(
        "state-not-random",
        "auth/flow.py",
        "state = self._new_secret(32)",
        'state = "fixed-state-0123456789abcdef"',
        SEC + "test_state_is_random_single_use_and_checked_before_any_token_request",
        why="the same state for every sign-in",
    ),
    _m(
        "state-not-single-use",
        "auth/flow.py",
        "self.store.delete(name)  # single use, whatever happens next",
        "pass",
        SEC + "test_state_is_random_single_use_and_checked_before_any_token_request",
        FLOW + "test_finish_exchanges_with_the_matching_verifier_once",
        why="a used state (and its pending sign-in) can be used again",
    ),
    _m(
        "state-error-believed-first",
        "auth/flow.py",
        "        name = _pending_name(self.config.profile, state)\n        with self.store.lock(name):",
        '        if "error" in params:\n'
        "            raise AuthorizationDenied(f\"refused: {params.get('error_description')}\")\n"
        "        name = _pending_name(self.config.profile, state)\n        with self.store.lock(name):",
        "tests/test_auth_boundaries.py::test_an_error_is_only_believed_once_its_state_matches",
        why="an error= in the address is shown before its state is checked",
    ),
    _m(
        "pkce-challenge-is-the-verifier",
        "auth/flow.py",
        'challenge = client.create_code_challenge(verifier, "S256")',
        "challenge = verifier",
        SEC + "test_pkce_s256_on_every_sign_in_with_the_matching_verifier",
        why="the S256 challenge is not the verifier's SHA-256",
    ),
    _m(
        "pkce-verifier-reused",
        "auth/flow.py",
        "verifier = self._new_secret(96)[:128]",
        'verifier = "v" * 64',
        SEC + "test_pkce_s256_on_every_sign_in_with_the_matching_verifier",
        why="the same PKCE verifier for every sign-in",
    ),
    _m(
        "redirect-uri-port-ignored",
        "auth/flow.py",
        "and port == expected.port",
        "and True",
        SEC + "test_only_this_apps_exact_redirect_uri_is_accepted",
        why="a pasted address on another port is accepted",
    ),
    _m(
        "pending-sign-in-never-expires",
        "auth/flow.py",
        'if record["expires_at"] <= self._clock():',
        "if False:",
        FLOW + "test_expired_sign_in_is_state_mismatch",
        why="an expired sign-in is still finished",
    ),
    _m(
        "scope-not-the-configured-one",
        "auth/flow.py",
        "scope=self.config.scope or None,",
        'scope="read write",',
        SEC + "test_only_the_configured_scope_is_requested",
        why="the authorize URL asks for more than the configured scope",
    ),
    _m(
        "loopback-state-unchecked",
        "auth/callback.py",
        "if owner.expected_state is not None and state != owner.expected_state:",
        "if False:",
        "tests/test_login_callback.py::test_one_matching_request_then_closed",
        TWICE + "test_a_forged_redirect_to_the_loopback_catcher_does_not_end_the_login",
        why="the loopback catcher takes a redirect with another sign-in's state",
    ),
    _m(
        "implicit-grant-instead-of-code",
        "auth/flow.py",
        "client = WebApplicationClient(self.config.client_id)",
        "from oauthlib.oauth2 import MobileApplicationClient\n\n"
        "        client = MobileApplicationClient(self.config.client_id)",
        FLOW + "test_authorize_url_has_state_and_s256_challenge",
        why="the authorize URL asks for the implicit grant (response_type=token)",
    ),
    _m(
        "code-redeemed-with-the-pasted-address",
        "auth/flow.py",
        'record["code_verifier"], record["redirect_uri"], state',
        'record["code_verifier"], _url.split("?")[0], state',
        SEC + "test_the_code_is_redeemed_with_the_redirect_uri_it_was_issued_for",
        why="the token request sends the pasted address, not the sign-in's redirect URI",
    ),
    _m(
        "profile-ignores-the-token-endpoint",
        "auth/config.py",
        "return profile_name(self.token_url, self.client_id)",
        'return profile_name("", self.client_id)',
        TWICE + "test_two_authorization_servers_never_share_a_stored_token_or_sign_in",
        why="two authorization servers share one stored token (mix-up)",
    ),
    _m(
        "access-token-in-the-query-string",
        "auth/oauth.py",
        'request.headers["Authorization"] = f"Bearer {token.access_token}"',
        'request.prepare_url(request.url, {"access_token": token.access_token})',
        SEC + "test_no_token_or_secret_ever_travels_in_a_url",
        why="the access token travels in the URL",
    ),
    _m(
        "plain-http-to-any-host",
        "_http/urls.py",
        'if place.scheme == "http" and not is_loopback_host(place.host):',
        "if False:",
        SEC + "test_plain_http_is_refused_except_to_loopback",
        why="plain http is allowed to hosts other than this machine",
    ),
    _m(
        "broken-answer-loses-the-rotated-refresh-token",
        "auth/oauth.py",
        "self._keep_rotated(stored, exc.rotated_refresh_token, now)",
        "pass",
        TWICE + "test_a_broken_refresh_answer_carrying_a_rotated_refresh_token_keeps_it",
        why="a rotated refresh token in a malformed answer is thrown away",
    ),
    # -- token files, logs, reprs ----------------------------------------------------------------
    _m(
        "token-file-mode-0644",
        "auth/stores.py",
        'lambda temp: temp.write_text(text, encoding="utf-8"), mode=0o600)',
        'lambda temp: temp.write_text(text, encoding="utf-8"), mode=0o644)',
        SEC + "test_token_and_pending_sign_in_files_are_private_from_creation",
        "tests/test_tokens.py::test_file_store_modes_from_creation",
        why="token and pending files readable by others",
    ),
    _m(
        "log-redaction-skips-requests-oauthlib",
        "_redact.py",
        'REDACTED_LOGGERS = ("oncehub_nb", "requests_oauthlib", "oauthlib", "urllib3")',
        'REDACTED_LOGGERS = ("oncehub_nb", "oauthlib", "urllib3")',
        SEC + "test_no_secret_in_debug_logs_reprs_or_error_messages",
        "tests/test_oauth_no_leaks.py::test_debug_logs_reprs_and_errors_hold_no_secret",
        why="requests-oauthlib's DEBUG lines keep whole tokens",
    ),
    _m(
        "log-records-not-redacted",
        "_redact.py",
        "            _redactor.filter(record)\n",
        "            pass\n",
        "tests/test_redact.py::test_loggers_made_after_the_install_are_masked_too",
        why="records of loggers made after the install (oauthlib's, lazily) are not masked",
    ),
    _m(
        "token-repr-shows-the-access-token",
        "auth/tokens.py",
        'f"Token(access_token={mask(self.access_token)!r}, "',
        'f"Token(access_token={self.access_token!r}, "',
        "tests/test_tokens.py::test_token_repr_masks_secrets",
        why="a Token's repr shows its access token",
    ),
    _m(
        "config-repr-shows-the-client-secret",
        "auth/config.py",
        'secret = None if self.client_secret is None else "<set, hidden>"',
        "secret = self.client_secret",
        "tests/test_leftovers.py::test_the_oauth_config_repr_shows_none_of_the_client_secret",
        why="an OAuthConfig's repr shows its client secret",
    ),
    # -- refresh ---------------------------------------------------------------------------------
    _m(
        "refresh-lock-dropped",
        "auth/oauth.py",
        "with self._lock, self.store.lock(profile):\n            stored = self.store.load_token"
        "(profile)\n            if stored is None:",
        "if True:\n            stored = self.store.load_token(profile)\n            if stored is None:",
        SANDBOX_OAUTH + "test_32_threads_sharing_an_expired_token_refresh_once",
        why="several threads refresh one token at once",
    ),
    _m(
        "refresh-not-re-read-under-the-lock",
        "auth/oauth.py",
        "replaced = stale is not None and stored.access_token != stale",
        "replaced = False",
        SANDBOX_OAUTH + "test_32_threads_sharing_an_expired_token_refresh_once",
        why="a token another thread refreshed is refreshed again",
    ),
    _m(
        "refreshed-token-not-saved-before-use",
        "auth/oauth.py",
        "self.store.save_token(profile, token)  # saved before it is used",
        "pass",
        SEC + "test_rotated_refresh_token_is_saved_before_the_new_token_is_used",
        why="a rotated refresh token is used before (or without) being saved",
    ),
    _m(
        "refused-refresh-keeps-the-token",
        "auth/oauth.py",
        "        self.store.delete_token(self.config.profile)\n        self._current = None\n"
        "        if self.on_reauthorization_required",
        "        self._current = None\n        if self.on_reauthorization_required",
        SEC + "test_refused_refresh_deletes_the_stored_token",
        why="invalid_grant leaves the dead token stored",
    ),
    _m(
        "leeway-not-scaled-to-the-lifetime",
        "auth/oauth.py",
        "return min(self.leeway, LEEWAY_FRACTION * lifetime)",
        "return self.leeway",
        "tests/test_auth_boundaries.py::test_six_second_tokens_are_refreshed_about_once_per_lifetime",
        why="a short-lived token is refreshed on every call",
    ),
    _m(
        "no-leeway",
        "auth/oauth.py",
        "return token.expires_within(self.leeway_for(token), now=self._clock())",
        "return token.expires_within(0.0, now=self._clock())",
        SANDBOX_OAUTH + "test_refresh_before_expiry_with_rotation",
        why="a token about to expire is sent as it is",
    ),
    _m(
        "sign-out-does-not-revoke",
        "auth/oauth.py",
        "revoked = revoke_token(self.config, target, hint=hint, sender=sender)",
        "revoked = False",
        SEC + "test_sign_out_revokes_the_refresh_token_at_the_server",
        why="sign-out deletes the local token only",
    ),
    # -- the one door: redirects, deadline, size, retries ----------------------------------------
    _m(
        "transport-follows-redirects",
        "_http/exchange.py",
        "response = adapter.send(",
        "response = session.send(",
        SEC + "test_api_key_is_never_sent_to_a_redirect_target",
        TWICE + "test_one_exchange_never_follows_a_redirect",
        why="requests follow Location (the key and token bodies go along)",
    ),
    _m(
        "api-redirect-is-a-success",
        "_http/transport.py",
        "if response.status_code >= 300:",
        "if response.status_code >= 400:",
        DOOR + "test_an_api_redirect_with_a_non_utf8_location_is_a_typed_error",
        why="an API 3xx is handed back as if it were an answer",
    ),
    _m(
        "token-endpoint-redirect-accepted",
        "auth/grants.py",
        "if response.is_redirect or 300 <= response.status_code < 400:",
        "if False:",
        DOOR + "test_token_requests_are_never_sent_where_a_redirect_points",
        why="a token endpoint's redirect is parsed as its answer",
    ),
    _m(
        "no-total-deadline",
        "_http/exchange.py",
        "with watching(timeout) as watch:",
        "with watching(timeout * 60) as watch:",
        DOOR + "test_the_timeout_bounds_the_whole_request",
        why="a slow drip keeps a request alive past its timeout",
    ),
    _m(
        "no-size-cap",
        "_http/exchange.py",
        "read_body(response, max_bytes=max_bytes)",
        "read_body(response, max_bytes=2**40)",
        DOOR + "test_a_body_over_the_cap_is_refused",
        why="any body size is read",
    ),
    _m(
        "url-not-checked-before-each-send",
        "_http/transport.py",
        'check_url(url, what="the request URL")',
        "pass",
        TWICE + "test_a_request_to_a_plain_http_host_is_refused_at_the_door",
        why="a prepared request to plain http elsewhere is sent",
    ),
    _m(
        "token-retried-after-a-read-timeout",
        "_http/transport.py",
        "if policy is not Policy.READ:\n                return False",
        "if policy is Policy.ACTION:\n                return False",
        DOOR + "test_a_token_request_is_not_sent_again_after_a_read_timeout",
        why="a refresh is sent again after a read timeout (burning a rotated token)",
    ),
    _m(
        "action-retried-on-5xx",
        "_http/retries.py",
        "Policy.ACTION: frozenset({429}),",
        "Policy.ACTION: frozenset({429, 500, 502, 503, 504}),",
        CLIENT + "test_post_actions_are_not_retried_after_a_server_error",
        TWICE + "test_the_door_sends_an_action_once_whatever_5xx_comes_back",
        why="a POST action is sent again after a 5xx",
    ),
    _m(
        "token-retried-on-500",
        "_http/retries.py",
        "Policy.TOKEN: frozenset({429, 503}),",
        "Policy.TOKEN: frozenset({429, 500, 503}),",
        DOOR + "test_the_door_retries_by_policy",
        why="a token request is sent again after a 500",
    ),
    _m(
        "retry-after-ignored",
        "_http/retries.py",
        "        if retry_after is not None:\n            return retry_after\n",
        "        if retry_after is not None:\n            pass\n",
        CLIENT + "test_retry_after_is_honoured",
        why="a 429's Retry-After is not waited for",
    ),
    _m(
        "unreachable-retried-like-a-timeout",
        "_http/retries.py",
        "UNREACHABLE_TRIES = 2",
        "UNREACHABLE_TRIES = 6",
        DOOR + "test_an_unreachable_server_fails_fast_and_says_so_first",
        why="a refused connection is retried five times",
    ),
    # -- the client-side limiter -----------------------------------------------------------------
    _m(
        "limiter-not-consulted",
        "_http/transport.py",
        'self._limiter.try_acquire("oncehub", blocking=True)',
        "pass",
        TWICE + "test_api_requests_are_counted_against_the_shared_limiter",
        why="API requests leave without asking the rate limiter",
    ),
    _m(
        "limiter-drops-the-longer-window",
        "_http/limits.py",
        "rates.append(Rate(n, interval))",
        "rates.append(Rate(n, interval)) if not rates else None",
        TWICE + "test_the_limiter_holds_every_window",
        why="only the shortest of OnceHub's limits is kept",
    ),
    # -- pages, pulls, sync ----------------------------------------------------------------------
    _m(
        "filters-on-the-first-page-only",
        "_http/pagination.py",
        '        params = dict(self.params)\n        params["limit"]',
        '        params = dict(self.params) if not after else {}\n        params["limit"]',
        CLIENT + "test_filters_are_sent_on_every_page",
        why="the caller's filters are lost after the first page",
    ),
    _m(
        "interrupted-pull-loses-its-cursor",
        "frames/pull.py",
        "cursor=walk.cursor,",
        "cursor=None,",
        "tests/test_frames_pull.py::test_ctrl_c_mid_pull_keeps_the_frame_and_resumes",
        why="a stopped pull cannot resume where it stopped",
    ),
    _m(
        "interrupted-pull-drops-what-arrived",
        "frames/pull.py",
        "        if not records:\n            raise\n",
        "        if not records or not isinstance(exc, KeyboardInterrupt):\n            raise\n",
        "tests/test_frames_pull.py::test_fatal_error_mid_pull_is_kept_and_resume_finishes",
        why="an API error mid-pull throws away the records fetched",
    ),
    _m(
        "sync-fetches-everything-again",
        "frames/sync.py",
        'filters["updated_after"] = since',
        "pass",
        SYNC + "test_first_sync_pulls_all_then_only_changes",
        TWICE + "test_a_second_sync_asks_only_for_changes_and_upserts_by_id",
        why="the incremental rule is lost: every sync pulls everything",
    ),
    _m(
        "sync-upsert-keeps-stale-rows",
        "frames/sync.py",
        'kept = stored[~stored["id"].isin(set(fresh["id"].dropna()))]',
        "kept = stored",
        SYNC + "test_first_sync_pulls_all_then_only_changes",
        TWICE + "test_a_second_sync_asks_only_for_changes_and_upserts_by_id",
        why="a changed booking is kept twice, old and new",
    ),
    # -- cassettes, the scanner, webhooks --------------------------------------------------------
    _m(
        "scrub-bearer-header-kept",
        "testing/_scrub.py",
        "return f\"{scheme} {self.learn('ACCESS_TOKEN', credential)}\"",
        "return value",
        "tests/test_cassettes.py::test_scrubbing_both_directions_with_stable_placeholders",
        why="an Authorization: Bearer header is written to the cassette",
    ),
    _m(
        "scanner-ignores-access-token-fields",
        "testing/scan.py",
        '_FIELDS = names_pattern(set(SECRET_FIELDS) - FORM_ONLY_FIELDS - {"token"})',
        '_FIELDS = names_pattern(set(SECRET_FIELDS) - FORM_ONLY_FIELDS - {"token", "access_token"})',
        "tests/test_scan.py::test_an_access_token_field_is_a_finding_whatever_its_value",
        why="the scanner's access_token rule is gone",
    ),
    _m(
        "webhook-timestamp-not-checked",
        "webhooks.py",
        "if tolerance > 0 and abs(current - timestamp) > tolerance:",
        "if False:",
        "tests/test_webhooks.py::test_bad_signatures_are_typed_errors",
        why="an old signed delivery is accepted (replays)",
    ),
)

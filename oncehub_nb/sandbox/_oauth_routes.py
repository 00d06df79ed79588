"""HTTP routes of the sandbox's authorization server (``/oauth/...``) and its admin endpoints.

These paths sit outside ``/v2``, so the API pipeline (statistics, rate limits, injected faults,
API-key auth) never touches them; only the ``token_endpoint_down`` knob makes them fail.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, unquote_plus, urlencode, urlsplit

from flask import Blueprint, Flask, Response, request
from oauthlib.oauth2.rfc6749 import errors

from oncehub_nb.sandbox._errors import bad_request
from oncehub_nb.sandbox._guards import admin_guard
from oncehub_nb.sandbox._http import json_body, ok
from oncehub_nb.sandbox._oauth import OAuthProvider
from oncehub_nb.sandbox._oauth_device_routes import device_blueprint
from oncehub_nb.sandbox._oauth_pages import callback_page, consent_page, error_page
from oncehub_nb.sandbox._oauth_records import FormTickets

#: Authorization-request parameters the consent form carries back.
PARAMS = (
    "client_id",
    "redirect_uri",
    "response_type",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
)
MALFORMED = "The sign-in link is malformed (its query string is not valid form encoding)."


def _raw_url() -> str:
    """The URL as requested, with the query string untouched (oauthlib parses it itself)."""
    query = request.query_string.decode("latin-1")
    return request.base_url + (f"?{query}" if query else "")


def _headers() -> dict[str, str]:
    return dict(request.headers.items())


#: Filled in when oauthlib gives an RFC 6749 5.2 error without a description.
DESCRIPTIONS = {
    "invalid_grant": (
        "The authorization code or refresh token is invalid, expired, revoked, already used, "
        "or was issued to another client or redirect URI."
    ),
    "invalid_client": "Client authentication failed (unknown client or wrong secret).",
    "invalid_request": "The request is missing a parameter or has an invalid one.",
    "unsupported_grant_type": "Use grant_type authorization_code or refresh_token.",
    "unauthorized_client": "This client may not use this grant type.",
    "invalid_scope": "The scope is invalid: use read, write or both.",
}


def _oauth_response(
    headers: dict[str, str], body: str | None, status: int
) -> tuple[Response, str | None]:
    """Turn oauthlib's answer into a response (and its error code, if any).

    Errors without a description get one; a 401 gets a Basic challenge.
    """
    error = None
    if status >= 400:
        try:
            parsed = json.loads(body or "")
        except ValueError:
            parsed = None
        if isinstance(parsed, dict) and isinstance(parsed.get("error"), str):
            error = parsed["error"]
            if error in DESCRIPTIONS and not parsed.get("error_description"):
                body = json.dumps({**parsed, "error_description": DESCRIPTIONS[error]})
    response = Response(body or "", status=status)
    for name, value in headers.items():
        response.headers[name] = value
    if status == 401:
        # RFC 6749 5.2: the challenge names the client-authentication scheme (HTTP Basic;
        # oauthlib writes a Bearer challenge, which is for resource servers).
        response.headers["WWW-Authenticate"] = 'Basic realm="oncehub-sandbox"'
    return response, error


def _echo_secrets(response: Response, form: str, headers: dict[str, str]) -> None:
    """The ``echo_secrets_in_errors`` knob: quote what the request sent, first, in the text."""
    fields = parse_qs(form)
    quoted = []
    scheme, _, credential = headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            secret = base64.b64decode(credential).decode().partition(":")[2]
        except ValueError:
            secret = ""
        if secret:
            quoted.append(f"client secret '{unquote_plus(secret)}'")
    for name in ("client_secret", "code", "refresh_token", "code_verifier"):
        if fields.get(name):
            quoted.append(f"{name} '{fields[name][0]}'")
    try:
        parsed = json.loads(response.get_data(as_text=True))
    except ValueError:
        return
    if quoted and isinstance(parsed, dict):
        said = str(parsed.get("error_description") or "Refused.")
        parsed["error_description"] = f"Received {', '.join(quoted)}. {said}"
        response.set_data(json.dumps(parsed))


def _guarded(
    call: Callable[[], tuple[dict[str, str], str | None, int]],
) -> tuple[dict[str, str], str | None, int]:
    """Run an oauthlib token/revoke call, turning what it raises into an error answer."""
    try:
        return call()
    except errors.OAuth2Error as exc:  # e.g. query parameters on a POST (raised, not returned)
        return {"Content-Type": "application/json", **exc.headers}, exc.json, exc.status_code
    except ValueError:
        # oauthlib's ValueError quotes the raw query string, which may hold a secret: it must
        # not reach the crash handler's log line, nor the answer.
        error = errors.InvalidRequestError(description="The query string is not form encoded.")
        return {"Content-Type": "application/json"}, error.json, 400


def _redirect(location: str) -> Response:
    response = Response("", status=302)
    response.headers["Location"] = location
    response.headers["Cache-Control"] = "no-store"
    return response


def oauth_blueprint(provider: OAuthProvider) -> Blueprint:
    """Build the ``/oauth`` routes (authorize, token, revoke, callback) for ``provider``.

    Example:
        >>> from oncehub_nb.sandbox._state import SandboxState
        >>> oauth_blueprint(OAuthProvider(SandboxState(bookings=0), root_url=lambda: "")).name
        'sandbox_oauth'
    """
    bp = Blueprint("sandbox_oauth", __name__)
    server = provider.server
    lock = provider.validator.lock
    tickets = FormTickets[dict[str, str]](lock)

    def validate(uri: str) -> tuple[list[str], dict[str, Any]]:
        with lock:
            scopes, info = server.validate_authorization_request(uri, "GET", None, None)
        return list(scopes), info

    @bp.get("/oauth/authorize")
    def authorize_page() -> Response:
        try:
            scopes, info = validate(_raw_url())
        except errors.FatalClientError as exc:
            # RFC 6749 4.1.2.1: never redirect to an unverified client or redirect URI.
            return error_page(exc.description)
        except errors.OAuth2Error as exc:
            return _redirect(exc.in_uri(exc.redirect_uri))
        except ValueError:
            return error_page(MALFORMED)
        fields = {"client_id": info["client_id"], "redirect_uri": info["redirect_uri"]}
        fields.update(response_type=info["response_type"], scope=" ".join(scopes))
        for name in ("state", "code_challenge", "code_challenge_method"):
            if info.get(name) is not None:
                fields[name] = info[name]
        ticket = tickets.issue(dict(fields))
        client = provider.clients[info["client_id"]]
        return consent_page(client.name, scopes, {**fields, "ticket": ticket})

    @bp.post("/oauth/authorize")
    def authorize_decision() -> Response:
        form = request.form
        params = {name: form[name] for name in PARAMS if name in form}
        # The one-time ticket binds the decision to a consent page this server rendered.
        if not tickets.spend(form.get("ticket", ""), params):
            return error_page(
                "This consent form has expired or was already used. "
                "Go back to your notebook and start signing in again."
            )
        uri = f"{provider.root_url()}/oauth/authorize?{urlencode(params)}"
        try:
            if form.get("decision") == "allow":
                with lock:
                    headers, _, _ = server.create_authorization_response(
                        uri, "GET", scopes=params["scope"].split()
                    )
                location = headers["Location"]
                if "code" in parse_qs(urlsplit(location).query):
                    provider.count("codes_issued")
                return _redirect(location)
            _, info = validate(uri)
        except errors.FatalClientError as exc:
            return error_page(exc.description)
        except errors.OAuth2Error as exc:
            return _redirect(exc.in_uri(exc.redirect_uri))
        denied = errors.AccessDeniedError(
            description="The user denied the app access.", state=info.get("state")
        )
        return _redirect(denied.in_uri(info["redirect_uri"]))

    @bp.post("/oauth/token")
    def token() -> Response:
        body = request.get_data(as_text=True)  # read before anything parses the form
        grant_type = (parse_qs(body).get("grant_type") or ["(missing)"])[0]
        provider.count("token_requests", grant_type=grant_type)
        if provider.take_outage():
            provider.count("token_endpoint_down")
            down = errors.TemporarilyUnavailableError(
                description="The sandbox token endpoint is down (token_endpoint_down knob).",
                status_code=503,
            )
            return _oauth_response({"Content-Type": "application/json"}, down.json, 503)[0]
        with lock:
            headers, answer, status = _guarded(
                lambda: server.create_token_response(_raw_url(), "POST", body, _headers())
            )
        response, error = _oauth_response(headers, answer, status)
        if error is not None and provider.echo_secrets_in_errors:
            _echo_secrets(response, body, _headers())
        if error == "invalid_grant":
            provider.count("invalid_grant")
        elif status == 200 and grant_type == "refresh_token":
            provider.count("refreshes")
        return response

    @bp.post("/oauth/revoke")
    def revoke() -> Response:
        with lock:
            headers, body, status = _guarded(
                lambda: server.create_revocation_response(
                    _raw_url(), "POST", request.get_data(as_text=True), _headers()
                )
            )
        if status == 200:
            provider.count("revocations")
        return _oauth_response(headers, body, status)[0]

    @bp.get("/oauth/callback")
    def callback() -> Response:
        return callback_page(_raw_url(), denied="error" in request.args)

    return bp


def oauth_admin_blueprint(provider: OAuthProvider) -> Blueprint:
    """Build ``/_sandbox/oauth/...``: settings, knobs, stats, revoke, expire (admin door).

    Example:
        >>> from oncehub_nb.sandbox._state import SandboxState
        >>> state = SandboxState(bookings=0)
        >>> oauth_admin_blueprint(OAuthProvider(state, root_url=lambda: "")).url_prefix
        '/_sandbox/oauth'
    """
    admin = Blueprint("sandbox_oauth_admin", __name__, url_prefix="/_sandbox/oauth")

    admin.before_request(admin_guard(lambda: provider.state.admin_token))

    def token_arg() -> str:
        token = json_body().get("token")
        if not isinstance(token, str) or not token:
            raise bad_request("token must be a non-empty string", "token")
        return token

    @admin.get("/settings")
    def settings() -> Response:
        try:
            return ok(
                provider.settings(
                    request.args.get("kind", "confidential"), request.args.get("redirect_uri")
                )
            )
        except ValueError as exc:
            raise bad_request(str(exc)) from None

    @admin.get("/knobs")
    def knobs() -> Response:
        return ok(provider.knobs())

    @admin.post("/knobs")
    def set_knobs() -> Response:
        try:
            provider.configure(**json_body())
        except ValueError as exc:
            raise bad_request(str(exc)) from None
        return ok(provider.knobs())

    @admin.get("/stats")
    def stats() -> Response:
        return ok(provider.stats())

    @admin.post("/stats/reset")
    def reset_stats() -> Response:
        provider.reset_stats()
        return ok({"ok": True})

    @admin.post("/revoke")
    def revoke() -> Response:
        return ok({"ok": True, "found": provider.validator.revoke(token_arg())})

    @admin.post("/expire")
    def expire() -> Response:
        return ok({"ok": True, "found": provider.validator.expire(token_arg())})

    return admin


def install(provider: OAuthProvider, app: Flask) -> None:
    """Serve ``provider``'s OAuth routes on ``app`` and accept its Bearer tokens on the API.

    Example:
        >>> from oncehub_nb.sandbox._app import create_app
        >>> from oncehub_nb.sandbox._state import SandboxState
        >>> state = SandboxState(bookings=0)
        >>> install(OAuthProvider(state, root_url=lambda: "http://localhost"), create_app(state))
    """
    app.register_blueprint(oauth_blueprint(provider))
    app.register_blueprint(device_blueprint(provider))
    app.register_blueprint(oauth_admin_blueprint(provider))
    provider.state.authenticators.append(provider.authenticate)

"""HTTP routes of the sandbox's device grant: the device endpoint and the verification page.

``POST /oauth/device`` is oauthlib's :class:`DeviceAuthorizationEndpoint` (client
authentication as at the token endpoint). ``GET /oauth/device/verify`` asks for the code (or
takes it from ``?user_code=``, the ``verification_uri_complete``) and shows Allow / Deny;
``POST /oauth/device/verify`` records the decision. The form carries a one-time ticket, as the
consent page does, so a decision is bound to a page this server rendered.
"""

from __future__ import annotations

import json
from html import escape
from urllib.parse import parse_qs

from flask import Blueprint, Response, request
from oauthlib.oauth2.rfc6749 import errors
from oauthlib.oauth2.rfc8628.endpoints import DeviceAuthorizationEndpoint

from oncehub_nb.sandbox._oauth import OAuthProvider
from oncehub_nb.sandbox._oauth_pages import page
from oncehub_nb.sandbox._oauth_records import FormTickets
from oncehub_nb.sandbox._oauth_validator import basic_client_id


def _enter_page(message: str = "", status: int = 200) -> Response:
    note = f'<p id="error">{escape(message)}</p>' if message else ""
    body = (
        "<h1>Sign in with a code</h1>"
        f"{note}"
        '<form method="get" action="/oauth/device/verify">'
        '<label for="user_code">Enter the code shown in your notebook:</label>'
        '<input type="text" id="user_code" name="user_code" autocomplete="off" '
        'autocapitalize="characters" spellcheck="false">'
        '<button type="submit">Next</button></form>'
        '<p class="note">This is a local sandbox: no real OnceHub account is involved.</p>'
    )
    return page("Enter your code", body, status)


def _decision_page(app_name: str, user_code: str, ticket: str) -> Response:
    body = (
        "<h1>Sign in to the OnceHub sandbox</h1>"
        f'<p><strong id="app-name">{escape(app_name)}</strong> asks for access with the code '
        f'<strong id="code">{escape(user_code)}</strong>. Check that your notebook shows the '
        "same code.</p>"
        '<form method="post" action="/oauth/device/verify">'
        f'<input type="hidden" name="ticket" value="{escape(ticket)}">'
        f'<input type="hidden" name="user_code" value="{escape(user_code)}">'
        '<button type="submit" name="decision" value="allow">Allow</button>'
        '<button type="submit" name="decision" value="deny">Deny</button></form>'
    )
    return page("Allow access?", body)


def _done_page(allowed: bool) -> Response:
    if allowed:
        body = "<h1>Signed in</h1><p>You can close this tab and go back to your notebook.</p>"
    else:
        body = "<h1>Access was denied</h1><p>Nothing was connected. You can close this tab.</p>"
    return page("Done", body)


def device_blueprint(provider: OAuthProvider) -> Blueprint:
    """Build the device endpoint and the verification page for ``provider``.

    Example:
        >>> from oncehub_nb.sandbox._state import SandboxState
        >>> device_blueprint(OAuthProvider(SandboxState(bookings=0), root_url=lambda: "")).name
        'sandbox_oauth_device'
    """
    bp = Blueprint("sandbox_oauth_device", __name__)
    devices = provider.devices
    lock = provider.validator.lock
    tickets = FormTickets[str](lock)

    @bp.post("/oauth/device")
    def device_authorization() -> Response:
        verify = f"{provider.root_url()}/oauth/device/verify"
        endpoint = DeviceAuthorizationEndpoint(
            provider.validator,
            verification_uri=verify,
            expires_in=int(devices.device_code_ttl) or 1,
            interval=devices.device_interval,
            verification_uri_complete=verify + "?user_code={user_code}",
            user_code_generator=devices.new_user_code,
        )
        body = request.get_data(as_text=True)
        try:
            with lock:
                headers, data, status = endpoint.create_device_authorization_response(
                    request.base_url, "POST", body, dict(request.headers.items())
                )
        except errors.OAuth2Error as exc:  # fatal ones are raised, not returned
            headers, data, status = dict(exc.headers), exc.json, exc.status_code
        if status == 200 and isinstance(data, dict):
            scopes = str(data.get("scope") or "read").split()
            devices.issue(data["device_code"], data["user_code"], _client_id(body), scopes)
        response = Response(data if isinstance(data, str) else json.dumps(data), status=status)
        response.headers.update(headers)
        response.headers["Content-Type"] = "application/json"
        response.headers["Cache-Control"] = "no-store"
        return response

    def _client_id(body: str) -> str:
        form = parse_qs(body)
        return (form.get("client_id") or [""])[0] or basic_client_id(dict(request.headers))

    @bp.get("/oauth/device/verify")
    def verify_page() -> Response:
        user_code = request.args.get("user_code", "")
        if not user_code:
            return _enter_page()
        record = devices.find(user_code)
        if record is None:
            return _enter_page("That code is unknown, already used or expired.", 400)
        ticket = tickets.issue(record.user_code)
        client = provider.clients.get(record.client_id)
        return _decision_page(client.name if client else record.client_id, record.user_code, ticket)

    @bp.post("/oauth/device/verify")
    def verify_decision() -> Response:
        form = request.form
        user_code = form.get("user_code", "")
        if not tickets.spend(form.get("ticket", ""), user_code):
            return _enter_page("This form has expired or was already used: enter the code again.")
        allowed = form.get("decision") == "allow"
        if not devices.decide(user_code, allow=allowed):
            return _enter_page("That code is unknown, already used or expired.", 400)
        return _done_page(allowed)

    return bp

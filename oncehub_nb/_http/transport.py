"""The one send path: every HTTP request the SDK makes leaves through :meth:`Transport.send`.

API calls, code exchanges, refreshes, revocations and ``GET /test`` all go through it, and it

* checks the URL with the parser that sends it (:mod:`.urls`): https, or plain http to this
  machine only;
* never follows a redirect (a 3xx is an error: a credential must not follow ``Location``);
* gives each try a total deadline, connect to last byte (:mod:`.deadline`), and caps the body;
* keeps API requests under OnceHub's rate limits, shared by every process of this machine
  (:mod:`.limits`), and waits out 429 answers within ``max_wait``, slowing the shared limiter;
* retries by :class:`~.credentials.Policy` (tenacity), honouring ``Retry-After``;
* turns failures into the error tree of :mod:`oncehub_nb._errors`, message first, with at most
  one short cause chained, and logs through the redacting filter.

:meth:`Transport.request` adds the API's side: the base URL, the credential (asked for before
each request; after a 401, asked to renew once, and the request is sent once more), error
statuses as typed errors, and the ``Request-Id`` of the last response (per thread).

Example:
    >>> from oncehub_nb._config import Settings
    >>> t = Transport(Settings.resolve(env={}))
    >>> t.url("/bookings")
    'https://api.oncehub.com/v2/bookings'
    >>> t.close()
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception, retry_if_result

from oncehub_nb._config import Settings
from oncehub_nb._errors import (
    APIConnectionError,
    APITimeoutError,
    decode_json,
    from_response,
    invalid_response,
)
from oncehub_nb._http.credentials import Credential, NoCredential, Policy
from oncehub_nb._http.deadline import DeadlineAdapter
from oncehub_nb._http.exchange import exchange
from oncehub_nb._http.limits import shared_limiter
from oncehub_nb._http.pacing import WAITING_NOTE, Pacer
from oncehub_nb._http.retries import (
    RETRY_STATUSES,
    UNREACHABLE_TRIES,
    backoff,
    is_unreachable,
    log_retry,
    root_cause,
    stop_rule,
)
from oncehub_nb._http.urls import check_url, where
from oncehub_nb._redact import install_log_redaction, redact_text

__all__ = [
    "IDEMPOTENT_METHODS",
    "NoCredential",
    "Transport",
    "shared_limiter",
    "standalone_transport",
]

log = logging.getLogger("oncehub_nb.http")

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})


class Transport:
    """Sends requests to OnceHub (and its token endpoints) through the one send path.

    Args:
        settings: where and how to talk to OnceHub.
        auth: the credential (default: none).
        sleep: the sleep function between retries (tests pass a fake; also settable later).

    Attributes:
        session: the pooled :class:`requests.Session` (adapters with a total deadline).
        pacer: turns under the rate limits this machine shares (:mod:`.pacing`).
        hooks: ``{"request": [...], "response": [...]}``: called with every prepared request
            before it is sent and every response (each try, token requests included).
        sleep: the function retries wait with.

    Raises:
        ConfigurationError: ``api_base`` is not a URL requests may be sent to.

    Example:
        >>> from oncehub_nb._config import Settings
        >>> from oncehub_nb.auth import ApiKeyAuth
        >>> t = Transport(Settings.resolve(env={}), auth=ApiKeyAuth("key-from-onecehub-123456"))
        >>> t.close()
    """

    def __init__(
        self,
        settings: Settings,
        *,
        auth: Credential | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        check_url(
            settings.api_base,
            what="api_base / ONCEHUB_API_BASE",
            hint="It should look like https://api.oncehub.com/v2.",
        )
        # Secrets never reach logs: from the first client (or flow) on, records of oncehub_nb,
        # requests_oauthlib, oauthlib and urllib3 are redacted (requests-oauthlib logs whole
        # tokens at DEBUG). Installed here, on first use, not as a side effect of importing.
        install_log_redaction()
        self.settings = settings
        self.auth: Credential = auth if auth is not None else NoCredential()
        self.session = requests.Session()
        adapter = DeadlineAdapter()
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers["User-Agent"] = settings.user_agent
        self.session.headers["Accept"] = "application/json"
        self.sleep = sleep
        self.hooks: dict[str, list[Callable[[Any], object]]] = {"request": [], "response": []}
        on = settings.rate_limit
        limiter = shared_limiter(settings.api_base, settings.rate_limit) if on else None
        self.pacer = Pacer(limiter, max_wait=settings.max_wait)
        self._local = threading.local()

    # -- the API side ---------------------------------------------------------------------------

    def url(self, path: str) -> str:
        """Return the absolute URL of an API path.

        Args:
            path: ``/bookings`` style path.

        Returns:
            The URL under ``settings.api_base``.
        """
        return self.settings.api_base + "/" + path.lstrip("/")

    @property
    def last_request_id(self) -> str | None:
        """The ``Request-Id`` of the last API response this thread received."""
        return getattr(self._local, "request_id", None)

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> requests.Response:
        """Send one API request with the credential; return a 2xx response (body read).

        Args:
            method: the HTTP method.
            path: an API path such as ``/bookings``.
            params: query parameters, already in the API's string form.
            json: a JSON body.

        Returns:
            The successful response.

        Raises:
            APIStatusError: (a subclass for each status) an error status, or a redirect (never
                followed: it could carry the credential elsewhere).
            APITimeoutError: no whole answer within the timeout, after retries.
            APIConnectionError: no connection, a reset, or an unreachable host.
            ReauthorizationRequired: (OAuth) no usable token: sign in again.

        Example:
            >>> transport.request("GET", "/test").json()
            {'message': 'The API key is valid for account: ...'}
        """
        method = method.upper()
        policy = Policy.READ if method in IDEMPOTENT_METHODS else Policy.ACTION
        url = self.url(path)
        renewed = False
        while True:
            prepared = self.session.prepare_request(
                requests.Request(method, url, params=params, json=json)
            )
            self.auth.authenticate(prepared, self)
            response = self.send(prepared, policy=policy, limited=True)
            if response.status_code == 401 and not renewed:
                # A 401 means the server did not act, so even a POST may be sent again.
                renewed = self.auth.renew_after_unauthorized(prepared, self)
                if renewed:
                    continue
            break
        self._local.request_id = response.headers.get("Request-Id")
        if response.status_code >= 300:
            raise from_response(response, hint=self._hint(response))
        return response

    def _hint(self, response: requests.Response) -> str | None:
        path = (response.request.path_url if response.request else "") or ""
        if response.status_code == 404 and not path.startswith("/v2/") and "/v2" not in path:
            return (
                f"No such API address. api_base is {self.settings.api_base!r}; OnceHub's is "
                "https://api.oncehub.com/v2 (the sandbox's ends in /v2 too)"
            )
        return None

    def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        expect: type[dict[str, Any]] | type[list[Any]] | None = None,
    ) -> Any:
        """Send a request (see :meth:`request`) and decode its JSON body.

        Args:
            method: the HTTP method.
            path: the API path.
            params: query parameters.
            json: a JSON body.
            expect: ``dict`` or ``list`` when the API promises an object or a list.

        Returns:
            The decoded body.

        Raises:
            APIResponseValidationError: the body is not JSON, or not what ``expect`` says.

        Example:
            >>> body = transport.request_json("GET", "/bookings", params={"limit": "1"})
            >>> body["object"], [b["id"] for b in body["data"]], body["has_more"]
            ('list', ['BKNG-H60DZO03KD8P'], True)
        """
        response = self.request(method, path, params=params, json=json)
        try:
            body = decode_json(response)
        except ValueError:
            raise invalid_response(
                response, f"OnceHub answered {method} {path} with a body that is not JSON"
            ) from None
        if expect is not None and not isinstance(body, expect):
            kind = "an object" if expect is dict else "a list"
            raise invalid_response(
                response, f"OnceHub answered {method} {path} with something that is not {kind}"
            )
        return body

    # -- the one door ---------------------------------------------------------------------------

    def send(
        self, request: requests.PreparedRequest, *, policy: Policy, limited: bool = False
    ) -> requests.Response:
        """Send a prepared request: the only place the SDK's HTTP leaves from.

        No redirect is followed; each try has ``settings.timeout`` seconds in all; bodies over
        ``settings.max_response_bytes`` are refused; retries follow ``policy``.

        Args:
            request: the prepared request (credential already added).
            policy: which failures may be retried.
            limited: count it against the API's rate limits (API requests; not token calls).

        Returns:
            The response, whatever its status (the caller decides what a status means).

        Raises:
            ConfigurationError: the URL is not one requests may be sent to.
            APITimeoutError: no whole answer within the timeout, after retries.
            APIConnectionError: the request failed on the network, after retries.
            APIResponseValidationError: the body is larger than the cap.
        """
        url = request.url or ""
        check_url(url, what="the request URL")
        place = where(url)
        host = place.host if place else "?"
        retry_statuses = RETRY_STATUSES[policy]
        unreachable_tries = [0]

        def retry_exception(exc: BaseException) -> bool:
            if is_unreachable(exc):
                unreachable_tries[0] += 1
                return unreachable_tries[0] < UNREACHABLE_TRIES
            if isinstance(exc, requests.exceptions.ConnectTimeout):
                return True  # the request never reached the server
            if policy is not Policy.READ:
                return False  # it may have been acted on: never twice
            return isinstance(
                exc,
                requests.exceptions.ConnectionError
                | requests.exceptions.Timeout
                | requests.exceptions.ChunkedEncodingError,
            )

        def retry_response(response: requests.Response) -> bool:
            return response.status_code in retry_statuses

        deadline = time.monotonic() + self.settings.max_wait

        def before_sleep(state: RetryCallState) -> None:
            log_retry(log, request, state, self.settings.max_retries, limited=limited)
            outcome = state.outcome
            if limited and outcome and not outcome.failed and outcome.result().status_code == 429:
                self.pacer.note(WAITING_NOTE)

        retrying = Retrying(
            stop=stop_rule(self.settings, limited=limited, deadline=deadline),
            wait=lambda state: backoff(self.settings, state),
            retry=retry_if_result(retry_response) | retry_if_exception(retry_exception),
            sleep=lambda seconds: self.sleep(seconds),
            before_sleep=before_sleep,
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
            reraise=True,
        )
        what = f"{request.method} {host}{_path(request)}"
        try:
            response: requests.Response = retrying(self._send_once, request, limited, deadline)
        except requests.exceptions.Timeout as exc:
            raise APITimeoutError(
                f"No answer to {what} within {self.settings.timeout:g} s. Check your network, "
                "or allow more time (timeout= or ONCEHUB_TIMEOUT)."
            ) from root_cause(exc)
        except requests.exceptions.RequestException as exc:
            if is_unreachable(exc):
                message = (
                    f"Could not reach {host} for {what}: "
                    f"{redact_text(str(root_cause(exc)))[:160]}. Check the network and the "
                    "address (api_base / ONCEHUB_API_BASE, or the OAuth endpoints)."
                )
            else:
                message = (
                    f"The connection broke during {what}: {type(exc).__name__}. "
                    + (
                        "It was not sent again: the server may have acted on it. "
                        if policy is not Policy.READ
                        else ""
                    )
                    + "Check the network and try again."
                )
            raise APIConnectionError(message) from root_cause(exc)
        return response

    def _send_once(
        self, request: requests.PreparedRequest, limited: bool, deadline: float
    ) -> requests.Response:
        account = (self.auth.rate_limit_account() or "oncehub") if limited else ""
        if limited:
            self.pacer.turn(request, account, deadline)
        for hook in self.hooks["request"]:
            hook(request)
        response = exchange(
            self.session,
            request,
            timeout=self.settings.timeout,
            max_bytes=self.settings.max_response_bytes,
            leaving=(lambda: self.pacer.leaving(account)) if limited else None,
        )
        log.debug(
            "%s %s -> %s in %.0f ms (Request-Id %s)",
            request.method,
            _path(request),
            response.status_code,
            response.elapsed.total_seconds() * 1000,
            response.headers.get("Request-Id"),
        )
        for hook in self.hooks["response"]:
            hook(response)
        if limited:
            self.pacer.answered(response, account)  # a 429 slows every process here
        return response

    def close(self) -> None:
        """Close the pooled connections and the credential's own resources."""
        self.session.close()


def _path(request: requests.PreparedRequest) -> str:
    return (request.path_url or "/").split("?", 1)[0]


def standalone_transport(env: Mapping[str, str] | None = None) -> Transport:
    """A transport with no credential, for token endpoint calls made outside a client.

    A sign-in flow used on its own (``AuthorizationFlow(config).finish(...)``) sends its code
    exchange through this: the same send path, with ``ONCEHUB_TIMEOUT`` and
    ``ONCEHUB_MAX_RETRIES`` honoured and no rate limiter (it is not the API).

    Example:
        >>> standalone_transport({}).settings.rate_limit
        ()
    """
    import os

    env = os.environ if env is None else env
    wanted = {k: env[k] for k in ("ONCEHUB_TIMEOUT", "ONCEHUB_MAX_RETRIES") if k in env}
    return Transport(Settings.resolve(env=wanted, rate_limit=False))

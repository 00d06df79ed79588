"""The only place that sends HTTP.

One pooled :class:`requests.Session` per client (an OAuth client passes its refreshing
``OAuth2Session`` subclass instead), timeouts on every request, a ``User-Agent``, a client-side
rate limiter for OnceHub's documented limits, retries with exponential backoff and jitter, and the
mapping of every failure onto the error tree of :mod:`oncehub_nb._errors`.

Retries: idempotent requests (GET, HEAD, OPTIONS, PUT, DELETE) are retried after 429, 5xx,
a connection reset and a timeout. Other methods (the POST actions) are retried only when the
server provably did not act: a 429, or a connection that was never made. ``Retry-After`` is
honoured when present (OnceHub does not document it, proxies may send it).

The retry loop is tenacity's and the limiter is pyrate-limiter's (a sliding-window log holding
several rates at once, blocking until a permit is free), rather than code of our own.

Example:
    >>> from oncehub_nb._config import Settings
    >>> t = Transport(Settings.resolve(env={}))
    >>> t.url("/bookings")
    'https://api.oncehub.com/v2/bookings'
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

import requests
from pyrate_limiter import Limiter, Rate
from tenacity import (
    RetryCallState,
    Retrying,
    retry_if_exception,
    retry_if_result,
    stop_after_attempt,
)

from oncehub_nb._config import Settings
from oncehub_nb._errors import APIConnectionError, APITimeoutError, from_response
from oncehub_nb._redact import redact_text

__all__ = ["RETRY_STATUSES", "Transport", "shared_limiter"]

log = logging.getLogger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
_RETRY_AFTER_CAP = 120.0
# The server counts requests when they arrive, we count them when they leave: a slow first
# request (a new connection) and a fast later one can land closer together than they were
# sent. Each window is stretched by 3 % (30 ms of a 1 s window) to absorb that jitter, which
# keeps about 95 % of the allowed rate (bench/pull.py measures it).
_WINDOW_STRETCH = 1.03
# pyrate-limiter adds this to every blocking wait (its default is 50 ms); the stretch already
# gives the margin, and 50 ms on each wait would cost several percent of the rate.
_WAIT_BUFFER_MS = 5

_limiters: dict[tuple[str, tuple[tuple[int, float], ...]], Limiter] = {}
_limiters_lock = threading.Lock()


def shared_limiter(api_base: str, rate_limits: tuple[tuple[int, float], ...]) -> Limiter:
    """Return the process-wide limiter for one API base and set of limits.

    OnceHub counts requests per account and per IP, not per client object, so every client in
    a kernel that talks to the same API shares one budget.

    Args:
        api_base: the API root the limits apply to.
        rate_limits: ``(requests, window seconds)`` pairs.

    Returns:
        A thread-safe blocking limiter.

    Example:
        >>> a = shared_limiter("https://api.oncehub.com/v2", ((5, 1.0),))
        >>> a is shared_limiter("https://api.oncehub.com/v2", ((5, 1.0),))
        True
    """
    key = (api_base, rate_limits)
    with _limiters_lock:
        limiter = _limiters.get(key)
        if limiter is None:
            rates: list[Rate] = []
            for n, window in sorted(rate_limits, key=lambda pair: pair[1]):
                interval = max(1, round(window * 1000 * _WINDOW_STRETCH))
                if rates:  # pyrate-limiter wants each longer window no denser than the last
                    previous = rates[-1]
                    interval = max(interval, -(-previous.interval * n // previous.limit))
                rates.append(Rate(n, interval))
            limiter = Limiter(rates, buffer_ms=_WAIT_BUFFER_MS)
            _limiters[key] = limiter
        return limiter


def _retry_after_seconds(response: requests.Response) -> float | None:
    raw = response.headers.get("Retry-After")
    if not raw:
        return None
    raw = raw.strip()
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(raw)
            seconds = when.timestamp() - time.time()
        except (ValueError, TypeError, OverflowError, IndexError):  # not an HTTP date either
            return None
    if not math.isfinite(seconds):  # "nan" would reach time.sleep() and raise there
        return None
    return min(max(seconds, 0.0), _RETRY_AFTER_CAP)


def _is_retryable_exception(exc: BaseException, *, idempotent: bool) -> bool:
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True  # the request never reached the server
    if not idempotent:
        return False
    return isinstance(
        exc,
        requests.exceptions.ConnectionError
        | requests.exceptions.Timeout
        | requests.exceptions.ChunkedEncodingError,
    )


class Transport:
    """Sends requests to the OnceHub API and returns successful responses.

    Args:
        settings: where and how to talk to OnceHub.
        auth: a requests auth object (e.g. :class:`~oncehub_nb.auth.ApiKeyAuth`), or ``None``
            when ``session`` authenticates by itself (OAuth).
        session: the session to send with; a new pooled session when ``None``.
        sleep: the sleep function (tests pass a fake to skip real waiting).

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
        auth: requests.auth.AuthBase | None = None,
        session: requests.Session | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self.auth = auth
        self.session = session if session is not None else requests.Session()
        self.session.headers["User-Agent"] = settings.user_agent
        self.session.headers["Accept"] = "application/json"
        self._sleep = sleep
        self._limiter = (
            shared_limiter(settings.api_base, settings.rate_limits) if settings.rate_limit else None
        )
        self.last_request_id: str | None = None

    def url(self, path: str) -> str:
        """Return the absolute URL of an API path.

        Args:
            path: ``/bookings`` style path, or an absolute URL (returned unchanged).

        Returns:
            The URL under ``settings.api_base``.
        """
        if path.startswith(("http://", "https://")):
            return path
        return self.settings.api_base + "/" + path.lstrip("/")

    def close(self) -> None:
        """Close the pooled connections."""
        self.session.close()

    def _wait(self, state: RetryCallState) -> float:
        outcome = state.outcome
        if outcome is not None and not outcome.failed:
            response: requests.Response = outcome.result()
            retry_after = _retry_after_seconds(response)
            if retry_after is not None:
                return retry_after
        step = float(self.settings.backoff_base * 2 ** (state.attempt_number - 1))
        ceiling = min(self.settings.backoff_max, step)
        # "Equal jitter": at least half the exponential step, so storms still spread out.
        return ceiling / 2 + random.uniform(0, ceiling / 2)  # noqa: S311 - jitter, not security

    def _send_once(
        self, method: str, url: str, params: Mapping[str, str] | None, json_body: Any
    ) -> requests.Response:
        if self._limiter is not None:
            self._limiter.try_acquire("oncehub", blocking=True)
        started = time.perf_counter()
        response = self.session.request(
            method,
            url,
            params=params,
            json=json_body,
            auth=self.auth,
            timeout=self.settings.timeout,
            # Never follow a redirect: requests would re-send the API-Key header to whatever
            # host the Location names (it strips only Authorization). The API does not redirect.
            allow_redirects=False,
        )
        log.debug(
            "%s %s -> %s in %.0f ms (Request-Id %s)",
            method,
            response.request.path_url if response.request else url,
            response.status_code,
            (time.perf_counter() - started) * 1000,
            response.headers.get("Request-Id"),
        )
        return response

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> requests.Response:
        """Send one API request, with rate limiting and retries; return a 2xx response.

        Args:
            method: the HTTP method.
            path: an API path such as ``/bookings`` (or an absolute URL).
            params: query parameters, already in the API's string form.
            json: a JSON body.

        Returns:
            The successful response; its body has been read.

        Raises:
            APIStatusError: (a subclass for each status) the API answered with an error, or
                with a redirect (never followed: it could carry the credentials elsewhere).
            APITimeoutError: no answer within the timeout, after retries.
            APIConnectionError: no connection or a reset, after retries.

        Example:
            >>> transport.request("GET", "/test").json()  # doctest: +SKIP
            {'message': 'The API key is valid for account: ...'}
        """
        method = method.upper()
        url = self.url(path)
        idempotent = method in IDEMPOTENT_METHODS
        retry_statuses = RETRY_STATUSES if idempotent else frozenset({429})

        def should_retry_response(response: requests.Response) -> bool:
            if response.status_code in retry_statuses:
                response.close()
                return True
            return False

        def log_retry(state: RetryCallState) -> None:
            outcome = state.outcome
            cause = (
                f"HTTP {outcome.result().status_code}"
                if outcome is not None and not outcome.failed
                else type(outcome.exception()).__name__
                if outcome is not None
                else "?"
            )
            log.info(
                "%s %s: %s, retry %d of %d in %.2f s",
                method,
                path,
                cause,
                state.attempt_number,
                self.settings.max_retries,
                state.next_action.sleep if state.next_action else 0.0,
            )

        retrying = Retrying(
            stop=stop_after_attempt(self.settings.max_retries + 1),
            wait=self._wait,
            retry=(
                retry_if_result(should_retry_response)
                | retry_if_exception(
                    lambda exc: _is_retryable_exception(exc, idempotent=idempotent)
                )
            ),
            sleep=self._sleep,
            before_sleep=log_retry,
            retry_error_callback=lambda state: state.outcome.result() if state.outcome else None,
            reraise=True,
        )
        try:
            response: requests.Response = retrying(self._send_once, method, url, params, json)
        except requests.exceptions.Timeout as exc:
            raise APITimeoutError(
                f"OnceHub did not answer {method} {path} within {self.settings.timeout:g} s "
                f"(after {self.settings.max_retries} retries). Check your network or raise "
                "the timeout (timeout= or ONCEHUB_TIMEOUT)."
            ) from exc
        except requests.exceptions.RequestException as exc:
            raise APIConnectionError(
                f"Could not reach OnceHub for {method} {path}: "
                f"{redact_text(type(exc).__name__ + ': ' + str(exc))[:300]}. "
                "Check the network and api_base / ONCEHUB_API_BASE."
            ) from exc
        self.last_request_id = response.headers.get("Request-Id")
        if response.status_code >= 400:
            raise from_response(response)
        if response.is_redirect:
            from oncehub_nb._errors import APIStatusError

            where = redact_text(str(response.headers.get("Location", "")))[:200]
            raise APIStatusError(
                response.status_code,
                None,
                f"OnceHub answered {method} {path} with a redirect to {where!r}; it was not "
                "followed, so the credentials stay with the API host. Check api_base.",
                None,
                self.last_request_id,
            )
        return response

    def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
    ) -> Any:
        """Send a request (see :meth:`request`) and decode its JSON body.

        Returns:
            The decoded body.

        Raises:
            APIStatusError: the body of a successful response was not JSON (status kept).

        Example:
            >>> transport.request_json("GET", "/bookings", params={"limit": "1"})  # doctest: +SKIP
        """
        response = self.request(method, path, params=params, json=json)
        try:
            return response.json()
        except (ValueError, RecursionError):  # RecursionError: absurdly deep JSON
            from oncehub_nb._errors import APIStatusError

            raise APIStatusError(
                response.status_code,
                None,
                f"OnceHub answered {method} {path} with a body that is not JSON",
                None,
                response.headers.get("Request-Id"),
            ) from None

"""The sandbox's settings, each default written once, here.

Three groups, each a class whose annotated attributes are the settings and whose values are
the defaults:

* :class:`DataOptions`: what the state is built from (data, keys, limits, latency, clock);
* :class:`OAuthKnobs`: the authorization server's knobs, settable while it runs;
* :class:`DeviceKnobs`: the device grant's knobs (RFC 8628), settable while it runs.

:class:`SandboxSettings` names them all for the keyword arguments of
:class:`~oncehub_nb.sandbox.Sandbox` (which adds ``host`` and ``port``), so mypy and IDEs
check the names and types; ``tests/test_sandbox_options.py`` checks it names exactly these
fields, with the same types.
The command line (``oncehub-nb sandbox``) takes its defaults from here too.

Example:
    >>> DataOptions(bookings=3).profile, OAuthKnobs.code_ttl, DeviceKnobs.device_interval
    ('live', 60.0, 5)
"""

from __future__ import annotations

import dataclasses
import difflib
import typing
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import Any, TypedDict

__all__ = [
    "DataOptions",
    "DataSettings",
    "DeviceKnobs",
    "Knobs",
    "LimitPairs",
    "OAuthKnobs",
    "OAuthSettings",
    "SandboxSettings",
    "split_settings",
    "unknown_knob",
]

#: ``(requests, window seconds)`` pairs: the account's limit, then optionally the IP's.
LimitPairs = Sequence[tuple[int, float]]


@dataclasses.dataclass(frozen=True)
class DataOptions:
    """What a sandbox's state is built from.

    Attributes:
        bookings: how many bookings to generate.
        seed: seed of the generated data (same seed, same records).
        api_key: the valid API key; a random one when ``None``.
        admin_token: the token of the admin endpoints; a random one when ``None``.
        rate_limit: ``True``: enforce OnceHub's limits (5/s per key, 200/5 min per IP), their
            windows multiplied by ``time_scale``; ``False`` (or no pairs): none; or
            ``(requests, window seconds)`` pairs (the account's, then optionally the IP's; not
            scaled).
        time_scale: multiply OnceHub's rate-limit windows by this.
        latency_ms: delay added to every API request (after the rate limits counted it).
        anchor: the present of the generated data (``None``: ``ONCEHUB_SANDBOX_ANCHOR``, else
            today at 00:00 UTC).
        clock: Unix time for what the sandbox stamps (``None``: see ``Sandbox``).
        profile: ``"live"`` (answers like real OnceHub data) or ``"spec"``.

    Example:
        >>> DataOptions().bookings, DataOptions(rate_limit=False).rate_limit
        (250, False)
    """

    bookings: int = 250
    seed: int = 0
    api_key: str | None = dataclasses.field(default=None, repr=False)
    admin_token: str | None = dataclasses.field(default=None, repr=False)
    rate_limit: bool | LimitPairs = True
    time_scale: float = 1.0
    latency_ms: int = 0
    anchor: datetime | date | str | None = None
    clock: Callable[[], float] | None = None
    profile: str = "live"


class Knobs:
    """Settings that can change while the sandbox runs: checked by their annotated type.

    A subclass declares each knob as an annotated class attribute whose value is its default;
    ``bool`` knobs take ``True`` / ``False``, ``int`` knobs whole numbers >= 0, ``float``
    knobs numbers >= 0, ``str`` knobs one of :attr:`CHOICES`. (Written here because
    dataclasses and pydantic check at construction, and these are set one at a time, by name,
    from Python and from ``POST /_sandbox/oauth/knobs``.)

    Example:
        >>> knobs = DeviceKnobs()
        >>> knobs.configure(device_interval=2)
        >>> knobs.knobs()["device_interval"]
        2
        >>> knobs.configure(device_intervall=2)
        Traceback (most recent call last):
        ...
        ValueError: unknown knob 'device_intervall' (did you mean 'device_interval'?)
    """

    #: Allowed values of the ``str`` knobs, by name.
    CHOICES: typing.ClassVar[dict[str, tuple[str, ...]]] = {}

    @classmethod
    def knob_types(cls) -> dict[str, type]:
        """The knobs of this class and their types, in declaration order.

        Example:
            >>> list(OAuthKnobs.knob_types())[:2]
            ['access_token_ttl', 'code_ttl']
        """
        types: dict[str, type] = {}
        for klass in reversed(cls.__mro__):
            if issubclass(klass, Knobs) and klass is not Knobs and "__annotations__" in vars(klass):
                hints = typing.get_type_hints(klass)
                types.update({name: hints[name] for name in vars(klass)["__annotations__"]})
        return {name: kind for name, kind in types.items() if name != "CHOICES"}

    def configure(self, **knobs: Any) -> None:
        """Set knobs by name, checking each value; a wrong name or value raises ``ValueError``.

        Example:
            >>> OAuthKnobs().configure(widen_scope="yes")
            Traceback (most recent call last):
            ...
            ValueError: widen_scope must be true or false
        """
        types = self.knob_types()
        for name, value in knobs.items():
            if name not in types:
                raise unknown_knob(name, list(types))
            _check(name, value, types[name], self.CHOICES.get(name, ()))
        for name, value in knobs.items():
            setattr(self, name, value)

    def knobs(self) -> dict[str, Any]:
        """The current value of every knob.

        Example:
            >>> OAuthKnobs().knobs()["token_endpoint_down"]
            0
        """
        return {name: getattr(self, name) for name in self.knob_types()}


def unknown_knob(name: str, names: list[str]) -> ValueError:
    """The error for a knob that does not exist, with the closest name (or all of them).

    Example:
        >>> unknown_knob("code_tl", ["code_ttl", "widen_scope"])
        ValueError("unknown knob 'code_tl' (did you mean 'code_ttl'?)")
    """
    close = difflib.get_close_matches(name, names, n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else f"; use one of {', '.join(names)}"
    return ValueError(f"unknown knob {name!r}{hint}")


def _check(name: str, value: Any, kind: type, choices: tuple[str, ...]) -> None:
    if kind is bool:
        if not isinstance(value, bool):
            raise ValueError(f"{name} must be true or false")
    elif kind is str:
        if value not in choices:
            raise ValueError(f"{name} must be one of {', '.join(map(repr, choices))}")
    elif isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ValueError(f"{name} must be a number >= 0")
    elif kind is int and not isinstance(value, int):
        raise ValueError(f"{name} must be an integer")


class OAuthKnobs(Knobs):
    """The authorization server's knobs and their defaults.

    Attributes:
        access_token_ttl: access-token lifetime in seconds.
        code_ttl: authorization-code lifetime in seconds.
        rotate_refresh_tokens: each refresh issues a new refresh token and retires the old one.
        detect_refresh_reuse: a retired refresh token presented again revokes every token of
            its sign-in (RFC 9700 4.14.2 reuse detection); ``False``: it is only refused.
        expires_in_as_string: send ``"expires_in": "3600"`` (tests client tolerance).
        widen_scope: grant ``read write`` whatever was asked (tests client tolerance).
        token_endpoint_down: the next N token requests answer 503.
        echo_secrets_in_errors: a refused token request's ``error_description`` quotes the
            secrets it was sent, as a careless server might (tests that the client never
            shows them).

    Example:
        >>> OAuthKnobs().knobs()["access_token_ttl"]
        3600
    """

    access_token_ttl: int = 3600
    code_ttl: float = 60.0
    rotate_refresh_tokens: bool = True
    detect_refresh_reuse: bool = True
    expires_in_as_string: bool = False
    widen_scope: bool = False
    token_endpoint_down: int = 0
    echo_secrets_in_errors: bool = False


class DeviceKnobs(Knobs):
    """The device grant's knobs (RFC 8628) and their defaults.

    Attributes:
        device_interval: the ``interval`` sent, in seconds. A poll sooner than the interval
            after the previous one answers ``slow_down``.
        device_code_ttl: the codes' lifetime in seconds.
        device_slow_down: the N-th undecided poll of a code answers ``slow_down`` (0: never).
        device_auto_decision: ``"allow"`` or ``"deny"`` is applied by itself once
            ``device_pending_polls`` polls went undecided (``"none"``: only the verification
            page decides).
        device_pending_polls: see ``device_auto_decision``.

    Example:
        >>> DeviceKnobs().knobs()["device_auto_decision"]
        'none'
    """

    CHOICES: typing.ClassVar[dict[str, tuple[str, ...]]] = {
        "device_auto_decision": ("none", "allow", "deny")
    }

    device_interval: int = 5
    device_code_ttl: float = 600.0
    device_slow_down: int = 0
    device_auto_decision: str = "none"
    device_pending_polls: int = 0


class DataSettings(TypedDict, total=False):
    """:class:`DataOptions` as keyword arguments (see there)."""

    bookings: int
    seed: int
    api_key: str | None
    admin_token: str | None
    rate_limit: bool | LimitPairs
    time_scale: float
    latency_ms: int
    anchor: datetime | date | str | None
    clock: Callable[[], float] | None
    profile: str


class OAuthSettings(TypedDict, total=False):
    """:class:`OAuthKnobs` and :class:`DeviceKnobs` as keyword arguments (see there)."""

    access_token_ttl: int
    code_ttl: float
    rotate_refresh_tokens: bool
    detect_refresh_reuse: bool
    expires_in_as_string: bool
    widen_scope: bool
    token_endpoint_down: int
    echo_secrets_in_errors: bool
    device_interval: int
    device_code_ttl: float
    device_slow_down: int
    device_auto_decision: str
    device_pending_polls: int


class SandboxSettings(DataSettings, OAuthSettings, total=False):
    """The keyword arguments of :class:`~oncehub_nb.sandbox.Sandbox` besides ``host``/``port``."""


def split_settings(settings: dict[str, Any]) -> tuple[DataOptions, dict[str, Any]]:
    """Split a sandbox's keyword arguments into its data options and its OAuth knobs.

    Raises:
        TypeError: a name that is no setting, with the closest one (as Python's own message).

    Example:
        >>> data, knobs = split_settings({"bookings": 3, "code_ttl": 5})
        >>> data.bookings, knobs
        (3, {'code_ttl': 5})
        >>> split_settings({"booking": 3})
        Traceback (most recent call last):
        ...
        TypeError: Sandbox() got an unexpected keyword argument 'booking' (did you mean 'bookings'?)
    """
    data_names = {field.name for field in dataclasses.fields(DataOptions)}
    knob_names = {*OAuthKnobs.knob_types(), *DeviceKnobs.knob_types()}
    for name in settings:
        if name not in data_names | knob_names:
            close = difflib.get_close_matches(name, data_names | knob_names, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise TypeError(f"Sandbox() got an unexpected keyword argument {name!r}{hint}")
    data = DataOptions(**{k: v for k, v in settings.items() if k in data_names})
    return data, {k: v for k, v in settings.items() if k in knob_names}

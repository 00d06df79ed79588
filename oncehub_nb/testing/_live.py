"""Recording your own flows against a real account: read-only scenarios, scrubbed, then scanned.

``oncehub-nb cassettes record --live`` runs :data:`LIVE_SCENARIOS` with your API key against
the API base you use (real OnceHub by default), through the same :class:`Scrubber` as the
shipped cassettes plus :class:`PersonalData` (emails, names, phone numbers and free text become
stable fakes). Every cassette is then scanned for secrets and personal data; one finding and the
cassette is not kept. Nothing is written to the account: every request is a ``GET``.

Replay one offline with :func:`replay_live`, which gives a client whose requests are answered
from the cassette.

Example:
    >>> sorted(LIVE_SCENARIOS)
    ['live-bookings-paged', 'live-resources', 'live-validate']
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from oncehub_nb._errors import MissingDependencyError
from oncehub_nb.testing._personal import PersonalData
from oncehub_nb.testing._scrub import Scrubber
from oncehub_nb.testing.scan import Finding, scan_text

if TYPE_CHECKING:
    from oncehub_nb._client import OnceHub

__all__ = ["LIVE_SCENARIOS", "LiveRecordingError", "LiveScenario", "record_live", "replay_live"]

#: The placeholder the recorded key becomes (replays send it).
REPLAY_KEY = "<API_KEY_1>"
#: Bookings the paged scenario reads at most: three pages of 100.
PAGED_ITEMS = 300


@dataclasses.dataclass(frozen=True)
class LiveScenario:
    """A read-only flow recorded against a real account.

    Attributes:
        name: the cassette's name (``<dir>/<name>.yaml``).
        title: what it does.
        run: the flow; returns a summary of counts (no values from the account).
    """

    name: str
    title: str
    run: Callable[[OnceHub], dict[str, Any]]


def _validate(hub: OnceHub) -> dict[str, Any]:
    hub.validate()
    return {"validated": True}


def _paged(hub: OnceHub) -> dict[str, Any]:
    walk = hub.bookings.list(max_items=PAGED_ITEMS)
    rows = sum(1 for _ in walk)
    return {"bookings": rows, "pages": walk.pages_fetched}


def _resources(hub: OnceHub) -> dict[str, Any]:
    counts: dict[str, Any] = {}
    for name in (
        "bookings", "booking_calendars", "booking_pages", "master_pages", "event_types",
        "users", "teams", "contacts", "webhooks", "sms_notifications",
    ):  # fmt: skip
        resource = getattr(hub, name)
        counts[name] = sum(1 for _ in resource.list(max_items=100))
    return counts


LIVE_SCENARIOS: dict[str, LiveScenario] = {
    s.name: s
    for s in (
        LiveScenario("live-validate", "GET /test: the key is accepted.", _validate),
        LiveScenario(
            "live-bookings-paged",
            f"Bookings, 100 a page, up to {PAGED_ITEMS} (cursor paging with after=<last id>).",
            _paged,
        ),
        LiveScenario("live-resources", "One page (up to 100) of every list endpoint.", _resources),
    )
}


class LiveRecordingError(RuntimeError):
    """A live recording was not kept: the scan found something (findings are masked).

    Attributes:
        findings: what the scan found.
    """

    def __init__(self, message: str, findings: list[Finding]) -> None:
        super().__init__(message)
        self.findings = findings


def _vcr(scrubber: Scrubber) -> Any:
    try:
        from oncehub_nb.testing._cassettes import make_vcr
    except ImportError as exc:  # pragma: no cover - vcrpy is in the test extra
        raise MissingDependencyError("recording needs vcrpy", extra="test") from exc
    return make_vcr(scrubber)


def check_recording(
    path: Path, *, people: PersonalData, secrets: list[str], env: Mapping[str, str]
) -> list[Finding]:
    """Finish a live cassette: replace what was learned late, then scan it.

    A value learned from a later answer (a name) may sit in an earlier answer's free text:
    the whole file is scrubbed once more with everything learned, then scanned for secrets,
    for every replaced personal value, and for other emails and phone numbers.

    Args:
        path: the cassette.
        people: the recording's :class:`PersonalData`.
        secrets: secrets that must not appear (the API key ...), besides the environment's.
        env: the environment (live ``ONCEHUB_*`` secrets).

    Returns:
        The findings (empty: the cassette is clean).
    """
    text = people.scrub_text(path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    found = scan_text(text, path=str(path), env=env, personal=True, known=people.originals)
    for secret in secrets:
        if secret and secret in text:
            found.append(Finding(str(path), 0, "live-secret", "the API key used to record"))
    return found


def record_live(
    directory: str | os.PathLike[str],
    *,
    api_key: str,
    only: tuple[str, ...] = (),
    env: Mapping[str, str] | None = None,
    **settings: Any,
) -> list[tuple[Path, dict[str, Any]]]:
    """Record the live scenarios with ``api_key``; keep each cassette only if its scan is clean.

    Args:
        directory: where the cassettes go (created if missing).
        api_key: the key to record with (it becomes ``<API_KEY_1>`` in the cassettes).
        only: record only these scenarios (default: all).
        env: the environment (default ``os.environ``): ``ONCEHUB_*`` settings and live secrets.
        **settings: client settings (``api_base`` ...).

    Returns:
        ``(path, summary)`` per scenario, in order.

    Raises:
        LiveRecordingError: a scan found a secret or personal data; that cassette was removed.

    Example:
        >>> record_live("live-cassettes", api_key=os.environ["ONCEHUB_API_KEY"])  # doctest: +SKIP
    """
    from oncehub_nb._client import OnceHub

    env = os.environ if env is None else env
    folder = Path(directory)
    folder.mkdir(parents=True, exist_ok=True)
    done: list[tuple[Path, dict[str, Any]]] = []
    for name in only or tuple(LIVE_SCENARIOS):
        scenario = LIVE_SCENARIOS[name]
        people = PersonalData()
        scrubber = Scrubber(env=env, personal=people)  # learns the live ONCEHUB_* secrets
        scrubber.learn("API_KEY", api_key)  # the one used (a flag's may differ from the env's)
        target = folder / f"{name}.yaml"
        partial = folder / f".{name}.recording.yaml"
        partial.unlink(missing_ok=True)
        with (
            _vcr(scrubber).use_cassette(str(partial), record_mode="all"),
            OnceHub(api_key=api_key, env=env, **settings) as hub,
        ):
            summary = scenario.run(hub)
        findings = check_recording(partial, people=people, secrets=[api_key], env=env)
        if findings:
            partial.unlink(missing_ok=True)
            shown = "; ".join(str(f) for f in findings[:5])
            raise LiveRecordingError(
                f"{name}: not kept, the scan found {len(findings)} thing(s): {shown}", findings
            )
        partial.replace(target)
        done.append((target, summary))
    return done


@contextlib.contextmanager
def replay_live(path: str | os.PathLike[str], **settings: Any) -> Iterator[OnceHub]:
    """A client answered from a live recording, offline (anything not recorded raises).

    Args:
        path: a cassette of ``oncehub-nb cassettes record --live``.
        **settings: client settings (the API base defaults to the recorded one).

    Yields:
        The client, signed in with the recorded key's placeholder.

    Example:
        >>> with replay_live("live-cassettes/live-validate.yaml") as hub:  # doctest: +SKIP
        ...     hub.validate()
        'person-1@example.invalid'
    """
    import yaml  # type: ignore[import-untyped]  # PyYAML: a dependency of vcrpy

    from oncehub_nb._client import OnceHub

    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"no live cassette at {file}")
    first = yaml.safe_load(file.read_text(encoding="utf-8"))["interactions"][0]["request"]["uri"]
    parts = urlsplit(first)
    settings.setdefault("api_base", f"{parts.scheme}://{parts.netloc}/v2")
    settings.setdefault("rate_limit", False)
    with (
        _vcr(Scrubber(env={})).use_cassette(str(file), record_mode="none"),
        OnceHub(api_key=REPLAY_KEY, env={}, **settings) as hub,
    ):
        hub.transport.sleep = lambda _seconds: None  # recorded retries do not wait
        yield hub

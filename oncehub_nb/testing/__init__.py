"""Testing kit: recorded OnceHub flows (VCR cassettes), their scrubbing, and a pytest plugin.

A leaf like the sandbox: nothing in the core imports it; it may import the client, ``auth``,
the sandbox and everything below them.

Testers replay the recorded authorization, token and API scenarios offline, in our suite and in
their own. The pytest plugin (:mod:`oncehub_nb.testing.plugin`, registered as ``oncehub_nb``)
gives the fixtures ``oncehub_replay``, ``oncehub_vcr_config`` and ``oncehub_sandbox``.

Importing this package does not import pandas, vcrpy or the sandbox.

Example:
    >>> from oncehub_nb.testing import replay
    >>> with replay("api-key-valid") as r:
    ...     r.hub.validate()
    'kevin.hernandez@martin-mcmillan.example.com'
"""

from __future__ import annotations

from oncehub_nb.testing._cassettes import (
    MATCH_ON,
    RecordingError,
    Replay,
    cassette_dir,
    cassette_path,
    make_vcr,
    match_credentials,
    record_scenario,
    replay,
    vcr_config,
    webhook_receiver,
)
from oncehub_nb.testing._context import (
    REPLAY_API_BASE,
    REPLAY_ROOT,
    FlowContext,
    ReplayClock,
    consent,
    replay_secrets,
)
from oncehub_nb.testing._live import (
    LIVE_SCENARIOS,
    LiveRecordingError,
    LiveScenario,
    record_live,
    replay_live,
)
from oncehub_nb.testing._personal import PersonalData
from oncehub_nb.testing._scenarios import SCENARIOS, Scenario
from oncehub_nb.testing._scrub import PLACEHOLDER_RE, Scrubber, is_placeholder

__all__ = [
    "LIVE_SCENARIOS",
    "MATCH_ON",
    "PLACEHOLDER_RE",
    "REPLAY_API_BASE",
    "REPLAY_ROOT",
    "SCENARIOS",
    "FlowContext",
    "LiveRecordingError",
    "LiveScenario",
    "PersonalData",
    "RecordingError",
    "Replay",
    "ReplayClock",
    "Scenario",
    "Scrubber",
    "cassette_dir",
    "cassette_path",
    "consent",
    "is_placeholder",
    "make_vcr",
    "match_credentials",
    "record_live",
    "record_scenario",
    "replay",
    "replay_live",
    "replay_secrets",
    "vcr_config",
    "webhook_receiver",
]

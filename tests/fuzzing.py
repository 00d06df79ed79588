"""Shared pieces of the property-based tests of the parsers that face the outside world.

``tests/test_fuzz_text.py`` (pasted redirects, webhook signatures and bodies, configuration
strings) and ``tests/test_fuzz_http.py`` (API records into frames, whole HTTP responses through
the transport and paginator, error pages, token answers) count the inputs they generate; each
file checks its own total once all its tests ran (in any order), and the two totals together
are over 10,000.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

COUNTS: Counter[str] = Counter()
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


def check_total(targets: set[str], minimum: int) -> Iterator[None]:
    """Fixture body: after a module's tests, at least ``minimum`` inputs over ``targets``."""
    yield
    if not targets <= set(COUNTS):
        return  # only part of the file ran (-k, a failure): no total to check
    total = sum(COUNTS[t] for t in targets)
    print(f"\nfuzz inputs: {total} ({ {t: COUNTS[t] for t in targets} })")
    assert total >= minimum, dict(COUNTS)


# -- shared strategies ------------------------------------------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=12,
)
# What real data gets wrong: the right type, a wrong one, null, "", a stray object.
messy_values = (
    json_values
    | st.sampled_from(
        ["", " ", "null", "2026-01-02T03:04:05Z", "2026-02-30", "not a date", "USR-1", "scheduled"]
    )
    | st.floats()  # nan and infinities too: the API decoder would not give them, a fake may
    | st.integers()
)

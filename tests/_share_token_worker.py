"""A kernel of its own: calls the API through a shared token file until told to stop.

Run by tests/test_oauth_processes.py as: python _share_token_worker.py CONFIG_JSON STORE_DIR
API_BASE. Prints ``ready`` once imported, reads the deadline (a Unix time) from stdin, then
prints one JSON line: calls made, errors, the access tokens it used (their first 8 characters:
the sandbox's tokens are random, the test only compares them), its own refreshes.
"""

from __future__ import annotations

import json
import sys
import time

from oncehub_nb import OnceHub
from oncehub_nb.auth import FileTokenStore, OAuthAuth, OAuthConfig


def main() -> None:
    config = OAuthConfig(**json.loads(sys.argv[1]))
    store = FileTokenStore(sys.argv[2])
    session = OAuthAuth(config, store=store, leeway=1.0)
    calls, errors, seen = 0, [], set()
    with OnceHub(auth=session, api_base=sys.argv[3], env={}, rate_limit=False) as hub:
        print("ready", flush=True)
        deadline = float(sys.stdin.readline())
        while time.time() < deadline:
            try:
                hub.validate()
                calls += 1
                if session.current_token is not None:
                    seen.add(session.current_token.access_token[:8])
                json.loads((store.path(config.profile)).read_text())  # always valid JSON
            except Exception as exc:  # reported to the test
                errors.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.02)
    result = {"calls": calls, "errors": errors, "tokens": sorted(seen)}
    print(json.dumps({**result, "refreshes": session.refresh_count}))


if __name__ == "__main__":
    main()

"""Secrets of hosted notebooks: on Colab, an API key from the notebook's secrets.

Colab keeps per-user secrets (the key icon in its sidebar); ``google.colab.userdata.get(name)``
reads one, after asking the user to grant this notebook access. That call is not thread-safe,
so it runs under a lock. It is tried after arguments and ``ONCEHUB_API_KEY``, and before the
sign-in panel or a prompt asks. Anywhere but Colab (no ``google.colab`` module) nothing happens.

Untested on Colab itself: the tests inject a stand-in ``google.colab.userdata`` module.

Example:
    >>> colab_secret("ONCEHUB_API_KEY") is None  # not on Colab
    True
"""

from __future__ import annotations

import sys
import threading

__all__ = ["COLAB_SECRET", "colab_secret"]

#: The Colab secret read for the API key.
COLAB_SECRET = "ONCEHUB_API_KEY"  # noqa: S105 - a name, not a secret
_lock = threading.Lock()


def colab_secret(name: str = COLAB_SECRET) -> str | None:
    """The Colab secret ``name``, or ``None`` (not on Colab, not set, or access not granted).

    Args:
        name: the secret's name in Colab's sidebar.

    Returns:
        The value, stripped, or ``None``.
    """
    if "google.colab" not in sys.modules:
        return None
    try:
        from google.colab import userdata  # type: ignore[import-not-found]
    except ImportError:
        return None
    with _lock:
        try:
            value = userdata.get(name)
        except Exception:  # SecretNotFoundError, NotebookAccessError, timeouts ...
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    return value.strip()

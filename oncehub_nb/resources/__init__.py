"""One module per OnceHub API resource, on the small base in :mod:`._base`.

Example:
    >>> from oncehub_nb.resources import Bookings
"""

from .bookings import Bookings

__all__ = ["Bookings"]

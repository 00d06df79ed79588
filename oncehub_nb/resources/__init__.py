"""One module per OnceHub API resource, on the small base in :mod:`._base`.

Example:
    >>> from oncehub_nb.resources import Bookings, Contacts
"""

from .booking_calendars import BookingCalendars
from .booking_pages import BookingPages
from .bookings import Bookings
from .contacts import Contacts
from .event_types import EventTypes
from .master_pages import MasterPages
from .notifications import SmsNotifications
from .teams import Teams
from .users import Users
from .webhooks import Webhooks

__all__ = [
    "BookingCalendars",
    "BookingPages",
    "Bookings",
    "Contacts",
    "EventTypes",
    "MasterPages",
    "SmsNotifications",
    "Teams",
    "Users",
    "Webhooks",
]

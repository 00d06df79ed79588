"""One module per OnceHub API resource, on the small base in :mod:`._base`.

Example:
    >>> from oncehub_nb.resources import Bookings, Contacts
"""

from oncehub_nb.resources.booking_calendars import BookingCalendars
from oncehub_nb.resources.booking_pages import BookingPages
from oncehub_nb.resources.bookings import Bookings
from oncehub_nb.resources.contacts import Contacts
from oncehub_nb.resources.event_types import EventTypes
from oncehub_nb.resources.master_pages import MasterPages
from oncehub_nb.resources.notifications import SmsNotifications
from oncehub_nb.resources.teams import Teams
from oncehub_nb.resources.users import Users
from oncehub_nb.resources.webhooks import Webhooks

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

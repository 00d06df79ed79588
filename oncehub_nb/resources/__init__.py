"""One module per OnceHub API resource, on the small base in :mod:`._base`.

Owns what each endpoint is: its path, its filters (declared once per resource), its columns, what
it expands, and its actions (cancel, create, schedule ...). It may import ``frames`` (to build
typed frames), ``_http`` (to send through the one send path) and the layers below; never
``auth``, the client, the notebook layer, the sandbox or the testing kit.

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

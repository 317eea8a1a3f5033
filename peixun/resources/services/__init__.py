"""Every write of this app: one module per topic, re-exported here."""

from .bookings import *  # noqa: F403
from .sites import *  # noqa: F403

"""Files out of this app: one module per topic, re-exported here."""

from .sites import booking_names, bookings_workbook

__all__ = ["booking_names", "bookings_workbook"]

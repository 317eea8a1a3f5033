"""Page forms of this app: one module per topic, re-exported here."""

from .sites import BookingForm, ReasonForm, SiteFilterForm, SiteForm

__all__ = ["BookingForm", "ReasonForm", "SiteFilterForm", "SiteForm"]

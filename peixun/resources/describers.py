"""The audit trail's sentences for this app (core.describers). Each topic adds its verbs to
ACTIONS and its object namers to NAMERS."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from peixun.core.describers import int_ids

from .models import Booking, Site

ACTIONS: dict[str, str | Promise] = {}
NAMERS: dict[str, Callable[[set[str]], Mapping[str, str]]] = {}

# Sites and bookings

ACTIONS.update(
    {
        "site.create": gettext_lazy("added"),
        "site.update": gettext_lazy("changed"),
        "site.bookings_export": gettext_lazy("exported the booking ledger of"),
        "booking.request": gettext_lazy("asked for"),
        "booking.confirm": gettext_lazy("confirmed"),
        "booking.refuse": gettext_lazy("refused"),
        "booking.cancel": gettext_lazy("cancelled"),
        "event.place_from_booking": gettext_lazy("set the place from a confirmed booking of"),
    }
)


def site_names(ids: set[str]) -> Mapping[str, str]:
    rows = Site.objects.filter(pk__in=int_ids(ids)).only("pk", "name")
    return {str(s.pk): _("the site “%(name)s”") % {"name": s.name} for s in rows}


def booking_names(ids: set[str]) -> Mapping[str, str]:
    rows = Booking.objects.filter(pk__in=int_ids(ids)).select_related("site", "org")
    return {
        str(b.pk): _("the booking of %(site)s by %(org)s on %(day)s")
        % {
            "site": b.site.name,
            "org": b.org.name,
            "day": timezone.localtime(b.starts_at).strftime("%Y-%m-%d %H:%M"),
        }
        for b in rows
    }


NAMERS.update({"resources.site": site_names, "resources.booking": booking_names})

"""A site's booking ledger (场地预约台账) as .xlsx, a `core.workbooks` 台账: one row per booking of
the year in time order, every state (refused and cancelled ones struck through), then the
year's use: confirmed bookings held, units and members served."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peixun.core.downloads import file_name
from peixun.core.workbooks import Column, LedgerBook, ledger_title, year_period

from ..models import HOLDING, Booking, Site
from ..selectors import SiteUse


def booking_names(site: Site, year: int) -> tuple[str, str]:
    """(场地预约台账-<site>-2026年.xlsx, site-<id>-bookings-2026.xlsx)."""
    return (
        file_name("场地预约台账", site.name, f"{year}年", ext="xlsx"),
        f"site-{site.pk}-bookings-{year}.xlsx",
    )


def bookings_workbook(*, site: Site, year: int, bookings: Iterable[Booking], use: SiteUse) -> bytes:
    with translation.override("zh-hans"):
        book = LedgerBook()
        sheet = book.sheet(
            _("Site bookings"),
            title=ledger_title(site.name, _("%(year)s booking ledger") % {"year": year}),
            org=site.org.name,
            period=year_period(year),
            lines=[_("Address: %(address)s") % {"address": site.address}],
            columns=[
                Column(_("starts at"), "datetime"),
                Column(_("ends at"), "datetime"),
                Column(_("booking unit")),
                Column(_("purpose")),
                Column(_("meeting or session")),
                Column(_("people expected"), "integer"),
                Column(_("state")),
                Column(_("decided at"), "datetime"),
                Column(_("reason")),
            ],
            freeze_columns=1,
        )
        for booking in bookings:
            sheet.append(
                [
                    timezone.localtime(booking.starts_at),
                    timezone.localtime(booking.ends_at),
                    booking.org.name,
                    booking.purpose,
                    booking.event.title if booking.event is not None else "",
                    booking.people,
                    booking.get_state_display(),
                    timezone.localtime(booking.decided_at) if booking.decided_at else None,
                    booking.reason,
                ],
                struck=booking.state not in HOLDING,
            )
        sheet.note(
            _(
                "Use in %(year)s: %(bookings)s confirmed bookings held, %(units)s units, "
                "%(members)s members served (%(attended)s signed in at closed meetings and "
                "sessions, %(expected)s expected by the other bookings)."
            )
            % {
                "year": year,
                "bookings": use.bookings,
                "units": use.units,
                "members": use.members,
                "attended": use.attended,
                "expected": use.expected,
            }
        )
        return book.save()

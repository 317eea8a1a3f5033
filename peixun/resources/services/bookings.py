"""Booking a site: a unit asks, the owner confirms or refuses, the unit may cancel.

A site is never double-booked. On PostgreSQL the exclusion constraint `booking_no_overlap`
refuses a second booking that overlaps one asked or confirmed; on SQLite, which has none, the
rule is checked here after locking the site row (and SQLite's IMMEDIATE transactions let one
writer in at a time). The check runs on both, so the refusal reads the same; the constraint is
what holds when two requests race on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from peixun.accounts.selectors import nearest_managers
from peixun.core.audit import audit_record, snapshot
from peixun.core.notifications import notification_send
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id, can_manage_org, can_read_org, scope_of
from peixun.events.models import Event
from peixun.orgs.models import Organization

from ..documents import bookings_workbook
from ..models import HOLDING, Booking, BookingState, LimitPeriod, Site
from ..selectors import site_use, site_year_bookings

BOOKING_AUDIT = [
    "site",
    "org",
    "event",
    "starts_at",
    "ends_at",
    "people",
    "purpose",
    "state",
    "reason",
]
LONGEST = dt.timedelta(days=14)
OVERLAP_CONSTRAINT = "booking_no_overlap"


def period_of(when: dt.datetime, period: str) -> tuple[dt.datetime, dt.datetime]:
    """The local month, quarter or year holding `when`, as aware [start, end)."""
    day = timezone.localtime(when).date()
    if period == LimitPeriod.YEAR:
        first, after = dt.date(day.year, 1, 1), dt.date(day.year + 1, 1, 1)
    else:
        months = 3 if period == LimitPeriod.QUARTER else 1
        start_month = (day.month - 1) // months * months + 1
        first = dt.date(day.year, start_month, 1)
        end_month = start_month + months
        after = dt.date(day.year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=zone),
        dt.datetime.combine(after, dt.time.min, tzinfo=zone),
    )


def may_book(site: Site, org: Organization) -> bool:
    """Whether `org` lies inside the subtree the site is open to (or the owner's own)."""
    return bool(org.path.startswith(site.open_to.path) or org.path.startswith(site.org.path))


def _within_opening(site: Site, starts: dt.datetime, ends: dt.datetime) -> bool:
    start, end = timezone.localtime(starts), timezone.localtime(ends)
    if site.open_weekdays:
        day = start.date()
        while day <= end.date():
            if str(day.isoweekday()) not in site.open_weekdays:
                return False
            day += dt.timedelta(days=1)
    if site.opens_at is not None and site.closes_at is not None:
        if start.date() != end.date() and end.timetz() != dt.time.min:
            return False
        closes = end.time() if end.date() == start.date() else dt.time.max
        return site.opens_at <= start.time() and closes <= site.closes_at
    return True


def _overlapping(site: Site, starts: dt.datetime, ends: dt.datetime) -> Booking | None:
    return (
        Booking.objects.filter(site=site, state__in=HOLDING, starts_at__lt=ends, ends_at__gt=starts)
        .select_related("org")
        .first()
    )


def _event_for(actor: Actor, value: Any, errors: dict[str, str]) -> Event | None:
    if value in (None, ""):
        return None
    pk = value.pk if isinstance(value, Event) else value
    event: Event | None = None
    if isinstance(pk, int) and not isinstance(pk, bool) and 0 < pk < 2**63:
        event = Event.objects.manageable_by(actor).select_related("org").filter(pk=pk).first()
    if event is None or event.state != Event.State.OPEN:
        errors["event"] = _("Choose one of your unit's open meetings or class sessions.")
        return None
    return event


def clean_booking_fields(actor: Actor, site: Site, data: dict[str, Any]) -> dict[str, Any]:
    """The fields of a new booking, each checked; one ValidationError naming each field at fault.
    The booking unit must be one the actor manages (PermissionDenied otherwise)."""
    scope = scope_of(actor)
    if not (scope.platform or scope.manage_paths):
        raise PermissionDenied(_("Only those who run a unit may book a site for it."))
    errors: dict[str, str] = {}
    event = _event_for(actor, data.get("event"), errors)
    org = data.get("org") or (event.org if event is not None else None)
    if not isinstance(org, Organization):
        errors["org"] = _("Choose the unit that books the site.")
    else:
        require_manage(actor, org)
        if not may_book(site, org):
            errors["org"] = _("This site is not open to %(org)s.") % {"org": org.name}
        elif event is not None and not event.org.path.startswith(org.path):
            errors["event"] = _("The meeting or session must be held by the booking unit.")
    starts = data.get("starts_at") or (event.starts_at if event is not None else None)
    ends = data.get("ends_at") or (event.ends_at if event is not None else None)
    if not isinstance(starts, dt.datetime) or timezone.is_naive(starts):
        errors["starts_at"] = _("Give the date and time the booking starts.")
    elif not isinstance(ends, dt.datetime) or timezone.is_naive(ends) or ends <= starts:
        errors["ends_at"] = _("The booking must end after it starts.")
    elif ends - starts > LONGEST:
        errors["ends_at"] = _("A booking lasts at most 14 days.")
    elif starts < timezone.now():
        errors["starts_at"] = _("A booking starts in the future.")
    elif not _within_opening(site, starts, ends):
        errors["starts_at"] = _("The site is not open then: %(hours)s") % {
            "hours": site.opening_hours or _("see its opening times")
        }
    people = data.get("people")
    if isinstance(people, str) and people.strip().isdigit():
        people = int(people.strip())
    if isinstance(people, bool) or not isinstance(people, int) or people < 1:
        errors["people"] = _("Give how many people are expected, a whole number from 1.")
    elif people > site.capacity:
        errors["people"] = _("The site holds at most %(n)s people.") % {"n": site.capacity}
    purpose = str(data.get("purpose") or (event.title if event is not None else "")).strip()
    if not purpose:
        errors["purpose"] = _("Say what the site is booked for.")
    elif len(purpose) > 200:
        errors["purpose"] = _("At most %(n)s characters.") % {"n": 200}
    if errors:
        raise ValidationError(errors)
    return {
        "org": org,
        "event": event,
        "starts_at": starts,
        "ends_at": ends,
        "people": people,
        "purpose": purpose,
    }


def _taken_message(taken: Booking) -> str:
    start = timezone.localtime(taken.starts_at)
    end = timezone.localtime(taken.ends_at)
    return _("This site is already booked from %(start)s to %(end)s.") % {
        "start": formats.date_format(start, "SHORT_DATETIME_FORMAT"),
        "end": formats.date_format(end, "SHORT_DATETIME_FORMAT"),
    }


def _check_limit(site: Site, org: Organization, starts: dt.datetime) -> None:
    if site.booking_limit is None:
        return
    first, after = period_of(starts, site.limit_period)
    used = Booking.objects.filter(
        site=site, org=org, state__in=HOLDING, starts_at__gte=first, starts_at__lt=after
    ).count()
    if used >= site.booking_limit:
        raise ValidationError(
            {
                "starts_at": _(
                    "%(org)s already has %(used)s bookings of this site %(period)s; "
                    "the owner allows %(limit)s."
                )
                % {
                    "org": org.name,
                    "used": used,
                    "period": site.get_limit_period_display(),
                    "limit": site.booking_limit,
                }
            }
        )


@transaction.atomic
def booking_request(*, actor: Actor, site: Site, **fields: Any) -> Booking:
    """Ask to book `site`. Fields: org (the booking unit; the event's organiser when omitted),
    event (optional), starts_at, ends_at (the event's when omitted), people, purpose."""
    # The site row is the lock every booking of it takes: a second request for the same site
    # waits here until the first commits, then sees its booking.
    site = (
        Site.objects.select_for_update(of=("self",))
        .select_related("org", "open_to")
        .get(pk=site.pk)
    )
    if not site.active:
        raise ValidationError({"site": _("This site is not taking bookings.")})
    clean = clean_booking_fields(actor, site, fields)
    taken = _overlapping(site, clean["starts_at"], clean["ends_at"])
    if taken is not None:
        raise ValidationError({"starts_at": _taken_message(taken)})
    _check_limit(site, clean["org"], clean["starts_at"])
    try:
        with transaction.atomic():
            booking = Booking.objects.create(site=site, requested_by_id=actor_id(actor), **clean)
    except IntegrityError as error:
        if OVERLAP_CONSTRAINT not in str(error):
            raise
        # Only on PostgreSQL, when another transaction booked the slot in between.
        raise ValidationError(
            {"starts_at": _("This site is already booked at that time.")}
        ) from None
    audit_record(
        actor=actor,
        verb="booking.request",
        obj=booking,
        org=booking.org,
        after=snapshot(booking, BOOKING_AUDIT),
    )
    notification_send(
        actor=actor,
        recipients=nearest_managers(site.org),
        title=_("%(org)s asks to book %(site)s") % {"org": booking.org.name, "site": site.name},
        body=_when(booking),
        url=reverse("resources:booking_queue"),
        event_date=booking.starts_at,
    )
    return booking


def _when(booking: Booking) -> str:
    start = timezone.localtime(booking.starts_at)
    end = timezone.localtime(booking.ends_at)
    first = formats.date_format(start, "SHORT_DATETIME_FORMAT")
    last = formats.date_format(end, "SHORT_DATETIME_FORMAT")
    return f"{first} – {last}"


def _locked(booking: Booking) -> Booking:
    locked: Booking = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("site__org", "org", "event")
        .get(pk=booking.pk)
    )
    return locked


def can_decide(actor: Actor, booking: Booking) -> bool:
    """The managers of the site's owner decide its bookings."""
    return can_manage_org(actor, booking.site.org)


def _require_decider(actor: Actor, booking: Booking) -> None:
    if not can_decide(actor, booking):
        raise PermissionDenied(_("Only the site's owner may confirm or refuse its bookings."))


def _require_requested(booking: Booking) -> None:
    if booking.state != BookingState.REQUESTED:
        raise ValidationError(
            {
                "state": _("This booking is already %(state)s.")
                % {"state": booking.get_state_display().lower()}
            }
        )


def _notify_booker(actor: Actor, booking: Booking, title: str, body: str) -> None:
    recipients = list(nearest_managers(booking.org))
    if booking.requested_by is not None:
        recipients.append(booking.requested_by)
    notification_send(
        actor=actor,
        recipients=recipients,
        title=title,
        body=body,
        url=reverse("resources:booking_mine"),
        event_date=booking.starts_at,
    )


def _place_of(site: Site) -> str:
    return f"{site.name}（{site.address}）"[:200]


def _write_place(actor: Actor, booking: Booking) -> None:
    """A confirmed booking for an open meeting or session names the site as its place."""
    if booking.event is None:
        return
    event = (
        Event.objects.select_for_update(of=("self",)).select_related("org").get(pk=booking.event.pk)
    )
    place = _place_of(booking.site)
    if event.state != Event.State.OPEN or event.place == place:
        return
    before = snapshot(event, ["place"])
    event.place = place
    event.save(update_fields=["place"])
    audit_record(
        actor=actor,
        verb="event.place_from_booking",
        obj=event,
        org=event.org,
        before=before,
        after=snapshot(event, ["place"]),
    )


@transaction.atomic
def booking_confirm(*, actor: Actor, booking: Booking) -> Booking:
    booking = _locked(booking)
    _require_decider(actor, booking)
    _require_requested(booking)
    before = snapshot(booking, BOOKING_AUDIT)
    booking.state = BookingState.CONFIRMED
    booking.decided_by_id = actor_id(actor)
    booking.decided_at = timezone.now()
    booking.save(update_fields=["state", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        verb="booking.confirm",
        obj=booking,
        org=booking.site.org,
        before=before,
        after=snapshot(booking, BOOKING_AUDIT),
    )
    _write_place(actor, booking)
    _notify_booker(
        actor,
        booking,
        _("%(site)s is booked for you") % {"site": booking.site.name},
        _when(booking),
    )
    return booking


def _reason(value: Any, required: bool) -> str:
    reason = str(value or "").strip()
    if required and not reason:
        raise ValidationError({"reason": _("Give the reason.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("At most %(n)s characters.") % {"n": 300}})
    return reason


@transaction.atomic
def booking_refuse(*, actor: Actor, booking: Booking, reason: str) -> Booking:
    booking = _locked(booking)
    _require_decider(actor, booking)
    _require_requested(booking)
    text = _reason(reason, required=True)
    before = snapshot(booking, BOOKING_AUDIT)
    booking.state = BookingState.REFUSED
    booking.reason = text
    booking.decided_by_id = actor_id(actor)
    booking.decided_at = timezone.now()
    booking.save(update_fields=["state", "reason", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        verb="booking.refuse",
        obj=booking,
        org=booking.site.org,
        before=before,
        after=snapshot(booking, BOOKING_AUDIT),
    )
    _notify_booker(
        actor,
        booking,
        _("%(site)s refused your booking") % {"site": booking.site.name},
        f"{_when(booking)}\n{text}",
    )
    return booking


def can_cancel(actor: Actor, booking: Booking) -> bool:
    """The booking unit's managers cancel its bookings while they hold a slot not yet begun."""
    return (
        booking.state in HOLDING
        and booking.starts_at > timezone.now()
        and can_manage_org(actor, booking.org)
    )


@transaction.atomic
def booking_cancel(*, actor: Actor, booking: Booking, reason: str = "") -> Booking:
    booking = _locked(booking)
    require_manage(actor, booking.org)
    if booking.state not in HOLDING:
        _require_requested(booking)
    if booking.starts_at <= timezone.now():
        raise ValidationError({"state": _("A booking that has begun can no longer be cancelled.")})
    text = _reason(reason, required=False)
    before = snapshot(booking, BOOKING_AUDIT)
    booking.state = BookingState.CANCELLED
    booking.reason = text
    booking.save(update_fields=["state", "reason"])
    audit_record(
        actor=actor,
        verb="booking.cancel",
        obj=booking,
        org=booking.org,
        before=before,
        after=snapshot(booking, BOOKING_AUDIT),
    )
    notification_send(
        actor=actor,
        recipients=nearest_managers(booking.site.org),
        title=_("%(org)s cancelled its booking of %(site)s")
        % {"org": booking.org.name, "site": booking.site.name},
        body=_when(booking),
        url=reverse("resources:site_detail", args=[booking.site.pk]),
    )
    return booking


def site_bookings_export(*, actor: Actor, site: Site, year: int) -> bytes:
    """The site's booking ledger of `year` as .xlsx, for readers of its owner; audited with the
    number of rows (it names the units that booked and why)."""
    if not can_read_org(actor, site.org):
        raise PermissionDenied(_("Only readers of the site's owner may export its bookings."))
    rows = list(site_year_bookings(site, year))
    content = bookings_workbook(site=site, year=year, bookings=rows, use=site_use(site, year))
    audit_record(
        actor=actor,
        verb="site.bookings_export",
        obj=site,
        org=site.org,
        after={"year": year, "rows": len(rows)},
    )
    return content

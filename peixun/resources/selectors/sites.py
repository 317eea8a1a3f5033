"""Reads of sites and bookings: the list, a site's month calendar (a fixed number of queries
whatever the bookings), its use over a year (seed 003's 利用率), the owner's queue of requests,
a unit's own bookings, and what a booking form may offer."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from peixun.core.scoping import Actor, can_manage_org, can_read_org, scope_of
from peixun.events.models import Attendance, Event
from peixun.orgs.models import Organization, ancestor_paths

from ..models import HOLDING, Booking, BookingState, Site

# Who counts as served at a closed event: everyone who came, late or leaving early included.
ATTENDED = (
    Attendance.Status.PRESENT,
    Attendance.Status.LATE,
    Attendance.Status.LEFT_EARLY,
)
# How far ahead the booking form offers the actor's meetings and sessions.
EVENTS_AHEAD = dt.timedelta(days=366)


def sites_visible(actor: Actor) -> QuerySet[Site]:
    sites: QuerySet[Site] = Site.objects.visible_to(actor)
    return sites


def site_list(
    actor: Actor, *, q: str = "", kind: str = "", active_only: bool = False
) -> QuerySet[Site]:
    """The sites the actor sees, matching a word in the name or address and a kind."""
    sites = sites_visible(actor).select_related("org", "open_to")
    if q:
        sites = sites.filter(Q(name__icontains=q) | Q(address__icontains=q))
    if kind:
        sites = sites.filter(kind=kind)
    if active_only:
        sites = sites.filter(active=True)
    return sites.order_by("name", "id")


def site_for(actor: Actor, pk: int) -> Site:
    """One visible site with its owner and sharing loaded (404 otherwise)."""
    site = sites_visible(actor).select_related("org", "open_to").filter(pk=pk).first()
    if site is None:
        raise Http404
    return site


def can_add_site(actor: Actor) -> bool:
    scope = scope_of(actor)
    return scope.platform or bool(scope.manage_paths)


def can_manage_site(actor: Actor, site: Site) -> bool:
    return can_manage_org(actor, site.org)


def can_read_site_bookings(actor: Actor, site: Site) -> bool:
    """Readers of the owner see every booking of the site (its ledger and its use)."""
    return can_read_org(actor, site.org)


def owner_orgs(actor: Actor) -> QuerySet[Organization]:
    """The orgs the actor may add a site for."""
    orgs: QuerySet[Organization] = Organization.objects.manageable_by(actor).open()
    return orgs.order_by("path")


def booking_orgs(actor: Actor, site: Site) -> QuerySet[Organization]:
    """The units the actor manages that may book `site`: inside its open_to subtree."""
    orgs: QuerySet[Organization] = Organization.objects.manageable_by(actor).open()
    return orgs.filter(
        Q(path__startswith=site.open_to.path) | Q(path__startswith=site.org.path)
    ).order_by("path")


def bookable_events(actor: Actor, site: Site) -> QuerySet[Event]:
    """The actor's units' open meetings and sessions still to come that may use the site."""
    events: QuerySet[Event] = Event.objects.manageable_by(actor)
    return (
        events.filter(
            Q(org__path__startswith=site.open_to.path) | Q(org__path__startswith=site.org.path),
            state=Event.State.OPEN,
            starts_at__gt=timezone.now(),
            starts_at__lt=timezone.now() + EVENTS_AHEAD,
        )
        .select_related("org")
        .order_by("starts_at", "id")
    )


def sites_bookable_by(actor: Actor) -> QuerySet[Site]:
    sites: QuerySet[Site] = Site.objects.bookable_by(actor)
    return sites


# The month calendar


# What a calendar shows of a booking: when, whose, in which state (loaded and nothing more).
CALENDAR_FIELDS = ("site_id", "starts_at", "ends_at", "state", "people", "org__name", "org__path")
# A day shows this many bookings and says how many more: a page of bounded size, whatever the
# month holds (bench/site_calendar.py).
DAY_SHOWN = 6


@dataclass
class CalendarDay:
    day: dt.date
    in_month: bool
    bookings: list[CalendarSlot] = field(default_factory=list)

    @property
    def shown(self) -> list[CalendarSlot]:
        return self.bookings[:DAY_SHOWN]

    @property
    def more(self) -> int:
        return max(0, len(self.bookings) - DAY_SHOWN)

    @property
    def is_weekend(self) -> bool:
        return self.day.isoweekday() >= 6


@dataclass
class SiteCalendar:
    site: Site
    year: int
    month: int
    weeks: list[list[CalendarDay]]
    bookings: list[CalendarSlot]  # every booking holding a slot in the month, in time order

    @property
    def first(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def previous(self) -> dt.date:
        return (self.first - dt.timedelta(days=1)).replace(day=1)

    @property
    def next(self) -> dt.date:
        return (self.first + dt.timedelta(days=31)).replace(day=1)

    @property
    def busy_days(self) -> list[CalendarDay]:
        """The month's days that have bookings (the phone's list)."""
        return [d for week in self.weeks for d in week if d.in_month and d.bookings]


def _local_bounds(first: dt.date, after: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = timezone.get_current_timezone()
    return (
        dt.datetime.combine(first, dt.time.min, tzinfo=zone),
        dt.datetime.combine(after, dt.time.min, tzinfo=zone),
    )


def month_bookings(site: Site, year: int, month: int) -> QuerySet[Booking]:
    """The bookings holding a slot of the site at some time in the (local) month."""
    first = dt.date(year, month, 1)
    after = (first + dt.timedelta(days=31)).replace(day=1)
    start, end = _local_bounds(first, after)
    return (
        Booking.objects.filter(site=site, state__in=HOLDING, starts_at__lt=end, ends_at__gt=start)
        .select_related("org")
        .only(*CALENDAR_FIELDS)
        .order_by("starts_at", "id")
    )


@dataclass(frozen=True)
class CalendarSlot:
    """A slot taken in the calendar: what the page shows of a booking, read as plain values."""

    pk: int
    starts_at: dt.datetime  # local time
    ends_at: dt.datetime
    state: str
    people: int
    org_name: str

    @property
    def confirmed(self) -> bool:
        return self.state == BookingState.CONFIRMED

    @property
    def state_label(self) -> str:
        return str(BookingState(self.state).label)


def site_calendar(site: Site, year: int, month: int) -> SiteCalendar:
    """The month's weeks (Monday first), each day with the bookings that touch it: one query,
    whatever the number of bookings, its rows read as values. Whoever sees the site sees when
    it is taken and by which unit."""
    rows = month_bookings(site, year, month).values_list(
        "pk", "starts_at", "ends_at", "state", "people", "org__name"
    )
    zone = timezone.get_current_timezone()
    slots = [
        CalendarSlot(pk, start.astimezone(zone), end.astimezone(zone), state, people, org)
        for pk, start, end, state, people, org in rows
    ]
    weeks: list[list[CalendarDay]] = []
    by_day: dict[dt.date, CalendarDay] = {}
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row = [CalendarDay(day=day, in_month=day.month == month) for day in week]
        weeks.append(row)
        by_day.update({d.day: d for d in row})
    one_day = dt.timedelta(days=1)
    for slot in slots:
        day = slot.starts_at.date()
        # An end at midnight does not touch the next day.
        last = (slot.ends_at - dt.timedelta(microseconds=1)).date()
        while day <= last:
            if (found := by_day.get(day)) is not None:
                found.bookings.append(slot)
            day += one_day
    return SiteCalendar(site=site, year=year, month=month, weeks=weeks, bookings=slots)


# A site's use over a year (利用率)


@dataclass(frozen=True)
class SiteUse:
    """What a site served in a year: confirmed bookings already begun. Members are counted from
    the attendance of the linked meeting or session once it is closed, else from the people
    the booking expected; the two parts are kept apart so the page can say which is which."""

    year: int
    bookings: int
    units: int
    attended: int  # members signed in at closed events
    by_attendance: int  # bookings counted from attendance
    expected: int  # people expected by the other bookings
    upcoming: int  # confirmed bookings of the year still to come

    @property
    def members(self) -> int:
        return self.attended + self.expected


def site_use(site: Site, year: int, *, now: dt.datetime | None = None) -> SiteUse:
    """Two queries: the year's confirmed bookings, then attendance at their closed events."""
    now = now or timezone.now()
    start, end = _local_bounds(dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
    rows = list(
        Booking.objects.filter(
            site=site, state=BookingState.CONFIRMED, starts_at__gte=start, starts_at__lt=end
        )
        .select_related("event")
        .only("org_id", "people", "starts_at", "event__state", "event_id")
    )
    held = [b for b in rows if b.starts_at <= now]
    closed = {
        b.event_id for b in held if b.event is not None and b.event.state == Event.State.CLOSED
    }
    counts: dict[int, int] = {}
    if closed:
        counts = dict(
            Attendance.objects.filter(event_id__in=closed, status__in=ATTENDED)
            .values("event_id")
            .annotate(n=Count("id"))
            .values_list("event_id", "n")
        )
    attended = by_attendance = expected = 0
    for booking in held:
        if booking.event_id in closed:
            attended += counts.get(booking.event_id, 0)
            by_attendance += 1
        else:
            expected += booking.people
    return SiteUse(
        year=year,
        bookings=len(held),
        units=len({b.org_id for b in held}),
        attended=attended,
        by_attendance=by_attendance,
        expected=expected,
        upcoming=len(rows) - len(held),
    )


# Bookings: the owner's queue, a unit's own, one booking, the ledger


def bookings_visible(actor: Actor) -> QuerySet[Booking]:
    bookings: QuerySet[Booking] = Booking.objects.visible_to(actor)
    return bookings


def booking_queue(actor: Actor) -> QuerySet[Booking]:
    """Requests waiting for the actor's decision: on sites of orgs the actor manages."""
    return (
        Booking.objects.filter(
            state=BookingState.REQUESTED, site__in=Site.objects.manageable_by(actor)
        )
        .select_related("site", "org", "event", "requested_by")
        .order_by("starts_at", "id")
    )


def unit_bookings(actor: Actor, *, state: str = "") -> QuerySet[Booking]:
    """The bookings of the units the actor manages, newest first."""
    bookings: QuerySet[Booking] = Booking.objects.manageable_by(actor)
    if state:
        bookings = bookings.filter(state=state)
    return bookings.select_related("site", "org", "event").order_by("-starts_at", "-id")


def booking_for(actor: Actor, pk: int) -> Booking:
    booking = (
        bookings_visible(actor).select_related("site__org", "org", "event").filter(pk=pk).first()
    )
    if booking is None:
        raise Http404
    return booking


def site_year_bookings(site: Site, year: int) -> QuerySet[Booking]:
    """Every booking of the site starting in the year, any state: the site's 台账."""
    start, end = _local_bounds(dt.date(year, 1, 1), dt.date(year + 1, 1, 1))
    return (
        Booking.objects.filter(site=site, starts_at__gte=start, starts_at__lt=end)
        .select_related("org", "event", "decided_by")
        .order_by("starts_at", "id")
    )


def open_to_candidates(actor: Actor) -> QuerySet[Organization]:
    """The orgs a site may be opened to: the orgs the actor manages and every org above them
    (a branch's 党建阵地 may be opened to the whole county)."""
    scope = scope_of(actor)
    orgs: QuerySet[Organization] = Organization.objects.all().open()
    if scope.platform:
        return orgs.order_by("path")
    paths = {p for path in scope.manage_paths for p in ancestor_paths(path)}
    cond = Q(path__in=paths)
    for path in scope.manage_paths:
        cond |= Q(path__startswith=path)
    return orgs.filter(cond).order_by("path") if paths else orgs.none()

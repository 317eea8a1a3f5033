"""The demo's teachers (师资库) and sites (教学点, 红色教育基地, 廉政警示教育基地, 党建阵地) with their
bookings. One function a topic; the lead wires each into `load_demo`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.events.models import Event
from peixun.orgs.models import Organization
from peixun.resources.models import Booking, BookingState, LimitPeriod, Site, SiteKind
from peixun.resources.services import booking_confirm, booking_request, site_create

# Sites and bookings -------------------------------------------------------------------------


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def _next_weekday(day: dt.date, weekday: int) -> dt.date:
    """The first day on or after `day` that is the ISO `weekday`."""
    return day + dt.timedelta(days=(weekday - day.isoweekday()) % 7)


@transaction.atomic
def fill_sites(tenant: Organization) -> dict[str, int]:
    """A few sites of each kind and their bookings, through the services where they can go:

    - the county keeps its 红色教育基地 (县革命纪念馆), its 廉政警示教育基地 and a 现场教学点, open
      to the whole county; the first unit keeps its 党建阵地, open to the county on working days
      with at most two bookings a unit a month; the demo branch keeps its 党员之家 for its unit;
    - the demo branch's secretary books the first unit's 党建阵地 for the branch's next meeting
      (or a free morning next week) and the county's admin confirms it, which names the site as
      the meeting's place; the second unit asks for the memorial hall next week (left waiting in
      the admin's queue);
    - the year's history at the memorial hall: confirmed bookings of past weeks by the units,
      written as they stand (the service books only what is still to come).

    Idempotent: nothing is written when the tenant already has sites."""
    if Site.objects.filter(org__path__startswith=tenant.path).exists():
        return {}
    admin = (
        User.objects.filter(grants__role=Grant.Role.ORG_ADMIN, grants__org=tenant)
        .order_by("pk")
        .first()
    )
    if admin is None:
        return {}
    units = list(Organization.objects.get_children(tenant).order_by("path"))
    county: dict[str, Any] = {"open_to": tenant}
    hall = site_create(
        actor=admin,
        org=tenant,
        kind=SiteKind.RED,
        name="县革命纪念馆",
        address="县城红军路8号",
        capacity=120,
        opening_hours="周二至周日 9:00—17:00（周一闭馆）",
        open_weekdays="234567",
        opens_at=dt.time(9),
        closes_at=dt.time(17),
        contact="纪念馆宣教科",
        phone="0000-1234567",
        description="县级爱国主义教育基地，陈列革命历史文物，可安排讲解和重温入党誓词。",
        **county,
    )
    site_create(
        actor=admin,
        org=tenant,
        kind=SiteKind.INTEGRITY,
        name="县廉政警示教育基地",
        address="县纪委监委大楼一楼",
        capacity=60,
        opening_hours="工作日 8:30—17:30，需提前预约",
        open_weekdays="12345",
        opens_at=dt.time(8, 30),
        closes_at=dt.time(17, 30),
        **county,
    )
    site_create(
        actor=admin,
        org=tenant,
        kind=SiteKind.TEACHING,
        name="桃源村乡村振兴现场教学点",
        address="桃源镇桃源村党群服务中心",
        capacity=50,
        opening_hours="每天 8:00—18:00",
        description="村党支部领办合作社、发展特色产业的现场教学。",
        **county,
    )
    venue = None
    if units:
        venue = site_create(
            actor=admin,
            org=units[0],
            kind=SiteKind.PARTY_VENUE,
            name=f"{units[0].name}党员活动室",
            address="县行政中心3号楼201室",
            capacity=40,
            opening_hours="工作日 8:30—17:30",
            open_weekdays="12345",
            opens_at=dt.time(8, 30),
            closes_at=dt.time(17, 30),
            booking_limit=2,
            limit_period=LimitPeriod.MONTH,
            **county,
        )
    secretary_grant = (
        Grant.objects.filter(user__username="secretary", role=Grant.Role.SECRETARY)
        .select_related("user", "org")
        .first()
    )
    made = {"sites": Site.objects.filter(org__path__startswith=tenant.path).count()}
    if secretary_grant is not None and secretary_grant.org is not None:
        branch, secretary = secretary_grant.org, secretary_grant.user
        parent = Organization.objects.get_parent(branch) if branch.depth > 1 else tenant
        site_create(
            actor=admin,
            org=branch,
            open_to=parent,
            kind=SiteKind.PARTY_VENUE,
            name=f"{branch.name}党员之家",
            address="单位办公楼一楼",
            capacity=20,
            opening_hours="工作日",
        )
        made["sites"] += 1
        if venue is not None:
            booking = _book_for_next_meeting(secretary, venue, branch)
            if booking is not None:
                booking_confirm(actor=admin, booking=booking)
                made["confirmed"] = 1
    today = timezone.localdate()
    if len(units) > 1:
        day = _next_weekday(today + dt.timedelta(days=7), 3)
        booking_request(
            actor=admin,
            site=hall,
            org=units[1],
            starts_at=_at(day, 9),
            ends_at=_at(day, 11),
            people=45,
            purpose="主题党日：参观革命纪念馆、重温入党誓词",
        )
        made["requested"] = 1
    history = []
    for week, unit in enumerate(units[:6]):
        day = _next_weekday(today - dt.timedelta(days=14 + 21 * week), 4)
        if day.year != today.year:
            break
        history.append(
            Booking(
                site=hall,
                org=unit,
                starts_at=_at(day, 9),
                ends_at=_at(day, 11),
                people=30 + 5 * week,
                purpose="党性教育现场教学",
                state=BookingState.CONFIRMED,
                requested_by=admin,
                decided_by=admin,
                decided_at=_at(day - dt.timedelta(days=7), 10),
            )
        )
    Booking.objects.bulk_create(history)
    made["history"] = len(history)
    return made


def _book_for_next_meeting(secretary: User, venue: Site, branch: Organization) -> Booking | None:
    """The branch's next open meeting on a working day in the venue's hours, else a free
    morning next week."""
    now = timezone.now()
    meeting = (
        Event.objects.filter(
            org=branch,
            category=Event.Category.MEETING,
            state=Event.State.OPEN,
            starts_at__gt=now + dt.timedelta(days=1),
        )
        .order_by("starts_at")
        .first()
    )
    if meeting is not None:
        try:
            return booking_request(actor=secretary, site=venue, event=meeting.pk, people=20)
        except ValidationError:
            pass  # outside the venue's days or hours: a free morning instead
    day = _next_weekday(timezone.localdate() + dt.timedelta(days=7), 2)
    return booking_request(
        actor=secretary,
        site=venue,
        org=branch,
        starts_at=_at(day, 9),
        ends_at=_at(day, 11),
        people=20,
        purpose="支部主题党日",
    )

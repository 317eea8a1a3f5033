"""Sites and bookings for tests: a 党建阵地 of 测试委党委 (the World's far unit) open to the whole
county, a red base of the county, and times in the future at the local hour."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peixun.events.models import Event
from peixun.orgs.models import Organization
from peixun.resources.models import Booking, BookingState, Site, SiteKind
from peixun.testing import World


def at(days: int, hour: int, minute: int = 0) -> dt.datetime:
    """A local time `days` from today at `hour`."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def make_site(org: Organization, open_to: Organization | None = None, **fields: Any) -> Site:
    values: dict[str, Any] = {
        "kind": SiteKind.PARTY_VENUE,
        "name": "委机关党建活动室",
        "address": "县府路1号",
        "capacity": 40,
        "opening_hours": "工作日 8:30—17:30",
    }
    values.update(fields)
    return Site.objects.create(org=org, open_to=open_to or org, **values)


def make_booking(
    site: Site, org: Organization, days: int = 7, hour: int = 9, **fields: Any
) -> Booking:
    values: dict[str, Any] = {
        "starts_at": at(days, hour),
        "ends_at": at(days, hour + 2),
        "people": 20,
        "purpose": "主题党日",
        "state": BookingState.REQUESTED,
    }
    values.update(fields)
    return Booking.objects.create(site=site, org=org, **values)


def make_meeting(org: Organization, days: int = 7, hour: int = 9, **fields: Any) -> Event:
    values: dict[str, Any] = {
        "category": Event.Category.MEETING,
        "title": "主题党日活动",
        "starts_at": at(days, hour),
        "ends_at": at(days, hour + 2),
        "hours": 2,
    }
    values.update(fields)
    return Event.objects.create(org=org, **values)


def county_venue(world: World) -> Site:
    """The far unit's 党建阵地, open to the county (the World's root)."""
    return make_site(world.far_unit, world.root)

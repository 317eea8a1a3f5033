"""/api/v1/resources/: sites (list, read, add, change, a month's calendar, the year's use) and
their bookings (ask, read, list the actor's units' own or the requests awaiting the actor,
confirm, refuse, cancel). Reads through `resources.selectors`, writes through
`resources.services`.

Statuses as elsewhere in API v1: anonymous 401; a site or booking out of scope 404; a visible
one the actor may not change 403; bad values 422 with the field named, nothing stored; a slot
already taken is a 422 on `starts_at`.
"""

import datetime as dt
from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema, Status
from ninja.pagination import paginate
from pydantic import Field

from peixun.core.apiutils import Id, IdParam, OrgRef, Paged, ReasonIn, Ref, YearParam, query_error
from peixun.core.scoping import get_visible_or_404
from peixun.orgs.models import Organization

from .. import selectors, services
from ..models import Booking, BookingState, LimitPeriod, Site, SiteKind

router = Router()
MonthParam = Annotated[int, Field(ge=1, le=12)]


class SiteOut(Schema):
    id: int
    kind: str
    kind_label: str
    org: OrgRef
    open_to: OrgRef
    name: str
    address: str
    capacity: int
    opening_hours: str
    open_weekdays: str
    # "HH:MM": JSON Schema's "time" format asks for a UTC offset, which a site's hours have not.
    opens_at: str | None
    closes_at: str | None
    contact: str
    phone: str
    description: str
    booking_limit: int | None
    limit_period: str
    active: bool

    @staticmethod
    def resolve_kind_label(obj: Site) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_opens_at(obj: Site) -> str | None:
        return obj.opens_at.strftime("%H:%M") if obj.opens_at else None

    @staticmethod
    def resolve_closes_at(obj: Site) -> str | None:
        return obj.closes_at.strftime("%H:%M") if obj.closes_at else None


class SiteIn(Schema):
    org: Id
    kind: str
    name: str
    address: str
    capacity: int = Field(ge=1, le=100_000)
    open_to: Id | None = None
    opening_hours: str = ""
    open_weekdays: str = Field("", max_length=7, description='ISO weekdays as digits, "12345"')
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    contact: str = ""
    phone: str = ""
    description: str = ""
    booking_limit: int | None = Field(None, ge=1, le=1000)
    limit_period: str = LimitPeriod.MONTH
    active: bool = True


class SitePatch(Schema):
    kind: str | None = None
    name: str | None = None
    address: str | None = None
    capacity: int | None = Field(None, ge=1, le=100_000)
    open_to: Id | None = None
    opening_hours: str | None = None
    open_weekdays: str | None = Field(None, max_length=7)
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None
    contact: str | None = None
    phone: str | None = None
    description: str | None = None
    booking_limit: int | None = Field(None, ge=1, le=1000)
    limit_period: str | None = None
    active: bool | None = None


class SiteBookingOut(Schema):
    id: int
    site: Ref
    org: OrgRef
    event: Ref | None
    starts_at: dt.datetime
    ends_at: dt.datetime
    people: int
    purpose: str
    state: str
    state_label: str
    decided_at: dt.datetime | None
    reason: str

    @staticmethod
    def resolve_event(obj: Booking) -> dict[str, Any] | None:
        e = obj.event
        return {"id": e.pk, "name": e.title} if e is not None else None

    @staticmethod
    def resolve_state_label(obj: Booking) -> str:
        return str(obj.get_state_display())


class SiteBookingIn(Schema):
    """A booking for one of the unit's meetings or sessions (`event`: its times, organiser and
    title are taken when the others are left out), or for a free slot."""

    org: Id | None = None
    event: Id | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    people: int = Field(ge=1, le=100_000)
    purpose: str = ""


class SiteRefuseIn(Schema):
    reason: str


class SiteSlotOut(Schema):
    """A slot taken in a site's calendar: when, by which unit, asked or confirmed."""

    id: int
    org: OrgRef
    starts_at: dt.datetime
    ends_at: dt.datetime
    state: str


class SiteCalendarOut(Schema):
    site: Ref
    year: int
    month: int
    bookings: list[SiteSlotOut]


class SiteUseOut(Schema):
    year: int
    bookings: int
    units: int
    members: int
    attended: int
    by_attendance: int
    expected: int
    upcoming: int


def _org(request: HttpRequest, pk: int | None) -> Organization | None:
    return get_visible_or_404(request.user, Organization, pk) if pk is not None else None


def _owner(request: HttpRequest, pk: int) -> Organization:
    return get_visible_or_404(request.user, Organization, pk)


def _site_fields(request: HttpRequest, values: dict[str, Any]) -> dict[str, Any]:
    if "open_to" in values:
        # Any org above the owner may be named, seen or not: the service checks it is above.
        pk = values["open_to"]
        values["open_to"] = Organization.objects.filter(pk=pk).first() if pk else None
    return values


@router.get("/sites/", response=list[SiteOut])
@paginate(Paged)
def list_sites(request: HttpRequest, q: str = "", kind: str = "") -> Any:
    """The sites the actor sees (kept by their subtree or open to it), by name."""
    if kind and kind not in SiteKind.values:
        raise query_error("kind", f"one of {', '.join(SiteKind.values)}")
    return selectors.site_list(request.user, q=q.strip()[:60], kind=kind)


@router.post("/sites/", response={201: SiteOut})
def add_site(request: HttpRequest, payload: SiteIn) -> Status[Any]:
    values = _site_fields(request, payload.dict())
    org = _owner(request, values.pop("org"))
    site = services.site_create(actor=request.user, org=org, **values)
    return Status(201, selectors.site_for(request.user, site.pk))


@router.get("/sites/{int:site_id}", response=SiteOut)
def get_site(request: HttpRequest, site_id: IdParam) -> Site:
    return selectors.site_for(request.user, site_id)


@router.patch("/sites/{int:site_id}", response=SiteOut)
def update_site(request: HttpRequest, site_id: IdParam, payload: SitePatch) -> Site:
    site = selectors.site_for(request.user, site_id)
    values = _site_fields(request, payload.dict(exclude_unset=True))
    services.site_update(actor=request.user, site=site, **values)
    return selectors.site_for(request.user, site_id)


@router.get("/sites/{int:site_id}/calendar", response=SiteCalendarOut)
def site_calendar(
    request: HttpRequest,
    site_id: IdParam,
    year: YearParam | None = None,
    month: MonthParam | None = None,
) -> dict[str, Any]:
    """The slots taken in a month (this month when not given): one query whatever their number."""
    site = selectors.site_for(request.user, site_id)
    today = timezone.localdate()
    year = year or today.year
    month = month or today.month
    return {
        "site": {"id": site.pk, "name": site.name},
        "year": year,
        "month": month,
        "bookings": list(selectors.month_bookings(site, year, month)),
    }


@router.get("/sites/{int:site_id}/use", response=SiteUseOut)
def site_use(
    request: HttpRequest, site_id: IdParam, year: YearParam | None = None
) -> dict[str, Any]:
    """What the site served in a year (seed 003's 利用率), for readers of its owner: confirmed
    bookings begun, units, members (attendance at closed events, else people expected)."""
    site = selectors.site_for(request.user, site_id)
    if not selectors.can_read_site_bookings(request.user, site):
        raise Http404
    use = selectors.site_use(site, year or timezone.localdate().year)
    return {**use.__dict__, "members": use.members}


@router.post("/sites/{int:site_id}/bookings", response={201: SiteBookingOut})
def book_site(request: HttpRequest, site_id: IdParam, payload: SiteBookingIn) -> Status[Any]:
    site = selectors.site_for(request.user, site_id)
    values = payload.dict()
    values["org"] = _org(request, values["org"])
    booking = services.booking_request(actor=request.user, site=site, **values)
    return Status(201, selectors.booking_for(request.user, booking.pk))


@router.get("/bookings/", response=list[SiteBookingOut])
@paginate(Paged)
def list_bookings(request: HttpRequest, waiting: bool = False, state: str = "") -> Any:
    """The bookings of the units the actor manages, newest first; `waiting=true`: the requests
    on the actor's sites awaiting their decision instead."""
    if state and state not in BookingState.values:
        raise query_error("state", f"one of {', '.join(BookingState.values)}")
    if waiting:
        return selectors.booking_queue(request.user)
    return selectors.unit_bookings(request.user, state=state)


@router.get("/bookings/{int:booking_id}", response=SiteBookingOut)
def get_booking(request: HttpRequest, booking_id: IdParam) -> Booking:
    return selectors.booking_for(request.user, booking_id)


@router.post("/bookings/{int:booking_id}/confirm", response=SiteBookingOut)
def confirm_booking(request: HttpRequest, booking_id: IdParam) -> Booking:
    booking = selectors.booking_for(request.user, booking_id)
    services.booking_confirm(actor=request.user, booking=booking)
    return selectors.booking_for(request.user, booking_id)


@router.post("/bookings/{int:booking_id}/refuse", response=SiteBookingOut)
def refuse_booking(request: HttpRequest, booking_id: IdParam, payload: SiteRefuseIn) -> Booking:
    booking = selectors.booking_for(request.user, booking_id)
    services.booking_refuse(actor=request.user, booking=booking, reason=payload.reason)
    return selectors.booking_for(request.user, booking_id)


@router.post("/bookings/{int:booking_id}/cancel", response=SiteBookingOut)
def cancel_booking(request: HttpRequest, booking_id: IdParam, payload: ReasonIn) -> Booking:
    booking = selectors.booking_for(request.user, booking_id)
    services.booking_cancel(actor=request.user, booking=booking, reason=payload.reason)
    return selectors.booking_for(request.user, booking_id)

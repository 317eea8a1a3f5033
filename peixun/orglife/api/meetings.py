"""API v1 for meetings, 送学上门 visits and the meeting credit rules, under /api/v1/orglife/:
reads through `orglife.selectors`, writes through `orglife.services`.

Statuses, as in the other apps' APIs:
- anonymous 401;
- a meeting (or an org in a query filter) out of the actor's scope 404; a plain member without
  a grant sees no meeting (404 on one, an empty list);
- a visible meeting the actor may not manage (a viewer) 403 on every write; recording for a
  visible org the actor does not manage 403;
- an org or member named in the body that the actor cannot see, or any bad value, 422 with the
  field named; nothing is stored.
Hours are decimals, sent as strings so that nothing is rounded.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from peixun.core.apiutils import Id, IdParam, OrgRef, Paged, YearParam, query_error
from peixun.core.scoping import Actor, get_visible_or_404
from peixun.hours.models import Topic
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.orgs.selectors import org_field
from peixun.plans.models import PlanItem

from .. import selectors
from ..models import (
    AppraisalResult,
    HomeVisit,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    Observer,
)
from ..selectors.groups import study_group_field
from ..services import appraisals, observers, rules, visits
from ..services import meetings as services

router = Router()


# -- schemas -------------------------------------------------------------------------------------


class MeetingOut(Schema):
    id: int
    event_id: int
    kind: str
    kind_label: str
    org: OrgRef
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    topic: str
    host: str
    minutes: str  # sanitised HTML
    hours: Decimal
    credit_kind: str
    concentrated: bool
    state: str
    plan_item: int | None
    study_group: int | None
    present_count: int
    observer_count: int

    @staticmethod
    def resolve_kind_label(obj: Meeting) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_org(obj: Meeting) -> Organization:
        return obj.event.org

    @staticmethod
    def resolve_title(obj: Meeting) -> str:
        return obj.event.title

    @staticmethod
    def resolve_starts_at(obj: Meeting) -> dt.datetime:
        return obj.event.starts_at

    @staticmethod
    def resolve_ends_at(obj: Meeting) -> dt.datetime:
        return obj.event.ends_at

    @staticmethod
    def resolve_place(obj: Meeting) -> str:
        return obj.event.place

    @staticmethod
    def resolve_topic(obj: Meeting) -> str:
        return obj.event.topic

    @staticmethod
    def resolve_hours(obj: Meeting) -> Decimal:
        return obj.event.hours

    @staticmethod
    def resolve_credit_kind(obj: Meeting) -> str:
        return obj.event.credit_kind

    @staticmethod
    def resolve_concentrated(obj: Meeting) -> bool:
        return obj.event.concentrated

    @staticmethod
    def resolve_state(obj: Meeting) -> str:
        return obj.event.state

    @staticmethod
    def resolve_plan_item(obj: Meeting) -> int | None:
        return obj.plan_item_id

    @staticmethod
    def resolve_study_group(obj: Meeting) -> int | None:
        return obj.study_group_id


class MeetingIn(Schema):
    """A meeting of `org`. `hours` empty: the tenant's rule for the kind. A meeting dated in the
    future needs `scheduled: true` (an upcoming meeting, for QR sign-in)."""

    org: Id
    kind: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    host: str
    place: str = ""
    topic: str = "other"
    minutes: str = ""
    plan_item: Id | None = None
    hours: Decimal | None = None
    scheduled: bool = False
    # A 青年理论学习小组 kept by `org`: the meeting expects the group's members.
    study_group: Id | None = None


class MeetingPatchIn(Schema):
    """Only the fields sent are changed; the kind and org stay. Once closed, only host, minutes
    and plan_item."""

    title: str | None = None
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    place: str | None = None
    topic: str | None = None
    host: str | None = None
    minutes: str | None = None
    plan_item: Id | None = None
    hours: Decimal | None = None
    scheduled: bool = False


class MeetingReopenIn(Schema):
    reason: str = ""


class FiguresOut(Schema):
    expected: int
    present: int
    late: int
    left_early: int
    absent: int
    leave: int
    unmarked: int


class ObserverOut(Schema):
    id: int
    name: str
    title: str
    org: OrgRef


class ObserverIn(Schema):
    name: str
    org: Id
    title: str = ""


class AppraisalOut(Schema):
    member: int
    member_name: str
    result: str
    result_label: str
    note: str

    @staticmethod
    def resolve_member(obj: AppraisalResult) -> int:
        return obj.member_id

    @staticmethod
    def resolve_member_name(obj: AppraisalResult) -> str:
        return obj.member.name

    @staticmethod
    def resolve_result_label(obj: AppraisalResult) -> str:
        return str(obj.get_result_display())


class AppraisalIn(Schema):
    member: Id
    result: str  # excellent | qualified | basic | unqualified; "" clears
    note: str = ""


class AppraisalsIn(Schema):
    results: list[AppraisalIn]


class MeetingAttachmentOut(Schema):
    id: int
    name: str
    uploaded_at: dt.datetime


class VisitOut(Schema):
    id: int
    org: OrgRef
    member: int
    member_name: str
    visited_on: dt.date
    visitors: str
    content: str
    hours: Decimal
    note: str
    credited: bool

    @staticmethod
    def resolve_member(obj: HomeVisit) -> int:
        return obj.member_id

    @staticmethod
    def resolve_member_name(obj: HomeVisit) -> str:
        return obj.member.name

    @staticmethod
    def resolve_credited(obj: HomeVisit) -> bool:
        return bool(obj.credit_reference)


class VisitIn(Schema):
    member: Id
    visited_on: dt.date
    visitors: str
    content: str
    hours: Decimal = Decimal(0)
    note: str = ""


class RuleOut(Schema):
    kind: str
    kind_label: str
    hours: Decimal
    concentrated: bool
    is_default: bool


class RuleIn(Schema):
    kind: str
    hours: Decimal
    concentrated: bool = False


class RulesIn(Schema):
    rules: list[RuleIn]


# -- helpers -------------------------------------------------------------------------------------


def _meeting_out(actor: Actor, pk: int) -> Meeting:
    meeting = selectors.meeting_get(actor, pk)
    return selectors.meeting_list(actor).get(pk=meeting.pk)


def _plan_item(pk: int | None) -> PlanItem | None:
    item = selectors.plan_item_get(pk)
    if pk is not None and item is None:
        raise ValidationError({"plan_item": _("No such plan item.")})
    return item


def _member_field(actor: Actor, field: str, pk: int) -> Member:
    member = selectors.member_visible(actor, pk)
    if member is None:
        raise ValidationError({field: _("No such member in your scope.")})
    return member


def _rules_out(org: Organization) -> list[dict[str, Any]]:
    labels = dict(MeetingKind.choices)
    return [
        {
            "kind": kind,
            "kind_label": str(labels[kind]),
            "hours": credit.hours,
            "concentrated": credit.concentrated,
            "is_default": credit.is_default,
        }
        for kind, credit in selectors.credit_rules(org).items()
    ]


# -- meetings ------------------------------------------------------------------------------------


@router.get("/meetings", response=list[MeetingOut])
@paginate(Paged)
def list_meetings(
    request: HttpRequest,
    kind: str = "",
    org: IdParam | None = None,
    year: YearParam | None = None,
    q: str = "",
    topic: str = "",
) -> Any:
    """Meetings the actor may see, newest first; `org` takes its subtree; `topic` the event's
    topic (as in MeetingIn)."""
    if kind and kind not in MeetingKind.values:
        raise query_error(
            "kind",
            _("Unknown value; use one of: %(choices)s.")
            % {"choices": ", ".join(MeetingKind.values)},
        )
    if topic and topic not in Topic.values:
        raise query_error(
            "topic",
            _("Unknown value; use one of: %(choices)s.") % {"choices": ", ".join(Topic.values)},
        )
    if year is not None and not 2000 <= year <= 2100:
        raise query_error(
            "year", _("Enter a year from %(first)s to %(last)s.") % {"first": 2000, "last": 2100}
        )
    organisation = get_visible_or_404(request.user, Organization, org) if org is not None else None
    return selectors.meeting_list(
        request.user, kind=kind, org=organisation, year=year, q=q, topic=topic
    )


@router.post("/meetings", response={201: MeetingOut})
def create_meeting(request: HttpRequest, payload: MeetingIn) -> Status[Meeting]:
    actor = request.user
    data = payload.dict()
    org = org_field(actor, "org", data.pop("org"))
    data["plan_item"] = _plan_item(data.pop("plan_item"))
    group_id = data.pop("study_group")
    group = study_group_field(actor, "study_group", group_id) if group_id else None
    meeting = services.meeting_record(actor=actor, org=org, study_group=group, **data)
    return Status(201, _meeting_out(actor, meeting.pk))


@router.get("/meetings/{int:meeting_id}", response=MeetingOut)
def get_meeting(request: HttpRequest, meeting_id: IdParam) -> Meeting:
    return _meeting_out(request.user, meeting_id)


@router.patch("/meetings/{int:meeting_id}", response=MeetingOut)
def update_meeting(request: HttpRequest, meeting_id: IdParam, payload: MeetingPatchIn) -> Meeting:
    actor = request.user
    meeting = selectors.meeting_get(actor, meeting_id)
    data = payload.dict(exclude_unset=True)
    scheduled = bool(data.pop("scheduled", False))
    if "plan_item" in data:
        data["plan_item"] = _plan_item(data["plan_item"])
    data = {k: v for k, v in data.items() if v is not None or k == "plan_item"}
    services.meeting_update(actor=actor, meeting=meeting, scheduled=scheduled, **data)
    return _meeting_out(actor, meeting_id)


@router.get("/meetings/{int:meeting_id}/attendance", response=FiguresOut)
def get_figures(request: HttpRequest, meeting_id: IdParam) -> dict[str, int]:
    """Counts only; the rows are at /api/v1/events/{event_id}/attendance."""
    return selectors.meeting_figures(selectors.meeting_get(request.user, meeting_id))


@router.post("/meetings/{int:meeting_id}/close", response=MeetingOut)
def close_meeting(request: HttpRequest, meeting_id: IdParam) -> Meeting:
    """Close and credit the members present; 422 before the end or when closed."""
    meeting = selectors.meeting_get(request.user, meeting_id)
    services.meeting_close(actor=request.user, meeting=meeting)
    return _meeting_out(request.user, meeting_id)


@router.post("/meetings/{int:meeting_id}/reopen", response=MeetingOut)
def reopen_meeting(request: HttpRequest, meeting_id: IdParam, payload: MeetingReopenIn) -> Meeting:
    meeting = selectors.meeting_get(request.user, meeting_id)
    services.meeting_reopen(actor=request.user, meeting=meeting, reason=payload.reason)
    return _meeting_out(request.user, meeting_id)


# -- observers, appraisals, attachments ----------------------------------------------------------


@router.get("/meetings/{int:meeting_id}/observers", response=list[ObserverOut])
def list_observers(request: HttpRequest, meeting_id: IdParam) -> Any:
    meeting = selectors.meeting_get(request.user, meeting_id)
    return selectors.meeting_observers(meeting)


@router.post("/meetings/{int:meeting_id}/observers", response={201: ObserverOut})
def add_observer(
    request: HttpRequest, meeting_id: IdParam, payload: ObserverIn
) -> Status[Observer]:
    """An observer of a 中心组学习 from a committee above the meeting's org (else 422)."""
    meeting = selectors.meeting_get(request.user, meeting_id)
    org = selectors.org_get(payload.org)
    if org is None:
        raise ValidationError({"org": _("No such organization.")})
    observer = observers.observer_add(
        actor=request.user, meeting=meeting, name=payload.name, org=org, title=payload.title
    )
    return Status(201, observer)


@router.delete("/meetings/{int:meeting_id}/observers/{int:observer_id}", response={204: None})
def remove_observer(
    request: HttpRequest, meeting_id: IdParam, observer_id: IdParam
) -> HttpResponse:
    meeting = selectors.meeting_get(request.user, meeting_id)
    observer = selectors.meeting_observer_get(meeting, observer_id)
    observers.observer_remove(actor=request.user, observer=observer)
    return HttpResponse(status=204)


@router.get("/meetings/{int:meeting_id}/appraisals", response=list[AppraisalOut])
def list_appraisals(request: HttpRequest, meeting_id: IdParam) -> Any:
    meeting = selectors.meeting_get(request.user, meeting_id)
    return selectors.appraisal_results(meeting)


@router.put("/meetings/{int:meeting_id}/appraisals", response=list[AppraisalOut])
def set_appraisals(request: HttpRequest, meeting_id: IdParam, payload: AppraisalsIn) -> Any:
    """Set the results of the members named (result "" clears one); all or none. Only for a
    民主评议党员, and only members of the meeting's org or below it."""
    actor = request.user
    meeting = selectors.meeting_get(actor, meeting_id)
    found = selectors.members_by_pk([r.member for r in payload.results])
    missing = [r.member for r in payload.results if r.member not in found]
    if missing:
        raise ValidationError(
            {"results": _("No such member: %(ids)s.") % {"ids": ", ".join(map(str, missing))}}
        )
    appraisals.appraisals_set(
        actor=actor,
        meeting=meeting,
        results=[appraisals.Appraisal(found[r.member], r.result, r.note) for r in payload.results],
    )
    return selectors.appraisal_results(meeting)


@router.get("/meetings/{int:meeting_id}/attachments", response=list[MeetingAttachmentOut])
def list_attachments(request: HttpRequest, meeting_id: IdParam) -> Any:
    return selectors.meeting_attachments(selectors.meeting_get(request.user, meeting_id))


@router.post("/meetings/{int:meeting_id}/attachments", response={201: MeetingAttachmentOut})
def add_attachment(
    request: HttpRequest, meeting_id: IdParam, file: File[UploadedFile]
) -> Status[MeetingAttachment]:
    meeting = selectors.meeting_get(request.user, meeting_id)
    attachment = services.meeting_attachment_add(actor=request.user, meeting=meeting, file=file)
    return Status(201, attachment)


@router.delete("/meetings/{int:meeting_id}/attachments/{int:attachment_id}", response={204: None})
def remove_attachment(
    request: HttpRequest, meeting_id: IdParam, attachment_id: IdParam
) -> HttpResponse:
    meeting = selectors.meeting_get(request.user, meeting_id)
    attachment = selectors.meeting_attachment_get(meeting, attachment_id)
    services.meeting_attachment_remove(actor=request.user, attachment=attachment)
    return HttpResponse(status=204)


# -- visits --------------------------------------------------------------------------------------


@router.get("/visits", response=list[VisitOut])
@paginate(Paged)
def list_visits(
    request: HttpRequest, org: IdParam | None = None, year: YearParam | None = None, q: str = ""
) -> Any:
    if year is not None and not 2000 <= year <= 2100:
        raise query_error(
            "year", _("Enter a year from %(first)s to %(last)s.") % {"first": 2000, "last": 2100}
        )
    organisation = get_visible_or_404(request.user, Organization, org) if org is not None else None
    return selectors.visit_list(request.user, org=organisation, year=year, q=q)


@router.post("/visits", response={201: VisitOut})
def create_visit(request: HttpRequest, payload: VisitIn) -> Status[HomeVisit]:
    """A visit by the member's own organization; with hours, the member is credited at once."""
    actor = request.user
    data = payload.dict()
    member = _member_field(actor, "member", data.pop("member"))
    visit = visits.visit_record(actor=actor, org=member.org, member=member, **data)
    return Status(201, selectors.visit_get(actor, visit.pk))


# -- credit rules --------------------------------------------------------------------------------


@router.get("/rules", response=list[RuleOut])
def get_rules(request: HttpRequest, tenant: IdParam | None = None) -> Any:
    """The credit rule of every kind of meeting in the tenant (the caller's own by default)."""
    return _rules_out(selectors.rules_tenant(request.user, tenant))


@router.put("/rules", response=list[RuleOut])
def put_rules(request: HttpRequest, payload: RulesIn, tenant: IdParam | None = None) -> Any:
    """Set the rules of the kinds sent; only an org admin of the tenant's root (else 403)."""
    org = selectors.rules_tenant(request.user, tenant)
    rules.credit_rules_update(
        actor=request.user,
        tenant=org,
        rules={r.kind: {"hours": r.hours, "concentrated": r.concentrated} for r in payload.rules},
    )
    return _rules_out(org)

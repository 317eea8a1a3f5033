"""API v1 for attendance, make-up, closing and 我的培训, under /api/v1/training/: reads through
`training.services.closing` (grid, checklist, 我的培训) and `services.makeup`, writes through
their services.

Statuses, as in the other apps' APIs:
- anonymous 401;
- a class or make-up out of the actor's scope 404;
- the grid, make-up list and checklist are for readers of the organiser: anyone else who sees
  the class (an enrolled member, a unit's secretary) 403; every write is the organiser's
  managers' (403 for anyone else who sees the class);
- a member or session named in the body that the actor cannot see, or any bad value, 422 with
  the field named (`member_id`, `missed_event_id`, `assigned_event_id`, `late_note`, `reason`,
  `plan`, `checklist`, `state`);
- GET /mine is a member's own: 404 for an account that is no member.
Hours and shares are decimals, sent as strings so that nothing is rounded.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from peixun.core.apiutils import Id, IdParam, Ref, query_error
from peixun.core.scoping import Actor, can_read_org, scope_of
from peixun.events.models import Event
from peixun.members.models import Member

from .. import selectors
from ..models import MakeUp, TrainingClass
from ..services import closing as services
from ..services import makeup as makeup_services

router = Router(tags=["training"])
CENTS = Decimal("0.01")


def two_places(value: Decimal | None) -> Decimal | None:
    """Hours in the ledger's two places, whatever arithmetic produced them."""
    return None if value is None else Decimal(value).quantize(CENTS)


# -- schemas -------------------------------------------------------------------------------------


class GridSessionOut(Schema):
    id: int
    event_id: int
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    hours: Decimal
    ended: bool
    event_state: str


class GridRowOut(Schema):
    member: Ref
    org: Ref
    kind: str  # trainee | makeup | other
    statuses: list[str | None]  # per session, in the order of `sessions`; null: nothing recorded
    expected: list[bool]
    hours_to_credit: Decimal
    leave_hours: Decimal
    leave_share: Decimal | None
    over_leave_limit: bool
    flagged_for_withdrawal: bool


class GridOut(Schema):
    class_id: int
    full_time: bool
    total_hours: Decimal
    leave_limit_denominator: int
    sessions: list[GridSessionOut]
    rows: list[GridRowOut]


class MakeUpOut(Schema):
    id: int | None  # null until the organiser acts on the make-up
    member: Ref
    missed_event_id: int
    missed_title: str
    missed_starts_at: dt.datetime
    attendance_status: str | None
    state: str
    state_label: str
    assigned_event_id: int | None
    assigned_title: str
    assigned_starts_at: dt.datetime | None
    note: str


class MakeUpIn(Schema):
    member_id: Id
    missed_event_id: Id
    assigned_event_id: Id
    note: str = ""


class WaiveIn(Schema):
    reason: str = ""


class WaiveNewIn(Schema):
    member_id: Id
    missed_event_id: Id
    reason: str = ""


class ChecklistItemOut(Schema):
    key: str
    label: str
    ok: bool
    detail: str


class ChecklistOut(Schema):
    class_id: int
    state: str
    ready: bool
    close_due_on: dt.date
    late: bool
    items: list[ChecklistItemOut]


class ClassClosingOut(Schema):
    id: int
    state: str
    roster_confirmed_at: dt.datetime | None
    timetable_confirmed_at: dt.datetime | None
    plan_document: str
    closed_at: dt.datetime | None
    closed_on: dt.date | None
    late_close_note: str
    members_credited: int
    hours_credited: Decimal


class CloseIn(Schema):
    late_note: str = ""
    # The date the closing and the certificates carry; by default the class's last day.
    decided_on: dt.date | None = None


class ClassReopenIn(Schema):
    reason: str = ""


class MineSessionOut(Schema):
    event_id: int
    class_id: int
    class_title: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    hours: Decimal
    makeup: bool
    attendance_status: str | None
    leave_state: str | None


class MineClassOut(Schema):
    class_id: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    organiser: str
    enrolment_state: str
    flagged_for_withdrawal: bool


class MinePastOut(Schema):
    class_id: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    hours_credited: Decimal
    certificate_url: str | None


class MineMakeUpOut(Schema):
    missed_event_id: int
    missed_title: str
    class_title: str
    state: str
    assigned_event_id: int | None
    assigned_title: str
    assigned_starts_at: dt.datetime | None


class MineOpenClassOut(Schema):
    class_id: int
    title: str
    starts_on: dt.date
    ends_on: dt.date
    organiser: str


class MineOut(Schema):
    member: Ref
    upcoming: list[MineSessionOut]
    classes: list[MineClassOut]
    completed: list[MinePastOut]
    makeups: list[MineMakeUpOut]
    open_classes: list[MineOpenClassOut]


# -- helpers -------------------------------------------------------------------------------------


def readable_class(actor: Actor, class_id: int) -> TrainingClass:
    training_class = selectors.class_get(actor, class_id)
    if not can_read_org(actor, training_class.org):
        raise PermissionDenied(_("Only the organiser of the class may see this."))
    return training_class


BODY_FIELDS = {
    "member": "member_id",
    "missed_event": "missed_event_id",
    "assigned_event": "assigned_event_id",
}


def body_errors(error: ValidationError) -> ValidationError:
    """The services' field names as the request body names them."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {BODY_FIELDS.get(field, field): messages for field, messages in error.message_dict.items()}
    )


def member_field(actor: Actor, pk: int) -> Member:
    found = selectors.member_visible(actor, pk)
    if found is None:
        raise ValidationError({"member_id": _("No such member in your scope.")})
    return found


def session_event_field(actor: Actor, field: str, pk: int) -> Event:
    """A session's event in a class the actor sees: anything else is the same field error."""
    session = selectors.session_of_event(pk)
    visible = session is not None and selectors.class_is_visible(actor, session.training_class_id)
    if session is None or not visible:
        raise ValidationError({field: _("No such session in your scope.")})
    return session.event


def makeup_out(row: selectors.MakeUpRow) -> dict[str, Any]:
    makeup = row.makeup
    assigned = makeup.assigned_event if makeup is not None else None
    return {
        "id": makeup.pk if makeup is not None else None,
        "member": {"id": row.member.pk, "name": row.member.name},
        "missed_event_id": row.session.event_id,
        "missed_title": row.session.event.title,
        "missed_starts_at": row.session.event.starts_at,
        "attendance_status": row.status,
        "state": row.state,
        "state_label": str(MakeUp.State(row.state).label),
        "assigned_event_id": assigned.pk if assigned is not None else None,
        "assigned_title": assigned.title if assigned is not None else "",
        "assigned_starts_at": assigned.starts_at if assigned is not None else None,
        "note": makeup.note if makeup is not None else "",
    }


def single_makeup_out(makeup: MakeUp) -> dict[str, Any]:
    makeup, session, status = selectors.makeup_with_session(makeup.pk)
    return makeup_out(selectors.MakeUpRow(makeup.member, session, status, makeup))


def closing_out(training_class: TrainingClass) -> dict[str, Any]:
    training_class.refresh_from_db()
    credits = selectors.class_credits(training_class)
    return {
        "id": training_class.pk,
        "state": training_class.state,
        "roster_confirmed_at": training_class.roster_confirmed_at,
        "timetable_confirmed_at": training_class.timetable_confirmed_at,
        "plan_document": selectors.plan_file_name(training_class),
        "closed_at": training_class.closed_at,
        "closed_on": training_class.closed_on,
        "late_close_note": training_class.late_close_note,
        "members_credited": len(credits),
        "hours_credited": two_places(sum(credits.values(), Decimal(0))),
    }


# -- attendance grid, make-ups, checklist --------------------------------------------------------


@router.get("/classes/{int:class_id}/attendance-grid", response=GridOut)
def attendance_grid(request: HttpRequest, class_id: IdParam) -> dict[str, Any]:
    """Members × sessions: each attendance status, the hours the attendance will credit at
    closing, leave hours and their share of the class's hours, and the withdrawal flag."""
    grid = selectors.attendance_grid(readable_class(request.user, class_id))
    return {
        "class_id": class_id,
        "full_time": grid.training_class.full_time,
        "total_hours": two_places(grid.total_hours),
        "leave_limit_denominator": grid.denominator,
        "sessions": [
            {
                "id": s.pk,
                "event_id": s.event_id,
                "title": s.event.title,
                "starts_at": s.event.starts_at,
                "ends_at": s.event.ends_at,
                "hours": s.event.hours,
                "ended": ended,
                "event_state": s.event.state,
            }
            for s, ended in zip(grid.sessions, grid.ended, strict=True)
        ],
        "rows": [
            {
                "member": {"id": r.member.pk, "name": r.member.name},
                "org": {"id": r.member.org_id, "name": r.member.org.name},
                "kind": r.kind,
                "statuses": [c.status for c in r.cells],
                "expected": [c.expected for c in r.cells],
                "hours_to_credit": two_places(r.earned),
                "leave_hours": two_places(r.leave),
                "leave_share": r.leave_share,
                "over_leave_limit": r.over_limit,
                "flagged_for_withdrawal": r.flagged,
            }
            for r in grid.rows
        ],
    }


@router.get("/classes/{int:class_id}/makeups", response=list[MakeUpOut])
def list_makeups(request: HttpRequest, class_id: IdParam, state: str = "") -> list[dict[str, Any]]:
    """The class's make-up list: trainees absent or on leave at sessions that have ended, and
    every make-up of its sessions; `state` keeps one state (open, assigned, done, waived)."""
    if state and state not in MakeUp.State.values:
        raise query_error(
            "state",
            _("Unknown value; use one of: %(choices)s.")
            % {"choices": ", ".join(MakeUp.State.values)},
        )
    rows = selectors.makeup_rows(readable_class(request.user, class_id))
    return [makeup_out(r) for r in rows if not state or r.state == state]


@router.post("/makeups", response={201: MakeUpOut})
def assign_makeup(request: HttpRequest, payload: MakeUpIn) -> Status[dict[str, Any]]:
    """Assign a member who missed a session to make it up at a later session of an open class
    the actor runs; attending it credits them when that session is closed."""
    actor = request.user
    member = member_field(actor, payload.member_id)
    missed = session_event_field(actor, "missed_event_id", payload.missed_event_id)
    assigned = session_event_field(actor, "assigned_event_id", payload.assigned_event_id)
    try:
        makeup = makeup_services.makeup_assign(
            actor=actor,
            member=member,
            missed_event=missed,
            assigned_event=assigned,
            note=payload.note,
        )
    except ValidationError as error:
        raise body_errors(error) from None
    return Status(201, single_makeup_out(makeup))


@router.post("/makeups/waive", response={201: MakeUpOut})
def waive_new_makeup(request: HttpRequest, payload: WaiveNewIn) -> Status[dict[str, Any]]:
    """Waive a make-up nobody has acted on yet (it has no id), with a reason."""
    actor = request.user
    member = member_field(actor, payload.member_id)
    missed = session_event_field(actor, "missed_event_id", payload.missed_event_id)
    try:
        makeup = makeup_services.makeup_waive(
            actor=actor, member=member, missed_event=missed, reason=payload.reason
        )
    except ValidationError as error:
        raise body_errors(error) from None
    return Status(201, single_makeup_out(makeup))


@router.post("/makeups/{int:makeup_id}/waive", response=MakeUpOut)
def waive_makeup(request: HttpRequest, makeup_id: IdParam, payload: WaiveIn) -> dict[str, Any]:
    """Waive a make-up with a reason: the member is no longer expected at its session."""
    actor = request.user
    makeup, session = selectors.makeup_and_session(makeup_id)
    if makeup is None or session is None:
        raise Http404
    selectors.class_get(actor, session.training_class_id)
    try:
        makeup = makeup_services.makeup_waive(
            actor=actor,
            member=makeup.member,
            missed_event=makeup.missed_event,
            reason=payload.reason,
        )
    except ValidationError as error:
        raise body_errors(error) from None
    return single_makeup_out(makeup)


@router.get("/classes/{int:class_id}/checklist", response=ChecklistOut)
def checklist(request: HttpRequest, class_id: IdParam) -> dict[str, Any]:
    """The closing checklist: each item, whether it is met, and what is missing."""
    training_class = readable_class(request.user, class_id)
    items = selectors.closing_checklist(training_class)
    return {
        "class_id": class_id,
        "state": training_class.state,
        "ready": not selectors.missing_items(items),
        "close_due_on": selectors.close_due_on(training_class),
        "late": selectors.close_is_late(training_class),
        "items": [{"key": i.key, "label": i.label, "ok": i.ok, "detail": i.detail} for i in items],
    }


# -- closing actions -----------------------------------------------------------------------------


@router.post("/classes/{int:class_id}/confirm-roster", response=ClassClosingOut)
def confirm_roster(request: HttpRequest, class_id: IdParam) -> dict[str, Any]:
    """Confirm the final roster (every nomination decided, at least one trainee)."""
    training_class = selectors.class_get(request.user, class_id)
    services.class_roster_confirm(actor=request.user, training_class=training_class)
    return closing_out(training_class)


@router.post("/classes/{int:class_id}/confirm-timetable", response=ClassClosingOut)
def confirm_timetable(request: HttpRequest, class_id: IdParam) -> dict[str, Any]:
    """Confirm the final timetable (the class has sessions)."""
    training_class = selectors.class_get(request.user, class_id)
    services.class_timetable_confirm(actor=request.user, training_class=training_class)
    return closing_out(training_class)


@router.post("/classes/{int:class_id}/plan", response=ClassClosingOut)
def attach_plan(
    request: HttpRequest,
    class_id: IdParam,
    plan: UploadedFile = File(...),  # type: ignore[assignment,type-arg]  # noqa: B008
) -> dict[str, Any]:
    """Attach the class plan document (multipart `plan`: PDF, .docx or .doc, at most 20 MB)."""
    training_class = selectors.class_get(request.user, class_id)
    services.class_plan_attach(actor=request.user, training_class=training_class, file=plan)
    return closing_out(training_class)


@router.post("/classes/{int:class_id}/close", response=ClassClosingOut)
def close_class(request: HttpRequest, class_id: IdParam, payload: CloseIn) -> dict[str, Any]:
    """Close the class and credit each member the hours of the sessions they attended. Refused
    (422, `checklist`) while an item of the checklist is missing; past the due date a
    `late_note` is required."""
    training_class = selectors.class_get(request.user, class_id)
    services.class_close(
        actor=request.user,
        training_class=training_class,
        late_note=payload.late_note,
        decided_on=payload.decided_on,
    )
    return closing_out(training_class)


@router.post("/classes/{int:class_id}/reopen", response=ClassClosingOut)
def reopen_class(request: HttpRequest, class_id: IdParam, payload: ClassReopenIn) -> dict[str, Any]:
    """Reopen a closed class: its credits are reversed by reversing entries."""
    training_class = selectors.class_get(request.user, class_id)
    services.class_reopen(actor=request.user, training_class=training_class, reason=payload.reason)
    return closing_out(training_class)


# -- 我的培训 ------------------------------------------------------------------------------------


@router.get("/mine", response=MineOut)
def mine(request: HttpRequest) -> dict[str, Any]:
    """The actor's own training: upcoming sessions (with leave and attendance), classes enrolled
    in, completed classes with hours credited and certificate links, make-ups owed, and open
    classes whose audience fits them."""
    member_id = scope_of(request.user).member_id
    if not member_id:
        raise Http404
    member = selectors.member_get(member_id)
    data = selectors.my_training(member)
    return {
        "member": {"id": member.pk, "name": member.name},
        "upcoming": [
            {
                "event_id": u.session.event_id,
                "class_id": u.session.training_class_id,
                "class_title": u.session.training_class.title,
                "title": u.session.event.title,
                "starts_at": u.session.event.starts_at,
                "ends_at": u.session.event.ends_at,
                "place": u.session.event.place,
                "hours": u.session.event.hours,
                "makeup": u.makeup,
                "attendance_status": u.status,
                "leave_state": u.leave.state if u.leave is not None else None,
            }
            for u in data.upcoming
        ],
        "classes": [
            {
                "class_id": e.training_class_id,
                "title": e.training_class.title,
                "starts_on": e.training_class.starts_on,
                "ends_on": e.training_class.ends_on,
                "organiser": e.training_class.org.name,
                "enrolment_state": e.state,
                "flagged_for_withdrawal": e.flagged_for_withdrawal,
            }
            for e in data.current
        ],
        "completed": [
            {
                "class_id": p.training_class.pk,
                "title": p.training_class.title,
                "starts_on": p.training_class.starts_on,
                "ends_on": p.training_class.ends_on,
                "hours_credited": two_places(p.hours),
                "certificate_url": reverse(
                    "training:certificate", args=[p.training_class.pk, member.pk]
                )
                if p.has_certificate
                else None,
            }
            for p in data.past
        ],
        "makeups": [
            {
                "missed_event_id": m.missed.event_id,
                "missed_title": m.missed.event.title,
                "class_title": m.missed.training_class.title,
                "state": m.state,
                "assigned_event_id": m.assigned.event_id if m.assigned else None,
                "assigned_title": m.assigned.event.title if m.assigned else "",
                "assigned_starts_at": m.assigned.event.starts_at if m.assigned else None,
            }
            for m in data.makeups
        ],
        "open_classes": [
            {
                "class_id": c.pk,
                "title": c.title,
                "starts_on": c.starts_on,
                "ends_on": c.ends_on,
                "organiser": c.org.name,
            }
            for c in data.open_classes
        ],
    }

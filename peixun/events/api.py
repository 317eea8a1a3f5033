"""API v1 for events: attendance, QR sign-in, closing, leave. Reads through `events.selectors`,
writes through the events services.

Statuses, as in the other routers:
- anonymous 401;
- an event or leave request out of the actor's sight 404 (a member expected at an event sees
  it); visible but not the actor's to manage or decide 403;
- bad input 422 with the field named. Sign-in and sign-out refusals are 422 on `token` with a
  machine `code` (see docs/events.md): malformed, wrong_event, expired, not_open, ended,
  not_enrolled, closed, no_member; sign-out also no_signout, not_signed_in.
Hours are decimals sent as strings.
"""

import datetime as dt
import time
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from peixun.core.apiutils import ErrorOut, Id, IdParam, Paged, ReasonIn, query_error
from peixun.core.downloads import download
from peixun.core.scoping import can_read_org
from peixun.members.models import Member

from . import selectors
from .documents import MAX_BYTES, attendance_names
from .logic import signin_token, token_seconds_left
from .models import Attendance, Event, LeaveRequest
from .selectors import event_settings_for
from .services import (
    SigninError,
    attendance_import,
    attendance_mark,
    attendance_mark_bulk,
    attendance_mark_many,
    attendance_mark_unmarked,
    attendance_signin,
    attendance_signout,
    attendance_template,
    event_close,
    event_reopen,
    leave_cancel,
    leave_decide,
    leave_request,
    signin_outcome_text,
    signout_outcome_text,
)

router = Router(tags=["events"])
MAX_MARKS = 5000


# -- schemas -------------------------------------------------------------------------------------


class EventOut(Schema):
    id: int
    category: str
    title: str
    org_id: int
    org_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    place: str
    hours: Decimal
    topic: str
    credit_kind: str
    concentrated: bool
    online: bool
    signout_required: bool
    state: str
    state_label: str
    closed_at: dt.datetime | None

    @staticmethod
    def resolve_org_name(obj: Event) -> str:
        return obj.org.name

    @staticmethod
    def resolve_state_label(obj: Event) -> str:
        return str(obj.get_state_display())


class AttendanceOut(Schema):
    member_id: int
    member_name: str
    org_id: int
    org_name: str
    status: str  # "" when not marked yet
    status_label: str
    method: str
    signed_in_at: dt.datetime | None
    signed_out_at: dt.datetime | None
    note: str


class MarkIn(Schema):
    member: Id
    status: str
    note: str = ""


class MarkItem(Schema):
    member: Id
    status: str


class BulkMarkIn(Schema):
    marks: list[MarkItem]
    note: str = ""


class SelectedMarkIn(Schema):
    members: list[Id]
    status: str = Attendance.Status.PRESENT


class BulkMarkOut(Schema):
    created: int
    updated: int
    unchanged: int


class MarkedOut(Schema):
    marked: int


class AttendanceImportErrorOut(Schema):
    row: int | None
    column: str
    value: str
    message: str


class AttendanceImportOut(Schema):
    ok: bool
    rows: int
    created: int
    updated: int
    unchanged: int
    errors: list[AttendanceImportErrorOut]


class SigninTokenIn(Schema):
    token: str = ""


class SigninOut(Schema):
    status: str
    status_label: str
    created: bool
    signed_in_at: dt.datetime | None
    message: str


class SignoutOut(Schema):
    status: str
    status_label: str
    changed: bool
    signed_out_at: dt.datetime | None
    message: str


class SigninErrorItem(Schema):
    loc: list[str | int]
    msg: str
    type: str
    # Why the code was refused (expired, not_expected, …); absent when the body itself is malformed.
    code: str = ""


class SigninErrorOut(Schema):
    detail: list[SigninErrorItem]


class QrOut(Schema):
    token: str
    url: str
    seconds_left: int
    rotate_seconds: int
    signed_in: int
    expected: int


class LeaveOut(Schema):
    id: int
    event_id: int
    event_title: str
    member_id: int
    member_name: str
    reason: str
    state: str
    state_label: str
    decision_note: str
    decided_at: dt.datetime | None
    created_at: dt.datetime

    @staticmethod
    def resolve_event_title(obj: LeaveRequest) -> str:
        return obj.event.title

    @staticmethod
    def resolve_member_name(obj: LeaveRequest) -> str:
        return obj.member.name

    @staticmethod
    def resolve_state_label(obj: LeaveRequest) -> str:
        return str(obj.get_state_display())


class DecideIn(Schema):
    approve: bool
    note: str = ""


# -- helpers -------------------------------------------------------------------------------------


def attendance_out(row: selectors.RosterRow) -> dict[str, Any]:
    a = row.attendance
    return {
        "member_id": row.member.pk,
        "member_name": row.member.name,
        "org_id": row.member.org_id,
        "org_name": row.member.org.name,
        "status": a.status if a else "",
        "status_label": str(a.get_status_display()) if a else "",
        "method": a.method if a else "",
        "signed_in_at": a.signed_in_at if a else None,
        "signed_out_at": a.signed_out_at if a else None,
        "note": a.note if a else "",
    }


def refused(error: SigninError) -> Status[dict[str, Any]]:
    return Status(
        422,
        {
            "detail": [
                {
                    "loc": ["body", "token"],
                    "msg": error.message,
                    "type": "value_error",
                    "code": error.code,
                }
            ]
        },
    )


def member_for_mark(pk: int) -> Member:
    member = selectors.member_or_none(pk)
    if member is None:
        # The same words as for a member who exists but is not expected here.
        raise ValidationError(
            {"member": _("Not expected at this event: member %(ids)s.") % {"ids": pk}}
        )
    return member


# -- events and attendance -----------------------------------------------------------------------


@router.get("/{int:event_id}", response=EventOut)
def get_event(request: HttpRequest, event_id: IdParam) -> Event:
    return selectors.event_get(request.user, event_id)


@router.get("/{int:event_id}/attendance", response=list[AttendanceOut])
@paginate(Paged)
def list_attendance(
    request: HttpRequest, event_id: IdParam, status: str = "", q: str = ""
) -> list[dict[str, Any]]:
    """Everyone expected at the event and everyone holding a row; `status` filters (a status,
    or "unmarked"). For readers of the organiser; a member attending sees the event, not this."""
    event = selectors.event_get(request.user, event_id)
    if not can_read_org(request.user, event.org):
        raise PermissionDenied
    if status and status != "unmarked" and status not in Attendance.Status.values:
        raise query_error(
            "status",
            _("Unknown value; use one of: %(choices)s.")
            % {"choices": ", ".join(["unmarked", *Attendance.Status.values])},
        )
    return [attendance_out(r) for r in selectors.attendance_roster(event, q=q, status=status)]


@router.post("/{int:event_id}/attendance", response=AttendanceOut)
def mark_attendance(request: HttpRequest, event_id: IdParam, payload: MarkIn) -> dict[str, Any]:
    event = selectors.event_managed(request.user, event_id)
    attendance_mark(
        actor=request.user,
        event=event,
        member=member_for_mark(payload.member),
        status=payload.status,
        note=payload.note,
    )
    return attendance_out(selectors.attendance_row(event, payload.member))


@router.post("/{int:event_id}/attendance/selected", response=BulkMarkOut)
def mark_attendance_selected(
    request: HttpRequest, event_id: IdParam, payload: SelectedMarkIn
) -> dict[str, int]:
    """The chosen members all get one status (present unless said), each keeping their note;
    all or none: a member not expected at the event refuses the request (422 on `member`)."""
    event = selectors.event_managed(request.user, event_id)
    created, updated, unchanged = attendance_mark_bulk(
        actor=request.user, event=event, member_ids=payload.members, status=payload.status
    )
    return {"created": created, "updated": updated, "unchanged": unchanged}


@router.post("/{int:event_id}/attendance/bulk", response=BulkMarkOut)
def mark_attendance_bulk(
    request: HttpRequest, event_id: IdParam, payload: BulkMarkIn
) -> dict[str, int]:
    """Many marks at once, all or none."""
    event = selectors.event_managed(request.user, event_id)
    if len(payload.marks) > MAX_MARKS:
        raise ValidationError(
            {"marks": _("At most %(max)s members in one request.") % {"max": MAX_MARKS}}
        )
    marks = {m.member: m.status for m in payload.marks}
    if len(marks) != len(payload.marks):
        raise ValidationError({"marks": _("A member is listed twice.")})
    created, updated, unchanged = attendance_mark_many(
        actor=request.user, event=event, marks=marks, note=payload.note
    )
    return {"created": created, "updated": updated, "unchanged": unchanged}


@router.post("/{int:event_id}/attendance/absent", response=MarkedOut)
def mark_unmarked_absent(request: HttpRequest, event_id: IdParam) -> dict[str, int]:
    """Every expected member without a mark becomes absent (refused before the start)."""
    event = selectors.event_managed(request.user, event_id)
    return {"marked": attendance_mark_unmarked(actor=request.user, event=event)}


@router.post(
    "/{int:event_id}/attendance/import",
    response={200: AttendanceImportOut, 422: AttendanceImportOut | ErrorOut},
)
def import_attendance(
    request: HttpRequest, event_id: IdParam, file: File[UploadedFile], dry_run: bool = True
) -> Any:
    """Attendance from an .xlsx sheet (see the template). `dry_run=true` (the default) only
    checks (200, problems listed); otherwise every row is written, or none when any row or the
    file has a problem: then 422 with the same report."""
    event = selectors.event_managed(request.user, event_id)
    data = file.read(MAX_BYTES + 1)
    report = attendance_import(actor=request.user, event=event, file=data, dry_run=dry_run)
    return Status(200 if dry_run or report.ok else 422, report)


@router.get("/{int:event_id}/attendance/template")
def attendance_sheet(request: HttpRequest, event_id: IdParam) -> HttpResponse:
    """The .xlsx sheet to fill in, listing the members expected."""
    event = selectors.event_managed(request.user, event_id)
    name, fallback = attendance_names(event)
    return download(attendance_template(actor=request.user, event=event), name, fallback=fallback)


# -- sign-in -------------------------------------------------------------------------------------


@router.post("/{int:event_id}/signin", response={200: SigninOut, 422: SigninErrorOut})
def signin(request: HttpRequest, event_id: IdParam, payload: SigninTokenIn) -> Any:
    """Sign the caller in with the projector's code. A second call returns the same row with
    `created=false`."""
    event = selectors.event_get(request.user, event_id)
    try:
        row, created = attendance_signin(actor=request.user, event=event, token=payload.token)
    except SigninError as error:
        return refused(error)
    return {
        "status": row.status,
        # The choice's label directly: get_status_display() builds the choices' dict each call.
        "status_label": str(Attendance.Status(row.status).label),
        "created": created,
        "signed_in_at": row.signed_in_at,
        "message": signin_outcome_text(row, created),
    }


@router.post("/{int:event_id}/signout", response={200: SignoutOut, 422: SigninErrorOut})
def signout(request: HttpRequest, event_id: IdParam, payload: SigninTokenIn) -> Any:
    event = selectors.event_get(request.user, event_id)
    try:
        row, changed = attendance_signout(actor=request.user, event=event, token=payload.token)
    except SigninError as error:
        return refused(error)
    return {
        "status": row.status,
        # The choice's label directly: get_status_display() builds the choices' dict each call.
        "status_label": str(Attendance.Status(row.status).label),
        "changed": changed,
        "signed_out_at": row.signed_out_at,
        "message": signout_outcome_text(row, changed),
    }


@router.get("/{int:event_id}/qr", response=QrOut)
def current_qr(request: HttpRequest, event_id: IdParam) -> dict[str, Any]:
    """What the projector shows now: the code, its sign-in URL, seconds left, and the count."""
    event = selectors.event_managed(request.user, event_id)
    rules = event_settings_for(event.org)
    now = time.time()
    token = signin_token(event, rules, now=now)
    return {
        "token": token,
        "url": selectors.signin_code_url(request, event.pk, token),
        "seconds_left": max(0, int(token_seconds_left(token, rules, now=now))),
        "rotate_seconds": rules.qr_rotate_seconds,
        "signed_in": selectors.signed_in_count(event),
        "expected": selectors.expected_count(event),
    }


@router.post("/{int:event_id}/close", response=EventOut)
def close_event(request: HttpRequest, event_id: IdParam) -> Event:
    """Close the event and credit the attended hours to the ledger."""
    event = selectors.event_managed(request.user, event_id)
    event_close(actor=request.user, event=event)
    return selectors.event_get(request.user, event_id)


@router.post("/{int:event_id}/reopen", response=EventOut)
def reopen_event(request: HttpRequest, event_id: IdParam, payload: ReasonIn) -> Event:
    """Reopen a closed event; its credits are reversed with reversing entries."""
    event = selectors.event_managed(request.user, event_id)
    event_reopen(actor=request.user, event=event, reason=payload.reason)
    return selectors.event_get(request.user, event_id)


# -- leave ---------------------------------------------------------------------------------------


@router.post("/{int:event_id}/leave", response={201: LeaveOut})
def ask_leave(request: HttpRequest, event_id: IdParam, payload: ReasonIn) -> Status[LeaveRequest]:
    event = selectors.event_get(request.user, event_id)
    leave = leave_request(actor=request.user, event=event, reason=payload.reason)
    return Status(201, selectors.leave_get(request.user, leave.pk))


@router.get("/leave", response=list[LeaveOut])
@paginate(Paged)
def list_leave(
    request: HttpRequest, state: str = "", mine: bool = False, to_decide: bool = False
) -> QuerySet[LeaveRequest]:
    """Leave requests the caller may see, newest first. `mine`: the caller's own; `to_decide`:
    pending ones the caller may decide."""
    if state and state not in LeaveRequest.State.values:
        raise query_error(
            "state",
            _("Unknown value; use one of: %(choices)s.")
            % {"choices": ", ".join(LeaveRequest.State.values)},
        )
    actor = request.user
    if to_decide:
        found = selectors.leaves_to_decide(actor)
    elif mine:
        found = selectors.leaves_mine(actor).select_related("member")
    else:
        found = selectors.leaves_visible(actor)
    if state:
        found = found.filter(state=state)
    return found.order_by("-created_at", "-id") if not to_decide else found


@router.post("/leave/{int:leave_id}/decide", response=LeaveOut)
def decide_leave(request: HttpRequest, leave_id: IdParam, payload: DecideIn) -> LeaveRequest:
    leave = selectors.leave_get(request.user, leave_id)
    leave_decide(actor=request.user, leave=leave, approve=payload.approve, note=payload.note)
    return selectors.leave_get(request.user, leave_id)


@router.post("/leave/{int:leave_id}/cancel", response=LeaveOut)
def cancel_leave(request: HttpRequest, leave_id: IdParam) -> LeaveRequest:
    leave = selectors.leave_get(request.user, leave_id)
    leave_cancel(actor=request.user, leave=leave)
    return selectors.leave_get(request.user, leave_id)

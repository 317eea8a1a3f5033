"""Leave (请假): a member asks to miss an event; the organiser or the member's secretary decides.

- A member asks for an event they are expected at, before it ends, with a reason; one live
  (pending or approved) request per member and event.
- Those who manage the event's organiser, or the member's own branch (its secretary), decide.
  Rejecting needs a note the member reads. Approving marks the member "on leave" (method manual)
  unless they have already signed in, which is refused: their attendance is then a fact.
- The member may cancel while the request is pending.
- The member is notified of the decision; the app owning the event is told
  (`registry.attendance_changed`), e.g. to recompute the 1/7 leave limit of a full-time class.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.accounts.models import User
from peixun.core.audit import audit_record, snapshot
from peixun.core.notifications import notification_send
from peixun.core.scoping import Actor, actor_id, can_manage_org

from .. import registry
from ..models import SIGNED_IN, Attendance, Event, LeaveRequest
from .events import require_open

LEAVE_AUDIT = ["event_id", "member_id", "reason", "state", "decision_note"]


def _member_of(actor: Actor) -> int:
    member_id = getattr(actor, "member_id", None)
    if not getattr(actor, "is_authenticated", False) or not member_id:
        raise PermissionDenied(_("Only a Party member may ask for leave."))
    return int(member_id)


def can_decide_leave(actor: Actor, leave: LeaveRequest) -> bool:
    """The event's organiser, or whoever manages the member's branch (its secretary)."""
    if leave.member_id == getattr(actor, "member_id", None):
        return False  # nobody approves their own leave
    return can_manage_org(actor, leave.event.org) or can_manage_org(actor, leave.member.org)


@transaction.atomic
def leave_request(*, actor: Actor, event: Event, reason: str) -> LeaveRequest:
    member_id = _member_of(actor)
    require_open(event)
    if event.ends_at <= timezone.now():
        raise ValidationError({"event": _("The event is over; leave can no longer be asked.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for your leave.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("At most 300 characters.")})
    if not registry.expected_member_ids(event).filter(pk=member_id).exists():
        raise ValidationError({"event": _("You are not on the list of this event.")})
    row = Attendance.objects.filter(event=event, member_id=member_id).first()
    if row is not None and row.status in SIGNED_IN:
        raise ValidationError({"event": _("You have already signed in to this event.")})
    live = LeaveRequest.objects.filter(
        event=event,
        member_id=member_id,
        state__in=[LeaveRequest.State.PENDING, LeaveRequest.State.APPROVED],
    ).first()
    if live is not None:
        raise ValidationError(
            {
                "event": _("You have already asked for leave from this event (%(state)s).")
                % {"state": live.get_state_display()}
            }
        )
    try:
        with transaction.atomic():
            leave = LeaveRequest.objects.create(event=event, member_id=member_id, reason=reason)
    except IntegrityError:
        # A double submit raced past the check above.
        raise ValidationError(
            {"event": _("You have already asked for leave from this event.")}
        ) from None
    audit_record(
        actor=actor,
        verb="leave.request",
        obj=leave,
        org=event.org,
        after=snapshot(leave, LEAVE_AUDIT),
    )
    return leave


def _locked(leave: LeaveRequest) -> LeaveRequest:
    return (
        LeaveRequest.objects.select_for_update(of=("self",))
        .select_related("event__org", "member__org")
        .get(pk=leave.pk)
    )


@transaction.atomic
def leave_decide(
    *, actor: Actor, leave: LeaveRequest, approve: bool, note: str = ""
) -> LeaveRequest:
    leave = _locked(leave)
    if not can_decide_leave(actor, leave):
        raise PermissionDenied(_("You may not decide on this leave request."))
    event = Event.objects.select_for_update().get(pk=leave.event_id)
    leave.event = event
    require_open(event)
    if leave.state != LeaveRequest.State.PENDING:
        raise ValidationError(
            {
                "leave": _("This request is already %(state)s.")
                % {"state": leave.get_state_display()}
            }
        )
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": _("At most 300 characters.")})
    if not approve and not note:
        raise ValidationError({"note": _("Say why the leave is refused; the member reads it.")})
    before = snapshot(leave, LEAVE_AUDIT)
    if approve:
        _mark_on_leave(actor, leave)
    leave.state = LeaveRequest.State.APPROVED if approve else LeaveRequest.State.REJECTED
    leave.decision_note = note
    leave.decided_by_id = actor_id(actor)
    leave.decided_at = timezone.now()
    leave.save(update_fields=["state", "decision_note", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        verb="leave.approve" if approve else "leave.reject",
        obj=leave,
        org=event.org,
        before=before,
        after=snapshot(leave, LEAVE_AUDIT),
    )
    registry.attendance_changed(event)
    _notify(actor, leave, approve)
    return leave


def _mark_on_leave(actor: Actor, leave: LeaveRequest) -> None:
    row = (
        Attendance.objects.select_for_update()
        .filter(event_id=leave.event_id, member_id=leave.member_id)
        .first()
    )
    if row is not None and row.status in SIGNED_IN:
        raise ValidationError(
            {
                "leave": _(
                    "%(name)s has already signed in (%(status)s); change the attendance instead."
                )
                % {"name": leave.member.name, "status": row.get_status_display()}
            }
        )
    user_id = actor_id(actor)
    note = _("Leave: %(reason)s") % {"reason": leave.reason}
    if row is None:
        row = Attendance.objects.create(
            event_id=leave.event_id,
            member_id=leave.member_id,
            status=Attendance.Status.LEAVE,
            method=Attendance.Method.MANUAL,
            note=note[:200],
            marked_by_id=user_id,
        )
        before = None
    else:
        before = {"status": row.status, "method": row.method, "note": row.note}
        row.status = Attendance.Status.LEAVE
        row.method = Attendance.Method.MANUAL
        row.note = note[:200]
        row.marked_by_id = user_id
        row.signed_in_at = row.signed_out_at = None
        row.save()
    audit_record(
        actor=actor,
        verb="attendance.mark",
        obj=row,
        org=leave.event.org,
        before=before,
        after={"status": row.status, "method": row.method, "note": row.note},
    )


def _notify(actor: Actor, leave: LeaveRequest, approved: bool) -> None:
    recipients = list(User.objects.filter(member_id=leave.member_id, is_active=True))
    if not recipients:
        return
    when = timezone.localtime(leave.event.starts_at).strftime("%Y-%m-%d %H:%M")
    if approved:
        title = _("Leave approved: %(event)s") % {"event": leave.event.title}
    else:
        title = _("Leave refused: %(event)s") % {"event": leave.event.title}
    body = _("%(event)s, %(when)s.") % {"event": leave.event.title, "when": when}
    if leave.decision_note:
        body += " " + _("Note: %(note)s") % {"note": leave.decision_note}
    notification_send(
        actor=actor,
        recipients=recipients,
        title=title,
        body=body,
        url=reverse("events:leave_mine"),
        dedupe_key=f"leave:{leave.pk}",
        event_date=leave.event.starts_at,
    )


@transaction.atomic
def leave_cancel(*, actor: Actor, leave: LeaveRequest) -> LeaveRequest:
    leave = _locked(leave)
    if leave.member_id != getattr(actor, "member_id", None):
        raise PermissionDenied(_("Only the member who asked may cancel the request."))
    if leave.state != LeaveRequest.State.PENDING:
        raise ValidationError(
            {
                "leave": _("Only a pending request can be cancelled; this one is %(state)s.")
                % {"state": leave.get_state_display()}
            }
        )
    before = snapshot(leave, LEAVE_AUDIT)
    leave.state = LeaveRequest.State.CANCELLED
    leave.save(update_fields=["state"])
    audit_record(
        actor=actor,
        verb="leave.cancel",
        obj=leave,
        org=leave.event.org,
        before=before,
        after=snapshot(leave, LEAVE_AUDIT),
    )
    return leave

"""Make-up (补训): trainees absent or on leave at a session that has ended owe it; the organiser
assigns them a later session of another open class they run (a 补训 class, or the next run of
the class: a session of the member's own class expects them anyway and makes nothing up), which
makes them expected there (`selectors.session_expected_member_ids`), or waives it with a reason. Attending
the assigned session credits them when that session's event is closed, and the make-up is done.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.accounts.models import User
from peixun.core.audit import audit_record, snapshot
from peixun.core.notifications import notification_send
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id, can_manage_org
from peixun.events.models import Attendance, Event
from peixun.members.models import Member

from ..models import Enrolment, MakeUp, Session, TrainingClass
from ..selectors.makeup import ATTENDED

MAKEUP_AUDIT = ["member", "missed_event", "assigned_event", "state", "note"]


def _missed_session(actor: Actor, missed_event: Event) -> Session:
    session = (
        Session.objects.filter(event=missed_event)
        .select_related("training_class__org", "event")
        .first()
    )
    if session is None:
        raise ValidationError({"missed_event": _("That is not a session of a class.")})
    require_manage(actor, session.training_class.org)
    return session


def _check_missed(session: Session, member: Member, existing: MakeUp | None) -> None:
    if session.event.ends_at > timezone.now():
        raise ValidationError({"missed_event": _("That session has not ended yet.")})
    trainee = (
        Enrolment.objects.accepted()
        .filter(training_class_id=session.training_class_id, member=member)
        .exists()
    )
    if not trainee and existing is None:
        raise ValidationError(
            {"member": _("%(name)s is not a trainee of this class.") % {"name": member.name}}
        )
    status = (
        Attendance.objects.filter(event_id=session.event_id, member=member)
        .values_list("status", flat=True)
        .first()
    )
    if status in ATTENDED:
        raise ValidationError(
            {
                "member": _("%(name)s attended that session; there is nothing to make up.")
                % {"name": member.name}
            }
        )
    if existing is not None and existing.state == MakeUp.State.DONE:
        raise ValidationError(
            {"member": _("%(name)s has already made that session up.") % {"name": member.name}}
        )


def _check_target(actor: Actor, missed: Session, member: Member, assigned_event: Event) -> Session:
    target = (
        Session.objects.filter(event=assigned_event)
        .select_related("training_class__org", "event")
        .first()
    )
    if target is None:
        raise ValidationError({"assigned_event": _("Choose a session of a class.")})
    tc = target.training_class
    if not can_manage_org(actor, tc.org):
        raise ValidationError({"assigned_event": _("Choose a session of a class you organise.")})
    if tc.state != TrainingClass.State.PUBLISHED:
        raise ValidationError(
            {"assigned_event": _("The class of that session is not open (published).")}
        )
    if target.event.state == Event.State.CLOSED:
        raise ValidationError({"assigned_event": _("That session is closed.")})
    if target.event.starts_at <= missed.event.starts_at:
        raise ValidationError(
            {"assigned_event": _("The make-up session must start after the missed one.")}
        )
    if Enrolment.objects.accepted().filter(training_class=tc, member=member).exists():
        raise ValidationError(
            {
                "assigned_event": _(
                    "%(name)s is a trainee of that class and expected at the session anyway; "
                    "choose a session of another class."
                )
                % {"name": member.name}
            }
        )
    if not member.org.path.startswith(tc.org.path):
        raise ValidationError(
            {
                "assigned_event": _(
                    "%(name)s's branch is outside %(org)s, the organiser of that session, which "
                    "could not credit the hours."
                )
                % {"name": member.name, "org": tc.org.name}
            }
        )
    twice = (
        MakeUp.objects.filter(member=member, assigned_event=assigned_event)
        .exclude(missed_event_id=missed.event_id)
        .exclude(state=MakeUp.State.WAIVED)
        .exists()
    )
    if twice:
        raise ValidationError(
            {
                "assigned_event": _(
                    "%(name)s already makes up another session there; one session credits once."
                )
                % {"name": member.name}
            }
        )
    return target


@transaction.atomic
def makeup_assign(
    *, actor: Actor, member: Member, missed_event: Event, assigned_event: Event, note: str = ""
) -> MakeUp:
    """Assign a member who missed `missed_event` to make it up at `assigned_event`."""
    missed = _missed_session(actor, missed_event)
    existing = (
        MakeUp.objects.select_for_update().filter(member=member, missed_event=missed_event).first()
    )
    _check_missed(missed, member, existing)
    target = _check_target(actor, missed, member, assigned_event)
    makeup = existing or MakeUp(member=member, missed_event=missed_event)
    before = snapshot(makeup, MAKEUP_AUDIT) if existing is not None else None
    makeup.assigned_event = assigned_event
    makeup.state = MakeUp.State.ASSIGNED
    makeup.note = (note or "").strip()[:300]
    makeup.assigned_by_id = actor_id(actor)
    makeup.save()
    audit_record(
        actor=actor,
        verb="makeup.assign",
        obj=makeup,
        org=missed.training_class.org,
        before=before,
        after=snapshot(makeup, MAKEUP_AUDIT),
    )
    _notify_member(actor, member, missed, target)
    return makeup


def _notify_member(actor: Actor, member: Member, missed: Session, target: Session) -> None:
    users = list(User.objects.filter(member=member, is_active=True))
    if not users:
        return
    starts = timezone.localtime(target.event.starts_at)
    figures = {
        "missed": missed.event.title,
        "class": target.training_class.title,
        "session": target.event.title,
        "when": starts.strftime("%Y-%m-%d %H:%M"),
        "place": target.event.place or "—",
    }
    notification_send(
        actor=actor,
        recipients=users,
        title=_("Make-up assigned: %(session)s") % figures,
        body=_(
            "You missed %(missed)s. Please make it up at %(session)s of %(class)s, %(when)s, "
            "%(place)s; attending it credits you the hours."
        )
        % figures,
        url=reverse("training:mine"),
        dedupe_key=f"makeup:{member.pk}:{missed.event_id}:{target.event_id}",
        event_date=target.event.starts_at,
    )


@transaction.atomic
def makeup_waive(*, actor: Actor, member: Member, missed_event: Event, reason: str) -> MakeUp:
    """The organiser decides the missed session needs no make-up (a reason is kept)."""
    missed = _missed_session(actor, missed_event)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for waiving the make-up.")})
    if len(reason) > 300:
        raise ValidationError({"reason": _("At most 300 characters.")})
    existing = (
        MakeUp.objects.select_for_update().filter(member=member, missed_event=missed_event).first()
    )
    _check_missed(missed, member, existing)
    makeup = existing or MakeUp(member=member, missed_event=missed_event)
    before = snapshot(makeup, MAKEUP_AUDIT) if existing is not None else None
    makeup.state = MakeUp.State.WAIVED
    makeup.note = reason
    makeup.save()
    audit_record(
        actor=actor,
        verb="makeup.waive",
        obj=makeup,
        org=missed.training_class.org,
        before=before,
        after=snapshot(makeup, MAKEUP_AUDIT),
    )
    return makeup


def makeups_settle(event_ids: list[int]) -> int:
    """Once the events are closed: assigned make-ups whose member attended become done."""
    attended = Attendance.objects.filter(
        event_id=OuterRef("assigned_event_id"),
        member_id=OuterRef("member_id"),
        status__in=ATTENDED,
    )
    return (
        MakeUp.objects.filter(assigned_event_id__in=event_ids, state=MakeUp.State.ASSIGNED)
        .filter(Exists(attended))
        .update(state=MakeUp.State.DONE)
    )


def makeups_unsettle(event_ids: list[int]) -> int:
    """When the events are reopened (their credits reversed): done make-ups are assigned again."""
    return MakeUp.objects.filter(assigned_event_id__in=event_ids, state=MakeUp.State.DONE).update(
        state=MakeUp.State.ASSIGNED
    )

"""我的培训: a member's own classes, upcoming sessions, make-ups and certificates; and the open
classes whose audience fits a member (the member-behind suggestions of the warnings job)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone

from peixun.events.models import Attendance, LeaveRequest
from peixun.hours.models import CreditEntry
from peixun.members.models import Member
from peixun.orgs.models import Organization, Position

from ..models import Enrolment, MakeUp, Session, TrainingClass
from .audience import audience_reasons

MISSED = (Attendance.Status.ABSENT, Attendance.Status.LEAVE)
UPCOMING_LIMIT = 20


@dataclass
class UpcomingSession:
    session: Session
    makeup: bool  # expected here to make up a missed session
    status: str | None
    leave: LeaveRequest | None

    @property
    def status_label(self) -> str:
        return str(Attendance.Status(self.status).label) if self.status else ""


@dataclass
class PastClass:
    training_class: TrainingClass
    hours: Decimal

    @property
    def has_certificate(self) -> bool:
        return self.hours > 0


@dataclass
class MyMakeUp:
    missed: Session
    status: str | None
    state: str
    assigned: Session | None


@dataclass
class MyTraining:
    member: Member
    upcoming: list[UpcomingSession] = field(default_factory=list)
    current: list[Enrolment] = field(default_factory=list)
    past: list[PastClass] = field(default_factory=list)
    makeups: list[MyMakeUp] = field(default_factory=list)
    open_classes: list[TrainingClass] = field(default_factory=list)


def my_training(member: Member, *, now: dt.datetime | None = None) -> MyTraining:
    """Everything 我的培训 shows, in a constant number of queries."""
    now = now or timezone.now()
    result = MyTraining(member=member)
    enrolments = list(
        Enrolment.objects.active()
        .filter(member=member)
        .select_related("training_class__org")
        .order_by("training_class__starts_on", "pk")
    )
    accepted = {e.training_class_id for e in enrolments if e.state == Enrolment.State.ACCEPTED}
    result.current = [
        e
        for e in enrolments
        if e.training_class.state in (TrainingClass.State.DRAFT, TrainingClass.State.PUBLISHED)
    ]
    makeups = list(MakeUp.objects.filter(member=member))
    live_makeups = [
        m for m in makeups if m.state == MakeUp.State.ASSIGNED and m.assigned_event_id is not None
    ]
    assigned_ids = {m.assigned_event_id for m in live_makeups}
    sessions = list(
        Session.objects.filter(
            Q(training_class_id__in=accepted)
            | Q(event_id__in=assigned_ids)
            | Q(event_id__in=[m.missed_event_id for m in makeups])
        )
        .select_related("event", "training_class__org")
        .order_by("event__starts_at", "id")
    )
    by_event = {s.event_id: s for s in sessions}
    statuses = dict(
        Attendance.objects.filter(member=member, event_id__in=list(by_event)).values_list(
            "event_id", "status"
        )
    )
    leaves = {
        leave.event_id: leave
        for leave in LeaveRequest.objects.filter(
            member=member,
            event_id__in=list(by_event),
            state__in=[LeaveRequest.State.PENDING, LeaveRequest.State.APPROVED],
        )
    }

    for session in sessions:
        event = session.event
        running = session.training_class.state == TrainingClass.State.PUBLISHED
        mine = session.training_class_id in accepted or event.pk in assigned_ids
        if running and mine and event.ends_at > now and event.state == event.State.OPEN:
            result.upcoming.append(
                UpcomingSession(
                    session=session,
                    makeup=session.training_class_id not in accepted,
                    status=statuses.get(event.pk),
                    leave=leaves.get(event.pk),
                )
            )
    result.upcoming = result.upcoming[:UPCOMING_LIMIT]

    by_missed = {m.missed_event_id: m for m in makeups}
    for session in sessions:
        event = session.event
        row = by_missed.get(event.pk)
        status = statuses.get(event.pk)
        if row is None:
            owed = (
                session.training_class_id in accepted
                and event.ends_at <= now
                and session.training_class.state != TrainingClass.State.CANCELLED
                and (status is None or status in MISSED)
            )
            if owed:
                result.makeups.append(MyMakeUp(session, status, MakeUp.State.OPEN, None))
        elif row.state in (MakeUp.State.OPEN, MakeUp.State.ASSIGNED):
            assigned = by_event.get(row.assigned_event_id) if row.assigned_event_id else None
            result.makeups.append(MyMakeUp(session, status, row.state, assigned))

    closed = {
        e.training_class_id: e.training_class
        for e in enrolments
        if e.state == Enrolment.State.ACCEPTED
        and e.training_class.state == TrainingClass.State.CLOSED
    }
    class_of_ref = {
        f"event:{s.event_id}": s.training_class_id
        for s in sessions
        if s.training_class_id in closed
    }
    hours: dict[int, Decimal] = defaultdict(Decimal)
    for reference, total in (
        CreditEntry.objects.filter(
            member=member,
            reference__in=list(class_of_ref),
            state=CreditEntry.State.CONFIRMED,
        )
        .values("reference")
        .annotate(total=Sum("hours"))
        .values_list("reference", "total")
        .order_by()
    ):
        hours[class_of_ref[reference]] += total or Decimal(0)
    result.past = sorted(
        (PastClass(tc, hours.get(pk, Decimal(0))) for pk, tc in closed.items()),
        key=lambda p: (p.training_class.starts_on, p.training_class.pk),
        reverse=True,
    )
    result.open_classes = classes_open_for_member(member, timezone.localdate(), limit=5)
    return result


def _roles(member: Member, on: dt.date) -> set[str]:
    return set(Position.objects.current(on).filter(member=member).values_list("role", flat=True))


def classes_open_for_member(
    member: Member | int, as_of: dt.date, *, limit: int = 3
) -> list[TrainingClass]:
    """Published classes starting after `as_of` whose audience fits the member and that the
    member holds no place in yet, soonest first."""
    if isinstance(member, Member):
        found: Member | None = member
    else:
        found = Member.objects.select_related("org").filter(pk=member).first()
    if found is None:
        return []
    member = found
    step = Organization.steplen
    above = [member.org.path[:end] for end in range(step, len(member.org.path) + 1, step)]
    candidates: Any = (
        TrainingClass.objects.filter(
            state=TrainingClass.State.PUBLISHED,
            starts_on__gt=as_of,
            audience_org__path__in=above,
        )
        .exclude(pk__in=Enrolment.objects.active().filter(member=member).values("training_class"))
        .select_related("org", "audience_org")
        .order_by("starts_on", "pk")[:50]
    )
    roles = _roles(member, as_of)
    fitting: list[TrainingClass] = []
    for training_class in candidates:
        if not audience_reasons(training_class, member, roles):
            fitting.append(training_class)
            if len(fitting) == limit:
                break
    return fitting

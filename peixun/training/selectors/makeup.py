"""Reads of make-up (补训): who owes which session, and which later sessions an organiser may
assign them to. The writes are in `services.makeup`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor
from peixun.events.models import Attendance, Event
from peixun.members.models import Member

from ..models import Enrolment, MakeUp, Session, TrainingClass

ATTENDED = (Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.LEFT_EARLY)
MISSED = (Attendance.Status.ABSENT, Attendance.Status.LEAVE)


@dataclass
class MakeUpRow:
    """One missed session of one member: the attendance status (None: nothing recorded) and
    the make-up row, if the organiser has acted on it."""

    member: Member
    session: Session
    status: str | None
    makeup: MakeUp | None

    @property
    def state(self) -> str:
        return self.makeup.state if self.makeup is not None else MakeUp.State.OPEN

    @property
    def is_settled(self) -> bool:
        return self.state in (MakeUp.State.DONE, MakeUp.State.WAIVED)

    @property
    def status_label(self) -> str:
        if self.status is None:
            return _("Not recorded")
        return str(Attendance.Status(self.status).label)


def makeup_rows(
    training_class: TrainingClass, *, now: dt.datetime | None = None
) -> list[MakeUpRow]:
    """The make-up list of a class: each accepted trainee absent (or with nothing recorded) or on
    leave at a session that has ended, and every make-up row of the class's sessions (kept even
    when the attendance was corrected since). In session then name order; constant queries."""
    now = now or timezone.now()
    sessions = list(
        Session.objects.filter(training_class=training_class)
        .select_related("event")
        .order_by("event__starts_at", "id")
    )
    by_event = {s.event_id: s for s in sessions}
    ended = [s for s in sessions if s.event.ends_at <= now]
    trainees = list(
        Member.objects.filter(
            pk__in=Enrolment.objects.accepted()
            .filter(training_class=training_class)
            .values("member_id")
        )
        .select_related("org")
        .order_by("name", "pk")
    )
    statuses = dict(
        ((event_id, member_id), status)
        for event_id, member_id, status in Attendance.objects.filter(
            event_id__in=list(by_event)
        ).values_list("event_id", "member_id", "status")
    )
    makeups = {
        (m.missed_event_id, m.member_id): m
        for m in MakeUp.objects.filter(missed_event_id__in=list(by_event)).select_related(
            "member__org", "assigned_event"
        )
    }
    rows: list[MakeUpRow] = []
    seen: set[tuple[int, int]] = set()
    for session in ended:
        for member in trainees:
            key = (session.event_id, member.pk)
            status = statuses.get(key)
            if status is None or status in MISSED:
                rows.append(MakeUpRow(member, session, status, makeups.get(key)))
                seen.add(key)
    for key, makeup in makeups.items():
        if key not in seen:
            rows.append(MakeUpRow(makeup.member, by_event[key[0]], statuses.get(key), makeup))
    rows.sort(key=lambda r: (r.session.event.starts_at, r.session.pk, r.member.name, r.member.pk))
    return rows


def makeup_candidates(actor: Actor, *, after: dt.datetime) -> QuerySet[Session]:
    """Sessions a make-up may be assigned to: of published classes the actor runs, starting
    after `after`, not closed; in time order."""
    classes = TrainingClass.objects.manageable_by(actor).filter(state=TrainingClass.State.PUBLISHED)
    return (
        Session.objects.filter(
            training_class__in=classes.values("pk"),
            event__starts_at__gt=after,
            event__state=Event.State.OPEN,
        )
        .select_related("event", "training_class__org")
        .order_by("event__starts_at", "id")
    )


def trainee_classes(member_ids: list[int]) -> dict[int, set[int]]:
    """member id → the classes they are an accepted trainee of (one query)."""
    out: dict[int, set[int]] = {}
    for member_id, class_id in (
        Enrolment.objects.accepted()
        .filter(member_id__in=member_ids)
        .values_list("member_id", "training_class_id")
    ):
        out.setdefault(member_id, set()).add(class_id)
    return out


def fits_candidate(
    session: Session,
    member: Member,
    missed: Event,
    trainee_of: set[int] | frozenset[int] = frozenset(),
) -> bool:
    """A candidate session suits this member's make-up: later than the missed one, of a class
    the member is not a trainee of (they are expected there anyway: attending it makes nothing
    up), run by an organiser whose subtree holds the member (so that closing it can credit them)."""
    return (
        session.event.starts_at > missed.starts_at
        and session.training_class_id not in trainee_of
        and member.org.path.startswith(session.training_class.org.path)
    )

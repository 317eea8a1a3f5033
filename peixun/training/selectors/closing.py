"""Reads of the closing slice: who is expected at each session and who is still unmarked, the
attendance grid of a class, the hours its sessions credited and what a certificate states.
Constant queries whatever the number of members and sessions."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, can_read_org, scope_of
from peixun.events.models import Attendance, Event, EventSettings, LeaveRequest
from peixun.events.services import credited_status
from peixun.hours.models import CreditEntry
from peixun.hours.registry import ArchiveLine
from peixun.members.models import Member
from peixun.orgs.selectors import tenant_of

from ..logic import over_leave_limit
from ..models import Enrolment, MakeUp, Session, TrainingClass
from .classes import class_sessions, training_settings_of

SHARE_PLACES = Decimal("0.0001")


def expected_by_event(training_class: TrainingClass, event_ids: list[int]) -> dict[int, set[int]]:
    """event id → members expected there: the class's accepted trainees, and those assigned to
    make up a missed session at it (as `selectors.session_expected_member_ids`, for many
    sessions in two queries)."""
    trainees = set(
        Enrolment.objects.accepted()
        .filter(training_class=training_class)
        .values_list("member_id", flat=True)
    )
    expected: dict[int, set[int]] = {event_id: set(trainees) for event_id in event_ids}
    makeups = (
        MakeUp.objects.filter(assigned_event_id__in=event_ids)
        .exclude(state=MakeUp.State.WAIVED)
        .values_list("assigned_event_id", "member_id")
    )
    for event_id, member_id in makeups:
        if event_id is not None:
            expected[event_id].add(member_id)
    return expected


def unmarked_by_event(training_class: TrainingClass, sessions: list[Session]) -> dict[int, int]:
    """event id → how many expected members have no attendance row, for the sessions given."""
    event_ids = [s.event_id for s in sessions]
    expected = expected_by_event(training_class, event_ids)
    marked: dict[int, set[int]] = defaultdict(set)
    for event_id, member_id in Attendance.objects.filter(event_id__in=event_ids).values_list(
        "event_id", "member_id"
    ):
        marked[event_id].add(member_id)
    return {
        event_id: len(members - marked[event_id])
        for event_id, members in expected.items()
        if members - marked[event_id]
    }


@dataclass
class GridCell:
    status: str | None  # None: nothing recorded
    expected: bool  # the member is expected at this session
    ended: bool


@dataclass
class GridRow:
    member: Member
    kind: str  # "trainee" | "makeup" (expected only where assigned) | "other" (e.g. withdrawn)
    cells: list[GridCell]
    earned: Decimal = Decimal(0)  # hours the recorded attendance will credit at closing
    leave: Decimal = Decimal(0)
    leave_share: Decimal | None = None  # of the class's hours, 0..1
    over_limit: bool = False  # leave above 1/N of a full-time class (live figure)
    flagged: bool = False  # the stored flag on the enrolment


@dataclass
class AttendanceGrid:
    training_class: TrainingClass
    sessions: list[Session]
    ended: list[bool]
    total_hours: Decimal
    denominator: int
    rows: list[GridRow] = field(default_factory=list)

    @property
    def flagged(self) -> list[GridRow]:
        return [r for r in self.rows if r.flagged or r.over_limit]


def settings_read(org: object) -> EventSettings:
    """The tenant's attendance settings, or the defaults (unsaved): reads never write."""
    tenant = tenant_of(org)  # type: ignore[arg-type]
    return EventSettings.objects.filter(tenant=tenant).first() or EventSettings(tenant=tenant)


def attendance_grid(
    training_class: TrainingClass, *, now: dt.datetime | None = None
) -> AttendanceGrid:
    """Members × sessions with each attendance status, the hours each member's attendance will
    credit, their leave and its share of the class's hours."""
    now = now or timezone.now()
    sessions = list(class_sessions(training_class))
    event_ids = [s.event_id for s in sessions]
    total = sum((s.event.hours for s in sessions), Decimal(0))
    denominator = training_settings_of(training_class.org).leave_limit_denominator
    rules = settings_read(training_class.org)

    enrolments = {
        e.member_id: e for e in Enrolment.objects.accepted().filter(training_class=training_class)
    }
    makeup_at: dict[int, set[int]] = {}
    for member_id, event_id in (
        MakeUp.objects.filter(assigned_event_id__in=event_ids)
        .exclude(state=MakeUp.State.WAIVED)
        .values_list("member_id", "assigned_event_id")
    ):
        makeup_at.setdefault(member_id, set()).add(event_id)
    statuses: dict[tuple[int, int], str] = {}
    credited_as: dict[tuple[int, int], str] = {}
    by_event = {s.event_id: s.event for s in sessions}
    for event_id, member_id, status, method, signed_out_at in Attendance.objects.filter(
        event_id__in=event_ids
    ).values_list("event_id", "member_id", "status", "method", "signed_out_at"):
        statuses[(event_id, member_id)] = status
        # As the close will credit it: a QR sign-in never signed out counts as leaving early.
        credited_as[(event_id, member_id)] = credited_status(
            by_event[event_id], status, method, signed_out_at
        )
    member_ids = set(enrolments) | set(makeup_at) | {m for _e, m in statuses}
    members = Member.objects.filter(pk__in=member_ids).select_related("org").order_by("name", "pk")

    grid = AttendanceGrid(
        training_class=training_class,
        sessions=sessions,
        ended=[s.event.ends_at <= now for s in sessions],
        total_hours=total,
        denominator=denominator,
    )
    order = {"trainee": 0, "makeup": 1, "other": 2}
    for member in members:
        enrolment = enrolments.get(member.pk)
        kind = (
            "trainee" if enrolment is not None else "makeup" if member.pk in makeup_at else "other"
        )
        row = GridRow(member=member, kind=kind, cells=[])
        for session, ended in zip(sessions, grid.ended, strict=True):
            found = statuses.get((session.event_id, member.pk))
            expected = kind == "trainee" or session.event_id in makeup_at.get(member.pk, set())
            row.cells.append(GridCell(status=found, expected=expected, ended=ended))
            if found is not None:
                if expected:
                    # Only the members expected at a session are credited when it closes.
                    row.earned += rules.credit_for(
                        credited_as[(session.event_id, member.pk)], session.event.hours
                    )
                if found == Attendance.Status.LEAVE:
                    row.leave += session.event.hours
        if total:
            row.leave_share = (row.leave / total).quantize(SHARE_PLACES)
        row.over_limit = (
            kind == "trainee"
            and training_class.full_time
            and over_leave_limit(row.leave, total, denominator)
        )
        row.flagged = bool(enrolment is not None and enrolment.flagged_for_withdrawal)
        grid.rows.append(row)
    grid.rows.sort(key=lambda r: order[r.kind])
    return grid


def session_refs(training_class: TrainingClass) -> list[str]:
    return [
        f"event:{event_id}"
        for event_id in Session.objects.filter(training_class=training_class).values_list(
            "event_id", flat=True
        )
    ]


def class_credits(
    training_class: TrainingClass, member_id: int | None = None
) -> dict[int, Decimal]:
    """member id → hours standing in the ledger from the class's sessions (credits less their
    reversals); members left with nothing are left out."""
    entries = CreditEntry.objects.filter(
        reference__in=session_refs(training_class), state=CreditEntry.State.CONFIRMED
    )
    if member_id is not None:
        entries = entries.filter(member_id=member_id)
    rows = (
        entries.values("member_id")
        .annotate(hours=Sum("hours"))
        .values_list("member_id", "hours")
        .order_by()
    )
    return {m: h for m, h in rows if h and h > 0}


@dataclass
class CertificateFacts:
    training_class: TrainingClass
    member: Member
    hours: Decimal
    number: str


def certificate_facts(training_class: TrainingClass, member: Member) -> CertificateFacts | None:
    """What a completion certificate states, or None when the member did not complete the
    class: it is closed, they were an accepted trainee not flagged for withdrawal (leave above
    the limit, 干部教育培训工作条例 Art. 15), and it credited them hours."""
    if training_class.state != TrainingClass.State.CLOSED:
        return None
    trainee = (
        Enrolment.objects.accepted()
        .filter(training_class=training_class, member=member, flagged_for_withdrawal=False)
        .exists()
    )
    if not trainee:
        return None
    hours = class_credits(training_class, member.pk).get(member.pk)
    if not hours:
        return None
    return CertificateFacts(
        training_class, member, hours, certificate_number(training_class, member)
    )


def class_certificates(actor: Actor, training_class: TrainingClass) -> list[CertificateFacts]:
    """The completion certificates of a closed class the actor may download, by branch then
    name: the rule of one certificate (`views.closing.certificate`): all of them for the
    organiser's readers; else those of the members of the orgs the actor manages, and the
    actor's own. Each states what `certificate_facts` would (a trainee not flagged for
    withdrawal, with hours credited); three queries in all."""
    if training_class.state != TrainingClass.State.CLOSED:
        return []
    enrolments = (
        Enrolment.objects.accepted()
        .filter(training_class=training_class, flagged_for_withdrawal=False)
        .select_related("member__org")
    )
    scope = scope_of(actor)
    if not can_read_org(actor, training_class.org):
        cond = Q(member_id=scope.member_id) if scope.member_id else Q()
        for path in scope.manage_paths:
            cond |= Q(member__org__path__startswith=path)
        enrolments = enrolments.filter(cond) if cond else enrolments.none()
    credits = class_credits(training_class)
    members = sorted(
        (e.member for e in enrolments if credits.get(e.member_id)),
        key=lambda m: (m.org.path, m.name, m.pk),
    )
    return [
        CertificateFacts(
            training_class, member, credits[member.pk], certificate_number(training_class, member)
        )
        for member in members
    ]


def certificate_number(training_class: TrainingClass, member: Member) -> str:
    return f"{training_class.starts_on.year}-{training_class.pk:05d}-{member.pk:06d}"


# -- the paper sign-in sheet ---------------------------------------------------------------------


@dataclass
class SheetSession:
    session: Session
    members: list[Member]
    # Members whose leave for this session is approved: listed, marked 请假 in 备注, not to sign.
    on_leave: frozenset[int] = frozenset()


def signin_sheets(
    training_class: TrainingClass, session: Session | None = None
) -> list[SheetSession]:
    """Each session (or the one given) with the members expected there, by branch then name."""
    sessions = [session] if session is not None else list(class_sessions(training_class))
    expected = expected_by_event(training_class, [s.event_id for s in sessions])
    members = {
        m.pk: m
        for m in Member.objects.filter(
            pk__in={pk for ids in expected.values() for pk in ids}
        ).select_related("org")
    }

    def ordered(ids: set[int]) -> list[Member]:
        return sorted((members[pk] for pk in ids), key=lambda m: (m.org.path, m.name, m.pk))

    leave: dict[int, set[int]] = {}
    for event_id, member_id in LeaveRequest.objects.filter(
        event_id__in=[s.event_id for s in sessions], state=LeaveRequest.State.APPROVED
    ).values_list("event_id", "member_id"):
        leave.setdefault(event_id, set()).add(member_id)
    return [
        SheetSession(
            s,
            ordered(expected.get(s.event_id, set())),
            frozenset(leave.get(s.event_id, set()) & expected.get(s.event_id, set())),
        )
        for s in sessions
    ]


# -- make-ups and the closing page -----------------------------------------------------------------


def missed_event_of_class(training_class: TrainingClass, event_pk: Any) -> Event | None:
    """The event of one of the class's sessions, or None."""
    sessions = Session.objects.filter(training_class=training_class)
    return Event.objects.filter(pk__in=sessions.values("event_id"), pk=event_pk).first()


def event_or_none(pk: Any) -> Event | None:
    """An event by primary key, unscoped (the make-up service checks the target), or None."""
    return Event.objects.filter(pk=pk).first()


def session_of_event(event_pk: Any) -> Session | None:
    """The class session an event is, with the event, or None."""
    return Session.objects.filter(event_id=event_pk).select_related("event").first()


def credited_members(
    training_class: TrainingClass, credits: dict[int, Decimal]
) -> list[tuple[Member, Decimal]]:
    """The members `credits` names (member id -> hours), each with their hours, by name."""
    members = Member.objects.filter(pk__in=list(credits)).select_related("org")
    return sorted(((m, credits[m.pk]) for m in members), key=lambda p: p[0].name)


def flagged_member_ids(training_class: TrainingClass) -> set[int]:
    """Members whose enrolment is flagged for withdrawal (leave above the limit)."""
    return set(
        Enrolment.objects.filter(
            training_class=training_class, flagged_for_withdrawal=True
        ).values_list("member_id", flat=True)
    )


def trainee_member_ids(training_class: TrainingClass) -> set[int]:
    """The class's accepted trainees."""
    return set(
        Enrolment.objects.accepted()
        .filter(training_class=training_class)
        .values_list("member_id", flat=True)
    )


def makeup_with_session(makeup_pk: Any) -> tuple[MakeUp, Session, str | None]:
    """A make-up fresh from the database with its member and events, the missed session and the
    member's attendance status there (what the API returns for one make-up)."""
    makeup = MakeUp.objects.select_related("member", "missed_event", "assigned_event").get(
        pk=makeup_pk
    )
    session = Session.objects.select_related("event").get(event_id=makeup.missed_event_id)
    status = (
        makeup.missed_event.attendances.filter(member_id=makeup.member_id)
        .values_list("status", flat=True)
        .first()
    )
    return makeup, session, status


def makeup_and_session(makeup_pk: Any) -> tuple[MakeUp | None, Session | None]:
    """A make-up with its member and missed event, and the missed session (None when either is
    missing); the caller checks the class is visible."""
    makeup = MakeUp.objects.select_related("member", "missed_event").filter(pk=makeup_pk).first()
    session = Session.objects.filter(event_id=makeup.missed_event_id).first() if makeup else None
    return makeup, session


def archive_classes(member_id: int, first_year: int, last_year: int) -> list[ArchiveLine]:
    """The classes a member was an accepted trainee of (or withdrawn from), starting in the years
    (the 培训档案's section, registered with hours in `apps.py`): the first day, the class, the
    hours its sessions stand at in the ledger for the member, and whether they completed it as
    `certificate_facts` judges (closed, not withdrawn, credited). Three queries."""
    enrolments = list(
        Enrolment.objects.filter(
            member_id=member_id,
            state__in=[Enrolment.State.ACCEPTED, Enrolment.State.WITHDRAWN],
            training_class__starts_on__year__gte=first_year,
            training_class__starts_on__year__lte=last_year,
        )
        .exclude(training_class__state=TrainingClass.State.CANCELLED)
        .select_related("training_class")
        .order_by("training_class__starts_on", "training_class_id")
    )
    class_of_event = dict(
        Session.objects.filter(
            training_class_id__in=[e.training_class_id for e in enrolments]
        ).values_list("event_id", "training_class_id")
    )
    hours: dict[int, Decimal] = defaultdict(Decimal)
    for reference, amount in (
        CreditEntry.objects.filter(
            member_id=member_id,
            reference__in=[f"event:{pk}" for pk in class_of_event],
            state=CreditEntry.State.CONFIRMED,
        )
        .values("reference")
        .annotate(h=Sum("hours"))
        .values_list("reference", "h")
        .order_by()
    ):
        hours[class_of_event[int(reference.split(":")[1])]] += amount or Decimal(0)
    lines = []
    for enrolment in enrolments:
        training_class = enrolment.training_class
        earned = hours.get(training_class.pk, Decimal(0))
        closed = training_class.state == TrainingClass.State.CLOSED
        done = (
            closed
            and enrolment.state == Enrolment.State.ACCEPTED
            and not enrolment.flagged_for_withdrawal
            and earned > 0
        )
        if done:
            outcome = _("Completed")
        elif enrolment.state == Enrolment.State.WITHDRAWN or enrolment.flagged_for_withdrawal:
            outcome = _("Withdrawn")
        elif closed:
            outcome = _("Not completed")
        else:
            outcome = _("Class under way")
        lines.append(
            ArchiveLine(
                on=training_class.starts_on,
                title=training_class.title,
                hours=earned if earned > 0 else None,
                outcome=outcome,
                done=done,
            )
        )
    return lines

"""The 师资库's reads: the pool search, a teacher's page, their teaching history and a signed-in
teacher's own sessions with their rosters.

A teacher's sessions are the training sessions that name them (`training.Session.pool_teacher`,
whose reverse accessor is `Teacher.sessions`). Training sits above this app, so they are read
through that relation and through `events.Event` (each session is an event of its own), never by
importing training.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404
from django.utils import timezone

from peixun.core.scoping import Actor, actor_id, get_visible_or_404, scope_of
from peixun.events.models import Attendance, Event
from peixun.members.models import Member
from peixun.orgs.models import Organization, ancestor_paths

from ..models import Subject, Teacher, TeacherSubject
from ..registry import TeacherRating, teacher_ratings


def require_pool_reader(actor: Actor) -> None:
    """The pool's pages are for staff (readers of some subtree); anyone else gets 404."""
    if not scope_of(actor).is_staff_like:
        raise Http404


def teachers_visible(actor: Actor) -> QuerySet[Teacher]:
    return Teacher.objects.visible_to(actor)


def teachers_search(
    actor: Actor,
    *,
    text: str = "",
    subject: str = "",
    title: str = "",
    keeper: int | None = None,
    active: bool | None = True,
) -> QuerySet[Teacher]:
    """The pool as a reader searches it: by name or unit, subject, title, keeper and whether
    still in the pool. A fixed number of queries whatever the page's size: the count, the rows
    (keeper and open_to joined, sessions counted by a correlated subquery, which the count
    leaves out) and their subjects (prefetched)."""
    rows = teachers_visible(actor)
    if text:
        rows = rows.filter(Q(name__icontains=text) | Q(unit__icontains=text))
    if subject:
        rows = rows.filter(
            pk__in=TeacherSubject.objects.filter(subject=subject).values("teacher_id")
        )
    if title:
        rows = rows.filter(title=title)
    if keeper:
        rows = rows.filter(org_id=keeper)
    if active is not None:
        rows = rows.filter(active=active)
    return (
        rows.select_related("org", "open_to")
        .prefetch_related(Prefetch("subjects", queryset=TeacherSubject.objects.order_by("subject")))
        .annotate(session_count=session_count())
        .order_by("name", "id")
    )


def session_count() -> Subquery:
    """The sessions naming a teacher, as a correlated subquery: computed for the rows of a page
    only, and left out of the paginator's COUNT (a join with GROUP BY would count every row)."""
    counted = Teacher.objects.filter(pk=OuterRef("pk")).annotate(n=Count("sessions")).values("n")
    return Subquery(counted, output_field=IntegerField())


def teacher_keepers(actor: Actor) -> QuerySet[Organization]:
    """The orgs keeping a teacher the actor sees: the keeper filter's choices."""
    keepers: QuerySet[Organization] = Organization.objects.filter(
        pk__in=teachers_visible(actor).values("org_id")
    ).order_by("path")
    return keepers


def keeper_candidates(actor: Actor) -> QuerySet[Organization]:
    """The open orgs whose pool the actor manages: where they may add a teacher."""
    rows: QuerySet[Organization] = (
        Organization.objects.manageable_by(actor)
        .filter(closed_on__isnull=True)
        .order_by("depth", "path")
    )
    return rows


def open_to_candidates(actor: Actor) -> QuerySet[Organization]:
    """The orgs a teacher may be opened to: any open org the actor reads, and the root of each
    tree they manage in (seed 003: a pool "面向全县党组织开放共享"); the service keeps the choice
    within the keeper's tree."""
    scope = scope_of(actor)
    roots = {path[: Organization.steplen] for path in scope.manage_paths}
    rows: QuerySet[Organization] = (
        Organization.objects.filter(
            Q(pk__in=Organization.objects.visible_to(actor).values("pk")) | Q(path__in=roots)
        )
        .filter(closed_on__isnull=True)
        .order_by("depth", "path")
    )
    return rows


def member_candidates(actor: Actor) -> QuerySet[Member]:
    """The members the actor may name as a teacher: those they read."""
    return Member.objects.visible_to(actor)


def teacher_detail(actor: Actor, pk: int) -> Teacher:
    teacher = get_visible_or_404(actor, Teacher, pk)
    found: Teacher = (
        Teacher.objects.select_related("org", "open_to", "member", "user")
        .prefetch_related(Prefetch("subjects", queryset=TeacherSubject.objects.order_by("subject")))
        .get(pk=teacher.pk)
    )
    return found


def teacher_subject_labels(teacher: Teacher) -> list[str]:
    labels = dict(Subject.choices)
    return [str(labels.get(s.subject, s.subject)) for s in teacher.subjects.all()]


@dataclass(frozen=True)
class TaughtSession:
    """One session a teacher taught (or is to teach), as the teaching history shows it."""

    event_id: int
    class_id: int
    class_title: str
    title: str
    starts_at: dt.datetime
    hours: Decimal
    topic: str
    topic_label: str
    state: str
    roster: list[dict[str, Any]] = field(default_factory=list)

    @property
    def held(self) -> bool:
        return self.starts_at <= timezone.now()


def _taught(events: QuerySet[Event]) -> list[TaughtSession]:
    rows = events.select_related("session__training_class").order_by("-starts_at", "-id")
    out: list[TaughtSession] = []
    for event in rows:
        session: Any = event.session  # training.Session (reverse one-to-one)
        out.append(
            TaughtSession(
                event_id=event.pk,
                class_id=session.training_class_id,
                class_title=session.training_class.title,
                title=event.title,
                starts_at=event.starts_at,
                hours=event.hours,
                topic=event.topic,
                topic_label=str(event.get_topic_display()),
                state=event.state,
            )
        )
    return out


def teaching_history(teacher: Teacher) -> list[TaughtSession]:
    """Every session that names the teacher, newest first: two queries in all. The reader who
    sees the teacher sees what they taught (class, date, hours, topic) wherever it was."""
    return _taught(Event.objects.filter(session__pool_teacher=teacher))


@dataclass(frozen=True)
class TeachingSummary:
    sessions: int
    held: int
    hours: Decimal


def teaching_summary(history: list[TaughtSession]) -> TeachingSummary:
    """The figures above the history: sessions named, those already held and their hours."""
    held = [s for s in history if s.held]
    return TeachingSummary(
        sessions=len(history),
        held=len(held),
        hours=sum((s.hours for s in held), Decimal(0)),
    )


def shown_ratings(teacher_ids: list[int]) -> dict[int, TeacherRating]:
    """The ratings of many teachers at once (a fixed number of queries, by the providers'
    contract); teachers never evaluated are left out."""
    return teacher_ratings(teacher_ids)


def teacher_rating(teacher: Teacher) -> TeacherRating | None:
    """The evaluation results of the teacher (resources.registry); None when nobody provides
    them or the teacher was never evaluated."""
    return teacher_ratings([teacher.pk]).get(teacher.pk)


# -- a signed-in teacher's own page --------------------------------------------------------------


def own_teacher(actor: Actor) -> Teacher | None:
    """The teacher record whose login is the actor's, if any (one query)."""
    uid = actor_id(actor)
    if uid is None:
        return None
    return (
        Teacher.objects.select_related("org")
        .prefetch_related(Prefetch("subjects", queryset=TeacherSubject.objects.order_by("subject")))
        .filter(user_id=uid)
        .first()
    )


def is_teacher(actor: Actor) -> bool:
    """Whether the actor's login belongs to a teacher: the navigation's "My teaching"."""
    uid = actor_id(actor)
    return uid is not None and Teacher.objects.filter(user_id=uid).exists()


def my_teaching(teacher: Teacher) -> list[TaughtSession]:
    """The teacher's sessions with each one's roster (name, unit and attendance as recorded),
    three queries in all whatever the number of sessions."""
    sessions = teaching_history(teacher)
    by_event: dict[int, list[dict[str, Any]]] = defaultdict(list)
    attendance = (
        Attendance.objects.filter(event_id__in=[s.event_id for s in sessions])
        .select_related("member__org")
        .order_by("member__org__path", "member__name", "member_id")
    )
    for row in attendance:
        by_event[row.event_id].append(
            {
                "name": row.member.name,
                "org": row.member.org.name,
                "status": row.status,
                "status_label": str(row.get_status_display()),
            }
        )
    return [
        TaughtSession(
            **{**s.__dict__, "roster": by_event.get(s.event_id, [])},
        )
        for s in sessions
    ]


# -- for the training session form --------------------------------------------------------------


def teachers_for_org(org: Organization, *, include: int | None = None) -> QuerySet[Teacher]:
    """The teachers a class organised by `org` may name: active, open to `org` (kept by the org
    or above it, or open to a subtree holding it), or kept in its own subtree. `include` keeps
    a session's current teacher in the choices even after they left the pool."""
    above = ancestor_paths(org.path)
    reachable = Q(org__path__startswith=org.path) | Q(open_to__path__in=above)
    cond = reachable & Q(active=True)
    if include:
        cond |= Q(pk=include)
    return Teacher.objects.filter(cond).select_related("org").order_by("name", "id")

"""Reads of online classes (网络专题班) for staff: the list, a class's courses, its progress per
branch (audience, not started, in progress, completed), who has not started, and the classes a
member is in.

A member's state in a class, from what they did in its courses (whenever they did it: a
completion sticks, so a course finished before the class opened still counts):
- not started: no progress, quiz attempt or completion in any of the class's courses;
- completed: every required course completed and at least the class's number of electives (one
  at least when the class has no required course);
- in progress: anything between.
The audience is resolved live with the training classes' audience model; members exempt from
study requirements (条例 Art. 23) are left out, never shown as behind. Everything is counted in
the database: a county-wide class stays a few queries whatever its size.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from peixun.core.scoping import Actor, get_visible_or_404, scope_of
from peixun.members.models import Member
from peixun.orgs.models import Organization, ancestor_paths
from peixun.orgs.selectors import attach_ancestor_names, org_above_label
from peixun.training.selectors.audience import audience_reasons, filter_audience

from ..models import Completion, ItemProgress, OnlineClass, OnlineClassCourse, QuizAttempt

NOT_STARTED = "not_started"
IN_PROGRESS = "in_progress"
COMPLETED = "completed"


def require_staff(actor: Actor) -> None:
    """Staff pages answer 404 to a plain member (as the exams' staff pages do)."""
    if not scope_of(actor).is_staff_like:
        raise Http404


def online_class_for_staff(actor: Actor, pk: int) -> OnlineClass:
    require_staff(actor)
    return get_visible_or_404(actor, OnlineClass, pk)


def online_classes(
    actor: Actor, *, q: str = "", year: int | None = None, state: str = ""
) -> QuerySet[OnlineClass]:
    """The classes the actor's grants show (organised at, above or below their orgs), newest
    window first, with their numbers of required and elective courses."""
    classes = OnlineClass.objects.visible_to(actor).select_related("org")
    if q:
        classes = classes.filter(title__icontains=q)
    if year:
        classes = classes.filter(year=year)
    if state in OnlineClass.State.values:
        classes = classes.filter(state=state)
    annotated: QuerySet[OnlineClass] = classes.annotate(
        required_count=Count("assignments", filter=Q(assignments__required=True)),
        elective_count=Count("assignments", filter=Q(assignments__required=False)),
    ).order_by("-starts_on", "-id")
    return annotated


def class_assignments(online_class: OnlineClass) -> list[OnlineClassCourse]:
    """The class's courses, required first, in the class's order."""
    return list(
        online_class.assignments.select_related("course__org").order_by(
            "-required", "position", "id"
        )
    )


@dataclass(frozen=True)
class CourseSets:
    """The ids of the class's courses and how many completions finish it."""

    all_ids: list[int]
    required_ids: list[int]
    elective_ids: list[int]
    electives_needed: int


def course_sets(online_class: OnlineClass) -> CourseSets:
    rows = list(online_class.assignments.values_list("course_id", "required"))
    required = [pk for pk, is_required in rows if is_required]
    electives = [pk for pk, is_required in rows if not is_required]
    needed = online_class.elective_minimum
    if not required:
        needed = max(needed, 1)  # a class of electives only is finished by one at least
    return CourseSets([pk for pk, _r in rows], required, electives, min(needed, len(electives)))


def _completed_count(course_ids: list[int]) -> Any:
    """A member's completions among `course_ids`, as a subquery (0 when none)."""
    counted = (
        Completion.objects.filter(member_id=OuterRef("pk"), course_id__in=course_ids)
        .order_by()
        .values("member_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def _started(course_ids: list[int]) -> Q:
    """Whether a member did anything in one of `course_ids`."""
    member = OuterRef("pk")
    return (
        Q(Exists(ItemProgress.objects.filter(member_id=member, item__course_id__in=course_ids)))
        | Q(Exists(QuizAttempt.objects.filter(member_id=member, item__course_id__in=course_ids)))
        | Q(Exists(Completion.objects.filter(member_id=member, course_id__in=course_ids)))
    )


def audience_members(
    actor: Actor, online_class: OnlineClass, *, manageable: bool = False
) -> QuerySet[Member]:
    """The class's audience among the members the actor reads (or, with `manageable`, the
    members in the actor's charge), exempt members left out."""
    base = Member.objects.manageable_by(actor) if manageable else Member.objects.visible_to(actor)
    return filter_audience(online_class, base.filter(exempt_reason=""))


@dataclass
class BranchProgress:
    """One organisation's figures in a class (or the total of them)."""

    org: Organization
    parent: str = ""
    audience: int = 0
    started: int = 0
    completed: int = 0

    @property
    def not_started(self) -> int:
        return self.audience - self.started

    @property
    def in_progress(self) -> int:
        return self.started - self.completed

    @property
    def completion_rate(self) -> Decimal | None:
        """Completed as a fraction of the audience (0.875 is 87.5 %), None for no audience."""
        if not self.audience:
            return None
        return (Decimal(self.completed) / Decimal(self.audience)).quantize(Decimal("0.001"))

    @property
    def completion_percent(self) -> Decimal | None:
        rate = self.completion_rate
        return None if rate is None else (rate * 100).quantize(Decimal("0.1"))


def branch_progress(
    actor: Actor, online_class: OnlineClass
) -> tuple[list[BranchProgress], BranchProgress]:
    """Per organisation of the audience members the actor reads: audience, started and
    completed (not started and in progress follow); plus the total. Three grouped queries and
    one for the organisations' names."""
    members = audience_members(actor, online_class)
    sets = course_sets(online_class)
    audience = dict(
        members.order_by().values("org_id").annotate(n=Count("id")).values_list("org_id", "n")
    )
    started: dict[int, int] = {}
    completed: dict[int, int] = {}
    if sets.all_ids and audience:
        started = dict(
            members.filter(_started(sets.all_ids))
            .order_by()
            .values("org_id")
            .annotate(n=Count("id"))
            .values_list("org_id", "n")
        )
        finished = members.annotate(
            required_done=_completed_count(sets.required_ids),
            electives_done=_completed_count(sets.elective_ids),
        ).filter(
            required_done__gte=len(sets.required_ids), electives_done__gte=sets.electives_needed
        )
        completed = dict(
            Member.objects.filter(pk__in=finished.values("pk"))
            .order_by()
            .values("org_id")
            .annotate(n=Count("id"))
            .values_list("org_id", "n")
        )
    orgs = Organization.objects.in_bulk(list(audience))
    attach_ancestor_names(list(orgs.values()))
    rows = [
        BranchProgress(
            org=orgs[org_id],
            parent=org_above_label(orgs[org_id]),
            audience=n,
            started=started.get(org_id, 0),
            completed=completed.get(org_id, 0),
        )
        for org_id, n in audience.items()
    ]
    rows.sort(key=lambda r: r.org.path)
    total = BranchProgress(org=online_class.org)
    for row in rows:
        total.audience += row.audience
        total.started += row.started
        total.completed += row.completed
    return rows, total


def not_started_members(
    actor: Actor, online_class: OnlineClass, *, q: str = "", manageable: bool = False
) -> QuerySet[Member]:
    """The audience members the actor reads (or manages) who have not started any course of the
    class, branch by branch and by name; `q` narrows by name."""
    members = audience_members(actor, online_class, manageable=manageable)
    sets = course_sets(online_class)
    if sets.all_ids:
        members = members.exclude(_started(sets.all_ids))
    if q:
        members = members.filter(name__icontains=q)
    return members.select_related("org").order_by("org__path", "name", "id")


def classes_for_member(member: Member, *, on: Any = None) -> list[OnlineClass]:
    """The published classes whose audience holds `member` and whose window covers `on` (today
    by default), for the member's own pages. Exempt members are in none."""
    if member.exempt_reason:
        return []
    day = on or timezone.localdate()
    candidates = OnlineClass.objects.filter(
        state=OnlineClass.State.PUBLISHED,
        starts_on__lte=day,
        ends_on__gte=day,
        audience_org__path__in=ancestor_paths(member.org.path),
    ).select_related("audience_org", "org")
    return [c for c in candidates if not audience_reasons(c, member)]

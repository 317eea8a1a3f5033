"""Reads of the catalogue for staff: the courses shared with the actor's part of the tree (a
course owned by an org is shared down its subtree, so staff see those owned at, above and below
their orgs), a course's items with how far the members they read have got, and the strikes log
(refused progress reports)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, can_manage_org, scope_of
from peixun.members.models import Member, Membership
from peixun.orgs.models import ancestor_paths

from ..models import Completion, Course, CourseItem, ItemProgress, Strike
from .classes import require_staff


def catalogue(
    actor: Actor, *, q: str = "", topic: str = "", state: str = "", include_retired: bool = False
) -> QuerySet[Course]:
    """The courses shared with the actor's grants, newest first, with their item counts. A
    retired course is listed only when asked for (by `state` or `include_retired`)."""
    courses = _shared(actor)
    if q:
        courses = courses.filter(Q(title__icontains=q) | Q(description__icontains=q))
    if topic:
        courses = courses.filter(topic=topic)
    if state in Course.State.values:
        courses = courses.filter(state=state)
    elif not include_retired:
        courses = courses.exclude(state=Course.State.RETIRED)
    return (
        courses.select_related("org")
        .annotate(item_count=Count("items", distinct=True))
        .order_by("-id")
    )


def assignable_courses(actor: Actor, audience_path: str) -> QuerySet[Course]:
    """Published courses an online class with this audience may assign: owned by the audience
    org or an org above it, and shared with the actor."""
    return (
        catalogue(actor, state=Course.State.PUBLISHED)
        .filter(org__path__in=ancestor_paths(audience_path))
        .order_by("org__path", "title", "id")
    )


def _shared(actor: Actor) -> QuerySet[Course]:
    """Courses shared with the actor's grants (a member's own courses are not a staff list)."""
    scope = scope_of(actor)
    if scope.platform:
        return Course.objects.all()
    return Course.objects.shared_with_paths(scope.read_paths)


def course_for_staff(actor: Actor, pk: int) -> Course:
    """A course of the catalogue for a staff page, or 404 (a plain member, out of scope)."""
    require_staff(actor)
    course = _shared(actor).select_related("org").filter(pk=pk).first()
    if course is None:
        raise Http404
    return course


@dataclass
class ItemFigures:
    item: CourseItem
    started: int = 0
    done: int = 0


@dataclass
class CourseFigures:
    items: list[ItemFigures]
    completed: int
    can_manage: bool


def course_figures(actor: Actor, course: Course) -> CourseFigures:
    """The course's items in order with how many members the actor reads started and finished
    each, and how many completed the course. Three queries."""
    items = list(course.items.order_by("position", "id"))
    progress = ItemProgress.objects.visible_to(actor).filter(item__course=course)
    counts = {
        row["item_id"]: row
        for row in progress.order_by()
        .values("item_id")
        .annotate(
            started=Count("id"),
            done=Count("id", filter=Q(done_at__isnull=False)),
        )
    }
    completed = Completion.objects.visible_to(actor).filter(course=course).count()
    return CourseFigures(
        items=[
            ItemFigures(
                item=item,
                started=int(counts.get(item.pk, {}).get("started", 0)),
                done=int(counts.get(item.pk, {}).get("done", 0)),
            )
            for item in items
        ],
        completed=completed,
        can_manage=can_manage_org(actor, course.org),
    )


def strikes(
    actor: Actor, *, q: str = "", reason: str = "", course_id: int | None = None
) -> QuerySet[Strike]:
    """The refused progress reports of the members the actor reads, newest first; `q` narrows by
    member name, `reason` by why it was refused."""
    require_staff(actor)
    scope = scope_of(actor)
    rows = Strike.objects.all() if scope.platform else Strike.objects.filter(_paths(scope))
    if q:
        rows = rows.filter(member_id__in=Member.objects.filter(name__icontains=q).values("pk"))
    if reason in Strike.Reason.values:
        rows = rows.filter(reason=reason)
    if course_id:
        rows = rows.filter(item__course_id=course_id)
    return rows.select_related("member", "org", "item__course").order_by("-at", "-id")


def _paths(scope: Any) -> Q:
    # Grants only: a member's own strikes are not a staff log.
    cond = Q(pk__in=[])
    for path in scope.read_paths:
        cond |= Q(org__path__startswith=path)
    return cond


@dataclass
class UncreditedCompletion:
    completion: Completion
    reason: str


def uncredited_completions(actor: Actor, *, limit: int = 200) -> list[UncreditedCompletion]:
    """Completions of the members the actor reads that credited no ledger line (newest first),
    each with why, so someone can record the hours by hand. The reason is read again from the
    roster: today the only one is a member not registered in a branch on the completion day
    (`services.completion` logs it and keeps the completion)."""
    require_staff(actor)
    scope = scope_of(actor)
    rows = Completion.objects.all() if scope.platform else Completion.objects.filter(_paths(scope))
    found = list(
        rows.filter(credit__isnull=True)
        .select_related("member", "org", "course")
        .order_by("-completed_at", "-id")[:limit]
    )
    days = {c.pk: timezone.localdate(c.completed_at) for c in found}
    registered: set[tuple[int, dt.date]] = set()
    for day in set(days.values()):
        members = [c.member_id for c in found if days[c.pk] == day]
        registered.update(
            (member_id, day)
            for member_id in Membership.objects.on(day)
            .filter(member_id__in=members)
            .values_list("member_id", flat=True)
        )
    result = []
    for completion in found:
        day = days[completion.pk]
        if (completion.member_id, day) in registered:
            reason = _("Not credited when completed; see the server log.")
        else:
            reason = _("Not registered in a branch on %(day)s.") % {"day": day.isoformat()}
        result.append(UncreditedCompletion(completion=completion, reason=reason))
    return result

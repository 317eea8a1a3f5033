"""Reading courses: the catalogue a member may learn from, each with how far they are, and one
course with its items and the member's progress in each."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from peixun.core.scoping import Actor, scope_of

from ..logic import CourseState, progress_percent, watched_share
from ..models import Completion, Course, CourseItem, ItemKind, ItemProgress, QuizAttempt


def courses_visible(*, actor: Actor) -> QuerySet[Course]:
    """Every course the actor may read (staff: their part of the catalogue, drafts included;
    a member: the published courses of their branch and above)."""
    return Course.objects.visible_to(actor).select_related("org")


@dataclass(frozen=True)
class ItemRow:
    item: CourseItem
    progress: ItemProgress | None
    percent: Decimal  # a video's share watched; a document 0 or 100; a quiz its best percent
    done: bool


@dataclass(frozen=True)
class CourseRow:
    course: Course
    percent: int  # the progress bar
    state: CourseState
    completion: Completion | None
    items: list[ItemRow]
    resume: ItemRow | None  # where to go on: the first item not done, else the first

    @property
    def watched_percent(self) -> Decimal:
        return watched_share(self.state)


def _rows(member_id: int, courses: list[Course]) -> list[CourseRow]:
    """Each course with the member's progress: three queries for any number of courses."""
    item_ids = [i.pk for c in courses for i in c.items.all()]
    progress = {
        p.item_id: p for p in ItemProgress.objects.filter(member_id=member_id, item_id__in=item_ids)
    }
    best: dict[int, Decimal] = {}
    passed: set[int] = set()
    for item_id, percent, ok in QuizAttempt.objects.filter(
        member_id=member_id, item_id__in=item_ids
    ).values_list("item_id", "percent", "passed"):
        best[item_id] = max(best.get(item_id, Decimal(0)), percent)
        if ok:
            passed.add(item_id)
    completions = {
        c.course_id: c
        for c in Completion.objects.filter(member_id=member_id, course__in=[c.pk for c in courses])
    }
    rows: list[CourseRow] = []
    for course in courses:
        items: list[ItemRow] = []
        video_seconds = watched = documents = opened = quizzes = quizzes_passed = 0
        for item in course.items.all():
            seen = progress.get(item.pk)
            if item.kind == ItemKind.VIDEO:
                length = item.duration_seconds or 0
                got = min(seen.unique_seconds, length) if seen else 0
                video_seconds += length
                watched += got
                pct = (
                    (Decimal(got * 100) / length).quantize(Decimal("0.1")) if length else Decimal(0)
                )
                done = bool(length) and pct >= course.watch_percent
            elif item.kind == ItemKind.DOCUMENT:
                documents += 1
                done = bool(seen and seen.done_at)
                opened += int(done)
                pct = Decimal(100 if done else 0)
            else:
                quizzes += 1
                done = item.pk in passed
                quizzes_passed += int(done)
                pct = best.get(item.pk, Decimal(0))
            items.append(ItemRow(item=item, progress=seen, percent=pct, done=done))
        state = CourseState(video_seconds, watched, documents, opened, quizzes, quizzes_passed)
        completion = completions.get(course.pk)
        resume = next((r for r in items if not r.done), items[0] if items else None)
        rows.append(
            CourseRow(
                course=course,
                percent=100
                if completion
                else progress_percent(state, course.needs_watching, course.needs_quiz),
                state=state,
                completion=completion,
                items=items,
                resume=resume,
            )
        )
    return rows


def my_courses(*, actor: Actor) -> list[CourseRow]:
    """The courses open to the actor as a member, unfinished first, each with its progress."""
    member_id = scope_of(actor).member_id
    if not member_id:
        return []
    courses = list(
        Course.objects.open_to_member(member_id)
        .select_related("org")
        .prefetch_related(Prefetch("items", queryset=CourseItem.objects.order_by("position", "id")))
        .order_by("-published_at", "-id")
    )
    rows = _rows(member_id, courses)
    return sorted(rows, key=lambda r: (r.completion is not None, -r.percent))


def my_course(*, actor: Actor, pk: Any) -> CourseRow:
    """One course open to the actor as a member, with their progress; 404 otherwise."""
    member_id = scope_of(actor).member_id
    if not member_id:
        raise Http404
    try:
        course = (
            Course.objects.open_to_member(member_id)
            .select_related("org")
            .prefetch_related(
                Prefetch("items", queryset=CourseItem.objects.order_by("position", "id"))
            )
            .get(pk=int(pk))
        )
    except (Course.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    return _rows(member_id, [course])[0]

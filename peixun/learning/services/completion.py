"""Completing a course: judged by the course's rule whenever a member's progress moves, kept
for good once reached, and credited to the ledger exactly once as online hours (the stated
学时 of the course, or the tenant's bands), with the evidence kept beside it."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.hours.models import CreditEntry, Kind
from peixun.hours.services import SystemActor, entry_record
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ..logic import Bands, CourseState, band_hours, is_complete, quiz_passed
from ..models import (
    Completion,
    Course,
    CourseItem,
    ItemKind,
    ItemProgress,
    LearningRule,
    QuizAttempt,
)

log = logging.getLogger(__name__)


def credit_reference(course: Course) -> str:
    return f"course:{course.pk}"


def bands_for(org: Organization) -> Bands:
    """The tenant's bands (the row of the org's tenant), or DESIGN §3's defaults."""
    rule = LearningRule.objects.filter(tenant__path=org.path[: Organization.steplen]).first()
    if rule is None:
        return Bands()
    return Bands(
        long_minutes=rule.long_minutes,
        long_hours=rule.long_hours,
        mid_minutes=rule.mid_minutes,
        mid_hours=rule.mid_hours,
        short_hours=rule.short_hours,
        quiz_hours=rule.quiz_hours,
    )


def idle_minutes_for(org: Organization) -> int:
    rule = LearningRule.objects.filter(tenant__path=org.path[: Organization.steplen]).first()
    return rule.idle_minutes if rule is not None else 10


def idle_seconds(item: CourseItem) -> int:
    """After how many seconds of play the player asks whether the member is still there."""
    return idle_minutes_for(item.course.org) * 60


def course_state(member_id: int, items: list[CourseItem]) -> CourseState:
    """A member's figures in a course's items: two queries however many items."""
    ids = [i.pk for i in items]
    progress = {
        p.item_id: p for p in ItemProgress.objects.filter(member_id=member_id, item_id__in=ids)
    }
    passed = set(
        QuizAttempt.objects.filter(member_id=member_id, item_id__in=ids, passed=True)
        .values_list("item_id", flat=True)
        .distinct()
    )
    videos = [i for i in items if i.kind == ItemKind.VIDEO]
    documents = [i for i in items if i.kind == ItemKind.DOCUMENT]
    quizzes = [i for i in items if i.kind == ItemKind.QUIZ]
    watched = 0
    for video in videos:
        seen = progress.get(video.pk)
        if seen is not None:
            watched += min(seen.unique_seconds, video.duration_seconds or 0)
    return CourseState(
        video_seconds=sum(v.duration_seconds or 0 for v in videos),
        watched_seconds=watched,
        documents=len(documents),
        documents_opened=sum(
            1 for d in documents if (p := progress.get(d.pk)) is not None and p.done_at
        ),
        quizzes=len(quizzes),
        quizzes_passed=sum(1 for q in quizzes if q.pk in passed),
    )


def _best_quiz_percent(member_id: int, items: list[CourseItem]) -> Decimal | None:
    best = (
        QuizAttempt.objects.filter(
            member_id=member_id, item_id__in=[i.pk for i in items if i.kind == ItemKind.QUIZ]
        )
        .order_by("-percent")
        .values_list("percent", flat=True)
        .first()
    )
    return best


def completion_check(
    *, member: Member, course: Course, now: dt.datetime | None = None
) -> Completion | None:
    """The member's completion of the course: the one already made, or a new one when the
    course's rule is met now (credited once), or None. Runs inside the caller's transaction;
    called by every service that moves progress, never by a page."""
    done = Completion.objects.filter(member=member, course=course).first()
    if done is not None:
        return done  # completion sticks, whatever changes later
    items = list(course.items.all())
    state = course_state(member.pk, items)
    if not is_complete(course.move_on, state, course.watch_percent):
        return None
    now = now or timezone.now()
    passed = quiz_passed(state)
    hours = course.hours or band_hours(
        video_seconds=state.video_seconds,
        has_content=bool(items),
        passed_quiz=passed,
        bands=bands_for(course.org),
    )
    try:
        # A savepoint: two reports finishing the same course at once make one completion; the
        # loser reads the winner's.
        with transaction.atomic():
            completion = Completion.objects.create(
                member=member,
                course=course,
                org_id=member.org_id,
                completed_at=now,
                unique_seconds=state.watched_seconds,
                video_seconds=state.video_seconds,
                quiz_percent=_best_quiz_percent(member.pk, items) if state.quizzes else None,
                hours=hours,
            )
    except IntegrityError:
        return Completion.objects.get(member=member, course=course)
    completion.credit = _credit(member, course, completion, timezone.localdate(now))
    if completion.credit is not None:
        completion.save(update_fields=["credit"])
    audit_record(
        actor=None, verb="learning.completion.create", obj=completion, org=member.org,
        object_repr=f"{member.name}: {course.title}",
        after={"course": course.pk, "member": member.pk, "hours": hours,
               "unique_seconds": state.watched_seconds, "video_seconds": state.video_seconds,
               "quiz_percent": completion.quiz_percent,
               "credit": completion.credit.pk if completion.credit else None},
    )  # fmt: skip
    return completion


def _credit(
    member: Member, course: Course, completion: Completion, on: dt.date
) -> CreditEntry | None:
    """One ledger line for the completion (source course, reference course:<id>). The system
    records it, not the member: the member may not write the ledger, and the credit follows
    from checks the server made. A line already there for this member and course (an earlier
    run, an import) is reused, never doubled."""
    reference = credit_reference(course)
    existing = CreditEntry.objects.filter(
        Q(member=member, reference=reference, source=CreditEntry.Source.COURSE),
        reverses__isnull=True,
    ).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            (entry,) = entry_record(
                actor=SystemActor(),
                members=[member],
                on=on,
                hours=completion.hours,
                kind=Kind.ONLINE_TRAINING,
                topic=course.topic,
                online=True,
                title=_("Online course: %(title)s") % {"title": course.title},
                source=CreditEntry.Source.COURSE,
                reference=reference,
            )
    except ValidationError as exc:
        # Not registered in a branch that day (a roster gap): the completion stands and shows
        # without a credit; the branch records the hours by hand once the roster is right.
        log.warning(
            "course %s completed by member %s but not credited: %s", course.pk, member.pk, exc
        )
        return None
    return entry

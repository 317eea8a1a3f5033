"""A member learning: starting to play an item, the player's progress reports (judged by
`logic.judge_report`, stored only when every check passes, a strike otherwise), the presence
check, opening a document and submitting a quiz. Each call that moves progress asks
`completion_check` whether the course is now complete.

Reports are not written to the audit trail one by one (a member watching an hour sends 360):
each accepted one is the item's merged intervals, each refused one a `Strike` row; starts,
quiz submissions and completions are audited.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor, scope_of
from peixun.exams.logic import clean_response, grade_item
from peixun.exams.models import QuestionKind
from peixun.members.models import Member

from .. import logic
from ..models import (
    Completion,
    Course,
    CourseItem,
    ItemKind,
    ItemProgress,
    MoveOn,
    PlaySession,
    QuizAttempt,
    Strike,
)
from .completion import completion_check, idle_minutes_for


def _member(actor: Actor) -> Member:
    member_id = scope_of(actor).member_id
    if not member_id:
        raise Http404
    member: Member = Member.objects.select_related("org").get(pk=member_id)
    return member


def learner_item(*, actor: Actor, item_id: Any) -> CourseItem:
    """An item of a published course open to the actor as a member, or 404."""
    member_id = scope_of(actor).member_id
    if not member_id:
        raise Http404
    try:
        item: CourseItem = CourseItem.objects.select_related("course__org").get(
            pk=int(item_id), course__state=Course.State.PUBLISHED
        )
    except (CourseItem.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    # The rule of Course.open_to_member (the owner is the member's org or above it), checked
    # here on one short query: every progress report (one a member every 10 s) comes through
    # here, and Django takes longer to build that EXISTS than the database to answer it.
    path = Member.objects.filter(pk=member_id).values_list("org__path", flat=True).first()
    if path is None or not path.startswith(item.course.org.path):
        raise Http404
    return item


def _progress(member: Member, item: CourseItem, lock: bool = False) -> ItemProgress:
    rows = ItemProgress.objects.select_for_update() if lock else ItemProgress.objects
    found: ItemProgress | None = rows.filter(member=member, item=item).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return ItemProgress.objects.create(member=member, item=item, org_id=member.org_id)
    except IntegrityError:  # a second tab made it first
        return rows.get(member=member, item=item)


@transaction.atomic
def play_start(*, actor: Actor, item: CourseItem) -> PlaySession:
    """Begin (or take over) the member's one play session on a video. A session on another
    item or in another tab ends: its next report is refused as concurrent."""
    member = _member(actor)
    if item.kind != ItemKind.VIDEO:
        raise ValidationError({"item": _("Only a video is played.")})
    _progress(member, item)
    now = timezone.now()
    token = secrets.token_hex(16)
    session, created = PlaySession.objects.select_for_update().get_or_create(
        member=member,
        defaults={"item": item, "token": token, "started_at": now, "last_report_at": now,
                  "present_at": now},
    )  # fmt: skip
    if not created:
        session.item, session.token, session.started_at = item, token, now
        session.last_report_at, session.present_at, session.played_seconds = now, now, 0
        session.save()
    audit_record(
        actor=actor, verb="learning.play.start", obj=item, org=member.org,
        object_repr=f"{item.course.title} / {item.title}",
    )  # fmt: skip
    return session


@dataclass(frozen=True)
class ReportResult:
    accepted: bool
    reason: str  # "" or the refused check (logic.WALL_CLOCK … logic.PRESENCE)
    unique_seconds: int
    watched_percent: Decimal
    position: float
    completed: bool
    presence_due_in: float  # seconds until the player must ask whether the member is there


def _video_percent(progress: ItemProgress, item: CourseItem) -> Decimal:
    duration = item.duration_seconds or 0
    if not duration:
        return Decimal(0)
    return (Decimal(min(progress.unique_seconds, duration) * 100) / duration).quantize(
        Decimal("0.1")
    )


def _may_complete(item: CourseItem, progress: ItemProgress) -> bool:
    """Whether this report could complete the course: False only when the course needs its
    videos watched and they could not be, even with every other video watched to the end. Why:
    a member watching an hour sends 360 reports; this is two queries where `completion_check`
    (still asked whenever it could say yes) makes four. A course complete already answers
    completed from its Completion row either way."""
    course = item.course
    if course.move_on not in (MoveOn.WATCHED, MoveOn.WATCHED_AND_PASSED):
        return True  # a passed quiz may complete it: let completion_check judge
    lengths = dict(
        CourseItem.objects.filter(course_id=course.pk, kind=ItemKind.VIDEO)
        .order_by()  # the default ordering joins the course for nothing
        .values_list("pk", "duration_seconds")
    )
    total = sum(d or 0 for d in lengths.values())
    if total <= 0:
        return True
    best = (
        total
        - (lengths.get(item.pk) or 0)
        + min(progress.unique_seconds, item.duration_seconds or 0)
    )
    bound = logic.CourseState(
        video_seconds=total, watched_seconds=best, documents=0, documents_opened=0, quizzes=0,
        quizzes_passed=0,
    )  # fmt: skip
    return logic.watched_enough(bound, course.watch_percent)


@transaction.atomic
def progress_report(
    *,
    actor: Actor,
    item: CourseItem,
    token: str,
    intervals: Any,
    elapsed: Any,
    position: Any = None,
) -> ReportResult:
    """Judge one report of the player: `intervals` ([start, end) media seconds played since
    its last report), `elapsed` (the seconds its own clock says passed), `position` (where it
    stands). Accepted: the intervals join the item's. Refused: nothing changes but a strike
    (none for an unanswered presence check). Bad shape: a ValidationError, nothing stored."""
    member = _member(actor)
    if item.kind != ItemKind.VIDEO:
        raise ValidationError({"item": _("Only a video reports progress.")})
    duration = float(item.duration_seconds or 0)
    try:
        clean = logic.clean_intervals(intervals, duration)
        client_elapsed = float(elapsed)
    except (logic.ReportError, TypeError, ValueError) as exc:
        raise ValidationError(
            {"intervals": _("The progress report is not valid: %(why)s") % {"why": exc}}
        ) from None
    try:
        where = min(max(float(position), 0.0), duration) if position not in (None, "") else None
    except (TypeError, ValueError):
        raise ValidationError({"position": _("The position is not a number.")}) from None
    session = PlaySession.objects.select_for_update().filter(member=member).first()
    if session is None:
        raise ValidationError({"token": _("Start playing the video first.")})
    progress = _progress(member, item, lock=True)
    now = timezone.now()
    idle_limit = idle_minutes_for(item.course.org) * 60.0
    verdict = logic.judge_report(
        intervals=clean,
        client_elapsed=client_elapsed,
        watched=[(float(s), float(e)) for s, e in progress.intervals],
        allow_skip=item.course.allow_skip,
        session=logic.Session(
            same_item=session.item_id == item.pk,
            same_token=secrets.compare_digest(session.token, str(token or "")),
            live=(now - session.last_report_at).total_seconds() < logic.LIVE_SECONDS,
            wall_since_start=(now - session.started_at).total_seconds(),
            played=session.played_seconds,
            wall_since_report=(now - session.last_report_at).total_seconds(),
            idle=(now - session.present_at).total_seconds(),
        ),
        idle_limit=idle_limit,
    )
    completed = False
    if verdict.accepted:
        progress.intervals = [[s, e] for s, e in verdict.merged]
        progress.unique_seconds = logic.unique_seconds(verdict.merged)
        if where is not None:
            progress.position = where
        progress.save(update_fields=["intervals", "unique_seconds", "position", "updated_at"])
        session.last_report_at = now
        session.played_seconds += verdict.claimed
        session.save(update_fields=["last_report_at", "played_seconds"])
        if _may_complete(item, progress):
            completed = completion_check(member=member, course=item.course, now=now) is not None
        else:
            completed = Completion.objects.filter(member=member, course=item.course).exists()
    elif verdict.strike:
        Strike.objects.create(
            member=member, item=item, org_id=member.org_id, at=now, reason=verdict.reason,
            detail={**verdict.detail, "elapsed": client_elapsed, "position": where},
        )  # fmt: skip
    else:
        completed = Completion.objects.filter(member=member, course=item.course).exists()
    due = idle_limit - (now - session.present_at).total_seconds()
    return ReportResult(
        accepted=verdict.accepted,
        reason=verdict.reason,
        unique_seconds=progress.unique_seconds,
        watched_percent=_video_percent(progress, item),
        position=progress.position,
        completed=completed,
        presence_due_in=max(due, 0.0),
    )


@transaction.atomic
def presence_confirm(*, actor: Actor, token: str) -> PlaySession:
    """The member answered "are you still there?" (or touched the player): time counts again."""
    member = _member(actor)
    session = PlaySession.objects.select_for_update().filter(member=member).first()
    if session is None or not secrets.compare_digest(session.token, str(token or "")):
        raise ValidationError({"token": _("This player is no longer playing; start again.")})
    session.present_at = timezone.now()
    session.save(update_fields=["present_at"])
    return session


@transaction.atomic
def document_open(*, actor: Actor, item: CourseItem) -> ItemProgress:
    """A document counts as read when the member opens it in the page."""
    member = _member(actor)
    if item.kind != ItemKind.DOCUMENT:
        raise ValidationError({"item": _("Only a document is opened.")})
    progress = _progress(member, item, lock=True)
    if progress.done_at is None:
        progress.done_at = timezone.now()
        progress.save(update_fields=["done_at", "updated_at"])
        completion_check(member=member, course=item.course, now=progress.done_at)
    return progress


def quiz_items(item: CourseItem) -> list[dict[str, Any]]:
    """The quiz as shown and graded: the bank's questions in order, a point each, the key in
    the shape `exams.logic.grade_item` reads."""
    out: list[dict[str, Any]] = []
    for q in item.questions.order_by("id"):
        key: Any = q.answer
        if q.kind == QuestionKind.JUDGE:
            key = bool(q.answer[0])
        out.append(
            {"q": q.pk, "kind": q.kind, "stem": q.stem, "options": list(q.options), "key": key,
             "points": "1"}
        )  # fmt: skip
    return out


@transaction.atomic
def quiz_submit(*, actor: Actor, item: CourseItem, answers: dict[str, Any]) -> QuizAttempt:
    """Grade the member's answers ({question id: response}) to a course's quiz. Once passed,
    a further submit (a double tap) returns the passing attempt and changes nothing."""
    member = _member(actor)
    if item.kind != ItemKind.QUIZ:
        raise ValidationError({"item": _("This item is not a quiz.")})
    passed: QuizAttempt | None = QuizAttempt.objects.filter(
        member=member, item=item, passed=True
    ).first()
    if passed is not None:
        return passed
    if not isinstance(answers, dict):
        raise ValidationError({"answers": _("Send the answers by question.")})
    frozen = quiz_items(item)
    if not frozen:
        raise ValidationError({"item": _("This quiz has no questions.")})
    known = {str(i["q"]) for i in frozen}
    unknown = [k for k in answers if str(k) not in known]
    if unknown:
        raise ValidationError({"answers": _("That question is not in this quiz.")})
    given = {str(k): v for k, v in answers.items()}
    score = Decimal(0)
    cleaned: dict[str, Any] = {}
    for entry in frozen:
        raw = given.get(str(entry["q"]))
        response = clean_response(entry["kind"], len(entry["options"]), raw)
        cleaned[str(entry["q"])] = response
        points = grade_item(entry, response)[1]
        score += points
    max_score = Decimal(len(frozen))
    percent = (score * 100 / max_score).quantize(Decimal("0.1"))
    attempt = QuizAttempt.objects.create(
        member=member, item=item, org_id=member.org_id, items=frozen, answers=cleaned,
        submitted_at=timezone.now(), score=score, max_score=max_score, percent=percent,
        passed=percent >= item.pass_percent,
    )  # fmt: skip
    audit_record(
        actor=actor, verb="learning.quiz.submit", obj=attempt, org=member.org,
        object_repr=f"{item.course.title} / {item.title}",
        after={"percent": percent, "passed": attempt.passed},
    )  # fmt: skip
    if attempt.passed:
        completion_check(member=member, course=item.course, now=attempt.submitted_at)
    return attempt

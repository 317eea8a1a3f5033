"""Taking an exam: start (or resume), save each answer as it is chosen, submit. The server's
clock is the only clock: the deadline is fixed at the start, saves after it are refused, and an
attempt past it is submitted on the next touch, by `manage.py exams_autosubmit`, or when the
exam is finalised. Submitting twice returns the first result.

Saves are not written to the audit trail one by one: each is its own record (`Answer.saved_at`,
`seq`), and the start and the submission of every attempt are audited."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Max
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.scoping import Actor
from peixun.orgs.models import Organization

from ..logic import clean_response, grade_item
from ..models import Answer, Attempt, Candidate, Exam, Paper, Question, QuestionKind
from ..registry import attempt_graded
from ..selectors import bank_for
from .papers import draw_questions, draw_rng

# Answers in flight when the timer runs out still count: a phone on a slow link may need this.
GRACE = dt.timedelta(seconds=10)
# The bank a rules paper draws from, per process: (paper, bank stamp) → questions. The stamp
# (newest change, highest id, count) is read again at most every POOL_CHECK, so a burst of
# starts costs no query for it; a bank change shows in new draws within that time.
POOL_CHECK = 5.0
_POOLS: dict[tuple[int, str, str], list[Question]] = {}
_STAMPS: dict[tuple[int, str], tuple[float, str]] = {}


def _pool(paper: Paper) -> list[Question] | None:
    if paper.mode != Paper.Mode.RULES:
        return None
    # The creation time tells apart two papers that got the same id (tests roll back).
    which = (paper.pk, paper.created_at.isoformat())
    checked = _STAMPS.get(which)
    now = time.monotonic()
    if checked is None or now - checked[0] > POOL_CHECK:
        bank = bank_for(paper.org)
        stamp = bank.aggregate(top=Max("updated_at"), n=Max("id"), count=Count("id"))
        checked = (now, f"{stamp['top']}:{stamp['n']}:{stamp['count']}")
        _STAMPS[which] = checked
    key = (*which, checked[1])
    pool = _POOLS.get(key)
    if pool is None:
        # Safe under threaded workers: no iteration over the live dict, no KeyError on a race.
        for old in [k for k in list(_POOLS) if k[0] == paper.pk]:
            _POOLS.pop(old, None)
        pool = _POOLS[key] = list(bank_for(paper.org).order_by("id"))
    return pool


def _item(question: Question, points: Decimal, rng: Any, shuffle_options: bool) -> dict[str, Any]:
    options = list(question.options)
    key: Any = question.answer
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        order = list(range(len(options)))
        if shuffle_options:
            rng.shuffle(order)
        options = [question.options[i] for i in order]
        key = sorted(order.index(i) for i in question.answer)
    elif question.kind == QuestionKind.JUDGE:
        key = bool(question.answer[0])
    return {
        "q": question.pk,
        "kind": question.kind,
        "stem": question.stem,
        "options": options,
        "key": key,
        "points": str(points),
        "explanation": question.explanation,
    }


def _taker_candidate(actor: Actor, exam: Exam) -> Candidate:
    member_id = getattr(actor, "member_id", None)
    candidate = (
        Candidate.objects.filter(exam=exam, member_id=member_id).select_related("org").first()
        if member_id
        else None
    )
    if candidate is None or exam.state == Exam.State.DRAFT:
        raise Http404
    return candidate


def attempt_start(*, actor: Actor, exam: Exam) -> Attempt:
    """The taker's open attempt, or a new one with its paper drawn and frozen. Two taps at once
    give the same attempt (the database allows one open attempt per member and exam)."""
    candidate = _taker_candidate(actor, exam)
    if exam.state == Exam.State.CANCELLED:
        raise ValidationError({"exam": _("This exam was cancelled.")})
    now = timezone.now()
    open_attempt = Attempt.objects.filter(
        exam=exam, member_id=candidate.member_id, submitted_at__isnull=True
    ).first()
    if open_attempt is not None:
        if now <= open_attempt.deadline_at + GRACE:
            return open_attempt
        attempt_submit_expired(open_attempt, now=now)
    if exam.state != Exam.State.PUBLISHED:
        raise ValidationError({"exam": _("This exam is no longer open.")})
    if now < exam.opens_at:
        raise ValidationError({"exam": _("This exam has not opened yet.")})
    if now >= exam.closes_at:
        raise ValidationError({"exam": _("This exam has closed.")})
    done = Attempt.objects.filter(exam=exam, member_id=candidate.member_id).count()
    if done >= exam.attempts_allowed:
        raise ValidationError({"exam": _("You have used every attempt this exam allows.")})
    number = done + 1
    rng = draw_rng(exam.seed, candidate.member_id, number)
    drawn = draw_questions(exam.paper, rng, _pool(exam.paper))
    if exam.shuffle_questions:
        rng.shuffle(drawn)
    items = [_item(q, points, rng, exam.shuffle_options) for q, points in drawn]
    deadline = min(now + dt.timedelta(minutes=exam.time_limit_minutes), exam.closes_at)
    try:
        with transaction.atomic():
            # Re-checked under the exam's lock: a finalise or cancel running meanwhile wins,
            # and no attempt is left open on a finalised exam.
            current = Exam.objects.select_for_update().get(pk=exam.pk)
            if current.state != Exam.State.PUBLISHED or timezone.now() >= current.closes_at:
                raise ValidationError({"exam": _("This exam is no longer open.")})
            attempt = Attempt.objects.create(
                exam=exam,
                member_id=candidate.member_id,
                org_id=candidate.org_id,
                number=number,
                started_at=now,
                deadline_at=deadline,
                items=items,
                max_score=sum((Decimal(i["points"]) for i in items), Decimal(0)).quantize(
                    Decimal("0.1")
                ),
            )
            audit_record(
                actor=actor, verb="exams.attempt.start", obj=attempt,
                object_repr=f"{exam.title} #{number}", org=candidate.org,
                after={"exam": exam.pk, "number": number, "questions": [i["q"] for i in items]},
            )  # fmt: skip
    except IntegrityError:
        # The other tap won: theirs is the attempt.
        return Attempt.objects.get(
            exam=exam, member_id=candidate.member_id, submitted_at__isnull=True
        )
    return attempt


def _own_attempt(actor: Actor, attempt_id: Any, lock: bool = False) -> Attempt:
    member_id = getattr(actor, "member_id", None)
    if not member_id:
        raise Http404
    rows = Attempt.objects.select_related("exam")
    if lock:
        rows = rows.select_for_update(of=("self",))
    try:
        return rows.get(pk=int(attempt_id), member_id=member_id)
    except (Attempt.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def attempt_answer_save(
    *, actor: Actor, attempt_id: Any, question_id: Any, response: Any, seq: int = 0
) -> Answer:
    """Save one answer of the actor's own open attempt (None clears it). An older `seq` than the
    one stored is ignored and the stored answer returned.

    The attempt's row is locked for the whole save: saves of one attempt, and a submit (or the
    timer) racing them, take turns, so no answer lands after the submission that graded it."""
    try:
        qid = int(question_id)
    except (TypeError, ValueError):
        qid = -1
    with transaction.atomic():
        attempt = _own_attempt(actor, attempt_id, lock=True)
        now = timezone.now()
        if attempt.submitted_at is not None:
            raise ValidationError({"attempt": _("This attempt has been submitted.")})
        if attempt.exam.state == Exam.State.CANCELLED:
            raise ValidationError({"attempt": _("This exam was cancelled.")})
        if now <= attempt.deadline_at + GRACE:
            item = next((i for i in attempt.items if i["q"] == qid), None)
            if item is None:
                raise ValidationError({"question": _("That question is not in this attempt.")})
            clean = clean_response(item["kind"], len(item["options"]), response)
            seq = max(0, int(seq or 0))
            answer = Answer.objects.filter(attempt=attempt, question_id=qid).first()
            if answer is None:
                return Answer.objects.create(
                    attempt=attempt, question_id=qid, response=clean, saved_at=now, seq=seq
                )
            if seq and seq < answer.seq:
                return answer
            answer.response, answer.saved_at, answer.seq = clean, now, seq
            answer.save(update_fields=["response", "saved_at", "seq"])
            return answer
    # Past the time limit: the timer hands the attempt in (its own transaction, kept), then the
    # taker is told.
    attempt_submit_expired(attempt, now=now)
    raise ValidationError(
        {"attempt": _("Time is up: the answers saved before the limit have been submitted.")}
    )


def _grade(attempt: Attempt, now: dt.datetime, auto: bool) -> None:
    answers = {a.question_id: a for a in attempt.answers.all()}
    score = Decimal(0)
    unanswered: list[Answer] = []
    for item in attempt.items:
        answer = answers.get(item["q"])
        if answer is None:
            # A graded row for every question shown, answered or not: the item analysis then
            # counts in the database alone, without reading each attempt's frozen paper.
            unanswered.append(
                Answer(attempt=attempt, question_id=item["q"], response=None, saved_at=now,
                       correct=False, points=Decimal(0))
            )  # fmt: skip
            continue
        answer.correct, answer.points = grade_item(item, answer.response)
        score += answer.points
    Answer.objects.bulk_update(answers.values(), ["correct", "points"])
    Answer.objects.bulk_create(unanswered)
    attempt.score = score.quantize(Decimal("0.1"))
    attempt.percent = (
        (score * 100 / attempt.max_score).quantize(Decimal("0.1"))
        if attempt.max_score
        else Decimal(0)
    )
    attempt.passed = attempt.percent >= attempt.exam.pass_percent
    attempt.submitted_at = min(now, attempt.deadline_at + GRACE)
    attempt.auto_submitted = auto
    attempt.save(update_fields=["score", "percent", "passed", "submitted_at", "auto_submitted"])
    attempt_graded(attempt)


@transaction.atomic
def attempt_submit(*, actor: Actor, attempt_id: Any) -> Attempt:
    """Grade and close the actor's own attempt; a second submit returns the first result."""
    attempt = _own_attempt(actor, attempt_id, lock=True)
    if attempt.submitted_at is not None:
        return attempt
    now = timezone.now()
    auto = now > attempt.deadline_at + GRACE
    _grade(attempt, now, auto=auto)
    audit_record(
        actor=actor, verb="exams.attempt.submit", obj=attempt,
        object_repr=f"{attempt.exam.title} #{attempt.number}", org=attempt.org,
        after={"score": attempt.score, "percent": attempt.percent, "passed": attempt.passed,
               "auto": auto},
    )  # fmt: skip
    return attempt


@transaction.atomic
def attempt_submit_expired(attempt: Attempt, *, now: dt.datetime) -> Attempt:
    """Submit an attempt whose time ran out (the timer did it, not a person)."""
    attempt = (
        Attempt.objects.select_for_update(of=("self",)).select_related("exam").get(pk=attempt.pk)
    )
    if attempt.submitted_at is None:
        _grade(attempt, now, auto=True)
        audit_record(
            actor=None, verb="exams.attempt.autosubmit", obj=attempt,
            object_repr=f"{attempt.exam.title} #{attempt.number}",
            org=Organization(pk=attempt.org_id),
            after={"score": attempt.score, "percent": attempt.percent, "passed": attempt.passed},
        )  # fmt: skip
    return attempt


def attempts_expire(*, exam: Exam | None = None, now: dt.datetime | None = None) -> int:
    """Submit every open attempt past its deadline (of one exam, or all); returns how many."""
    now = now or timezone.now()
    due = Attempt.objects.filter(submitted_at__isnull=True, deadline_at__lt=now - GRACE)
    if exam is not None:
        due = due.filter(exam=exam)
        if exam.closes_at <= now:
            due = Attempt.objects.filter(submitted_at__isnull=True, exam=exam)
    count = 0
    for attempt in due.iterator():
        attempt_submit_expired(attempt, now=now)
        count += 1
    return count


def attempt_current(*, actor: Actor, attempt_id: Any) -> Attempt:
    """The actor's own attempt as it stands; one past its time is submitted first, so a taker
    who comes back late sees their result, not a running clock."""
    attempt = _own_attempt(actor, attempt_id)
    now = timezone.now()
    if attempt.submitted_at is None and now > attempt.deadline_at + GRACE:
        attempt = attempt_submit_expired(attempt, now=now)
    return attempt

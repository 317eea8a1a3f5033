"""Taking an exam over the API: the phone page uses these same routes.

    POST /api/v1/exams/{exam_id}/attempts           start, or resume the open attempt
    GET  /api/v1/exams/attempts/{attempt_id}        the attempt as the taker sees it
    PUT  /api/v1/exams/attempts/{attempt_id}/answers/{question_id}   save one answer
    POST /api/v1/exams/attempts/{attempt_id}/submit grade and close (twice is harmless)

The key is never sent before submission; after it, only as the exam's `show_answers` allows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from peixun.core.scoping import get_visible_or_404

from .. import selectors, services
from ..models import Answer, Attempt, Exam

router = Router(tags=["exams"])


class ItemOut(Schema):
    q: int
    kind: str
    stem: str
    options: list[str]
    points: str


class ReviewOut(Schema):
    q: int
    key: Any
    correct: bool
    explanation: str


class AttemptOut(Schema):
    id: int
    exam: int
    number: int
    started_at: dt.datetime
    deadline_at: dt.datetime
    remaining_seconds: int
    submitted_at: dt.datetime | None
    auto_submitted: bool
    items: list[ItemOut]
    answers: dict[str, Any]
    score: Decimal | None
    max_score: Decimal
    percent: Decimal | None
    passed: bool | None
    review: list[ReviewOut] | None


def attempt_view(attempt: Attempt) -> dict[str, Any]:
    """What the taker may see: no key while open; after submission, the key only when the
    exam shows answers by now."""
    answers = {a.question_id: a for a in attempt.answers.all()}
    now = timezone.now()
    review = None
    used = (
        Attempt.objects.filter(exam_id=attempt.exam_id, member_id=attempt.member_id).count()
        if attempt.submitted_at is not None
        else 0
    )
    if attempt.submitted_at is not None and selectors.answers_visible(
        attempt.exam, now, attempts_used=used
    ):
        review = [
            {
                "q": item["q"],
                "key": item["key"],
                "correct": bool(answers.get(item["q"]) and answers[item["q"]].correct),
                "explanation": item.get("explanation", ""),
            }
            for item in attempt.items
        ]
    remaining = 0
    if attempt.submitted_at is None:
        remaining = max(0, int((attempt.deadline_at - now).total_seconds()))
    return {
        "id": attempt.pk,
        "exam": attempt.exam_id,
        "number": attempt.number,
        "started_at": attempt.started_at,
        "deadline_at": attempt.deadline_at,
        "remaining_seconds": remaining,
        "submitted_at": attempt.submitted_at,
        "auto_submitted": attempt.auto_submitted,
        "items": [
            {k: item[k] for k in ("q", "kind", "stem", "options", "points")}
            for item in attempt.items
        ],
        # Only what the taker gave: the graded empty rows of unanswered questions are left out.
        "answers": {str(qid): a.response for qid, a in answers.items() if a.response is not None},
        "score": attempt.score,
        "max_score": attempt.max_score,
        "percent": attempt.percent,
        "passed": attempt.passed,
        "review": review,
    }


@router.post("/{int:exam_id}/attempts", response=AttemptOut)
def start(request: HttpRequest, exam_id: int) -> dict[str, Any]:
    exam = get_visible_or_404(request.user, Exam, exam_id)
    attempt = services.attempt_start(actor=request.user, exam=exam)
    return attempt_view(attempt)


@router.get("/attempts/{int:attempt_id}", response=AttemptOut)
def attempt_detail(request: HttpRequest, attempt_id: int) -> dict[str, Any]:
    attempt = services.attempt_current(actor=request.user, attempt_id=attempt_id)
    return attempt_view(attempt)


class AnswerIn(Schema):
    # Required (null clears the answer): a body without it, or not an object at all, is a 422,
    # never a silent clearing of the saved answer.
    response: Any
    seq: int = 0


class AnswerOut(Schema):
    question_id: int
    response: Any
    seq: int
    saved_at: dt.datetime


@router.put("/attempts/{int:attempt_id}/answers/{int:question_id}", response=AnswerOut)
def save_answer(
    request: HttpRequest, attempt_id: int, question_id: int, payload: AnswerIn
) -> Answer:
    return services.attempt_answer_save(
        actor=request.user,
        attempt_id=attempt_id,
        question_id=question_id,
        response=payload.response,
        seq=payload.seq,
    )


@router.post("/attempts/{int:attempt_id}/submit", response=AttemptOut)
def submit(request: HttpRequest, attempt_id: int) -> dict[str, Any]:
    attempt = services.attempt_submit(actor=request.user, attempt_id=attempt_id)
    return attempt_view(attempt)

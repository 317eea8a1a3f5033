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
from ninja import Router, Schema

from peixun.core.apiutils import Count, IdParam
from peixun.core.scoping import get_visible_or_404

from .. import selectors, services
from ..models import Answer, Exam

router = Router(tags=["exams"])


class AttemptItemOut(Schema):
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
    items: list[AttemptItemOut]
    answers: dict[str, Any]
    score: Decimal | None
    max_score: Decimal
    percent: Decimal | None
    passed: bool | None
    review: list[ReviewOut] | None


@router.post("/{int:exam_id}/attempts", response=AttemptOut)
def start(request: HttpRequest, exam_id: IdParam) -> dict[str, Any]:
    exam = get_visible_or_404(request.user, Exam, exam_id)
    attempt = services.attempt_start(actor=request.user, exam=exam)
    return selectors.attempt_for_taker(attempt)


@router.get("/attempts/{int:attempt_id}", response=AttemptOut)
def attempt_detail(request: HttpRequest, attempt_id: IdParam) -> dict[str, Any]:
    attempt = services.attempt_current(actor=request.user, attempt_id=attempt_id)
    return selectors.attempt_for_taker(attempt)


class AnswerIn(Schema):
    # Required (null clears the answer): a body without it, or not an object at all, is a 422,
    # never a silent clearing of the saved answer.
    response: Any
    seq: Count = 0


class AnswerOut(Schema):
    question_id: int
    response: Any
    seq: int
    saved_at: dt.datetime


@router.put("/attempts/{int:attempt_id}/answers/{int:question_id}", response=AnswerOut)
def save_answer(
    request: HttpRequest, attempt_id: IdParam, question_id: IdParam, payload: AnswerIn
) -> Answer:
    return services.attempt_answer_save(
        actor=request.user,
        attempt_id=attempt_id,
        question_id=question_id,
        response=payload.response,
        seq=payload.seq,
    )


@router.post("/attempts/{int:attempt_id}/submit", response=AttemptOut)
def submit(request: HttpRequest, attempt_id: IdParam) -> dict[str, Any]:
    attempt = services.attempt_submit(actor=request.user, attempt_id=attempt_id)
    return selectors.attempt_for_taker(attempt)

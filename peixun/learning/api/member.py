"""The member's side of online learning over the API; the phone pages use these same routes.

    GET  /api/v1/learning/courses                       courses open to me, with my progress
    GET  /api/v1/learning/courses/{id}                  a course, its items and my progress
    POST /api/v1/learning/items/{id}/play               start (or take over) my play session
    POST /api/v1/learning/items/{id}/progress           the player's report (judged, or struck)
    POST /api/v1/learning/presence                      "still here": time counts again
    POST /api/v1/learning/items/{id}/open               a document opened in the page
    GET  /api/v1/learning/items/{id}/quiz               a quiz's questions (never the key)
    POST /api/v1/learning/items/{id}/quiz               submit a quiz's answers
    GET  /api/v1/learning/completions                   my completions, with their evidence

Statuses as elsewhere in API v1: anonymous 401; a course or item not open to me 404 (staff
without a member record included); bad values 422 with the field named. A refused report is
a 200 with `accepted: false` and the check it failed: the player shows why.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from peixun.core.apiutils import IdParam

from .. import selectors, services
from ..selectors import CourseRow

router = Router(tags=["learning"])


class ItemOut(Schema):
    id: int
    kind: str
    title: str
    duration_seconds: int | None
    percent: Decimal
    done: bool
    position: float
    unique_seconds: int


class CourseOut(Schema):
    id: int
    title: str
    topic: str
    description: str
    hours: Decimal | None
    move_on: str
    watch_percent: int
    allow_skip: bool
    percent: int
    completed_at: dt.datetime | None
    credited_hours: Decimal | None
    items: list[ItemOut]


def course_out(row: CourseRow) -> dict[str, Any]:
    c = row.course
    return {
        "id": c.pk, "title": c.title, "topic": c.topic, "description": c.description,
        "hours": c.hours, "move_on": c.move_on, "watch_percent": c.watch_percent,
        "allow_skip": c.allow_skip, "percent": row.percent,
        "completed_at": row.completion.completed_at if row.completion else None,
        "credited_hours": row.completion.hours if row.completion else None,
        "items": [
            {"id": r.item.pk, "kind": r.item.kind, "title": r.item.title,
             "duration_seconds": r.item.duration_seconds, "percent": r.percent, "done": r.done,
             "position": r.progress.position if r.progress else 0.0,
             "unique_seconds": r.progress.unique_seconds if r.progress else 0}
            for r in row.items
        ],
    }  # fmt: skip


@router.get("/courses", response=list[CourseOut])
def courses(request: HttpRequest) -> list[dict[str, Any]]:
    return [course_out(row) for row in selectors.my_courses(actor=request.user)]


@router.get("/courses/{int:course_id}", response=CourseOut)
def course(request: HttpRequest, course_id: IdParam) -> dict[str, Any]:
    return course_out(selectors.my_course(actor=request.user, pk=course_id))


class PlayOut(Schema):
    token: str
    position: float
    presence_due_in: float


@router.post("/items/{int:item_id}/play", response=PlayOut)
def play(request: HttpRequest, item_id: IdParam) -> dict[str, Any]:
    item = services.learner_item(actor=request.user, item_id=item_id)
    session = services.play_start(actor=request.user, item=item)
    mine = selectors.my_item_progress(actor=request.user, item=item)
    return {"token": session.token, "position": mine.position if mine else 0.0,
            "presence_due_in": float(services.idle_seconds(item))}  # fmt: skip


class ReportIn(Schema):
    token: str
    # [start, end) media seconds played since the last report.
    intervals: list[Any]
    # Seconds the player's own clock says passed since its last report.
    elapsed: float
    position: float | None = None


class ReportOut(Schema):
    accepted: bool
    reason: str
    unique_seconds: int
    watched_percent: Decimal
    position: float
    completed: bool
    presence_due_in: float


@router.post("/items/{int:item_id}/progress", response=ReportOut)
def progress(request: HttpRequest, item_id: IdParam, body: ReportIn) -> dict[str, Any]:
    item = services.learner_item(actor=request.user, item_id=item_id)
    result = services.progress_report(
        actor=request.user, item=item, token=body.token, intervals=body.intervals,
        elapsed=body.elapsed, position=body.position,
    )  # fmt: skip
    return result.__dict__


class PresenceIn(Schema):
    token: str


@router.post("/presence", response=PlayOut)
def presence(request: HttpRequest, body: PresenceIn) -> dict[str, Any]:
    session = services.presence_confirm(actor=request.user, token=body.token)
    return {"token": session.token, "position": 0.0,
            "presence_due_in": float(services.idle_seconds(session.item))}  # fmt: skip


class OpenOut(Schema):
    done: bool


@router.post("/items/{int:item_id}/open", response=OpenOut)
def open_document(request: HttpRequest, item_id: IdParam) -> dict[str, Any]:
    item = services.learner_item(actor=request.user, item_id=item_id)
    progress = services.document_open(actor=request.user, item=item)
    return {"done": progress.done_at is not None}


class QuizQuestionOut(Schema):
    q: int
    kind: str
    stem: str
    options: list[str]


@router.get("/items/{int:item_id}/quiz", response=list[QuizQuestionOut])
def quiz(request: HttpRequest, item_id: IdParam) -> list[dict[str, Any]]:
    item = services.learner_item(actor=request.user, item_id=item_id)
    if item.kind != "quiz":
        return []
    # The key stays on the server.
    return [{k: q[k] for k in ("q", "kind", "stem", "options")} for q in services.quiz_items(item)]


class QuizIn(Schema):
    answers: dict[str, Any]


class QuizOut(Schema):
    id: int
    percent: Decimal
    passed: bool
    submitted_at: dt.datetime


@router.post("/items/{int:item_id}/quiz", response=QuizOut)
def quiz_submit(request: HttpRequest, item_id: IdParam, body: QuizIn) -> dict[str, Any]:
    item = services.learner_item(actor=request.user, item_id=item_id)
    attempt = services.quiz_submit(actor=request.user, item=item, answers=body.answers)
    return {"id": attempt.pk, "percent": attempt.percent, "passed": attempt.passed,
            "submitted_at": attempt.submitted_at}  # fmt: skip


class CompletionOut(Schema):
    id: int
    course: int
    title: str
    completed_at: dt.datetime
    hours: Decimal
    unique_seconds: int
    video_seconds: int
    quiz_percent: Decimal | None
    credit: int | None
    evidence: str


@router.get("/completions", response=list[CompletionOut])
def completions(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {"id": c.pk, "course": c.course_id, "title": c.course.title,
         "completed_at": c.completed_at, "hours": c.hours, "unique_seconds": c.unique_seconds,
         "video_seconds": c.video_seconds, "quiz_percent": c.quiz_percent,
         "credit": c.credit_id, "evidence": selectors.evidence_text(c)}
        for c in selectors.my_completions(actor=request.user)
    ]  # fmt: skip

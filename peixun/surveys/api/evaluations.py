"""Evaluations and answering over the API:

    GET  /api/v1/surveys/evaluations               the evaluations the reader may see (?year=, ?q=)
    POST /api/v1/surveys/evaluations               start one: of a class, a session, or a teacher
                                                   in a class (form_id null: the teaching form)
    GET  /api/v1/surveys/evaluations/{id}          one, with its progress (invited, responded,
                                                   who has not answered)
    GET  /api/v1/surveys/evaluations/{id}/results  results, withheld below the threshold for the
                                                   whole and for each branch
    GET  /api/v1/surveys/mine                      the member's surveys to answer
    POST /api/v1/surveys/{id}/answer               a member's answers, by question id

Statuses as elsewhere in API v1: anonymous 401; out of scope 404 (a survey is answered only by
those invited to it); a visible evaluation the actor may not change 403; bad values 422.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from peixun.core.apiutils import Id, IdParam, OrgRef, Paged, Ref, YearParam
from peixun.core.scoping import get_visible_or_404
from peixun.training.models import TrainingClass

from ..models import Form, Survey
from ..selectors.answering import invitation_for
from ..selectors.evaluations import (
    evaluation_get,
    evaluation_list,
    evaluation_target,
    may_run_evaluations,
)
from ..selectors.results import (
    SurveyResults,
    response_progress,
    results_by_branch,
    survey_results,
    surveys_to_answer,
)
from ..services.evaluations import evaluation_start
from ..services.responses import response_submit

router = Router(tags=["surveys"])


class EvaluationOut(Schema):
    id: int
    title: str
    year: int
    state: str
    anonymous: bool
    org: OrgRef
    form_id: int
    training_class_id: int | None
    session_id: int | None
    teacher_id: int | None
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    invited: int
    responded: int


class EvaluationDetailOut(EvaluationOut):
    waiting: list[Ref]


class EvaluationIn(Schema):
    title: str
    form_id: Id | None = None
    class_id: Id | None = None
    session_id: Id | None = None
    teacher_id: Id | None = None
    teacher_class_id: Id | None = None
    closes_at: dt.datetime | None = None


class SurveyResultOptionOut(Schema):
    id: int
    text: str
    topic: str
    count: int


class SurveyResultQuestionOut(Schema):
    id: int
    kind: str
    text: str
    parent_id: int | None
    scale_max: int
    answered: int
    average: Decimal | None
    distribution: list[int]
    options: list[SurveyResultOptionOut]
    texts: list[str]


class SurveyResultsOut(Schema):
    shown: bool
    responses: int
    min_responses: int
    overall: Decimal | None
    questions: list[SurveyResultQuestionOut]


class SurveyBranchResultOut(Schema):
    branch: OrgRef
    invited: int
    responded: int
    results: SurveyResultsOut


class EvaluationResultsOut(Schema):
    results: SurveyResultsOut
    branches: list[SurveyBranchResultOut]


class SurveyToAnswerOut(Schema):
    id: int
    title: str
    purpose: str
    anonymous: bool
    org: OrgRef
    closes_at: dt.datetime | None


class SurveyAnswerIn(Schema):
    # By question id: an int rating, an option id, a list of option ids, or text.
    answers: dict[str, Any]


def _staff(request: HttpRequest) -> None:
    if not may_run_evaluations(request.user):
        raise Http404


def _out(survey: Survey, invited: int, responded: int) -> dict[str, Any]:
    return {
        "id": survey.pk,
        "title": survey.title,
        "year": survey.year,
        "state": survey.state,
        "anonymous": survey.anonymous,
        "org": {"id": survey.org.pk, "name": survey.org.name},
        "form_id": survey.form_id,
        "training_class_id": survey.training_class_id,
        "session_id": survey.session_id,
        "teacher_id": survey.teacher_id,
        "opens_at": survey.opens_at,
        "closes_at": survey.closes_at,
        "invited": invited,
        "responded": responded,
    }


def _detail(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    progress = response_progress(actor=request.user, survey=survey)
    return {
        **_out(survey, progress.invited, progress.responded),
        "waiting": [{"id": m.pk, "name": m.name} for m in progress.waiting],
    }


def _results(results: SurveyResults) -> dict[str, Any]:
    return {
        "shown": results.shown,
        "responses": results.responses,
        "min_responses": results.min_responses,
        "overall": results.overall,
        "questions": [
            {
                "id": q.id,
                "kind": q.kind,
                "text": q.text,
                "parent_id": q.parent_id,
                "scale_max": q.scale_max,
                "answered": q.answered,
                "average": q.average,
                "distribution": q.distribution,
                "options": [o.__dict__ for o in q.options],
                "texts": q.texts,
            }
            for q in results.questions
        ],
    }


@router.get("/evaluations", response=list[EvaluationOut])
@paginate(Paged)
def list_evaluations(request: HttpRequest, year: YearParam | None = None, q: str = "") -> Any:
    _staff(request)
    # Rows read as attributes: the org as its id and name, the counts as annotated.
    return evaluation_list(actor=request.user, year=year, q=q[:100])


@router.post("/evaluations", response={201: EvaluationDetailOut})
def evaluation_new(request: HttpRequest, payload: EvaluationIn) -> Status[dict[str, Any]]:
    _staff(request)
    actor = request.user
    target = evaluation_target(
        actor=actor,
        class_pk=payload.class_id,
        session_pk=payload.session_id,
        teacher_pk=payload.teacher_id,
    )
    form = get_visible_or_404(actor, Form, payload.form_id) if payload.form_id else None
    teacher_class = (
        get_visible_or_404(actor, TrainingClass, payload.teacher_class_id)
        if payload.teacher_class_id
        else None
    )
    survey = evaluation_start(
        actor=actor,
        form=form,
        title=payload.title,
        training_class=target.training_class,
        session=target.session,
        teacher=target.teacher,
        teacher_class=teacher_class,
        closes_at=payload.closes_at,
    )
    return Status(201, _detail(request, evaluation_get(actor=actor, pk=survey.pk)))


@router.get("/evaluations/{int:survey_id}", response=EvaluationDetailOut)
def evaluation_detail(request: HttpRequest, survey_id: IdParam) -> dict[str, Any]:
    _staff(request)
    return _detail(request, evaluation_get(actor=request.user, pk=survey_id))


@router.get("/evaluations/{int:survey_id}/results", response=EvaluationResultsOut)
def evaluation_results(request: HttpRequest, survey_id: IdParam) -> dict[str, Any]:
    _staff(request)
    survey = evaluation_get(actor=request.user, pk=survey_id)
    return {
        "results": _results(survey_results(actor=request.user, survey=survey)),
        "branches": [
            {
                "branch": {"id": b.branch.pk, "name": b.branch.name},
                "invited": b.invited,
                "responded": b.responded,
                "results": _results(b.results),
            }
            for b in results_by_branch(actor=request.user, survey=survey)
        ],
    }


@router.get("/mine", response=list[SurveyToAnswerOut])
def mine(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "id": s.pk,
            "title": s.title,
            "purpose": s.purpose,
            "anonymous": s.anonymous,
            "org": {"id": s.org.pk, "name": s.org.name},
            "closes_at": s.closes_at,
        }
        for s in surveys_to_answer(actor=request.user)
    ]


@router.post("/{int:survey_id}/answer", response={204: None})
def answer(request: HttpRequest, survey_id: IdParam, payload: SurveyAnswerIn) -> Status[None]:
    invitation = invitation_for(actor=request.user, pk=survey_id)
    try:
        response_submit(actor=request.user, survey=invitation.survey, answers=payload.answers)
    except PermissionDenied:
        raise Http404 from None
    return Status(204, None)

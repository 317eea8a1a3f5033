"""Forms over the API, for every purpose (evaluation, needs survey, judging):

    GET  /api/v1/surveys/forms            the forms the reader may use (?purpose=)
    GET  /api/v1/surveys/forms/{id}       one form, its questions as a spec
    POST /api/v1/surveys/forms            a new form from a spec
    PUT  /api/v1/surveys/forms/{id}       its title, description and questions (refused, 422,
                                          once the form has been answered)

Staff only (a plain member 404); a form is shared down its keeper's subtree; only those who
manage the keeper change it (403).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from peixun.core.apiutils import Id, IdParam, OrgRef, Paged
from peixun.core.scoping import get_visible_or_404
from peixun.orgs.models import Organization

from ..models import Form
from ..selectors.evaluations import may_run_evaluations
from ..selectors.surveys import visible_forms
from ..services.forms import form_create, form_is_answered, form_spec, form_update

router = Router(tags=["surveys"])


class SurveyFormOut(Schema):
    id: int
    title: str
    purpose: str
    description: str
    org: OrgRef
    created_at: dt.datetime


class SurveyFormDetailOut(SurveyFormOut):
    answered: bool
    spec: list[dict[str, Any]]


class SurveyFormIn(Schema):
    org: Id
    purpose: str
    title: str
    description: str = ""
    spec: list[Any]


class SurveyFormUpdateIn(Schema):
    title: str
    description: str = ""
    spec: list[Any]


def _staff(request: HttpRequest) -> None:
    if not may_run_evaluations(request.user):
        raise Http404


def _detail(form: Form) -> dict[str, Any]:
    return {
        "id": form.pk,
        "title": form.title,
        "purpose": form.purpose,
        "description": form.description,
        "org": {"id": form.org.pk, "name": form.org.name},
        "created_at": form.created_at,
        "answered": form_is_answered(form),
        "spec": form_spec(form),
    }


@router.get("/forms", response=list[SurveyFormOut])
@paginate(Paged)
def list_forms(request: HttpRequest, purpose: str = "") -> Any:
    _staff(request)
    return visible_forms(actor=request.user, purpose=purpose[:16] or None)


@router.get("/forms/{int:form_id}", response=SurveyFormDetailOut)
def form_detail(request: HttpRequest, form_id: IdParam) -> dict[str, Any]:
    _staff(request)
    return _detail(get_visible_or_404(request.user, Form, form_id))


@router.post("/forms", response={201: SurveyFormDetailOut})
def form_new(request: HttpRequest, payload: SurveyFormIn) -> Status[dict[str, Any]]:
    _staff(request)
    org = get_visible_or_404(request.user, Organization, payload.org)
    form = form_create(
        actor=request.user,
        org=org,
        purpose=payload.purpose,
        title=payload.title,
        description=payload.description,
        spec=payload.spec,
    )
    return Status(201, _detail(form))


@router.put("/forms/{int:form_id}", response=SurveyFormDetailOut)
def form_change(
    request: HttpRequest, form_id: IdParam, payload: SurveyFormUpdateIn
) -> dict[str, Any]:
    _staff(request)
    form = get_visible_or_404(request.user, Form, form_id)
    form = form_update(
        actor=request.user,
        form=form,
        title=payload.title,
        description=payload.description,
        spec=payload.spec,
    )
    return _detail(form)

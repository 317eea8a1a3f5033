"""/api/v1/surveys/needs/: needs surveys (需求调研) with their audience, opened and closed, their
results overall, per branch and per plan topic (each withheld below the tenant's threshold), and
plan items citing a topic.

Statuses as elsewhere in API v1: anonymous 401; a plain member, a survey out of scope or one the
caller is only invited to answer 404; a visible survey the caller may not change 403; bad values
422 with the field named.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.pagination import paginate

from peixun.core.apiutils import Id, IdParam, OrgRef, Paged, Year, YearParam
from peixun.core.permissions import require_manage
from peixun.orgs.models import Organization
from peixun.orgs.selectors import org_field

from ..models import Form, PlanCitation, Survey
from ..models.forms import Purpose
from ..selectors import needs as selectors
from ..selectors.results import SurveyResults, results_by_branch, survey_results
from ..selectors.surveys import visible_forms
from ..services import citations as citation_services
from ..services import needs as services

router = Router(tags=["surveys"])


class NeedsSurveyOut(Schema):
    id: int
    org: OrgRef
    title: str
    year: int
    form_id: int
    state: str
    anonymous: bool
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    invited: int = 0
    responded: int = 0


class NeedsSurveyDetailOut(NeedsSurveyOut):
    audience: str


class NeedsSurveyIn(Schema):
    org: Id
    title: str
    year: Year
    form: Id | None = None  # a needs form the caller sees; none: the built-in questionnaire
    closes_at: dt.datetime | None = None
    audience_org: Id | None = None
    audience_statuses: list[str] = []
    audience_positions: list[str] = []
    audience_cadre_ranks: list[str] = []


class NeedsToldOut(Schema):
    told: int


class NeedsInvitedOut(Schema):
    invited: int


class NeedsOptionOut(Schema):
    id: int
    text: str
    topic: str
    count: int


class NeedsQuestionOut(Schema):
    id: int
    kind: str
    text: str
    parent_id: int | None
    answered: int
    average: Decimal | None
    distribution: list[int]
    options: list[NeedsOptionOut]
    texts: list[str]


class NeedsResultsOut(Schema):
    shown: bool
    responses: int
    min_responses: int
    overall: Decimal | None
    questions: list[NeedsQuestionOut]


class NeedsBranchOut(Schema):
    branch: OrgRef
    invited: int
    responded: int
    shown: bool


class NeedsTopicOut(Schema):
    topic: str
    label: str
    respondents: int
    share: Decimal
    options: list[str]


class NeedsTopicDemandOut(Schema):
    shown: bool
    responses: int
    min_responses: int
    topics: list[NeedsTopicOut]


class NeedsCitationIn(Schema):
    plan_item: Id
    topic: str
    note: str = ""


class NeedsCitationOut(Schema):
    id: int
    plan_item_id: int
    plan_item: str
    plan_org: OrgRef
    topic: str
    respondents: int
    responses: int
    share: Decimal
    note: str
    cited_at: dt.datetime

    @staticmethod
    def resolve_plan_item(obj: PlanCitation) -> str:
        return str(obj.plan_item.content)

    @staticmethod
    def resolve_plan_org(obj: PlanCitation) -> Organization:
        return obj.plan_item.plan.org


def _survey(request: HttpRequest, survey_id: int) -> Survey:
    return selectors.needs_survey_get(request.user, survey_id)


def _detail(survey: Survey) -> dict[str, Any]:
    progress = selectors.survey_counts(survey)
    return {
        "id": survey.pk, "org": survey.org, "title": survey.title, "year": survey.year,
        "form_id": survey.form_id, "state": survey.state, "anonymous": survey.anonymous,
        "opens_at": survey.opens_at, "closes_at": survey.closes_at,
        "invited": progress[0], "responded": progress[1],
        "audience": selectors.audience_description(survey),
    }  # fmt: skip


def _branch_param(request: HttpRequest, survey: Survey, branch: int | None) -> Organization | None:
    if branch is None:
        return None
    for row in results_by_branch(actor=request.user, survey=survey):
        if row.branch.pk == branch:
            return row.branch
    raise ValidationError({"branch": _("No branch of this survey has this id.")})


def _results(results: SurveyResults) -> dict[str, Any]:
    return {
        "shown": results.shown, "responses": results.responses,
        "min_responses": results.min_responses, "overall": results.overall,
        "questions": [q.__dict__ | {"options": [o.__dict__ for o in q.options]}
                      for q in results.questions],
    }  # fmt: skip


@router.get("/needs", response=list[NeedsSurveyOut])
@paginate(Paged)
def list_needs(
    request: HttpRequest, q: str = "", year: YearParam | None = None, state: str = ""
) -> Any:
    """The needs surveys run by the caller's orgs and those below, newest first."""
    selectors.require_staff(request.user)
    return selectors.needs_surveys(actor=request.user, q=q[:100], year=year, state=state)


@router.post("/needs", response={201: NeedsSurveyDetailOut})
def create_needs(request: HttpRequest, payload: NeedsSurveyIn) -> Status[Any]:
    """A draft needs survey on a needs form (or a copy of the built-in questionnaire), asking
    the audience given (the run-by org's whole subtree by default)."""
    selectors.require_staff(request.user)
    org = org_field(request.user, "org", payload.org)
    require_manage(request.user, org)
    form: Form | None = None
    if payload.form is not None:
        form = (
            visible_forms(actor=request.user, purpose=Purpose.NEEDS).filter(pk=payload.form).first()
        )
        if form is None:
            raise ValidationError({"form": _("No such needs survey form in your scope.")})
    audience: dict[str, Any] = {
        "audience_org": (
            org_field(request.user, "audience_org", payload.audience_org)
            if payload.audience_org is not None
            else None
        ),
        "audience_statuses": payload.audience_statuses,
        "audience_positions": payload.audience_positions,
        "audience_cadre_ranks": payload.audience_cadre_ranks,
    }
    survey = services.needs_survey_create(
        actor=request.user, org=org, form=form, title=payload.title, year=payload.year,
        audience=audience, closes_at=payload.closes_at,
    )  # fmt: skip
    return Status(201, _detail(survey))


@router.get("/needs/{int:survey_id}", response=NeedsSurveyDetailOut)
def get_needs(request: HttpRequest, survey_id: IdParam) -> dict[str, Any]:
    return _detail(_survey(request, survey_id))


@router.post("/needs/{int:survey_id}/open", response=NeedsToldOut)
def open_needs(request: HttpRequest, survey_id: IdParam) -> dict[str, int]:
    """Invite the audience, open the survey and tell each invited member with a login."""
    survey = _survey(request, survey_id)
    return {"told": services.needs_survey_open(actor=request.user, survey=survey)}


@router.post("/needs/{int:survey_id}/invite", response=NeedsInvitedOut)
def invite_needs(request: HttpRequest, survey_id: IdParam) -> dict[str, int]:
    """Invite the members of the audience not invited yet (those who joined since)."""
    survey = _survey(request, survey_id)
    return {"invited": services.needs_survey_invite(actor=request.user, survey=survey)}


@router.post("/needs/{int:survey_id}/close", response=NeedsSurveyDetailOut)
def close_needs(request: HttpRequest, survey_id: IdParam) -> dict[str, Any]:
    survey = _survey(request, survey_id)
    return _detail(services.needs_survey_close(actor=request.user, survey=survey))


@router.get("/needs/{int:survey_id}/results", response=NeedsResultsOut)
def needs_results(
    request: HttpRequest, survey_id: IdParam, branch: IdParam | None = None
) -> dict[str, Any]:
    """The answers of the whole survey or of one branch; nothing but the count below the
    threshold."""
    survey = _survey(request, survey_id)
    org = _branch_param(request, survey, branch)
    return _results(survey_results(actor=request.user, survey=survey, branch=org))


@router.get("/needs/{int:survey_id}/branches", response=list[NeedsBranchOut])
def needs_branches(request: HttpRequest, survey_id: IdParam) -> list[dict[str, Any]]:
    """Each invited branch: invited, answered, and whether its results are shown."""
    survey = _survey(request, survey_id)
    return [
        {"branch": r.branch, "invited": r.invited, "responded": r.results.responses,
         "shown": r.results.shown}
        for r in results_by_branch(actor=request.user, survey=survey)
    ]  # fmt: skip


@router.get("/needs/{int:survey_id}/topics", response=NeedsTopicDemandOut)
def needs_topics(
    request: HttpRequest, survey_id: IdParam, branch: IdParam | None = None
) -> dict[str, Any]:
    """For every plan topic the questionnaire maps options to: respondents who chose it and their
    share (a fraction) of all respondents; withheld below the threshold."""
    survey = _survey(request, survey_id)
    demand = selectors.needs_topic_demand(survey, branch=_branch_param(request, survey, branch))
    return {
        "shown": demand.shown, "responses": demand.responses,
        "min_responses": demand.min_responses, "topics": [r.__dict__ for r in demand.rows],
    }  # fmt: skip


@router.get("/needs/{int:survey_id}/citations", response=list[NeedsCitationOut])
def list_citations(request: HttpRequest, survey_id: IdParam) -> Any:
    """The plan items (the caller sees) that cite the survey."""
    return selectors.survey_citations(actor=request.user, survey=_survey(request, survey_id))


@router.post("/needs/{int:survey_id}/citations", response={201: NeedsCitationOut})
def cite(request: HttpRequest, survey_id: IdParam, payload: NeedsCitationIn) -> Status[Any]:
    """Cite a topic of the survey in a plan item of its year that the caller manages; the share
    of respondents is stored as it stands."""
    survey = _survey(request, survey_id)
    item = selectors.visible_plan_item(actor=request.user, pk=payload.plan_item)
    citation = citation_services.plan_item_cite(
        actor=request.user, plan_item=item, survey=survey, topic=payload.topic, note=payload.note
    )
    return Status(201, citation)

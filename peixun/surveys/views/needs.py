"""Pages of needs surveys (需求调研): the list, a new survey with its audience, one survey (its
progress, opening and closing), its results overall, per branch and per plan topic with the
citations in plan items, and the results' 台账. Staff only: a plain member gets 404 and answers
on the answer page; a viewer reads and never writes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peixun.core.downloads import download, file_name
from peixun.core.forms import add_service_errors, error_text, mark_invalid
from peixun.core.pagination import paginate
from peixun.core.params import pk_or_404
from peixun.core.pickers import picker_answer
from peixun.core.scoping import can_manage_org
from peixun.plans.selectors import manageable_orgs

from ..documents.needs import needs_results_workbook
from ..forms.needs import CiteForm, NeedsSurveyForm
from ..models import Survey
from ..models.forms import Purpose
from ..selectors import needs as selectors
from ..selectors.results import response_progress, results_by_branch, survey_results
from ..selectors.surveys import visible_forms
from ..services import citations as citation_services
from ..services import needs as services


def state_choices() -> list[tuple[str, str]]:
    # Words of their own: the model's "Open" and "Closed" share msgids translated otherwise.
    return [
        (Survey.State.DRAFT, _("Draft")),
        (Survey.State.OPEN, _("Open for answers")),
        (Survey.State.CLOSED, _("Answering closed")),
    ]


@login_required
def needs_list(request: HttpRequest) -> HttpResponse:
    selectors.require_staff(request.user)
    q = (request.GET.get("q") or "").strip()[:100]
    state = request.GET.get("state") or ""
    raw_year = request.GET.get("year") or ""
    year = int(raw_year) if raw_year.isdigit() and 2000 <= int(raw_year) <= 2100 else None
    surveys = selectors.needs_surveys(actor=request.user, q=q, year=year, state=state)
    page, query = paginate(request, surveys)
    return render(
        request,
        "surveys/needs_list.html",
        {"page": page, "query": query, "q": q, "state": state, "year": year or "",
         "states": state_choices(),
         "can_create": manageable_orgs(request.user).exists()},
    )  # fmt: skip


@login_required
def needs_new(request: HttpRequest) -> HttpResponse:
    selectors.require_staff(request.user)
    orgs = manageable_orgs(request.user)
    if not orgs.exists():
        raise PermissionDenied(_("You may not change records of this organization."))
    form = NeedsSurveyForm(
        request.POST or None,
        orgs=orgs,
        needs_forms=visible_forms(actor=request.user, purpose=Purpose.NEEDS),
        initial={"org": orgs.first(), "year": timezone.localdate().year + 1},
    )
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            survey = services.needs_survey_create(actor=request.user, **form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The survey was saved as a draft: open it to ask."))
            return redirect("surveys:needs_detail", pk=survey.pk)
    mark_invalid(form)
    status = 400 if request.method == "POST" else 200
    return render(request, "surveys/needs_form.html", {"form": form}, status=status)


@login_required
def needs_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.needs_survey_get(request.user, pk)
    progress = response_progress(actor=request.user, survey=survey)
    return render(
        request,
        "surveys/needs_detail.html",
        {
            "survey": survey,
            "audience": selectors.audience_description(survey),
            "progress": progress,
            "waiting": progress.waiting[:50],
            "can_manage": can_manage_org(request.user, survey.org),
            "answer_url": services.answer_url(survey),
        },
    )


def _act(request: HttpRequest, pk: int, act: Any, done: str) -> HttpResponse:
    survey = selectors.needs_survey_get(request.user, pk)
    if not can_manage_org(request.user, survey.org):
        raise PermissionDenied(_("You may not change records of this organization."))
    try:
        result = act(survey)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done % {"n": result} if "%(n)s" in done else done)
    return redirect("surveys:needs_detail", pk=survey.pk)


@login_required
@require_POST
def needs_open(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk,
        lambda s: services.needs_survey_open(actor=request.user, survey=s),
        _("The survey is open; %(n)s members were told."),
    )  # fmt: skip


@login_required
@require_POST
def needs_invite(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk,
        lambda s: services.needs_survey_invite(actor=request.user, survey=s),
        _("%(n)s more members were invited."),
    )  # fmt: skip


@login_required
@require_POST
def needs_close(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request, pk,
        lambda s: services.needs_survey_close(actor=request.user, survey=s),
        _("The survey is closed."),
    )  # fmt: skip


def _results_context(request: HttpRequest, survey: Survey, **extra: Any) -> dict[str, Any]:
    actor = request.user
    branches = results_by_branch(actor=actor, survey=survey)
    branch = None
    raw = request.GET.get("branch")
    if raw:
        wanted = pk_or_404(raw)
        branch = next((b for b in branches if b.branch.pk == wanted), None)
    overall = survey_results(actor=actor, survey=survey)
    demand = selectors.needs_topic_demand(survey, branch=branch.branch if branch else None)
    items = selectors.citable_plan_items(actor=actor, survey=survey)
    has_items = items.exists()
    citations = list(selectors.survey_citations(actor=actor, survey=survey))
    for citation in citations:
        citation.can_withdraw = can_manage_org(actor, citation.plan_item.plan.org)  # type: ignore[attr-defined]
    return {
        "survey": survey,
        "overall": overall,
        "shown_results": branch.results if branch else overall,
        "branches": branches,
        "branch": branch,
        "demand": demand,
        "top": max((r.respondents for r in demand.rows), default=0),
        "citations": citations,
        "survey_invited": sum(b.invited for b in branches),
        "cite_form": extra.pop("cite_form", None) or (CiteForm(items=items) if has_items else None),
        "can_cite": has_items and not branch and demand.shown,
        **extra,
    }


@login_required
def needs_results(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.needs_survey_get(request.user, pk)
    return render(request, "surveys/needs_results.html", _results_context(request, survey))


@login_required
def needs_results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.needs_survey_get(request.user, pk)
    content = needs_results_workbook(
        survey,
        survey_results(actor=request.user, survey=survey),
        results_by_branch(actor=request.user, survey=survey),
        selectors.needs_topic_demand(survey),
    )
    name = file_name("需求调研结果", survey.title, f"{survey.year}年", ext="xlsx")
    return download(content, name, fallback=f"needs-survey-{survey.pk}.xlsx")


@login_required
@require_POST
def needs_cite(request: HttpRequest, pk: int) -> HttpResponse:
    survey = selectors.needs_survey_get(request.user, pk)
    items = selectors.citable_plan_items(actor=request.user, survey=survey)
    if not items.exists():
        raise PermissionDenied(_("You manage no plan of this year."))
    form = CiteForm(request.POST, items=items)
    if form.is_valid():
        try:
            citation_services.plan_item_cite(actor=request.user, survey=survey, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The plan item now cites this survey."))
            return redirect("surveys:needs_results", pk=survey.pk)
    mark_invalid(form)
    context = _results_context(request, survey, cite_form=form)
    return render(request, "surveys/needs_results.html", context, status=400)


@login_required
@require_POST
def needs_uncite(request: HttpRequest, pk: int, citation_pk: int) -> HttpResponse:
    survey = selectors.needs_survey_get(request.user, pk)
    citation = selectors.survey_citation_get(actor=request.user, survey=survey, pk=citation_pk)
    citation_services.plan_citation_remove(actor=request.user, citation=citation)
    messages.success(request, _("The citation was withdrawn."))
    return redirect("surveys:needs_results", pk=survey.pk)

"""Evaluation pages for organisers: start an evaluation of a class, a session or a teacher, the
list, and an evaluation's page (progress, reminders, results by criterion and by branch, close,
export).

Access: staff who read the survey's org (a member invited to it gets 404 here: their page is
the answer page); the writes (start, remind, close) need manage rights on the org (403 for a
viewer); another branch's secretary gets 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peixun.core.downloads import download, file_name
from peixun.core.forms import add_service_errors, error_text, mark_invalid
from peixun.core.pagination import paginate
from peixun.core.params import pk_or_404, year_param
from peixun.core.scoping import can_manage_org

from ..documents import evaluation_results_book
from ..forms.pages import EvaluationStartForm
from ..models import QuestionKind
from ..selectors.evaluations import (
    evaluation_forms,
    evaluation_get,
    evaluation_list,
    evaluation_target,
    may_run_evaluations,
    teacher_classes,
)
from ..selectors.results import QuestionResult, response_progress, results_by_branch, survey_results
from ..services.evaluations import evaluation_start, survey_remind
from ..services.surveys import survey_close


def _optional_pk(raw: str | None) -> int | None:
    return pk_or_404(raw) if raw else None


@login_required
@require_GET
def evaluations(request: HttpRequest) -> HttpResponse:
    if not may_run_evaluations(request.user):
        raise Http404
    year = year_param(request, lowest=2000, highest=2100) if request.GET.get("year") else None
    q = (request.GET.get("q") or "").strip()[:100]
    page, query = paginate(request, evaluation_list(actor=request.user, year=year, q=q))
    this_year = timezone.localdate().year
    return render(
        request,
        "surveys/evaluation_list.html",
        {
            "page": page,
            "query": query,
            "q": q,
            "year": year,
            "years": list(range(this_year + 1, this_year - 5, -1)),
        },
    )


@login_required
def evaluation_new(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not may_run_evaluations(actor):
        raise Http404
    source = request.POST if request.method == "POST" else request.GET
    target = evaluation_target(
        actor=actor,
        class_pk=_optional_pk(source.get("class")),
        session_pk=_optional_pk(source.get("session")),
        teacher_pk=_optional_pk(source.get("teacher")),
    )
    running = target.training_class or (target.session.training_class if target.session else None)
    if running is not None and not can_manage_org(actor, running.org):
        raise PermissionDenied(_("You may not evaluate this class."))
    classes = teacher_classes(actor=actor, teacher=target.teacher) if target.teacher else None
    if classes is not None and not classes.exists():
        raise PermissionDenied(_("This teacher taught no session of a class you run."))
    form = EvaluationStartForm(
        request.POST or None,
        forms_offered=evaluation_forms(actor=actor),
        classes=classes,
        initial={"title": _("Evaluation: %(what)s") % {"what": target.label}},
    )
    if request.method == "POST" and form.is_valid():
        try:
            survey = evaluation_start(
                actor=actor,
                form=form.chosen_form(),
                title=form.cleaned_data["title"],
                training_class=target.training_class,
                session=target.session,
                teacher=target.teacher,
                teacher_class=form.cleaned_data.get("teacher_class"),
                closes_at=form.cleaned_data.get("closes_at"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The evaluation is open; the trainees have been told."))
            return redirect("surveys:evaluation_detail", survey.pk)
    mark_invalid(form)
    return render(request, "surveys/evaluation_new.html", {"form": form, "target": target})


def _bars(q: QuestionResult) -> list[dict[str, Any]]:
    """The distribution of a rating (highest first) or the counts of a choice's options, each
    as a share of the largest, for the page's bars."""
    if q.kind == QuestionKind.RATING:
        pairs = [(str(score), n) for score, n in enumerate(q.distribution, start=1)][::-1]
    else:
        pairs = [(o.text, o.count) for o in q.options]
    top = max((n for _label, n in pairs), default=0)
    return [
        {"score": label, "label": label, "count": n, "percent": round(100 * n / top) if top else 0}
        for label, n in pairs
    ]


@login_required
@require_GET
def evaluation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    survey = evaluation_get(actor=actor, pk=pk)
    results = survey_results(actor=actor, survey=survey)
    by_id = {q.id: q for q in results.questions}
    for q in results.questions:
        q.bars = _bars(q)  # type: ignore[attr-defined]
    # Criteria with their items, then the standalone questions, in the form's order.
    blocks: list[dict[str, Any]] = []
    for q in results.questions:
        if q.parent_id is None:
            blocks.append({"question": q, "items": []})
        elif q.parent_id in by_id and blocks:
            blocks[-1]["items"].append(q)
    return render(
        request,
        "surveys/evaluation_detail.html",
        {
            "survey": survey,
            "results": results,
            "blocks": blocks,
            "progress": response_progress(actor=actor, survey=survey),
            "branches": results_by_branch(actor=actor, survey=survey),
            "can_manage": can_manage_org(actor, survey.org),
        },
    )


@login_required
@require_POST
def evaluation_remind(request: HttpRequest, pk: int) -> HttpResponse:
    survey = evaluation_get(actor=request.user, pk=pk)
    try:
        told = survey_remind(actor=request.user, survey=survey)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("Reminders sent: %(n)s.") % {"n": told})
    return redirect("surveys:evaluation_detail", survey.pk)


@login_required
@require_POST
def evaluation_close(request: HttpRequest, pk: int) -> HttpResponse:
    survey = evaluation_get(actor=request.user, pk=pk)
    try:
        survey_close(actor=request.user, survey=survey)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The evaluation is closed."))
    return redirect("surveys:evaluation_detail", survey.pk)


@login_required
@require_GET
def evaluation_export(request: HttpRequest, pk: int) -> HttpResponse:
    actor = request.user
    survey = evaluation_get(actor=actor, pk=pk)
    content = evaluation_results_book(
        survey,
        survey_results(actor=actor, survey=survey),
        results_by_branch(actor=actor, survey=survey),
    )
    return download(
        content,
        file_name("教学质量评估结果", survey.title, ext="xlsx"),
        fallback=f"evaluation-{survey.pk}.xlsx",
    )

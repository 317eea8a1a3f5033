"""Paper pages for staff: the list, a new paper, a paper with its questions (fixed) or rules
(drawn), adding bank questions to a fixed paper, removing one, and the edit form.

Access as for the bank: staff only (a member gets 404), a paper is shared down its owner's
subtree, and only those who manage the owner change it (others 403).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peixun.core.forms import add_service_errors, mark_invalid
from peixun.core.pagination import paginate
from peixun.core.pickers import picker_answer
from peixun.core.scoping import can_manage_org, get_visible_or_404
from peixun.plans.selectors import manageable_orgs

from .. import selectors, services
from ..forms import BankFilterForm, PaperForm
from ..models import Difficulty, Paper, QuestionKind

BANK_PAGE = 20


def _manageable(request: HttpRequest) -> Any:
    """The orgs the actor manages, as a tree (each under its parent, indented by the form)."""
    return manageable_orgs(request.user).order_by("path")


@login_required
def papers(request: HttpRequest) -> HttpResponse:
    selectors.require_staff(request.user)
    q = (request.GET.get("q") or "").strip()
    rows = selectors.paper_list(request.user, q=q)
    page, query = paginate(request, rows)
    for paper in page.object_list:
        # A rules paper draws the sum of its rules' counts for each taker.
        paper.question_total = (  # type: ignore[attr-defined]
            paper.questions  # type: ignore[attr-defined]
            if paper.mode == Paper.Mode.FIXED
            else sum(int(rule.get("count") or 0) for rule in paper.rules)
        )
    return render(
        request,
        "exams/paper_list.html",
        {
            "page": page,
            "query": query,
            "q": q,
            "can_create": _manageable(request).exists(),
        },
    )


@login_required
def paper_new(request: HttpRequest) -> HttpResponse:
    selectors.require_staff(request.user)
    orgs = _manageable(request)
    if not orgs.exists():
        raise PermissionDenied(_("You may not create papers."))
    form = PaperForm(request.POST or None, orgs=orgs, initial={"org": orgs.first()})
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST":
        if form.is_valid():
            mode = form.cleaned_data["mode"]
            try:
                paper = services.paper_create(
                    actor=request.user,
                    org=form.cleaned_data["org"],
                    title=form.cleaned_data["title"],
                    mode=mode,
                    rules=form.rules() if mode == Paper.Mode.RULES else None,
                    points=form.points(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if mode == Paper.Mode.FIXED:
                    done = _("The paper was created; add questions from the bank.")
                else:
                    done = _("The paper was created.")
                messages.success(request, done)
                return redirect("exams:paper_detail", pk=paper.pk)
        mark_invalid(form)
    return render(
        request,
        "exams/paper_form.html",
        {"form": form, "paper": None},
        status=400 if request.method == "POST" else 200,
    )


def _paper(request: HttpRequest, pk: int) -> Paper:
    selectors.require_staff(request.user)
    return get_visible_or_404(request.user, Paper, pk)


def _rules_shown(paper: Paper) -> list[dict[str, Any]]:
    kinds = dict(QuestionKind.choices)
    levels = dict(Difficulty.choices)
    return [
        {
            **rule,
            "kind_label": kinds.get(rule.get("kind", ""), rule.get("kind", "")),
            "difficulty_label": levels.get(rule.get("difficulty") or 0, _("Any")),
            "points": paper.points.get(rule.get("kind", ""), ""),
        }
        for rule in paper.rules
    ]


def _detail_context(request: HttpRequest, paper: Paper, **extra: Any) -> dict[str, Any]:
    can_manage = can_manage_org(request.user, paper.org)
    in_use = selectors.paper_in_use(paper)
    editable = can_manage and not in_use
    context: dict[str, Any] = {
        "paper": paper,
        "can_manage": can_manage,
        "in_use": in_use,
        "editable": editable,
        "errors": extra.pop("errors", []),
    }
    if paper.mode == Paper.Mode.FIXED:
        rows = list(paper.rows.select_related("question").order_by("position", "id"))
        context["rows"] = rows
        context["total_points"] = sum((row.points for row in rows), Decimal(0))
        if editable:
            filters = BankFilterForm(request.GET or None)
            search = filters.search()
            candidates = selectors.paper_candidates(
                paper,
                text=search["text"],
                kind=search["kind"],
                difficulty=search["difficulty"],
                topic=search["topic"],
            )
            page, query = paginate(request, candidates, BANK_PAGE)
            context.update(filters=filters, page=page, query=query)
    else:
        rules = _rules_shown(paper)
        context["rules"] = rules
        context["shortfall"] = selectors.rules_shortfall(paper.org, paper.rules)
        context["total_count"] = sum(int(rule["count"]) for rule in rules)
        context["total_points"] = sum(
            (Decimal(str(rule["points"] or 0)) * int(rule["count"]) for rule in rules),
            Decimal(0),
        )
    context.update(extra)
    return context


@login_required
def paper_detail(request: HttpRequest, pk: int) -> HttpResponse:
    paper = _paper(request, pk)
    return render(request, "exams/paper_detail.html", _detail_context(request, paper))


@login_required
def paper_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """Title, points and (a rules paper) the rules; owner and composition stay."""
    paper = _paper(request, pk)
    if not can_manage_org(request.user, paper.org):
        raise PermissionDenied(_("You may not change papers of this organization."))
    form = PaperForm(request.POST or None, orgs=_manageable(request), paper=paper)
    if request.method == "POST":
        if form.is_valid():
            try:
                services.paper_update(
                    actor=request.user,
                    paper=paper,
                    title=form.cleaned_data["title"],
                    rules=form.rules() if paper.mode == Paper.Mode.RULES else None,
                    points=form.points(),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The paper was saved."))
                return redirect("exams:paper_detail", pk=paper.pk)
        mark_invalid(form)
    return render(
        request,
        "exams/paper_form.html",
        {"form": form, "paper": paper},
        status=400 if request.method == "POST" else 200,
    )


def _manage_or_403(request: HttpRequest, pk: int) -> Paper:
    paper = _paper(request, pk)
    if not can_manage_org(request.user, paper.org):
        raise PermissionDenied(_("You may not change papers of this organization."))
    return paper


def _refused(request: HttpRequest, paper: Paper, error: ValidationError) -> HttpResponse:
    context = _detail_context(request, paper, errors=[str(m) for m in error.messages])
    return render(request, "exams/paper_detail.html", context, status=400)


@login_required
@require_POST
def paper_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add the ticked bank questions to a fixed paper."""
    paper = _manage_or_403(request, pk)
    ids = [int(v) for v in request.POST.getlist("question") if v.isdigit()]
    if not ids:
        return _refused(
            request, paper, ValidationError(_("Tick the questions to add to the paper."))
        )
    try:
        added = services.paper_questions_add(actor=request.user, paper=paper, question_ids=ids)
    except ValidationError as error:
        return _refused(request, paper, error)
    messages.success(request, _("Questions added to the paper: %(n)d.") % {"n": added})
    return redirect("exams:paper_detail", pk=paper.pk)


@login_required
@require_POST
def paper_remove(request: HttpRequest, pk: int) -> HttpResponse:
    paper = _manage_or_403(request, pk)
    raw = request.POST.get("question", "")
    try:
        if not raw.isdigit():
            raise ValidationError(_("That question is not on the paper."))
        services.paper_question_remove(actor=request.user, paper=paper, question_id=int(raw))
    except ValidationError as error:
        return _refused(request, paper, error)
    messages.success(request, _("The question was removed from the paper."))
    return redirect("exams:paper_detail", pk=paper.pk)

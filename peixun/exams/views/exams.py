"""Exam pages for staff: the list, the form, an exam with its audience, per-branch results,
non-takers, item analysis and leaderboard, the lifecycle buttons and the results 台账."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from peixun.core.downloads import download, file_name
from peixun.core.forms import add_service_errors, mark_invalid
from peixun.core.pagination import paginate
from peixun.core.pickers import picker_answer
from peixun.core.scoping import can_admin_org, can_manage_org, get_visible_or_404, scope_of
from peixun.orgs.selectors import reader_tenant
from peixun.plans.selectors import manageable_orgs

from .. import selectors, services
from ..forms import ExamForm, RuleForm
from ..models import Exam, ExamKind

FORM_FIELDS = [
    "title", "kind", "paper", "opens_at", "closes_at", "time_limit_minutes", "attempts_allowed",
    "pass_percent", "shuffle_questions", "shuffle_options", "show_answers", "credit_hours",
    "audience", "member_statuses", "cadre_ranks", "sample_count", "sample_percent",
    "leaderboard",
]  # fmt: skip


def _staff_exam(request: HttpRequest, pk: int) -> Exam:
    selectors.require_staff(request.user)
    return get_visible_or_404(request.user, Exam, pk)


@login_required
def exam_list(request: HttpRequest) -> HttpResponse:
    if not scope_of(request.user).is_staff_like:
        return redirect("exams:mine")
    q = (request.GET.get("q") or "").strip()
    kind = request.GET.get("kind") or ""
    exams = selectors.exam_list(request.user, q=q, kind=kind if kind in ExamKind.values else "")
    page, query = paginate(request, exams)
    can_create = manageable_orgs(request.user).exists()
    return render(
        request,
        "exams/exam_list.html",
        {"page": page, "query": query, "q": q, "kind": kind, "kinds": ExamKind.choices,
         "can_create": can_create},
    )  # fmt: skip


def _form_data(form: ExamForm) -> dict[str, Any]:
    return {name: form.cleaned_data[name] for name in FORM_FIELDS if name in form.cleaned_data}


@login_required
def exam_new(request: HttpRequest) -> HttpResponse:
    selectors.require_staff(request.user)
    orgs = manageable_orgs(request.user)
    if not orgs.exists():
        raise PermissionDenied(_("You may not create exams."))
    papers = selectors.papers_visible(request.user)
    initial: dict[str, Any] = {
        "org": orgs.first(),
        "kind": ExamKind.QUARTERLY,
        "shuffle_questions": True,
        "shuffle_options": True,
        "show_answers": Exam.ShowAnswers.AFTER_CLOSE,
        "audience": Exam.Audience.SUBTREE,
        "member_statuses": ["full", "probationary"],
        "credit_hours": services.exam_rule(orgs.first()).pass_credit_hours,  # type: ignore[arg-type]
    }
    form = ExamForm(request.POST or None, orgs=orgs, papers=papers, initial=initial)
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST":
        if form.is_valid():
            try:
                exam = services.exam_create(
                    actor=request.user, org=form.cleaned_data["org"], data=_form_data(form)
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("The exam was saved as a draft; publish it when ready.")
                )
                return redirect("exams:detail", pk=exam.pk)
        mark_invalid(form)
    status = 400 if request.method == "POST" else 200
    return render(request, "exams/exam_form.html", {"form": form, "exam": None}, status=status)


@login_required
def exam_edit(request: HttpRequest, pk: int) -> HttpResponse:
    exam = _staff_exam(request, pk)
    if not can_manage_org(request.user, exam.org):
        raise PermissionDenied(_("You may not change records of this organization."))
    published = exam.state == Exam.State.PUBLISHED
    if exam.state not in (Exam.State.DRAFT, Exam.State.PUBLISHED):
        raise PermissionDenied(_("A finalised or cancelled exam can't be changed."))
    initial = {name: getattr(exam, name) for name in FORM_FIELDS} | {"org": exam.org}
    initial["opens_at"] = timezone.localtime(exam.opens_at)
    initial["closes_at"] = timezone.localtime(exam.closes_at)
    form = ExamForm(
        request.POST or None,
        orgs=manageable_orgs(request.user),
        papers=selectors.papers_visible(request.user),
        initial=initial,
        published=published,
    )
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST":
        if form.is_valid():
            try:
                services.exam_update(actor=request.user, exam=exam, data=_form_data(form))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The exam was saved."))
                return redirect("exams:detail", pk=exam.pk)
        mark_invalid(form)
    status = 400 if request.method == "POST" else 200
    return render(request, "exams/exam_form.html", {"form": form, "exam": exam}, status=status)


@login_required
def exam_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exam = _staff_exam(request, pk)
    actor = request.user
    tab = request.GET.get("tab") or "branches"
    rows, total = selectors.branch_results(actor, exam)
    context: dict[str, Any] = {
        "exam": exam,
        "tab": tab,
        "rows": rows,
        "total": total,
        "can_manage": can_manage_org(actor, exam.org),
        "not_taken": total.expected - total.took,
        "can_remind": exam.state == Exam.State.PUBLISHED
        and exam.opens_at <= timezone.now() < exam.closes_at
        and bool(scope_of(actor).platform or scope_of(actor).manage_paths),
        "now": timezone.now(),
        "problems": selectors.paper_problems(exam.paper) if exam.state == "draft" else [],
    }
    if tab == "items":
        context["items"] = selectors.item_analysis(exam)
    elif tab == "leaderboard":
        if not exam.leaderboard:
            raise Http404
        context["leaders"] = selectors.leaderboard(exam)
    elif tab == "absent":
        context["absent"], context["query"] = paginate(request, selectors.non_takers(actor, exam))
    return render(request, "exams/exam_detail.html", context)


def _lifecycle(request: HttpRequest, pk: int, act: Any, done: str) -> HttpResponse:
    exam = _staff_exam(request, pk)
    try:
        result = act(exam)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done % (result if isinstance(result, dict) else {"n": result}))
    return redirect("exams:detail", pk=exam.pk)


@login_required
@require_POST
def exam_publish(request: HttpRequest, pk: int) -> HttpResponse:
    return _lifecycle(
        request,
        pk,
        lambda exam: services.exam_publish(actor=request.user, exam=exam),
        _("Published to %(n)s members; they have been told."),
    )


@login_required
@require_POST
def exam_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return _lifecycle(
        request,
        pk,
        lambda exam: services.exam_cancel(actor=request.user, exam=exam) and 0,
        _("The exam was cancelled."),
    )


@login_required
@require_POST
def exam_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    return _lifecycle(
        request,
        pk,
        lambda exam: services.exam_finalise(actor=request.user, exam=exam),
        _(
            "Finalised: %(passed)s passed, %(credited)s credited on the ledger, %(expired)s "
            "open attempts submitted."
        ),
    )


@login_required
@require_POST
def exam_remind(request: HttpRequest, pk: int) -> HttpResponse:
    exam = _staff_exam(request, pk)
    try:
        told = services.exam_remind(actor=request.user, exam=exam)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("%(n)s members who have not taken it yet were reminded.") % {"n": told}
        )
    return redirect(f"{reverse('exams:detail', args=[exam.pk])}?tab=absent")


@login_required
def results_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    exam = _staff_exam(request, pk)
    content = services.exam_results_export(actor=request.user, exam=exam)
    return download(
        content,
        file_name("成绩台账", exam.title, ext="xlsx"),
        fallback=f"exam-results-{exam.pk}.xlsx",
    )


@login_required
def rules(request: HttpRequest) -> HttpResponse:
    """The tenant's rule: hours for passing and whether contests may show a leaderboard."""
    selectors.require_staff(request.user)
    tenant = reader_tenant(request.user)
    if tenant is None:
        raise Http404
    rule = services.exam_rule(tenant)
    editable = can_admin_org(request.user, tenant)
    form = RuleForm(
        request.POST or None,
        initial={
            "pass_credit_hours": rule.pass_credit_hours,
            "contest_leaderboards": rule.contest_leaderboards,
        },
    )
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("Only an org admin of this organization may do this."))
        if form.is_valid():
            try:
                services.exam_rule_update(actor=request.user, tenant=tenant, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The rule was saved."))
                return redirect("exams:rules")
        mark_invalid(form)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "exams/rules.html",
        {"form": form, "tenant": tenant, "editable": editable},
        status=status,
    )

"""Question bank pages for staff: the list with search and filters, a question's form, retiring,
the import (checked first, then confirmed) and the .xlsx downloads.

Access: staff only (a plain member gets 404). Everyone who sees a question may read it; only
those who manage its owner may change it (others 403). A question's bank is shared down: staff
of the owner, above it and below it see it; staff of a sibling branch get 404.

The import's checked bytes are held server-side (core.uploads) under a signed token (user, org,
file) in the confirm form, so "confirm" imports exactly the file that was checked.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from peixun.core.downloads import download, file_name
from peixun.core.forms import add_service_errors, mark_invalid
from peixun.core.pagination import paginate
from peixun.core.pickers import picker_answer
from peixun.core.scoping import can_manage_org, get_visible_or_404
from peixun.core.uploads import upload_held, upload_hold
from peixun.orgs.selectors import reader_scope_org_name
from peixun.plans.selectors import manageable_orgs

from .. import selectors, services
from ..documents import MAX_BYTES, MAX_ROWS, question_template_workbook
from ..forms import BankFilterForm, ImportForm, QuestionForm, option_field
from ..models import Question
from ..services.imports import ImportRejected, ImportReport, questions_import

UPLOAD_KIND = "questions"
IMPORT_MAX_AGE = 3600  # seconds a checked file may wait for its confirmation
PROBLEMS_SHOWN = 500


def _manageable(request: HttpRequest) -> Any:
    """The orgs the actor manages, as a tree (each under its parent, indented by the form)."""
    return manageable_orgs(request.user).order_by("path")


def _question_errors(form: QuestionForm, error: ValidationError) -> None:
    """Service errors on the form; those about the options go under the first option."""
    if hasattr(error, "error_dict") and "options" in error.message_dict:
        renamed = {
            (option_field(0) if name == "options" else name): messages
            for name, messages in error.message_dict.items()
        }
        error = ValidationError(renamed)
    add_service_errors(form, error)
    mark_invalid(form)


# -- the list ------------------------------------------------------------------------------------


@login_required
def bank(request: HttpRequest) -> HttpResponse:
    selectors.require_staff(request.user)
    filters = BankFilterForm(request.GET or None)
    rows = selectors.questions_search(request.user, **filters.search()).order_by("-id")
    page, query = paginate(request, rows)
    export_query = request.GET.copy()
    export_query.pop("page", None)
    return render(
        request,
        "exams/bank_list.html",
        {
            "page": page,
            "query": query,
            "filters": filters,
            "filtered": any(filters.search().values()),
            "export_query": export_query.urlencode(),
            "can_manage": _manageable(request).exists(),
        },
    )


# -- one question --------------------------------------------------------------------------------


def _orgs_or_403(request: HttpRequest) -> Any:
    selectors.require_staff(request.user)
    orgs = _manageable(request)
    if not orgs.exists():
        raise PermissionDenied(_("You may not change the question bank."))
    return orgs


@login_required
def bank_new(request: HttpRequest) -> HttpResponse:
    orgs = _orgs_or_403(request)
    form = QuestionForm(request.POST or None, orgs=orgs, initial={"org": orgs.first()})
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST":
        if form.is_valid():
            try:
                services.question_create(
                    actor=request.user, org=form.cleaned_data["org"], data=form.question_data()
                )
            except ValidationError as error:
                _question_errors(form, error)
            else:
                messages.success(request, _("The question was added to the bank."))
                if "another" in request.POST:
                    return redirect("exams:bank_new")
                return redirect("exams:bank")
        mark_invalid(form)
    return render(
        request,
        "exams/bank_form.html",
        {"form": form, "question": None, "can_manage": True},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def bank_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The question: its form for those who manage its owner, read-only for other staff."""
    selectors.require_staff(request.user)
    question = get_visible_or_404(request.user, Question, pk)
    can_manage = can_manage_org(request.user, question.org)
    if request.method == "POST" and not can_manage:
        raise PermissionDenied(_("You may not change questions of this organization."))
    form = QuestionForm(request.POST or None, orgs=_manageable(request), question=question)
    if not can_manage:
        # Staff below the owner use the question in papers but never see its key: they (and
        # their members) may be sitting a test that draws it.
        for name in ("answer", "explanation"):
            form.fields.pop(name, None)
        for field in form.fields.values():
            field.disabled = True
    if request.method == "POST":
        if form.is_valid():
            try:
                services.question_update(
                    actor=request.user, question=question, data=form.question_data()
                )
            except ValidationError as error:
                _question_errors(form, error)
            else:
                messages.success(request, _("The question was saved."))
                return redirect("exams:bank_edit", pk=question.pk)
        mark_invalid(form)
    return render(
        request,
        "exams/bank_form.html",
        {"form": form, "question": question, "can_manage": can_manage},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def bank_retire(request: HttpRequest, pk: int) -> HttpResponse:
    """Retire a question, or bring a retired one back."""
    selectors.require_staff(request.user)
    question = get_visible_or_404(request.user, Question, pk)
    question = services.question_retire(
        actor=request.user, question=question, retired=not question.retired
    )
    if question.retired:
        messages.success(request, _("The question was retired: papers draw it no more."))
    else:
        messages.success(request, _("The question is in use again."))
    return redirect("exams:bank_edit", pk=question.pk)


# -- import --------------------------------------------------------------------------------------


def _render_import(
    request: HttpRequest,
    form: ImportForm,
    *,
    report: ImportReport | None = None,
    token: str = "",
    filename: str = "",
    notice: str = "",
    status: int = 200,
) -> HttpResponse:
    errors = report.errors if report else []
    return render(
        request,
        "exams/bank_import.html",
        {
            "form": form,
            "report": report,
            "errors": errors[:PROBLEMS_SHOWN],
            "errors_hidden": max(0, len(errors) - PROBLEMS_SHOWN),
            "token": token,
            "filename": filename,
            "notice": notice,
            "max_mb": MAX_BYTES // (1024 * 1024),
            "max_rows": MAX_ROWS,
        },
        status=status,
    )


@login_required
@never_cache
def bank_import(request: HttpRequest) -> HttpResponse:
    """GET: the upload form. POST with a file: check it (dry run) and show every problem, the
    duplicates and how many would be imported. POST with `token`: import the checked file."""
    orgs = _orgs_or_403(request)
    if request.method != "POST":
        form = ImportForm(orgs=orgs, initial={"org": orgs.first()})
        if (answer := picker_answer(request, form)) is not None:
            return answer
        return _render_import(request, form)
    if request.POST.get("token"):
        return _import_confirm(request, orgs)
    form = ImportForm(request.POST, request.FILES, orgs=orgs)
    if not form.is_valid():
        mark_invalid(form)
        return _render_import(request, form, status=400)
    org = form.cleaned_data["org"]
    upload = form.cleaned_data["file"]
    try:
        report = questions_import(actor=request.user, org=org, upload=upload, dry_run=True)
    except ImportRejected as rejected:  # not raised by a dry run; kept for safety
        return _render_import(request, form, report=rejected.report, status=400)
    except ValidationError as error:
        add_service_errors(form, error)
        mark_invalid(form)
        return _render_import(request, form, status=400)
    token = ""
    if report.ok and report.to_create:
        upload.seek(0)
        token = upload_hold(
            kind=UPLOAD_KIND,
            user=request.user,
            data=upload.read(),
            filename=upload.name or "",
            bound={"org": org.pk},
        )
    return _render_import(
        request,
        ImportForm(orgs=orgs, initial={"org": org}),
        report=report,
        token=token,
        filename=upload.name or "",
        status=200 if report.ok else 400,
    )


def _import_confirm(request: HttpRequest, orgs: Any) -> HttpResponse:
    form = ImportForm(orgs=orgs, initial={"org": orgs.first()})
    held = upload_held(
        kind=UPLOAD_KIND,
        user=request.user,
        token=request.POST.get("token", ""),
        max_age=IMPORT_MAX_AGE,
    )
    if held is None:
        notice = _("The checked file is no longer available; upload it again.")
        return _render_import(request, form, notice=notice, status=400)
    org = orgs.filter(pk=held.bound.get("org")).first()
    if org is None:
        raise PermissionDenied(_("You may not change the question bank."))
    form = ImportForm(orgs=orgs, initial={"org": org})
    try:
        report = questions_import(actor=request.user, org=org, upload=held.read(), dry_run=False)
    except ImportRejected as rejected:
        return _render_import(
            request, form, report=rejected.report, filename=held.filename, status=400
        )
    except ValidationError as error:
        notice = " ".join(str(m) for m in error.messages)
        return _render_import(request, form, notice=notice, status=400)
    held.release()
    messages.success(
        request,
        _(
            "Imported %(created)d questions into the bank of %(org)s; %(duplicates)d duplicates skipped."
        )
        % {"created": report.created, "org": org.name, "duplicates": len(report.duplicates)},
    )
    return redirect("exams:bank")


# -- downloads -----------------------------------------------------------------------------------


@login_required
@require_GET
def bank_export(request: HttpRequest) -> HttpResponse:
    """The questions the list shows (same filters), in the template's columns."""
    selectors.require_staff(request.user)
    filters = BankFilterForm(request.GET or None)
    data = services.question_bank_export(actor=request.user, search=filters.search())
    today = timezone.localdate()
    name = file_name("题库", reader_scope_org_name(request.user), f"{today:%Y%m%d}", ext="xlsx")
    return download(data, name, fallback=f"question-bank-{today:%Y%m%d}.xlsx")


@login_required
@require_GET
def bank_template(request: HttpRequest) -> HttpResponse:
    selectors.require_staff(request.user)
    return download(
        question_template_workbook(), "题库导入模板.xlsx", fallback="question-template.xlsx"
    )

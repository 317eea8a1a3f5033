"""Pages of the spending ledger: the filtered list with its totals, recording and correcting an
expense, its detail with attachments, voiding, and the .xlsx ledger."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peixun.core.downloads import download
from peixun.core.forms import add_service_errors, error_text, render_form
from peixun.core.pagination import paginate
from peixun.core.pickers import picker_answer
from peixun.core.scoping import can_manage_org
from peixun.orgs.selectors import attach_org_trails, org_path_label

from .. import selectors, services
from ..documents import attachment_fallback, ledger_names
from ..forms import AttachmentForm, ExpenseFilterForm, ExpenseForm, VoidForm, year_choices
from ..models import Expense

LINKS = {"org", "training_class", "meeting", "plan_item", "decision_meeting"}


def require_reader(request: HttpRequest) -> None:
    """Spending is read by staff (secretaries, org admins, viewers); anyone else gets a 404."""
    if not selectors.can_read(request.user):
        raise Http404


def _filters(request: HttpRequest) -> tuple[ExpenseFilterForm, selectors.ExpenseFilter]:
    data = request.GET.copy()
    if "year" not in data:
        data["year"] = str(timezone.localdate().year)
    form = ExpenseFilterForm(data, actor=request.user, years=year_choices())
    form.is_valid()  # what does not parse is left out of cleaned_data, and so ignored
    clean = form.cleaned_data
    filters = selectors.ExpenseFilter(
        year=clean.get("year") or None,
        fund=clean.get("fund") or "",
        org=clean.get("org"),
        against=clean.get("against") or "",
        q=(clean.get("q") or "").strip(),
    )
    return form, filters


def _period_label(filters: selectors.ExpenseFilter) -> str:
    if filters.year is None:
        return _("All years")
    return _("%(year)s (1 January to 31 December)") % {"year": filters.year}


@login_required
@require_GET
def expense_list(request: HttpRequest) -> HttpResponse:
    require_reader(request)
    form, filters = _filters(request)
    if (answer := picker_answer(request, form)) is not None:
        return answer
    expenses = selectors.expense_list(request.user, filters)
    page, query = paginate(request, expenses)
    page.object_list = attach_org_trails(page.object_list, lambda e: e.org)
    return render_form(
        request,
        "spending/list.html",
        form,
        page=page,
        query=query,
        filters=filters,
        period=_period_label(filters),
        totals=selectors.totals_of(expenses),
        can_record=selectors.can_record(request.user),
        export_query=request.GET.urlencode(),
    )


@login_required
@require_GET
def ledger_xlsx(request: HttpRequest) -> HttpResponse:
    require_reader(request)
    _form, filters = _filters(request)
    expenses = selectors.expense_list(request.user, filters)
    totals = selectors.totals_of(expenses)
    org = filters.org or selectors.sole_reading_org(request.user)
    if org is not None:
        attach_org_trails([org], lambda o: o)
        org_label = org_path_label(org)
    else:
        org_label = _("All organizations I can see")
    content = services.ledger_export(
        actor=request.user,
        org=org,
        org_label=org_label,
        period_label=_period_label(filters),
        expenses=expenses,
        by_fund=totals.by_fund,
        total=totals.total,
        year=filters.year,
        count=totals.count,
    )
    name, fallback = ledger_names(org, filters.year)
    return download(content, name, fallback=fallback)


def _form_values(form: ExpenseForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


@login_required
def expense_new(request: HttpRequest) -> HttpResponse:
    require_reader(request)
    if not selectors.can_record(request.user):
        raise PermissionDenied
    orgs = selectors.recording_orgs(request.user)
    first = orgs.first()
    initial: dict[str, Any] = {"spent_on": timezone.localdate(), "org": first.pk if first else None}
    # A link from a class, meeting or plan item page chooses it (the pickers check the ids).
    for name in ("org", "training_class", "meeting", "plan_item"):
        if (value := request.GET.get(name, "")).isdigit():
            initial[name] = int(value)
    form = ExpenseForm(request.POST or None, actor=request.user, initial=initial)
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            expense = services.expense_record(actor=request.user, **_form_values(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The expense was recorded."))
            return redirect("spending:detail", pk=expense.pk)
    response = render_form(request, "spending/form.html", form, expense=None)
    if request.method == "POST":
        response.status_code = 400
    return response


@login_required
def expense_edit(request: HttpRequest, pk: int) -> HttpResponse:
    expense = selectors.expense_get(request.user, pk)
    if not can_manage_org(request.user, expense.org):
        raise PermissionDenied
    if expense.voided_at is not None:
        messages.error(request, _("The expense was voided; it can no longer change."))
        return redirect("spending:detail", pk=expense.pk)
    # Links by their ids, as the form's pickers take them.
    initial = {
        name: getattr(expense, f"{name}_id" if name in LINKS else name)
        for name in services.EXPENSE_AUDIT
    }
    form = ExpenseForm(request.POST or None, actor=request.user, initial=initial)
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        try:
            services.expense_update(actor=request.user, expense=expense, **_form_values(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The expense was saved."))
            return redirect("spending:detail", pk=expense.pk)
    response = render_form(request, "spending/form.html", form, expense=expense)
    if request.method == "POST":
        response.status_code = 400
    return response


def _detail(request: HttpRequest, expense: Expense, **extra: Any) -> HttpResponse:
    attach_org_trails([expense], lambda e: e.org)
    cost = (
        selectors.class_cost(request.user, expense.training_class)
        if expense.training_class is not None
        else None
    )
    void_form = extra.pop("void_form", None) or VoidForm()
    return render_form(
        request,
        "spending/detail.html",
        void_form,
        expense=expense,
        attachments=selectors.expense_attachments(expense),
        attachment_form=extra.pop("attachment_form", None) or AttachmentForm(),
        cost=cost,
        **selectors.expense_permissions(request.user, expense),
        **extra,
    )


@login_required
@require_GET
def expense_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.expense_get(request.user, pk))


@login_required
@require_POST
def expense_void(request: HttpRequest, pk: int) -> HttpResponse:
    expense = selectors.expense_get(request.user, pk)
    form = VoidForm(request.POST)
    try:
        services.expense_void(
            actor=request.user, expense=expense, reason=request.POST.get("reason", "")
        )
    except ValidationError as error:
        add_service_errors(form, error)
        response = _detail(request, expense, void_form=form)
        response.status_code = 400
        return response
    messages.success(request, _("The expense was voided; it stays on record, struck through."))
    return redirect("spending:detail", pk=expense.pk)


@login_required
@require_POST
def attachment_new(request: HttpRequest, pk: int) -> HttpResponse:
    expense = selectors.expense_get(request.user, pk)
    try:
        services.expense_attachment_add(
            actor=request.user,
            expense=expense,
            file=request.FILES.get("file"),
            kind=request.POST.get("kind", ""),
        )
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The file was attached."))
    return redirect("spending:detail", pk=expense.pk)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    expense = selectors.expense_get(request.user, pk)
    attachment = selectors.attachment_of_expense_or_404(expense, attachment_pk)
    return download(
        attachment.file.read(), attachment.name, fallback=attachment_fallback(attachment)
    )


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    expense = selectors.expense_get(request.user, pk)
    attachment = selectors.attachment_of_expense_or_404(expense, attachment_pk)
    try:
        services.expense_attachment_remove(actor=request.user, attachment=attachment)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The attachment was removed."))
    return redirect("spending:detail", pk=expense.pk)

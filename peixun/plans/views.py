"""Plan pages: my orgs' plans, a plan with its items and versions, the superior's filing
overview with approve / return / remind, plan versus actual, and the documents."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from peixun.core.downloads import download, file_name
from peixun.core.forms import add_service_errors, error_text
from peixun.core.pagination import paginate
from peixun.core.params import year_param
from peixun.core.pickers import picker_answer
from peixun.core.scoping import can_manage_org, get_visible_or_404, scope_of
from peixun.orgs.models import Organization
from peixun.orgs.selectors import attach_ancestor_names

from . import selectors, services
from .documents import DOCUMENT_FORMATS, plan_document_name
from .forms import AttachmentForm, ItemForm, PlanForm, ReasonForm
from .models import TrainingPlan
from .services import exports


def _posted_year(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("year") or 0)
    except ValueError:
        return 0


def _require_reader(request: HttpRequest) -> None:
    if not scope_of(request.user).is_staff_like:
        raise Http404


@login_required
def plan_list(request: HttpRequest) -> HttpResponse:
    """The plans the actor may see, by year; managers create their org's plan here."""
    _require_reader(request)
    actor = request.user
    year = year_param(request)
    q = (request.GET.get("q") or "").strip()
    orgs = selectors.manageable_orgs(actor)
    form = PlanForm(request.POST or None, orgs=orgs, initial={"year": year})
    if (answer := picker_answer(request, form)) is not None:
        return answer
    plans = selectors.plan_list(actor, year=year, q=q)
    page, query = paginate(request, plans)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(
                actor=actor,
                org=form.cleaned_data["org"],
                year=form.cleaned_data["year"],
                title=form.cleaned_data["title"],
                summary=form.cleaned_data["summary"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The plan was created as a draft; add its items."))
            return redirect("plans:detail", pk=plan.pk)
    supervised = [o for o in orgs if not o.accepts_members][:20]
    return render(
        request,
        "plans/list.html",
        {
            "page": page,
            "query": query,
            "year": year,
            "q": q,
            "years": [y for y, _label in form.fields["year"].choices],  # type: ignore[attr-defined]
            "form": form,
            "can_create": orgs.exists(),
            "supervised": supervised,
        },
        status=400 if request.method == "POST" else 200,
    )


def _detail_context(request: HttpRequest, plan: TrainingPlan, **extra: Any) -> dict[str, Any]:
    rights = selectors.plan_permissions(request.user, plan)
    editable = rights["can_manage"] and plan.state in services.EDITABLE_STATES
    items = list(selectors.plan_items(plan))
    citations = selectors.item_citations(items)
    for item in items:
        # What each item rests on (a needs survey), shown under its content.
        item.citations = citations.get(item.pk, [])  # type: ignore[attr-defined]
    return {
        "plan": plan,
        "items": items,
        "versions": selectors.plan_versions(plan),
        "attachments": selectors.plan_attachments(plan),
        "editable": editable,
        "item_form": extra.pop("item_form", None) or (ItemForm(plan=plan) if editable else None),
        "reason_form": extra.pop("reason_form", None) or ReasonForm(),
        "attachment_form": extra.pop("attachment_form", None) or AttachmentForm(),
        "superior": services.superior_of(plan.org),
        **rights,
        **extra,
    }


@login_required
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    context = _detail_context(request, plan)
    # The item form's org picker asks this page (see ItemForm).
    item_form = context["item_form"]
    answer = picker_answer(request, item_form) if item_form is not None else None
    if answer is not None:
        return answer
    return render(request, "plans/detail.html", context)


@login_required
@require_POST
def item_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    if not can_manage_org(request.user, plan.org):
        raise PermissionDenied
    form = ItemForm(request.POST, plan=plan)
    if form.is_valid():
        try:
            services.item_add(actor=request.user, plan=plan, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item was added."))
            return redirect("plans:detail", pk=plan.pk)
    context = _detail_context(request, plan, item_form=form)
    return render(request, "plans/detail.html", context, status=400)


@login_required
def item_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    item = selectors.item_of_plan_or_404(plan, item_pk)
    if not can_manage_org(request.user, plan.org):
        raise PermissionDenied
    initial = {name: getattr(item, name) for name in services.ITEM_AUDIT}
    form = ItemForm(request.POST or None, plan=plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.item_update(actor=request.user, item=item, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The item was saved."))
            return redirect("plans:detail", pk=plan.pk)
    status = 400 if request.method == "POST" else 200
    return render(
        request, "plans/item_form.html", {"plan": plan, "item": item, "form": form}, status=status
    )


@login_required
@require_POST
def item_delete(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    item = selectors.item_of_plan_or_404(plan, item_pk)
    try:
        services.item_remove(actor=request.user, item=item)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The item was removed."))
    return redirect("plans:detail", pk=plan.pk)


def _act(request: HttpRequest, plan: TrainingPlan, action: Any, done: str) -> HttpResponse:
    """Run a service, tell the outcome, and go back to the plan (or to the page the form came
    from, such as the filing overview, when it says so in `next`)."""
    try:
        action()
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, done)
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("plans:detail", pk=plan.pk)


@login_required
@require_POST
def plan_submit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    return _act(
        request,
        plan,
        lambda: services.plan_submit(actor=request.user, plan=plan),
        _("The plan was submitted to the superior organization."),
    )


@login_required
@require_POST
def plan_approve(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    return _act(
        request,
        plan,
        lambda: services.plan_approve(actor=request.user, plan=plan),
        _("The plan was approved."),
    )


@login_required
@require_POST
def plan_return(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    reason = request.POST.get("reason", "")
    return _act(
        request,
        plan,
        lambda: services.plan_return(actor=request.user, plan=plan, reason=reason),
        _("The plan was returned with your reason."),
    )


@login_required
@require_POST
def attachment_new(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    return _act(
        request,
        plan,
        lambda: services.attachment_add(
            actor=request.user, plan=plan, file=request.FILES.get("file")
        ),
        _("The file was attached."),
    )


@login_required
@require_POST
def attachment_delete(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    attachment = selectors.attachment_of_plan_or_404(plan, attachment_pk)
    return _act(
        request,
        plan,
        lambda: services.attachment_remove(actor=request.user, attachment=attachment),
        _("The attachment was removed."),
    )


@login_required
@require_POST
def item_done(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Mark an item done, or (done=0) not done again; back to plan versus actual."""
    plan = selectors.plan_get(request.user, pk)
    item = selectors.item_of_plan_or_404(plan, item_pk)
    done = request.POST.get("done", "1") != "0"
    services.item_mark_done(actor=request.user, item=item, done=done)
    if done:
        messages.success(request, _("The item was marked done."))
    else:
        messages.success(request, _("The item is no longer marked done."))
    return redirect("plans:progress", pk=plan.pk)


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    attachment = selectors.attachment_of_plan_or_404(plan, attachment_pk)
    suffix = PurePath(attachment.name).suffix
    return download(
        attachment.file.read(),
        attachment.name,
        fallback=f"plan-{plan.pk}-attachment-{attachment.pk}{suffix}",
    )


@login_required
@require_GET
def version_detail(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    version = selectors.version_of_plan_or_404(plan, number)
    return render(request, "plans/version.html", {"plan": plan, "version": version})


@login_required
@require_GET
def plan_progress(request: HttpRequest, pk: int) -> HttpResponse:
    plan = selectors.plan_get(request.user, pk)
    rows = selectors.item_progress(plan)
    return render(
        request,
        "plans/progress.html",
        {
            "plan": plan,
            "rows": rows,
            "totals": selectors.progress_totals(rows),
            "can_manage": can_manage_org(request.user, plan.org),
        },
    )


@login_required
@require_GET
def plan_document(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The 报备文件 as .docx or PDF (`document.docx`, `document.pdf`); any other ending 404s."""
    plan = selectors.plan_get(request.user, pk)
    if fmt not in DOCUMENT_FORMATS:
        raise Http404
    content = exports.plan_document_export(actor=request.user, plan=plan, fmt=fmt)
    name, fallback = plan_document_name(plan, fmt)
    return download(content, name, fallback=fallback)


def _overview_org(request: HttpRequest) -> Organization:
    actor = request.user
    _require_reader(request)
    chosen = request.GET.get("org") or request.POST.get("org")
    if chosen:
        return get_visible_or_404(actor, Organization, chosen)
    org = selectors.first_visible_org(actor)
    if org is None:
        raise Http404
    return org


@login_required
def filings(request: HttpRequest) -> HttpResponse:
    """The superior's view: each child org's plan for the year, with decisions and reminders."""
    org = _overview_org(request)
    year = year_param(request) if request.method == "GET" else _posted_year(request)
    if request.method == "POST":
        try:
            reminded = services.plan_remind(actor=request.user, parent_org=org, year=year)
        except ValidationError as error:
            messages.error(request, error_text(error))
        else:
            messages.success(
                request,
                _("%(n)s organizations that have not filed were reminded.") % {"n": reminded},
            )
        return redirect(f"{request.path}?org={org.pk}&year={year}")
    overview = selectors.filing_overview(org, year)
    attach_ancestor_names([org])  # the heading names where the org sits
    return render(
        request,
        "plans/filings.html",
        {
            "overview": overview,
            "org": org,
            "year": year,
            "can_manage": can_manage_org(request.user, org),
            "states": TrainingPlan.State.choices,
        },
    )


@login_required
@require_GET
def filings_xlsx(request: HttpRequest) -> HttpResponse:
    org = _overview_org(request)
    overview = selectors.filing_overview(org, year_param(request))
    content = exports.filings_export(actor=request.user, overview=overview)
    return download(
        content,
        file_name(org.name, f"{overview.year}年度培训计划报备情况", ext="xlsx"),
        fallback=f"plan-filings-{org.code}-{overview.year}.xlsx",
    )

"""述学评学 pages. A member writes and submits their own 述学 (on a phone); the branch's staff
list the year's reports beside the members (who has and hasn't submitted), review one at a
democratic appraisal meeting or return it with a reason, and export the list (台账).

Access: anonymous → login; the member page needs an account with a member behind it (404
otherwise); the staff pages need a reading grant (404 otherwise) and show only the orgs it covers.
"""

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
from peixun.core.forms import add_service_errors, render_form
from peixun.core.params import pk_or_404
from peixun.core.pickers import picker_answer
from peixun.core.scoping import can_manage_org, scope_of
from peixun.orgs.models import Organization
from peixun.orgs.selectors import attach_org_trails, org_path_label

from ..documents import study_report_names
from ..forms.study_reports import (
    StudyReportFilterForm,
    StudyReportForm,
    StudyReportReturnForm,
    StudyReportReviewForm,
)
from ..models import StudyReport
from ..selectors import study_reports as selectors
from ..services import study_reports as services


def _year(request: HttpRequest, years: list[int]) -> int:
    try:
        year = int(request.GET.get("year") or request.POST.get("year") or years[0])
    except ValueError:
        return years[0]
    return year if year in years else years[0]


@login_required
def my_study_report(request: HttpRequest) -> HttpResponse:
    member = selectors.own_member(request.user)
    if member is None:
        raise Http404
    years = services.study_report_years()
    year = _year(request, years)
    report = selectors.my_study_report(actor=request.user, year=year)
    editable = report is None or report.state in (
        StudyReport.State.DRAFT,
        StudyReport.State.RETURNED,
    )
    form = StudyReportForm(request.POST or None, initial={"text": report.text if report else ""})
    status = 200
    if request.method == "POST":
        if not editable:
            messages.error(
                request,
                _("Your study report was submitted; it changes only if the branch returns it."),
            )
            return redirect(f"{request.path}?year={year}")
        if form.is_valid():
            submit = "submit" in request.POST
            try:
                services.study_report_save(
                    actor=request.user, year=year, text=form.cleaned_data["text"], submit=submit
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Your study report was submitted to the branch.")
                    if submit
                    else _("Your draft was saved."),
                )
                return redirect(f"{request.path}?year={year}")
        status = 400
    response = render_form(
        request,
        "surveys/study_report_mine.html",
        form,
        member=member,
        year=year,
        years=years,
        report=report,
        editable=editable,
        hours=selectors.my_year_hours(member=member, year=year),
    )
    response.status_code = status
    return response


def _require_staff(request: HttpRequest) -> None:
    if not scope_of(request.user).is_staff_like:
        raise Http404


def _list_filters(request: HttpRequest) -> tuple[StudyReportFilterForm, Organization | None, int]:
    years = list(range(timezone.localdate().year, timezone.localdate().year - 6, -1))
    data = request.GET.copy()
    data.setdefault("year", str(years[0]))
    if not data.get("org") and (first := selectors.default_org(request.user)) is not None:
        data["org"] = str(first.pk)  # the picker shows the org the page opens on
    form = StudyReportFilterForm(data, orgs=selectors.study_report_orgs(request.user), years=years)
    form.is_valid()
    if "org" in form.errors:
        raise Http404  # an org outside the reader's scope is as good as unknown
    org = form.cleaned_data.get("org") or selectors.default_org(request.user)
    year = form.cleaned_data.get("year") or years[0]
    return form, org, year


@login_required
@require_GET
def study_report_list(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    form, org, year = _list_filters(request)
    if (answer := picker_answer(request, form)) is not None:
        return answer
    rows = selectors.branch_study_reports(actor=request.user, org=org, year=year) if org else []
    if org is not None:
        attach_org_trails([org], lambda o: o)
    return render_form(
        request,
        "surveys/study_report_list.html",
        form,
        org=org,
        org_label=org_path_label(org) if org else "",
        year=year,
        rows=rows,
        counts=selectors.study_report_counts(rows),
    )


@login_required
@require_GET
def study_report_xlsx(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    _form, org, year = _list_filters(request)
    if org is None:
        raise Http404
    rows = selectors.branch_study_reports(actor=request.user, org=org, year=year)
    attach_org_trails([org], lambda o: o)
    content = services.study_reports_export(
        actor=request.user, org=org, org_label=org_path_label(org), year=year, rows=rows
    )
    name, fallback = study_report_names(org.code, org.name, year)
    return download(content, name, fallback=fallback)


def _detail(
    request: HttpRequest, report: StudyReport, status: int = 200, **forms: Any
) -> HttpResponse:
    can_manage = can_manage_org(request.user, report.org)
    review_form = forms.get("review_form") or StudyReportReviewForm(
        meetings=selectors.appraisal_meetings_for(actor=request.user, report=report)
    )
    response = render_form(
        request,
        "surveys/study_report_detail.html",
        review_form,
        report=report,
        can_manage=can_manage,
        return_form=forms.get("return_form") or StudyReportReturnForm(),
    )
    response.status_code = status
    return response


@login_required
@require_GET
def study_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    return _detail(request, selectors.study_report_get(actor=request.user, pk=pk_or_404(pk)))


@login_required
@require_POST
def study_report_review(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    report = selectors.study_report_get(actor=request.user, pk=pk_or_404(pk))
    if not can_manage_org(request.user, report.org):
        raise PermissionDenied
    form = StudyReportReviewForm(
        request.POST, meetings=selectors.appraisal_meetings_for(actor=request.user, report=report)
    )
    if form.is_valid():
        try:
            services.study_report_review(actor=request.user, report=report, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The study report was marked reviewed."))
            return redirect("surveys:study_report", pk=report.pk)
    return _detail(request, report, status=400, review_form=form)


@login_required
@require_POST
def study_report_return(request: HttpRequest, pk: int) -> HttpResponse:
    _require_staff(request)
    report = selectors.study_report_get(actor=request.user, pk=pk_or_404(pk))
    if not can_manage_org(request.user, report.org):
        raise PermissionDenied
    form = StudyReportReturnForm(request.POST)
    if form.is_valid():
        try:
            services.study_report_return(
                actor=request.user, report=report, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The study report was returned to the member."))
            return redirect("surveys:study_report", pk=report.pk)
    return _detail(request, report, status=400, return_form=form)

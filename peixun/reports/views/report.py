"""The report pages: the list of drafts with a form to start one, the editor (each section's
computed sentences between the user's own text, recomputed every time it is shown) and the
downloads (.docx and PDF)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from peixun.core.downloads import download, file_name
from peixun.core.forms import BootstrapMixin, DateInput, add_service_errors, error_text
from peixun.core.pagination import paginate
from peixun.core.params import absolute_url
from peixun.core.pickers import picker_answer
from peixun.core.scoping import scope_of
from peixun.orgs.forms import OrgPickerField

from .. import services
from ..documents.report import report_docx, report_pdf
from ..models import PROSE_FIELDS, ReportKind
from ..selectors import drafts as selectors


class DraftNewForm(BootstrapMixin, forms.Form):
    org = OrgPickerField(label=gettext_lazy("organization"))
    kind = forms.ChoiceField(label=gettext_lazy("kind of report"), choices=ReportKind.choices)
    first_year = forms.IntegerField(label=gettext_lazy("first year"))
    last_year = forms.IntegerField(label=gettext_lazy("last year"), required=False)
    as_of = forms.DateField(label=gettext_lazy("as of"), required=False, widget=DateInput)

    def __init__(self, *args: Any, orgs: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs  # type: ignore[attr-defined]
        self.style_fields()


class DraftForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=gettext_lazy("title"), max_length=200)
    first_year = forms.IntegerField(label=gettext_lazy("first year"))
    last_year = forms.IntegerField(label=gettext_lazy("last year"))
    as_of = forms.DateField(label=gettext_lazy("as of"), required=False, widget=DateInput)
    dated = forms.DateField(
        label=gettext_lazy("date of the report"),
        required=False,
        widget=DateInput,
        help_text=gettext_lazy("Empty: the day it is downloaded."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in PROSE_FIELDS:
            self.fields[name] = forms.CharField(
                required=False, widget=forms.Textarea(attrs={"rows": 3})
            )
        self.style_fields()


def _require_staff(request: HttpRequest) -> None:
    if not scope_of(request.user).is_staff_like:
        raise Http404


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """The drafts the actor reads; a manager starts a new one here."""
    _require_staff(request)
    actor = request.user
    orgs = selectors.report_orgs(actor)
    this_year = timezone.localdate().year
    form = DraftNewForm(
        request.POST or None,
        orgs=orgs,
        initial={"first_year": this_year - 1, "last_year": this_year - 1},
    )
    if (answer := picker_answer(request, form)) is not None:
        return answer
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            draft = services.draft_create(
                actor=actor,
                org=data["org"],
                kind=data["kind"],
                first_year=data["first_year"],
                last_year=data["last_year"],
                as_of=data["as_of"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The draft was written from the figures; edit its text."))
            return redirect("reports:report_edit", pk=draft.pk)
    page, query = paginate(request, selectors.draft_list(actor))
    return render(
        request,
        "reports/report_list.html",
        {"page": page, "query": query, "form": form, "can_create": orgs.exists()},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The editor: the figures computed now, the user's text kept apart and saved."""
    actor = request.user
    draft = selectors.draft_get(actor, pk)
    can_edit = selectors.draft_can_edit(actor, draft)
    initial = {
        "title": draft.title,
        "first_year": draft.first_year,
        "last_year": draft.last_year,
        "as_of": draft.as_of,
        "dated": draft.dated,
        **{name: getattr(draft, name) for name in PROSE_FIELDS},
    }
    form = DraftForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.draft_update(
                    actor=actor,
                    draft=draft,
                    title=data["title"],
                    first_year=data["first_year"],
                    last_year=data["last_year"],
                    as_of=data["as_of"],
                    dated=data["dated"],
                    prose={name: data[name] for name in PROSE_FIELDS},
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved. The figures are recomputed on every view."))
                return redirect("reports:report_edit", pk=draft.pk)
        status = 400
        draft.refresh_from_db()
    report = selectors.draft_report(actor, draft)
    sections = [
        (section, form[f"{section.key}_before"], form[f"{section.key}_after"])
        for section in report.sections
    ]
    return render(
        request,
        "reports/report_edit.html",
        {
            "draft": draft,
            "report": report,
            "form": form,
            "sections": sections,
            "can_edit": can_edit,
            "can_close": selectors.draft_can_close(actor, draft),
        },
        status=status,
    )


@login_required
@require_POST
def report_delete(request: HttpRequest, pk: int) -> HttpResponse:
    draft = selectors.draft_get(request.user, pk)
    services.draft_delete(actor=request.user, draft=draft)
    messages.success(request, _("The draft was deleted."))
    return redirect("reports:report_list")


@login_required
def report_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    """The report as .docx or PDF, with the figures computed now."""
    if fmt not in ("docx", "pdf"):
        raise Http404
    actor = request.user
    draft = selectors.draft_get(actor, pk)
    report = selectors.draft_report(actor, draft)
    services.draft_export(actor=actor, draft=draft, fmt=fmt)
    site = absolute_url(request, "/").rstrip("/")
    content = report_docx(report, site=site) if fmt == "docx" else report_pdf(report, site=site)
    # Named by its title (县直机关工委2026年度党员教育培训工作报告.docx); the old code as fallback.
    return download(
        content,
        file_name(draft.title or draft.org.name, ext=fmt),
        fallback=f"report-{draft.org.code}-{draft.first_year}-{draft.last_year}.{fmt}",
    )


@login_required
@require_POST
def report_close(request: HttpRequest, pk: int) -> HttpResponse:
    """年度结账 of the draft's org and year: its figures are frozen from now on."""
    draft = selectors.draft_get(request.user, pk)
    try:
        services.year_close(actor=request.user, org=draft.org, year=draft.first_year)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("The year is closed: its figures are frozen."))
    return redirect("reports:report_edit", pk=draft.pk)

"""Pages of the printable 培训档案 and the 学时证明: choose the years of a member's record and
download it (.docx or PDF); issue a certificate, list the certificates issued (found by serial
number) and download one. Thin views over `selectors.archive` and `services.archive`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from peixun.core.downloads import download, file_name
from peixun.core.forms import add_service_errors
from peixun.core.pagination import paginate
from peixun.core.params import pk_or_404
from peixun.members.models import Member

from ..forms import ArchivePrintForm, CertificateIssueForm
from ..selectors import (
    certificate_issuer,
    certificate_list,
    certificate_visible_or_404,
    member_entry_years,
    member_visible_or_404,
)
from ..services import archive_export, certificate_export, certificate_issue

FORMATS = ("pdf", "docx")
CERTIFICATE_PAGE_SIZE = 50


def _file(data: bytes, fmt: str, name: tuple[str, ...], fallback: str) -> HttpResponse:
    """The file named in Chinese (培训档案-张三-2024—2026.pdf), the old code as fallback."""
    return download(data, file_name(*name, ext=fmt), fallback=f"{fallback}.{fmt}")


def _default_years(member: Member) -> tuple[int, int]:
    """From the member's first year with hours (this year at most) to this year."""
    this_year = timezone.localdate().year
    seen = [y for y in member_entry_years(member=member) if y <= this_year]
    return (min(seen) if seen else this_year), this_year


@login_required
@require_GET
def archive_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's 培训档案 over the years chosen, as PDF or .docx. Without a choice (or with a
    bad one) the page shows the form; the file is audited as an export of personal data."""
    member = member_visible_or_404(actor=request.user, member=pk_or_404(pk))
    status = 200
    if "first_year" in request.GET:
        form = ArchivePrintForm(request.GET)
        if form.is_valid():
            data = form.cleaned_data
            try:
                content, archive = archive_export(
                    actor=request.user,
                    member=member,
                    first_year=data["first_year"],
                    last_year=data["last_year"],
                    fmt=data["format"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return _file(
                    content,
                    data["format"],
                    ("培训档案", member.name, archive.span),
                    f"archive-{member.pk}-{archive.span}",
                )
        status = 400
    else:
        first, last = _default_years(member)
        form = ArchivePrintForm(initial={"first_year": first, "last_year": last, "format": "pdf"})
    return render(
        request,
        "hours/archive_print.html",
        {
            "member": member,
            "form": form,
            "may_issue": certificate_issuer(actor=request.user, member=member) is not None,
        },
        status=status,
    )


@login_required
@require_GET
def certificate_index(request: HttpRequest) -> HttpResponse:
    """Certificates issued to the members the actor may read (a member: their own), newest
    first; `q` finds one by its serial number."""
    q = request.GET.get("q", "").strip()[:40]
    page, query = paginate(
        request, certificate_list(actor=request.user, serial=q), CERTIFICATE_PAGE_SIZE
    )
    return render(request, "hours/certificate_list.html", {"page": page, "query": query, "q": q})


@login_required
@require_http_methods(["GET", "POST"])
def certificate_new(request: HttpRequest, pk: int) -> HttpResponse:
    """Issue a 学时证明 for member `pk`: 404 outside the actor's scope, 403 for a reader who
    manages nothing above the member."""
    member = member_visible_or_404(actor=request.user, member=pk_or_404(pk))
    issuer = certificate_issuer(actor=request.user, member=member)
    if issuer is None:
        raise PermissionDenied
    if request.method == "POST":
        form = CertificateIssueForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                certificate = certificate_issue(
                    actor=request.user,
                    member=member,
                    first_year=data["first_year"],
                    last_year=data["last_year"],
                    issued_on=data["issued_on"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Certificate %(serial)s issued.") % {"serial": certificate.serial},
                )
                return redirect(
                    reverse("hours:certificates") + "?" + urlencode({"q": certificate.serial})
                )
        status = 400
    else:
        _first, last = _default_years(member)
        form = CertificateIssueForm(
            initial={"first_year": last, "last_year": last, "issued_on": timezone.localdate()}
        )
        status = 200
    return render(
        request,
        "hours/certificate_form.html",
        {"member": member, "issuer": issuer, "form": form},
        status=status,
    )


@login_required
@require_GET
def certificate_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    certificate = certificate_visible_or_404(actor=request.user, pk=pk_or_404(pk))
    if fmt not in FORMATS:
        raise Http404
    data = certificate_export(actor=request.user, certificate=certificate, fmt=fmt)
    return _file(
        data,
        fmt,
        ("学时证明", certificate.member.name, certificate.serial),
        f"certificate-{certificate.serial}",
    )

"""Regularity pages: a branch's calendar of required meetings, the upper org's overview, and the
record books (a branch's, or all branches' of a unit at once)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from peixun.core.downloads import download, file_name
from peixun.core.forms import error_text
from peixun.core.params import year_param
from peixun.orgs.models import Organization

from .. import selectors
from ..documents import BATCH_FORMATS, BOOK_FORMATS, record_book_name
from ..models import MeetingKind
from ..services.exports import record_book_export, record_books_export


@login_required
@require_GET
def branch_calendar(request: HttpRequest) -> HttpResponse:
    org = selectors.regularity_org(request.user, request.GET.get("org"), branch=True)
    year = year_param(request)
    (calendar,) = selectors.branch_calendars([org], year)
    labels = dict(MeetingKind.choices)
    return render(
        request,
        "orglife/regularity_branch.html",
        {
            "org": org,
            "year": year,
            "calendar": calendar,
            "rows": [(labels[k], periods) for k, periods in calendar.kinds.items()],
            "is_branch": org.kind == Organization.Kind.BRANCH,
        },
    )


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    org = selectors.regularity_org(request.user, request.GET.get("org"), branch=False)
    year = year_param(request)
    labels = dict(MeetingKind.choices)
    result = selectors.regularity_overview(org, year)
    return render(
        request,
        "orglife/regularity_overview.html",
        {
            "org": org,
            "year": year,
            "overview": result,
            "shares": [(labels[s.kind], s) for s in result.shares],
        },
    )


@login_required
@require_GET
def record_book_file(request: HttpRequest) -> HttpResponse:
    """The org's yearly 三会一课记录本: .docx, or PDF with `format=pdf`; another format 404s."""
    org = selectors.regularity_org(request.user, request.GET.get("org"), branch=True)
    year = year_param(request)
    fmt = request.GET.get("format") or BOOK_FORMATS[0]
    if fmt not in BOOK_FORMATS:
        raise Http404
    book = record_book_export(actor=request.user, org=org, year=year, fmt=fmt)
    name, fallback = record_book_name(org, year, fmt)
    return download(book, name, fallback=fallback)


@login_required
@require_GET
def record_books_file(request: HttpRequest) -> HttpResponse:
    """The record books of every branch below an org, as one .zip of .docx (`format=zip`, the
    default) or one PDF (`format=pdf`); back to the overview with a message when no branch
    is there."""
    org = selectors.regularity_org(request.user, request.GET.get("org"), branch=False)
    year = year_param(request)
    fmt = request.GET.get("format") or BATCH_FORMATS[0]
    if fmt not in BATCH_FORMATS:
        raise Http404
    try:
        content, _count = record_books_export(actor=request.user, org=org, year=year, fmt=fmt)
    except ValidationError as error:
        messages.error(request, error_text(error))
        return redirect(f"{reverse('orglife:regularity_overview')}?org={org.pk}&year={year}")
    return download(
        content,
        file_name("三会一课记录本", org.name, f"{year}年", ext=fmt),
        fallback=f"record-books-{org.code}-{year}.{fmt}",
    )

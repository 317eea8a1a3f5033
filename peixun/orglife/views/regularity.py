"""Regularity pages: a branch's calendar of required meetings, and the upper org's overview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from peixun.core.params import year_param
from peixun.orgs.models import Organization

from .. import selectors
from ..documents import DOCX
from ..models import MeetingKind
from ..services.exports import record_book_export


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
def record_book_docx(request: HttpRequest) -> HttpResponse:
    """The org's yearly 三会一课记录本 (.docx)."""
    org = selectors.regularity_org(request.user, request.GET.get("org"), branch=True)
    year = year_param(request)
    book = record_book_export(actor=request.user, org=org, year=year)
    response = HttpResponse(book, content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{org.name}{year}-record-book.docx"
    )
    return response

"""Regularity pages: a branch's calendar of required meetings, and the upper org's overview."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from peixun.core.scoping import get_visible_or_404, scope_of
from peixun.orgs.models import Organization

from .. import regularity
from ..models import MeetingKind
from ..record_book import record_book

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _year(request: HttpRequest) -> int:
    try:
        return int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        return timezone.localdate().year


def _org(request: HttpRequest, *, branch: bool) -> Organization:
    """The org asked for, or the actor's first visible org (of the right kind)."""
    actor = request.user
    if not scope_of(actor).is_staff_like:
        raise Http404
    if request.GET.get("org"):
        return get_visible_or_404(actor, Organization, request.GET["org"])
    visible = Organization.objects.visible_to(actor).filter(closed_on__isnull=True)  # type: ignore[attr-defined]
    if branch:
        visible = visible.filter(kind=Organization.Kind.BRANCH)
    org = visible.order_by("depth", "path").first()
    if org is None:
        raise Http404
    return org


@login_required
@require_GET
def branch_calendar(request: HttpRequest) -> HttpResponse:
    org = _org(request, branch=True)
    year = _year(request)
    (calendar,) = regularity.branch_calendars([org], year)
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
    org = _org(request, branch=False)
    year = _year(request)
    labels = dict(MeetingKind.choices)
    result = regularity.overview(org, year)
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
    org = _org(request, branch=True)
    year = _year(request)
    response = HttpResponse(record_book(org, year), content_type=DOCX)
    response["Content-Disposition"] = content_disposition_header(
        True, f"{org.name}{year}-record-book.docx"
    )
    return response

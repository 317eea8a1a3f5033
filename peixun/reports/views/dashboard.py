"""The 数据驾驶舱 page: tiles with charts for an org, year and as-of date, and under each tile the
same figures per child org (the drill-down). Thin: the figures come from
`reports.selectors.dashboard`; the charts are drawn by static/reports/dashboard.js from a
json_script block (no inline script under the CSP)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from peixun.core.params import year_param
from peixun.core.replicas import replica_reads

from ..selectors.dashboard import as_of_for, dashboard_roots, may_see_dashboard
from ..services import dashboard_read

FIRST_YEAR = 2000
YEARS_SHOWN = 6
# Child orgs listed under each tile until the reader asks for all (a county's top org can have
# hundreds, a province thousands; a chart drawn by child shows the same ones: every one is
# reachable through "all").
CHILDREN_SHOWN = 30


def dashboard_year(request: HttpRequest) -> int:
    """The year asked for, from FIRST_YEAR to next year; else this year."""
    return year_param(request, lowest=FIRST_YEAR, highest=timezone.localdate().year + 1)


@login_required
@require_GET
@replica_reads
def dashboard_page(request: HttpRequest) -> HttpResponse:
    actor = request.user
    if not may_see_dashboard(actor):
        raise Http404
    year = dashboard_year(request)
    as_of = as_of_for(year, request.GET.get("as_of", ""))
    all_children = request.GET.get("children") == "all"
    result = dashboard_read(
        actor=actor,
        org=request.GET.get("org") or None,
        year=year,
        as_of=as_of,
        fresh=request.GET.get("fresh") == "1",
        children_limit=None if all_children else CHILDREN_SHOWN,
    )
    this_year = timezone.localdate().year
    years = sorted({year, *range(this_year - YEARS_SHOWN + 1, this_year + 1)}, reverse=True)
    charts: dict[str, Any] = {tile.key: tile.chart for tile in result.tiles}
    return render(
        request,
        "reports/dashboard.html",
        {
            "board": result,
            "roots": dashboard_roots(actor),
            "years": years,
            "charts": charts,
            "child_limit": CHILDREN_SHOWN,
            "child_slice": "" if all_children else f":{CHILDREN_SHOWN}",
        },
    )

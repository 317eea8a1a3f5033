"""Compliance pages: the member's 培训档案, the org compliance page, and the branch 台账 export.

Thin views over `selectors.compliance`. Out of scope is a 404 (the selectors raise it); a plain member
sees only their own archive. No ranking anywhere: rows are ordered by org and name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from peixun.core.downloads import download, file_name
from peixun.core.pagination import paginate
from peixun.core.params import pk_or_404, year_param
from peixun.core.replicas import replica_reads
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.orgs.selectors import org_roots_for

from ..logic import STATUSES, RuleResult
from ..models import Requirement
from ..registry import archive_lines
from ..selectors import (
    DRILL_STATUSES,
    FILTER_STATUSES,
    STATUS_LABELS,
    DrillFilters,
    MemberCompliance,
    OrgSummary,
    attach_branch_paths,
    certificate_issuer,
    compliance_drilldown,
    default_as_of,
    member_compliance,
    member_entry_years,
    member_table,
    member_year_entries,
    org_ancestors,
    report_member,
    report_org,
)
from ..services import compliance_drilldown_export, ledger_export, org_compliance_read

FIRST_YEAR = 2000
TABLE_PAGE_SIZE = 50
DRILL_PAGE_SIZE = 50
CHILDREN_PAGE_SIZE = 100
# Orgs whose own members are listed member by member (above them, the per-child summary suffices).
TABLE_KINDS = {
    Organization.Kind.BRANCH,
    Organization.Kind.GENERAL_BRANCH,
    Organization.Kind.GROUP,
}


def _year(request: HttpRequest) -> int:
    """The year asked for, from FIRST_YEAR to next year; else this year."""
    return year_param(request, lowest=FIRST_YEAR, highest=timezone.localdate().year + 1)


def _as_of(request: HttpRequest, year: int) -> tuple[dt.date, bool]:
    """The date the pace is judged at; a date outside the year falls back to the default."""
    raw = request.GET.get("as_of", "").strip()
    if raw:
        try:
            chosen = dt.date.fromisoformat(raw)
        except ValueError:
            chosen = None
        if chosen is not None and chosen.year == year:
            return chosen, True
    return default_as_of(year), False


def _years(chosen: int, seen: set[int]) -> list[int]:
    today = timezone.localdate().year
    return sorted(seen | {today, chosen}, reverse=True)


@dataclass
class StatusCount:
    status: str
    label: Any
    count: int


@dataclass
class RuleCell:
    rule: Requirement
    counts: list[StatusCount]
    share_met: Decimal | None


def _rule_cells(summary: OrgSummary, rules: list[Requirement]) -> list[RuleCell]:
    cells = []
    for rule in rules:
        counts = summary.per_rule.get(rule.pk, {})
        if not any(counts.values()):
            continue
        cells.append(
            RuleCell(
                rule=rule,
                counts=[StatusCount(s, STATUS_LABELS[s], counts.get(s, 0)) for s in STATUSES],
                share_met=summary.share_met(rule.pk),
            )
        )
    return cells


@dataclass
class MemberRow:
    member: MemberCompliance
    cells: list[RuleResult | None]


def _member_rows(rows: list[MemberCompliance], rules: list[Requirement]) -> list[MemberRow]:
    out = []
    for mc in rows:
        by_rule = {r.requirement_id: r for r in mc.results}
        out.append(MemberRow(member=mc, cells=[by_rule.get(rule.pk) for rule in rules]))
    return out


@login_required
@require_GET
def compliance_index(request: HttpRequest) -> HttpResponse:
    """Straight to the actor's one org; a list when they see several; a member goes to their archive."""
    roots = list(org_roots_for(actor=request.user))
    if len(roots) == 1:
        return redirect("compliance:org", pk=roots[0].pk)
    if not roots:
        member_id = getattr(request.user, "member_id", None)
        if member_id:
            return redirect("compliance:member", pk=member_id)
        raise Http404
    return render(request, "hours/compliance_index.html", {"orgs": roots})


@login_required
@require_GET
@replica_reads
def org_page(request: HttpRequest, pk: int) -> HttpResponse:
    year = _year(request)
    as_of, as_of_chosen = _as_of(request, year)
    status = request.GET.get("status", "")
    status = status if status in FILTER_STATUSES else ""
    report = org_compliance_read(
        actor=request.user,
        org=pk_or_404(pk),
        year=year,
        as_of=as_of,
        fresh=request.GET.get("fresh") == "1",
    )
    org = report_org(report.summary.org_id)
    context: dict[str, Any] = {
        "org": org,
        "report": report,
        "year": year,
        "years": _years(year, {timezone.localdate().year - back for back in range(1, 5)}),
        "as_of": as_of,
        "as_of_chosen": as_of_chosen,
        "status": status,
        "status_filters": [(s, STATUS_LABELS[s]) for s in FILTER_STATUSES],
        "summary_cells": _rule_cells(report.summary, report.rules),
        "children": report.children,
        "show_table": org.kind in TABLE_KINDS or not report.children,
        "ancestors": org_ancestors(org),
        # The year and pace date the figures were judged at, for the links to their members.
        "drill_query": urlencode(
            {"year": str(year), **({"as_of": as_of.isoformat()} if as_of_chosen else {})}
        ),
    }
    if not context["show_table"]:
        # A county has hundreds of units, a province thousands: children come a page at a time,
        # in tree order, and only the page's rule cells are worked out.
        page, query = paginate(request, report.children, CHILDREN_PAGE_SIZE)
        context.update(children=list(page.object_list), page=page, query=query)
    context["children"] = [(c, _rule_cells(c, report.rules)) for c in context["children"]]
    if context["show_table"]:
        rows = member_table(actor=request.user, org=org, year=year, as_of=as_of, status=status)
        used = {r.requirement_id for mc in rows for r in mc.results}
        columns = [rule for rule in report.rules if rule.pk in used]
        page, query = paginate(request, rows, TABLE_PAGE_SIZE)
        context.update(
            columns=columns,
            page=page,
            query=query,
            member_rows=_member_rows(list(page.object_list), columns),
        )
    return render(request, "hours/compliance_org.html", context)


@login_required
@require_GET
def member_page(request: HttpRequest, pk: int) -> HttpResponse:
    """The member's 培训档案 for one year: entries, and each rule's status and what is owed."""
    year = _year(request)
    as_of, _chosen = _as_of(request, year)
    report = member_compliance(actor=request.user, member=pk_or_404(pk), year=year, as_of=as_of)
    member = report_member(report.member_id)
    entries = member_year_entries(actor=request.user, member=member, year=year, as_of=as_of)
    seen = member_entry_years(member=member)
    results = [(r, STATUS_LABELS[r.status]) for r in report.results]
    owed = [r for r in report.results if r.gap > 0 and r.status != "exempt"]
    return render(
        request,
        "hours/archive.html",
        {
            "member": member,
            "report": report,
            "year": year,
            "years": _years(year, seen),
            "entries": entries,
            # Online courses completed this year, with the evidence behind each credit.
            "courses": archive_lines("courses", member.pk, year, year),
            "results": results,
            "owed": owed,
            "as_of": as_of,
            "is_self": getattr(request.user, "member_id", None) == member.pk,
            "may_issue": certificate_issuer(actor=request.user, member=member) is not None,
        },
    )


@login_required
@require_GET
def ledger_download(request: HttpRequest, pk: int) -> HttpResponse:
    year = _year(request)
    data, org = ledger_export(actor=request.user, org=pk_or_404(pk), year=year)
    return download(
        data,
        file_name("学时台账", org.name, f"{year}年", ext="xlsx"),
        fallback=f"ledger-{org.code}-{year}.xlsx",
    )


def _drill_filters(request: HttpRequest) -> DrillFilters:
    """The list's filters as asked for; unknown values drop that filter."""
    status = request.GET.get("status", "")
    try:
        rule_id: int | None = int(request.GET.get("rule", ""))
    except ValueError:
        rule_id = None
    return DrillFilters(
        status=status if status in DRILL_STATUSES else "",
        rule_id=rule_id,
        name=request.GET.get("q", "").strip()[:50],
        branch=request.GET.get("branch", "").strip()[:50],
        category=request.GET.get("category", ""),
    )


@login_required
@require_GET
def drilldown(request: HttpRequest, pk: int) -> HttpResponse:
    """The members behind the 滞后 / 有风险 figures of the org page, across the whole subtree,
    a page at a time, each with their branch's path and what they owe."""
    year = _year(request)
    as_of, as_of_chosen = _as_of(request, year)
    filters = _drill_filters(request)
    data = compliance_drilldown(
        actor=request.user, org=pk_or_404(pk), year=year, as_of=as_of, filters=filters
    )
    page, query = paginate(request, data.rows, DRILL_PAGE_SIZE)
    attach_branch_paths(list(page.object_list))
    return render(
        request,
        "hours/compliance_drilldown.html",
        {
            "org": data.org,
            "data": data,
            "page": page,
            "query": query,
            "year": year,
            "years": _years(year, {timezone.localdate().year - back for back in range(1, 5)}),
            "as_of": as_of,
            "as_of_chosen": as_of_chosen,
            "filters": filters,
            "status_filters": [(s, STATUS_LABELS[s]) for s in DRILL_STATUSES],
            "categories": Member.Status.choices,
            "ancestors": org_ancestors(data.org),
        },
    )


@login_required
@require_GET
def drilldown_download(request: HttpRequest, pk: int) -> HttpResponse:
    year = _year(request)
    as_of, _chosen = _as_of(request, year)
    data, org = compliance_drilldown_export(
        actor=request.user,
        org=pk_or_404(pk),
        year=year,
        as_of=as_of,
        filters=_drill_filters(request),
    )
    return download(
        data,
        file_name("学时滞后党员名单", org.name, f"{year}年", ext="xlsx"),
        fallback=f"behind-{org.code}-{year}.xlsx",
    )

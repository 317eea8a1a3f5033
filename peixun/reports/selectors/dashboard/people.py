"""Tiles about people: members behind and at risk (overall, per child org and by category) and
concentrated-training participation. The numbers are the compliance engine's own
(`hours.selectors.org_compliance` / `member_table`), so they equal the compliance pages' figures
by construction; the tests check that and compute each by hand."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from peixun.hours.models import Kind
from peixun.hours.selectors import OrgCompliance, org_compliance
from peixun.hours.selectors.compliance.loading import Batch, load
from peixun.hours.selectors.compliance.summary import summarise
from peixun.hours.selectors.figures import PeriodHours, period_hours
from peixun.members.models import Member

from .base import COUNT, HOURS, PERCENT, ChildRow, Figure, Frame, Tile, percent

# The rule categories (the audience of a requirement rule): member status, cadre rank, employment.
CATEGORY_DIMENSIONS = ("status", "cadre_rank", "employment")


def engine_batch(frame: Frame) -> Batch:
    """The compliance engine's batch for the org's subtree, as `org_compliance` loads it (the
    year's roster by the membership history, their amounts and the rules), read once for
    several tiles."""
    return load(
        actor=frame.actor,
        org=frame.org,
        year=frame.year,
        as_of=frame.as_of,
        path_filter=frame.org.path,
        detailed=False,
    )


def compliance_of(frame: Frame, batch: Batch | None = None) -> OrgCompliance:
    """The compliance engine's summary of the org and of each child: `org_compliance` itself, or
    the same `summarise` over a batch already loaded (the tests check they agree)."""
    if batch is None:
        return org_compliance(actor=frame.actor, org=frame.org, year=frame.year, as_of=frame.as_of)
    return summarise(batch, [(c.pk, c.name, c.path) for c in frame.children])


def _drill_url(frame: Frame, org_pk: int, **extra: str) -> str:
    return reverse("compliance:drilldown", args=[org_pk]) + "?" + frame.query(None, **extra)


def compliance_tile(frame: Frame, compliance: OrgCompliance | None = None) -> Tile:
    """Members whose worst result under the rules is 滞后 (behind) or 有风险 (at risk), of the org
    and of each child; each number opens the compliance drill-down list of exactly those members."""
    found = compliance or compliance_of(frame)
    summary = found.summary
    children = {c.org_id: c for c in found.children}

    def figures(org_pk: int, behind: int, at_risk: int, members: int) -> list[Figure]:
        return [
            Figure(
                "behind", _("Behind"), behind, COUNT, _drill_url(frame, org_pk, status="behind")
            ),
            Figure(
                "at_risk", _("At risk"), at_risk, COUNT, _drill_url(frame, org_pk, status="at_risk")
            ),
            Figure(
                "members",
                _("Members"),
                members,
                COUNT,
                reverse("compliance:org", args=[org_pk]) + "?" + frame.query(),
            ),
        ]

    rows = []
    for child in frame.children:
        s = children.get(child.pk)
        if s is None:
            continue
        rows.append(
            ChildRow(
                child.pk,
                child.name,
                frame.dashboard_url(child),
                figures(child.pk, s.behind, s.at_risk, s.members),
            )
        )
    return Tile(
        key="compliance",
        title=_("Members behind and at risk"),
        figures=figures(frame.org.pk, summary.behind, summary.at_risk, summary.members),
        children=rows,
        chart={
            "categories": [r.org_name for r in rows],
            "series": [
                {"name": _("Behind"), "data": [r.figure("behind").value for r in rows]},
                {"name": _("At risk"), "data": [r.figure("at_risk").value for r in rows]},
            ],
            "stacked": True,
        },
        note=_(
            "Members counted by their worst result under the study-hour rules as of the date shown."
        ),
        url=reverse("compliance:org", args=[frame.org.pk]) + "?" + frame.query(),
    )


def _category_url(frame: Frame, dimension: str, value: str, status: str) -> str:
    """The rows behind a category count: the compliance drill-down filtered by member status; for
    cadre rank and employment (which it cannot filter by) the member list of that category."""
    if dimension == "status":
        return _drill_url(frame, frame.org.pk, status=status, category=value)
    return reverse("members:list") + "?" + f"org={frame.org.pk}&{dimension}={value}"


def _category_counts(frame: Frame, batch: Batch | None) -> dict[str, Counter[tuple[str, str]]]:
    """(category value, "behind" / "at_risk") → members, per dimension. The compliance engine's
    summary run once per category over one loaded batch (the same `load` and `summarise` as
    `org_compliance`), so the counts are the engine's own and no member is evaluated in detail."""
    batch = batch or engine_batch(frame)
    # A member row: id, name, org, path, org name, status, cadre rank, exempt.
    employment = dict(
        Member.objects.visible_to(frame.actor)
        .filter(org__path__startswith=frame.org.path)
        .values_list("pk", "employment")
        .order_by()
    )
    values: dict[str, Any] = {
        "status": lambda row: row[5],
        "cadre_rank": lambda row: row[6],
        "employment": lambda row: employment.get(row[0], ""),
    }
    # Every child is named so that the total takes in the whole subtree.
    children = [(c.pk, c.name, c.path) for c in frame.children]
    counts: dict[str, Counter[tuple[str, str]]] = {d: Counter() for d in CATEGORY_DIMENSIONS}
    for dimension in CATEGORY_DIMENSIONS:
        groups: dict[str, list[Any]] = {}
        for row in batch.members:
            groups.setdefault(values[dimension](row), []).append(row)
        for value, rows in groups.items():
            summary = summarise(replace(batch, members=rows), children).summary
            counts[dimension][(value, "behind")] = summary.behind
            counts[dimension][(value, "at_risk")] = summary.at_risk
    return counts


def category_tile(frame: Frame, batch: Batch | None = None) -> Tile:
    """Members behind and at risk by rule category: member status, cadre rank and employment.
    Every category of each dimension is listed, zero where nobody is behind."""
    counts = _category_counts(frame, batch)
    choices = {
        "status": Member.Status.choices,
        "cadre_rank": Member.CadreRank.choices,
        "employment": Member.Employment.choices,
    }
    dimension_labels = {
        "status": _("Member status"),
        "cadre_rank": _("Cadre rank"),
        "employment": _("Employment"),
    }
    figures: list[Figure] = []
    lines: list[dict[str, object]] = []
    for dimension in CATEGORY_DIMENSIONS:
        for value, label in choices[dimension]:
            behind = counts[dimension][(value, "behind")]
            at_risk = counts[dimension][(value, "at_risk")]
            key = f"{dimension}:{value}"
            figures.append(
                Figure(
                    f"{key}:behind",
                    f"{label} · {_('Behind')}",
                    behind,
                    COUNT,
                    _category_url(frame, dimension, value, "behind"),
                )
            )
            figures.append(
                Figure(
                    f"{key}:at_risk",
                    f"{label} · {_('At risk')}",
                    at_risk,
                    COUNT,
                    _category_url(frame, dimension, value, "at_risk"),
                )
            )
            lines.append(
                {
                    "dimension": str(dimension_labels[dimension]),
                    "category": str(label),
                    "behind": behind,
                    "at_risk": at_risk,
                    "behind_url": _category_url(frame, dimension, value, "behind"),
                    "at_risk_url": _category_url(frame, dimension, value, "at_risk"),
                }
            )
    shown = [line for line in lines if line["behind"] or line["at_risk"]]
    return Tile(
        key="categories",
        title=_("Behind and at risk by category"),
        figures=figures,
        rows=lines,
        chart={
            "categories": [f"{line['category']}" for line in shown],
            "series": [
                {"name": _("Behind"), "data": [line["behind"] for line in shown]},
                {"name": _("At risk"), "data": [line["at_risk"] for line in shown]},
            ],
            "stacked": True,
        },
        note=_(
            "Each member counts once in each of the three groupings: member status, cadre rank "
            "and employment."
        ),
    )


def concentrated_tile(frame: Frame, compliance: OrgCompliance | None = None) -> Tile:
    """Concentrated-training participation: of the members who are not exempt, the share who
    have at least one concentrated training in the year (the compliance page's 覆盖率)."""
    found = compliance or compliance_of(frame)

    def figures(org_pk: int, members: int, exempt: int, coverage: Decimal | None) -> list[Figure]:
        counted = members - exempt
        trained = int((coverage * counted).to_integral_value()) if coverage is not None else 0
        page = reverse("compliance:org", args=[org_pk]) + "?" + frame.query()
        return [
            Figure(
                "participation",
                _("Participation"),
                percent(trained, counted),
                PERCENT,
                page,
            ),
            Figure("trained", _("Trained"), trained, COUNT, page),
            Figure("not_trained", _("Not yet trained"), counted - trained, COUNT, page),
        ]

    summary = found.summary
    by_child = {c.org_id: c for c in found.children}
    rows = [
        ChildRow(
            child.pk,
            child.name,
            frame.dashboard_url(child),
            figures(child.pk, s.members, s.exempt, s.coverage),
        )
        for child in frame.children
        if (s := by_child.get(child.pk)) is not None
    ]
    return Tile(
        key="concentrated",
        title=_("Concentrated training participation"),
        figures=figures(frame.org.pk, summary.members, summary.exempt, summary.coverage),
        children=rows,
        chart={
            "categories": [r.org_name for r in rows],
            "series": [
                {
                    "name": _("Participation"),
                    "data": [r.figure("participation").value for r in rows],
                }
            ],
            "percent": True,
        },
        note=_(
            "Members not exempt from study who attended at least one concentrated training in "
            "the year."
        ),
        url=reverse("compliance:org", args=[frame.org.pk]) + "?" + frame.query(),
    )


def _hours_figures(frame: Frame, org_pk: int, found: PeriodHours) -> list[Figure]:
    page = reverse("compliance:org", args=[org_pk]) + "?" + frame.query()
    members = reverse("members:list") + f"?org={org_pk}"
    coverage = (
        (found.coverage * 100).quantize(Decimal("0.1")) if found.coverage is not None else None
    )
    return [
        Figure("members", _("Members of the year"), found.members, COUNT, members),
        Figure("coverage", _("Coverage"), coverage, PERCENT, page),
        Figure("average_hours", _("Average hours"), found.average_hours, HOURS, page),
        Figure("total_hours", _("Total hours"), found.total_hours, HOURS, page),
    ]


def hours_tile(frame: Frame) -> Tile:
    """Coverage and average hours of the members of the year (`hours.selectors.period_hours`:
    the roster of the period by the membership history, hours dated from 1 January to the as-of
    date); coverage = members with confirmed hours / members, average = hours / member-years."""
    end = dt.date(frame.year, 12, 31)

    def of(org: Any) -> PeriodHours:
        return period_hours(
            actor=frame.actor, org=org, start=frame.start, end=end, as_of=frame.as_of
        )

    found = of(frame.org)
    # The children are listed for the drill-down without figures of their own here: each is one
    # `period_hours` run (the roster by the membership history), too slow to repeat for hundreds
    # of children on one page; a child's dashboard shows its own.
    rows = [
        ChildRow(child.pk, child.name, frame.dashboard_url(child), []) for child in frame.children
    ]
    kinds = dict(Kind.choices)
    by_kind = sorted(
        found.hours_by_kind.items(),
        key=lambda kv: list(kinds).index(kv[0]) if kv[0] in kinds else 99,
    )
    figures = _hours_figures(frame, frame.org.pk, found)
    for kind, hours in by_kind:
        figures.append(Figure(f"kind:{kind}", str(kinds.get(kind, kind)), hours, HOURS))
    return Tile(
        key="hours",
        title=_("Coverage and average hours"),
        figures=figures,
        children=rows,
        chart={
            "categories": [str(kinds.get(kind, kind)) for kind, _h in by_kind],
            "series": [{"name": _("Total hours"), "data": [hours for _k, hours in by_kind]}],
        },
        note=_(
            "Members of the year by the membership history; coverage is the share with confirmed "
            "hours, the average is hours per member per year (docs/figures.md)."
        ),
        url=reverse("compliance:org", args=[frame.org.pk]) + "?" + frame.query(),
    )

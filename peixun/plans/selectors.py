"""Every read of plans: visibility, the filing state of an org's children, plan versus actual."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from peixun.core.scoping import Actor, can_manage_org, get_visible_or_404, scope_of
from peixun.orgs.models import Organization

from .models import PlanAttachment, PlanItem, PlanVersion, TrainingPlan
from .registry import Citation, citations_by_item, delivered_by_item
from .services import can_decide


def plans_visible(actor: Actor) -> QuerySet[TrainingPlan]:
    return TrainingPlan.objects.visible_to(actor).select_related("org")  # type: ignore[attr-defined]


def plan_get(actor: Actor, pk: int) -> TrainingPlan:
    return get_visible_or_404(actor, TrainingPlan, pk)


def plan_list(
    actor: Actor, *, year: int | None = None, org_id: int | None = None, q: str = ""
) -> QuerySet[TrainingPlan]:
    """Plans the actor may see, of one year, of one org and whose org's name contains `q` when
    given; newest year first, then in org-tree order."""
    plans = plans_visible(actor).order_by("-year", "org__path")
    if year is not None:
        plans = plans.filter(year=year)
    if org_id is not None:
        plans = plans.filter(org_id=org_id)
    if q:
        plans = plans.filter(org__name__icontains=q)
    return plans


def plan_items(plan: TrainingPlan) -> QuerySet[PlanItem]:
    return plan.items.select_related("responsible_org").order_by("position", "id")


def item_citations(items: Iterable[PlanItem]) -> dict[int, list[Citation]]:
    """Each item's citations (a needs survey's topic, from the apps above) by item id."""
    return citations_by_item(item.pk for item in items)


def plan_versions(plan: TrainingPlan) -> QuerySet[PlanVersion]:
    return plan.versions.select_related("submitted_by", "decided_by").order_by("-number")


def plan_attachments(plan: TrainingPlan) -> QuerySet[PlanAttachment]:
    return plan.attachments.order_by("id")


def item_of_plan_or_404(plan: TrainingPlan, pk: Any) -> PlanItem:
    return get_object_or_404(PlanItem, pk=pk, plan=plan)


def attachment_of_plan_or_404(plan: TrainingPlan, pk: Any) -> PlanAttachment:
    return get_object_or_404(PlanAttachment, pk=pk, plan=plan)


def version_of_plan_or_404(plan: TrainingPlan, number: Any) -> PlanVersion:
    return get_object_or_404(PlanVersion, plan=plan, number=number)


def plan_item_visible(actor: Actor, pk: Any) -> PlanItem | None:
    """A plan item of a plan the actor sees, or None."""
    return PlanItem.objects.visible_to(actor).filter(pk=pk).first()  # type: ignore[attr-defined]


def first_visible_org(actor: Actor) -> Organization | None:
    """The shallowest open org the actor sees (where the filing overview starts)."""
    return (
        Organization.objects.visible_to(actor)  # type: ignore[attr-defined]
        .filter(closed_on__isnull=True)
        .order_by("depth", "path")
        .first()
    )


def plan_permissions(actor: Actor, plan: TrainingPlan) -> dict[str, bool]:
    return {"can_manage": can_manage_org(actor, plan.org), "can_decide": can_decide(actor, plan)}


@dataclass
class Filing:
    org: Organization
    plan: TrainingPlan | None

    @property
    def state(self) -> str:
        return self.plan.state if self.plan else "none"


@dataclass
class FilingOverview:
    org: Organization
    year: int
    rows: list[Filing]
    counts: dict[str, int] = field(default_factory=dict)


def filing_overview(org: Organization, year: int) -> FilingOverview:
    """The open children of `org` with their plan for `year` (or none). Two queries."""
    children = list(
        Organization.objects.get_children(org).filter(closed_on__isnull=True).order_by("path")
    )
    plans = {
        p.org_id: p
        for p in TrainingPlan.objects.filter(org__in=children, year=year).select_related("org")
    }
    rows = [Filing(child, plans.get(child.pk)) for child in children]
    counts: dict[str, int] = {"none": 0, **{s: 0 for s in TrainingPlan.State.values}}
    for row in rows:
        counts[row.state] += 1
    return FilingOverview(org, year, rows, counts)


@dataclass
class ItemProgress:
    item: PlanItem
    classes: int
    meetings: int
    hours: Decimal
    people: int
    percent: int
    overdue: bool


def _share(done: Decimal, planned: Decimal) -> Decimal | None:
    return None if planned <= 0 else min(Decimal(1), done / planned)


def item_progress(plan: TrainingPlan, today: dt.date | None = None) -> list[ItemProgress]:
    """Each item with what linked closed classes and closed meetings delivered; progress is the
    mean of the shares of each planned figure (classes, meetings, hours, people) that is set.
    What was delivered comes from the apps that carry out plan items (`registry`); a fixed
    number of queries whatever the number of items."""
    return items_progress(list(plan_items(plan)), today)


def items_progress(items: list[PlanItem], today: dt.date | None = None) -> list[ItemProgress]:
    """`item_progress` for any list of items (of one plan or of many, as the dashboard reads
    them): the same rule, one call to the registry for all of them."""
    today = today or timezone.localdate()
    delivered = delivered_by_item(i.pk for i in items)
    out: list[ItemProgress] = []
    for item in items:
        done = delivered[item.pk]
        n_classes, n_meetings, hours, n_people = (
            done.classes,
            done.meetings,
            done.hours,
            done.people,
        )
        shares = [
            s
            for s in (
                _share(Decimal(n_classes), Decimal(item.planned_classes)),
                _share(Decimal(n_meetings), Decimal(item.planned_meetings)),
                _share(hours, item.planned_hours),
                _share(Decimal(n_people), Decimal(item.planned_people)),
            )
            if s is not None
        ]
        if item.done_at:
            percent = 100
        elif shares:
            percent = int(sum(shares) / len(shares) * 100)
        else:
            percent = 0
        out.append(
            ItemProgress(
                item=item,
                classes=n_classes,
                meetings=n_meetings,
                hours=hours,
                people=n_people,
                percent=percent,
                overdue=percent < 100 and item.deadline < today,
            )
        )
    return out


def _percent(done: Decimal | int, planned: Decimal | int) -> int | None:
    """Delivered as a whole percentage of planned (may pass 100); None when nothing was planned."""
    return None if planned <= 0 else int(Decimal(done) * 100 / Decimal(planned))


def progress_totals(rows: list[ItemProgress]) -> dict[str, Any]:
    """Planned against delivered for the whole plan (the year-end comparison). Trainees are
    summed over items, so a member trained under two items counts twice: that is the number of
    trainee places (人次) the plan delivered, compared with the places it planned."""
    totals: dict[str, Any] = {
        "planned_classes": sum(r.item.planned_classes for r in rows),
        "classes": sum(r.classes for r in rows),
        "planned_meetings": sum(r.item.planned_meetings for r in rows),
        "meetings": sum(r.meetings for r in rows),
        "planned_hours": sum((r.item.planned_hours for r in rows), Decimal(0)),
        "hours": sum((r.hours for r in rows), Decimal(0)),
        "planned_people": sum(r.item.planned_people for r in rows),
        "people": sum(r.people for r in rows),
        "budget": sum((r.item.budget for r in rows), Decimal(0)),
        "done": sum(1 for r in rows if r.percent >= 100),
        "overdue": sum(1 for r in rows if r.overdue),
        "items": len(rows),
    }
    totals["percent"] = {
        name: _percent(totals[name], totals[f"planned_{name}"])
        for name in ("classes", "meetings", "hours", "people")
    }
    return totals


def manageable_orgs(actor: Actor) -> QuerySet[Organization]:
    """Orgs whose plans the actor may draft: those they manage, open, shallowest first."""
    scope = scope_of(actor)
    if scope.platform:
        return Organization.objects.filter(closed_on__isnull=True).order_by("depth", "path")
    cond = Q()
    for path in scope.manage_paths:
        cond |= Q(path__startswith=path)
    if not cond:
        return Organization.objects.none()
    return Organization.objects.filter(cond, closed_on__isnull=True).order_by("depth", "path")


@dataclass(frozen=True)
class Waiting:
    """How many rows wait for the actor, and the first of them (to link straight to it)."""

    count: int
    first_pk: int | None
    year: int | None = None


def plans_awaiting_decision(actor: Actor) -> Waiting:
    """Submitted plans the actor decides: those of orgs strictly below an org they manage (the
    superior decides), any submitted plan for a platform admin. One aggregate query."""
    scope = scope_of(actor)
    submitted = TrainingPlan.objects.filter(state=TrainingPlan.State.SUBMITTED)
    if not scope.platform:
        cond = Q()
        for path in scope.manage_paths:
            cond |= Q(org__path__startswith=path) & ~Q(org__path=path)
        if not cond:
            return Waiting(0, None)
        submitted = submitted.filter(cond)
    found = submitted.aggregate(n=Count("pk"), first=Min("pk"), year=Min("year"))
    return Waiting(found["n"], found["first"], found["year"])

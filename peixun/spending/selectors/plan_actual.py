"""Plan versus actual in money, and the cost of a class.

- Per plan item: its budget (the plan item's `budget`) against what was spent on it: the
  standing expenses booked against the item itself, against a class that delivers it, or against
  a meeting that delivers it (`plan_item` of the class or meeting).
- Per org: for the org and each of its children (with everything below it), the sum of the
  budgets of the year's plan items of plans filed by orgs there, against the sum of the standing
  expenses of orgs there dated in the year.
- Cost of a class: what was spent against it, divided by its completed trainees (accepted, not
  flagged for withdrawal, credited hours by its sessions: who a certificate is issued to) and by
  the 学时 it credited (the hours its sessions stand for in the ledger, summed over members).

Only the expenses and plans the actor sees are counted; figures are summed in the database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import Substr

from peixun.core.scoping import Actor
from peixun.hours.models import CreditEntry
from peixun.orgs.models import Organization
from peixun.plans.models import PlanItem
from peixun.training.models import Enrolment, Session, TrainingClass

from .expenses import expenses_visible

ZERO = Decimal("0.00")
CENT = Decimal("0.01")


def _percent(spent: Decimal, budget: Decimal) -> int | None:
    """Spent as a whole percentage of the budget (may pass 100); None with no budget."""
    return None if budget <= 0 else int(spent * 100 / budget)


def _per(amount: Decimal, count: Decimal | int) -> Decimal | None:
    return None if not count else (amount / Decimal(count)).quantize(CENT, ROUND_HALF_UP)


@dataclass(frozen=True)
class ItemSpending:
    item: PlanItem
    budget: Decimal
    spent: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.spent

    @property
    def percent(self) -> int | None:
        return _percent(self.spent, self.budget)

    @property
    def over(self) -> bool:
        return self.spent > self.budget


def items_of(actor: Actor, org: Organization, year: int) -> QuerySet[PlanItem]:
    """The plan items of the year's plans of the org and the orgs below it, that the actor sees."""
    return (
        PlanItem.objects.visible_to(actor)
        .filter(plan__year=year, plan__org__path__startswith=org.path)
        .select_related("plan__org")
        .order_by("plan__org__path", "position", "id")
    )


def spent_by_item(actor: Actor, item_ids: list[int]) -> dict[int, Decimal]:
    """plan item id -> the standing expenses the actor sees booked against it or against a
    class or meeting that delivers it; three aggregate queries."""
    standing = expenses_visible(actor).filter(voided_at__isnull=True).order_by()
    spent: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for key in ("plan_item_id", "training_class__plan_item_id", "meeting__plan_item_id"):
        rows = (
            standing.filter(**{f"{key}__in": item_ids})
            .values(key)
            .annotate(amount=Sum("amount"))
            .values_list(key, "amount")
        )
        for pk, amount in rows:
            spent[pk] += (amount or ZERO).quantize(CENT)
    return dict(spent)


def item_spending(actor: Actor, org: Organization, year: int) -> list[ItemSpending]:
    items = list(items_of(actor, org, year))
    spent = spent_by_item(actor, [i.pk for i in items])
    return [ItemSpending(item, item.budget, spent.get(item.pk, ZERO)) for item in items]


@dataclass(frozen=True)
class OrgSpending:
    org: Organization
    own: bool  # the org's own records only (its children have rows of their own)
    budget: Decimal
    spent: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.spent

    @property
    def percent(self) -> int | None:
        return _percent(self.spent, self.budget)


@dataclass(frozen=True)
class OrgPlanActual:
    org: Organization
    year: int
    rows: list[OrgSpending]
    budget: Decimal
    spent: Decimal

    @property
    def percent(self) -> int | None:
        return _percent(self.spent, self.budget)


def org_spending(actor: Actor, org: Organization, year: int) -> OrgPlanActual:
    """The org's own budget and spending, then each child's subtree: two aggregate queries,
    grouped by the path prefix of the child (treebeard paths), whatever the number of orgs."""
    children = list(Organization.objects.get_children(org).order_by("path"))
    width = (org.depth + 1) * Organization.steplen

    def grouped(qs: QuerySet[Any], path_field: str, amount_field: str) -> dict[str, Decimal]:
        rows = (
            qs.annotate(prefix=Substr(path_field, 1, width))
            .values("prefix")
            .annotate(amount=Sum(amount_field))
            .values_list("prefix", "amount")
            .order_by()
        )
        return {prefix: (amount or ZERO).quantize(CENT) for prefix, amount in rows}

    budgets = grouped(items_of(actor, org, year).order_by(), "plan__org__path", "budget")
    spent = grouped(
        expenses_visible(actor).filter(
            voided_at__isnull=True,
            org__path__startswith=org.path,
            spent_on__year=year,
        ),
        "org__path",
        "amount",
    )
    # The org's own rows have a path shorter than `width`: Substr gives the path itself.
    rows = [OrgSpending(org, True, budgets.get(org.path, ZERO), spent.get(org.path, ZERO))]
    rows += [
        OrgSpending(child, False, budgets.get(child.path, ZERO), spent.get(child.path, ZERO))
        for child in children
    ]
    return OrgPlanActual(
        org=org,
        year=year,
        rows=rows,
        budget=sum((r.budget for r in rows), ZERO),
        spent=sum((r.spent for r in rows), ZERO),
    )


@dataclass(frozen=True)
class ClassCost:
    training_class: TrainingClass
    spent: Decimal
    trainees: int  # completed trainees
    hours: Decimal  # 学时 credited by its sessions, summed over members

    @property
    def per_trainee(self) -> Decimal | None:
        return _per(self.spent, self.trainees)

    @property
    def per_hour(self) -> Decimal | None:
        return _per(self.spent, self.hours)


def class_costs_of(actor: Actor, classes: list[TrainingClass]) -> list[ClassCost]:
    """The cost of each class given: four queries whatever the number of classes."""
    ids = [c.pk for c in classes]
    spent = dict(
        expenses_visible(actor)
        .filter(voided_at__isnull=True, training_class_id__in=ids)
        .values("training_class_id")
        .annotate(amount=Sum("amount"))
        .values_list("training_class_id", "amount")
        .order_by()
    )
    class_of_ref = {
        f"event:{event_id}": class_id
        for class_id, event_id in Session.objects.filter(training_class_id__in=ids).values_list(
            "training_class_id", "event_id"
        )
    }
    credited: dict[tuple[int, int], Decimal] = defaultdict(lambda: ZERO)
    rows = (
        CreditEntry.objects.filter(
            reference__in=list(class_of_ref), state=CreditEntry.State.CONFIRMED
        )
        .values("reference", "member_id")
        .annotate(hours=Sum("hours"))
        .values_list("reference", "member_id", "hours")
        .order_by()
    )
    for reference, member_id, hours in rows:
        credited[(class_of_ref[reference], member_id)] += hours or ZERO
    trainees: dict[int, set[int]] = defaultdict(set)
    for class_id, member_id in (
        Enrolment.objects.accepted()
        .filter(training_class_id__in=ids, flagged_for_withdrawal=False)
        .values_list("training_class_id", "member_id")
    ):
        trainees[class_id].add(member_id)
    hours_of: dict[int, Decimal] = defaultdict(lambda: ZERO)
    completed: dict[int, int] = defaultdict(int)
    for (class_id, member_id), hours in credited.items():
        if hours > 0:
            hours_of[class_id] += hours
            if member_id in trainees[class_id]:
                completed[class_id] += 1
    out = []
    for c in classes:
        closed = c.state == TrainingClass.State.CLOSED
        out.append(
            ClassCost(
                training_class=c,
                spent=(spent.get(c.pk) or ZERO).quantize(CENT),
                trainees=completed[c.pk] if closed else 0,
                hours=hours_of[c.pk].quantize(CENT),
            )
        )
    return out


def class_cost(actor: Actor, training_class: TrainingClass) -> ClassCost:
    return class_costs_of(actor, [training_class])[0]


def class_costs(actor: Actor, org: Organization, year: int) -> list[ClassCost]:
    """The classes that the actor's visible expenses of the org's subtree were booked against in
    the year (by the expense's date), with their cost."""
    class_ids = (
        expenses_visible(actor)
        .filter(
            Q(voided_at__isnull=True),
            org__path__startswith=org.path,
            spent_on__year=year,
            training_class__isnull=False,
        )
        .values_list("training_class_id", flat=True)
        .distinct()
    )
    classes = list(TrainingClass.objects.filter(pk__in=list(class_ids)).order_by("starts_on", "id"))
    return class_costs_of(actor, classes)

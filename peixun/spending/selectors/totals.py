"""What was spent: totals by fund for an org's subtree and a period, summed in the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from peixun.core.scoping import Actor
from peixun.orgs.models import Organization

from ..models import Expense, Fund

# Sums come back as the database gives them (SQLite drops trailing zeros): to the cent.
CENT = Decimal("0.01")


@dataclass(frozen=True)
class SpendingTotals:
    total: Decimal
    count: int
    # Fund value -> amount; every fund present (0 when nothing was spent from it).
    by_fund: dict[str, Decimal]

    @property
    def funds(self) -> list[tuple[str, str, Decimal]]:
        """(fund value, its label, amount) in the funds' order, for pages and documents."""
        return [(value, str(label), self.by_fund[value]) for value, label in Fund.choices]


def totals_of(expenses: QuerySet[Expense]) -> SpendingTotals:
    """Totals of the standing (not voided) expenses among those given: one aggregate query."""
    by_fund = {fund: Decimal("0.00") for fund in Fund.values}
    total = Decimal("0.00")
    count = 0
    rows = (
        expenses.filter(voided_at__isnull=True)
        .order_by()
        .values("fund")
        .annotate(amount=Sum("amount"), n=Count("pk"))
    )
    for row in rows:
        amount = (row["amount"] or Decimal(0)).quantize(CENT)
        by_fund[row["fund"]] = amount
        total += amount
        count += row["n"]
    return SpendingTotals(total=total, count=count, by_fund=by_fund)


def spending_totals(
    *, actor: Actor, org: Organization, start: dt.date, end: dt.date
) -> SpendingTotals:
    """What the org and every org below it spent from `start` to `end` (both included), by
    fund; voided expenses excluded, expenses the actor may not see left out."""
    expenses = Expense.objects.visible_to(actor).filter(
        org__path__startswith=org.path, spent_on__gte=start, spent_on__lte=end
    )
    return totals_of(expenses)

"""The spending tile: what the org's subtree spent in the year up to the as-of date, by fund
(`spending.selectors.spending_totals`, voided expenses excluded), and per child org."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, Sum
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from peixun.orgs.models import Organization
from peixun.spending.models import Expense, Fund
from peixun.spending.selectors import SpendingTotals, spending_totals

from .base import AMOUNT, COUNT, ChildRow, Figure, Frame, Tile, child_of

ZERO = Decimal("0.00")


def _list_url(frame: Frame, org_pk: int, fund: str = "") -> str:
    """The expense list (台账) of the org, year and fund, if the spending pages are installed."""
    try:
        base = reverse("spending:list")
    except NoReverseMatch:
        return ""
    query = f"?org={org_pk}&year={frame.year}"
    return base + query + (f"&fund={fund}" if fund else "")


def _figures(frame: Frame, org_pk: int, found: SpendingTotals) -> list[Figure]:
    figures = [
        Figure("total", _("Spent"), found.total, AMOUNT, _list_url(frame, org_pk)),
        Figure("count", _("Expenses"), found.count, COUNT, _list_url(frame, org_pk)),
    ]
    for fund, label in Fund.choices:
        figures.append(
            Figure(
                f"fund:{fund}",
                str(label),
                found.by_fund.get(fund),
                AMOUNT,
                _list_url(frame, org_pk, fund),
            )
        )
    return figures


def spending_by_child(frame: Frame) -> dict[int, SpendingTotals]:
    """`spending_totals` of each child of the org for the same period, in one grouped query
    (the tests check it equals `spending_totals` child by child)."""
    rows = (
        Expense.objects.visible_to(frame.actor)
        .filter(
            org__path__startswith=frame.org.path,
            spent_on__gte=frame.start,
            spent_on__lte=frame.as_of,
            voided_at__isnull=True,
        )
        .values_list("org__path", "fund")
        .annotate(amount=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    sums: dict[int, dict[str, Decimal]] = {
        c.pk: dict.fromkeys(Fund.values, ZERO) for c in frame.children
    }
    counts: dict[int, int] = dict.fromkeys(sums, 0)
    for path, fund, amount, n in rows:
        child = child_of(frame, path)
        if child is not None:
            sums[child.pk][fund] += amount or ZERO
            counts[child.pk] += n
    return {
        pk: SpendingTotals(total=sum(funds.values(), ZERO), count=counts[pk], by_fund=funds)
        for pk, funds in sums.items()
    }


def spending_tile(frame: Frame) -> Tile:
    """Spending by fund (党费, 培训经费, other) from 1 January to the as-of date."""

    def of(org: Organization) -> SpendingTotals:
        return spending_totals(actor=frame.actor, org=org, start=frame.start, end=frame.as_of)

    found = of(frame.org)
    by_child = spending_by_child(frame)
    rows = [
        ChildRow(
            child.pk,
            child.name,
            frame.dashboard_url(child),
            _figures(frame, child.pk, by_child[child.pk]),
        )
        for child in frame.children
    ]
    # The chart's bars: one per child, or the org's own at a branch.
    columns = rows or [
        ChildRow(frame.org.pk, frame.org.name, "", _figures(frame, frame.org.pk, found))
    ]
    return Tile(
        key="spending",
        title=_("Spending by fund"),
        figures=_figures(frame, frame.org.pk, found),
        children=rows,
        chart={
            "categories": [r.org_name for r in columns],
            "series": [
                {"name": str(label), "data": [r.figure(f"fund:{fund}").value for r in columns]}
                for fund, label in Fund.choices
            ],
            "stacked": True,
        },
        note=_("Expenses recorded from 1 January to the date shown, voided ones left out."),
        url=_list_url(frame, frame.org.pk),
    )

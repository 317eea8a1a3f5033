"""Reads of the yearly rollup beside the ledger it summarises: what each should hold, and where
they disagree (`manage.py rebuild_rollups --check`)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.db.models.functions import ExtractMonth

from ..models import CreditEntry, MemberMonthTotal, MemberYearTotal, YearlyRollup

Cell = tuple[int, int, str, str]  # member, year, kind, topic
ZERO = Decimal(0)
ALL = "*"  # kind and topic of a per-member-year total in a difference report
AMOUNTS = ["hours", "concentrated_hours", "online_hours", "entries", "concentrated_entries"]

MemberRange = tuple[int, int] | None  # member ids lo ≤ id < hi, or all members


def _within(qs: QuerySet[Any], year: int | None, members: MemberRange) -> QuerySet[Any]:
    if year is not None:
        qs = qs.filter(year=year)
    if members is not None:
        qs = qs.filter(member_id__gte=members[0], member_id__lt=members[1])
    return qs


def ledger_totals(
    year: int | None = None, members: MemberRange = None
) -> dict[Cell, tuple[Any, ...]]:
    """What the rollup should hold, computed from the ledger itself."""
    qs = _within(CreditEntry.objects.filter(state=CreditEntry.State.CONFIRMED), year, members)
    rows = (
        qs.values("member_id", "year", "kind", "topic")
        .annotate(
            h=Sum("hours"),
            c=Sum("hours", filter=Q(concentrated=True)),
            o=Sum("hours", filter=Q(online=True)),
            n=Count("id", filter=Q(hours__gt=0)) - Count("id", filter=Q(hours__lt=0)),
            cn=Count("id", filter=Q(hours__gt=0, concentrated=True))
            - Count("id", filter=Q(hours__lt=0, concentrated=True)),
        )
        .values_list("member_id", "year", "kind", "topic", "h", "c", "o", "n", "cn")
        .order_by()
    )
    return {
        (member_id, y, kind, topic): (h or ZERO, c or ZERO, o or ZERO, n, cn)
        for member_id, y, kind, topic, h, c, o, n, cn in rows
    }


def rollup_totals(
    year: int | None = None, members: MemberRange = None
) -> dict[Cell, tuple[Any, ...]]:
    rows = (
        _within(YearlyRollup.objects.all(), year, members)
        .values_list("member_id", "year", "kind", "topic", *AMOUNTS)
        .order_by()
    )
    return {tuple(row[:4]): tuple(row[4:]) for row in rows}  # type: ignore[misc]


def member_year_totals(
    year: int | None = None, members: MemberRange = None
) -> dict[Cell, tuple[Any, ...]]:
    rows = (
        _within(MemberYearTotal.objects.all(), year, members)
        .values_list("member_id", "year", *AMOUNTS)
        .order_by()
    )
    return {(row[0], row[1], ALL, ALL): tuple(row[2:]) for row in rows}


def month_key(month: int) -> str:
    """The "kind" of a per-member month total in a difference report."""
    return f"month {month:02d}"


def ledger_month_totals(
    year: int | None = None, members: MemberRange = None
) -> dict[Cell, tuple[Any, ...]]:
    """What the per-member month totals should hold, from the ledger."""
    qs = _within(CreditEntry.objects.filter(state=CreditEntry.State.CONFIRMED), year, members)
    rows = (
        qs.annotate(m=ExtractMonth("on"))
        .values("member_id", "year", "m")
        .annotate(
            h=Sum("hours"),
            c=Sum("hours", filter=Q(concentrated=True)),
            o=Sum("hours", filter=Q(online=True)),
            n=Count("id", filter=Q(hours__gt=0)) - Count("id", filter=Q(hours__lt=0)),
            cn=Count("id", filter=Q(hours__gt=0, concentrated=True))
            - Count("id", filter=Q(hours__lt=0, concentrated=True)),
        )
        .values_list("member_id", "year", "m", "h", "c", "o", "n", "cn")
        .order_by()
    )
    return {
        (member_id, y, month_key(m), ALL): (h or ZERO, c or ZERO, o or ZERO, n, cn)
        for member_id, y, m, h, c, o, n, cn in rows
    }


def member_month_totals(
    year: int | None = None, members: MemberRange = None
) -> dict[Cell, tuple[Any, ...]]:
    rows = (
        _within(MemberMonthTotal.objects.all(), year, members)
        .values_list("member_id", "year", "month", *AMOUNTS)
        .order_by()
    )
    return {(row[0], row[1], month_key(row[2]), ALL): tuple(row[3:]) for row in rows}


def _summed_by_member_year(cells: dict[Cell, tuple[Any, ...]]) -> dict[Cell, tuple[Any, ...]]:
    """What the per-member-year table should hold: the cells summed over kind and topic."""
    out: dict[Cell, list[Any]] = defaultdict(lambda: [ZERO, ZERO, ZERO, 0, 0])
    for (member_id, year, _kind, _topic), values in cells.items():
        total = out[(member_id, year, ALL, ALL)]
        for i, value in enumerate(values):
            total[i] += value
    return {k: tuple(v) for k, v in out.items()}


def _nonzero(cells: dict[Cell, tuple[Any, ...]]) -> dict[Cell, tuple[Any, ...]]:
    return {k: v for k, v in cells.items() if any(v)}


def rollup_differences(
    year: int | None = None, window: int = 5_000
) -> list[tuple[Cell, tuple[Any, ...] | None, tuple[Any, ...] | None]]:
    """Cells where the rollup and the ledger disagree (an all-zero cell equals a missing one).
    Per-member-year totals are reported as cells of kind and topic "*", per-member month
    totals as cells of kind "month MM" and topic "*". Members are compared
    `window` ids at a time, so checking millions of entries holds only a slice in memory."""
    bounds = [
        qs.aggregate(lo=Min("member_id"), hi=Max("member_id"))
        for qs in (
            _within(CreditEntry.objects.all(), year, None),
            _within(YearlyRollup.objects.all(), year, None),
            _within(MemberYearTotal.objects.all(), year, None),
            _within(MemberMonthTotal.objects.all(), year, None),
        )
    ]
    los = [b["lo"] for b in bounds if b["lo"] is not None]
    if not los:
        return []
    lo, hi = min(los), max(b["hi"] for b in bounds if b["hi"] is not None)
    out: list[tuple[Cell, tuple[Any, ...] | None, tuple[Any, ...] | None]] = []
    for start in range(lo, hi + 1, window):
        members = (start, start + window)
        from_ledger = ledger_totals(year, members)
        ledger = (
            _nonzero(from_ledger)
            | _nonzero(_summed_by_member_year(from_ledger))
            | _nonzero(ledger_month_totals(year, members))
        )
        rollup = (
            _nonzero(rollup_totals(year, members))
            | _nonzero(member_year_totals(year, members))
            | _nonzero(member_month_totals(year, members))
        )
        out += [
            (cell, ledger.get(cell), rollup.get(cell))
            for cell in sorted(set(ledger) | set(rollup))
            if ledger.get(cell) != rollup.get(cell)
        ]
    return out

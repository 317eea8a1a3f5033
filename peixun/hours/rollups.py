"""The yearly rollup, maintained in the same transaction as every confirmed ledger line."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Max, Min, Q, QuerySet, Sum

from .models import CreditEntry, MemberYearTotal, YearlyRollup

Cell = tuple[int, int, str, str]  # member, year, kind, topic
ZERO = Decimal(0)
ALL = "*"  # kind and topic of a per-member-year total in a difference report
AMOUNTS = ["hours", "concentrated_hours", "online_hours", "entries", "concentrated_entries"]


def _deltas(entries: Iterable[CreditEntry]) -> dict[Cell, list]:
    cells: dict[Cell, list] = defaultdict(lambda: [ZERO, ZERO, ZERO, 0, 0])
    for e in entries:
        if e.state != CreditEntry.State.CONFIRMED:
            continue
        d = cells[(e.member_id, e.year, e.kind, e.topic)]
        step = -1 if e.hours < 0 else 1
        d[0] += e.hours
        if e.concentrated:
            d[1] += e.hours
            d[4] += step
        if e.online:
            d[2] += e.hours
        d[3] += step
    return cells


def rollup_apply(entries: Iterable[CreditEntry]) -> None:
    """Add confirmed `entries` (reversals subtract) to the rollup. Call inside the writing transaction."""
    assert transaction.get_connection().in_atomic_block, "rollups change only with the ledger"
    cells = _deltas(entries)
    if not cells:
        return
    _add_deltas(YearlyRollup, ("member_id", "year", "kind", "topic"), cells)
    years: dict[tuple[int, int], list] = defaultdict(lambda: [ZERO, ZERO, ZERO, 0, 0])
    for (member_id, year, _kind, _topic), delta in cells.items():
        total = years[(member_id, year)]
        for i, value in enumerate(delta):
            total[i] += value
    # The same deltas on the per-member-year totals, which the compliance summary reads.
    _add_deltas(MemberYearTotal, ("member_id", "year"), years)


def _add_deltas(model: Any, key_fields: tuple[str, ...], deltas: dict) -> None:
    """Add `deltas` (key → [hours, concentrated, online, entries, concentrated entries]) to the
    rows of `model` keyed by `key_fields`, creating the rows that do not exist yet."""
    existing = {
        tuple(getattr(r, f) for f in key_fields): r
        for r in model.objects.select_for_update().filter(
            member_id__in={k[0] for k in deltas}, year__in={k[1] for k in deltas}
        )
    }
    to_create, to_update = [], []
    for key, delta in deltas.items():
        row = existing.get(key)
        if row is None:
            to_create.append(
                model(
                    **dict(zip(key_fields, key, strict=True)),
                    **dict(zip(AMOUNTS, delta, strict=True)),
                )
            )
        else:
            for field, value in zip(AMOUNTS, delta, strict=True):
                setattr(row, field, getattr(row, field) + value)
            to_update.append(row)
    model.objects.bulk_create(to_create, batch_size=2000)
    model.objects.bulk_update(to_update, AMOUNTS, batch_size=2000)


MemberRange = tuple[int, int] | None  # member ids lo ≤ id < hi, or all members


def _within(qs: QuerySet[Any], year: int | None, members: MemberRange) -> QuerySet[Any]:
    if year is not None:
        qs = qs.filter(year=year)
    if members is not None:
        qs = qs.filter(member_id__gte=members[0], member_id__lt=members[1])
    return qs


def ledger_totals(year: int | None = None, members: MemberRange = None) -> dict[Cell, tuple]:
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


def rollup_totals(year: int | None = None, members: MemberRange = None) -> dict[Cell, tuple]:
    rows = (
        _within(YearlyRollup.objects.all(), year, members)
        .values_list("member_id", "year", "kind", "topic", *AMOUNTS)
        .order_by()
    )
    return {tuple(row[:4]): tuple(row[4:]) for row in rows}  # type: ignore[misc]


def member_year_totals(year: int | None = None, members: MemberRange = None) -> dict[Cell, tuple]:
    rows = (
        _within(MemberYearTotal.objects.all(), year, members)
        .values_list("member_id", "year", *AMOUNTS)
        .order_by()
    )
    return {(row[0], row[1], ALL, ALL): tuple(row[2:]) for row in rows}


def _summed_by_member_year(cells: dict[Cell, tuple]) -> dict[Cell, tuple]:
    """What the per-member-year table should hold: the cells summed over kind and topic."""
    out: dict[Cell, list] = defaultdict(lambda: [ZERO, ZERO, ZERO, 0, 0])
    for (member_id, year, _kind, _topic), values in cells.items():
        total = out[(member_id, year, ALL, ALL)]
        for i, value in enumerate(values):
            total[i] += value
    return {k: tuple(v) for k, v in out.items()}


def _nonzero(cells: dict[Cell, tuple]) -> dict[Cell, tuple]:
    return {k: v for k, v in cells.items() if any(v)}


def rollup_differences(
    year: int | None = None, window: int = 5_000
) -> list[tuple[Cell, tuple | None, tuple | None]]:
    """Cells where the rollup and the ledger disagree (an all-zero cell equals a missing one).
    Per-member-year totals are reported as cells of kind and topic "*". Members are compared
    `window` ids at a time, so checking millions of entries holds only a slice in memory."""
    bounds = [
        qs.aggregate(lo=Min("member_id"), hi=Max("member_id"))
        for qs in (
            _within(CreditEntry.objects.all(), year, None),
            _within(YearlyRollup.objects.all(), year, None),
            _within(MemberYearTotal.objects.all(), year, None),
        )
    ]
    los = [b["lo"] for b in bounds if b["lo"] is not None]
    if not los:
        return []
    lo, hi = min(los), max(b["hi"] for b in bounds if b["hi"] is not None)
    out: list[tuple[Cell, tuple | None, tuple | None]] = []
    for start in range(lo, hi + 1, window):
        members = (start, start + window)
        from_ledger = ledger_totals(year, members)
        ledger = _nonzero(from_ledger) | _nonzero(_summed_by_member_year(from_ledger))
        rollup = _nonzero(rollup_totals(year, members)) | _nonzero(
            member_year_totals(year, members)
        )
        out += [
            (cell, ledger.get(cell), rollup.get(cell))
            for cell in sorted(set(ledger) | set(rollup))
            if ledger.get(cell) != rollup.get(cell)
        ]
    return out


@transaction.atomic
def rollup_rebuild(year: int | None = None) -> int:
    """Recompute the rollup from the ledger with one INSERT … SELECT per year."""
    qs = YearlyRollup.objects.all()
    if year is not None:
        qs = qs.filter(year=year)
    qs.delete()
    years_qs = MemberYearTotal.objects.all()
    if year is not None:
        years_qs = years_qs.filter(year=year)
    years_qs.delete()
    where = "state = 'confirmed'" + (" AND year = %s" if year is not None else "")
    params = [year] if year is not None else []
    table = CreditEntry._meta.db_table
    target = YearlyRollup._meta.db_table
    sql = f"""
        INSERT INTO {target} (member_id, year, kind, topic, hours, concentrated_hours, online_hours,
                              entries, concentrated_entries)
        SELECT member_id, year, kind, topic,
               SUM(hours),
               SUM(CASE WHEN concentrated THEN hours ELSE 0 END),
               SUM(CASE WHEN online THEN hours ELSE 0 END),
               SUM(CASE WHEN hours > 0 THEN 1 ELSE -1 END),
               SUM(CASE WHEN concentrated THEN (CASE WHEN hours > 0 THEN 1 ELSE -1 END) ELSE 0 END)
        FROM {table} WHERE {where}
        GROUP BY member_id, year, kind, topic
    """  # noqa: S608 - table names come from our models, values are parameters
    totals = MemberYearTotal._meta.db_table
    by_year = f"""
        INSERT INTO {totals} (member_id, year, hours, concentrated_hours, online_hours,
                              entries, concentrated_entries)
        SELECT member_id, year, SUM(hours), SUM(concentrated_hours), SUM(online_hours),
               SUM(entries), SUM(concentrated_entries)
        FROM {target} {"WHERE year = %s" if year is not None else ""}
        GROUP BY member_id, year
    """  # noqa: S608 - table names come from our models, values are parameters
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        cells = cursor.rowcount
        cursor.execute(by_year, params)
        return cells

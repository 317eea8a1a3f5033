"""The yearly rollup, maintained in the same transaction as every confirmed ledger line."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Count, Q, Sum

from .models import CreditEntry, YearlyRollup

Cell = tuple[int, int, str, str]  # member, year, kind, topic
ZERO = Decimal(0)


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
    existing = {
        (r.member_id, r.year, r.kind, r.topic): r
        for r in YearlyRollup.objects.select_for_update().filter(
            member_id__in={c[0] for c in cells}, year__in={c[1] for c in cells}
        )
    }
    to_create, to_update = [], []
    for cell, (hours, conc, online, count, conc_count) in cells.items():
        row = existing.get(cell)
        if row is None:
            to_create.append(
                YearlyRollup(
                    member_id=cell[0],
                    year=cell[1],
                    kind=cell[2],
                    topic=cell[3],
                    hours=hours,
                    concentrated_hours=conc,
                    online_hours=online,
                    entries=count,
                    concentrated_entries=conc_count,
                )
            )
        else:
            row.hours += hours
            row.concentrated_hours += conc
            row.online_hours += online
            row.entries += count
            row.concentrated_entries += conc_count
            to_update.append(row)
    YearlyRollup.objects.bulk_create(to_create, batch_size=2000)
    YearlyRollup.objects.bulk_update(
        to_update,
        ["hours", "concentrated_hours", "online_hours", "entries", "concentrated_entries"],
        batch_size=2000,
    )


def ledger_totals(year: int | None = None) -> dict[Cell, tuple]:
    """What the rollup should hold, computed from the ledger itself."""
    qs = CreditEntry.objects.filter(state=CreditEntry.State.CONFIRMED)
    if year is not None:
        qs = qs.filter(year=year)
    rows = qs.values("member_id", "year", "kind", "topic").annotate(
        h=Sum("hours"),
        c=Sum("hours", filter=Q(concentrated=True)),
        o=Sum("hours", filter=Q(online=True)),
        n=Count("id", filter=Q(hours__gt=0)) - Count("id", filter=Q(hours__lt=0)),
        cn=Count("id", filter=Q(hours__gt=0, concentrated=True))
        - Count("id", filter=Q(hours__lt=0, concentrated=True)),
    )
    return {
        (r["member_id"], r["year"], r["kind"], r["topic"]): (
            r["h"] or ZERO,
            r["c"] or ZERO,
            r["o"] or ZERO,
            r["n"],
            r["cn"],
        )
        for r in rows
    }


def rollup_totals(year: int | None = None) -> dict[Cell, tuple]:
    qs = YearlyRollup.objects.all()
    if year is not None:
        qs = qs.filter(year=year)
    return {
        (r.member_id, r.year, r.kind, r.topic): (
            r.hours,
            r.concentrated_hours,
            r.online_hours,
            r.entries,
            r.concentrated_entries,
        )
        for r in qs
    }


def _nonzero(cells: dict[Cell, tuple]) -> dict[Cell, tuple]:
    return {k: v for k, v in cells.items() if any(v)}


def rollup_differences(year: int | None = None) -> list[tuple[Cell, tuple | None, tuple | None]]:
    """Cells where the rollup and the ledger disagree (an all-zero cell equals a missing one)."""
    ledger = _nonzero(ledger_totals(year))
    rollup = _nonzero(rollup_totals(year))
    return [
        (cell, ledger.get(cell), rollup.get(cell))
        for cell in sorted(set(ledger) | set(rollup))
        if ledger.get(cell) != rollup.get(cell)
    ]


@transaction.atomic
def rollup_rebuild(year: int | None = None) -> int:
    """Recompute the rollup from the ledger with one INSERT … SELECT per year."""
    qs = YearlyRollup.objects.all()
    if year is not None:
        qs = qs.filter(year=year)
    qs.delete()
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
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount

"""The yearly rollup (and its per-member year and month totals), maintained in the same
transaction as every confirmed ledger line."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connection, transaction

from ..models import CreditEntry, MemberMonthTotal, MemberYearTotal, YearlyRollup
from ..selectors.rollups import AMOUNTS, ZERO, Cell


def _deltas(
    entries: Iterable[CreditEntry], key: Callable[[CreditEntry], Any]
) -> dict[Any, list[Any]]:
    """The confirmed `entries`' amounts (hours, concentrated, online, lines, concentrated lines;
    a reversal subtracts) summed by `key(entry)`."""
    sums: dict[Any, list[Any]] = defaultdict(lambda: [ZERO, ZERO, ZERO, 0, 0])
    for e in entries:
        if e.state != CreditEntry.State.CONFIRMED:
            continue
        d = sums[key(e)]
        step = -1 if e.hours < 0 else 1
        d[0] += e.hours
        if e.concentrated:
            d[1] += e.hours
            d[4] += step
        if e.online:
            d[2] += e.hours
        d[3] += step
    return sums


def rollup_apply(entries: Iterable[CreditEntry]) -> None:
    """Add confirmed `entries` (reversals subtract) to the rollup. Call inside the writing transaction."""
    assert transaction.get_connection().in_atomic_block, "rollups change only with the ledger"
    entries = list(entries)
    cells: dict[Cell, list[Any]] = _deltas(
        entries, lambda e: (e.member_id, e.year, e.kind, e.topic)
    )
    if not cells:
        return
    _add_deltas(YearlyRollup, ("member_id", "year", "kind", "topic"), cells)
    years: dict[tuple[int, int], list[Any]] = defaultdict(lambda: [ZERO, ZERO, ZERO, 0, 0])
    for (member_id, year, _kind, _topic), delta in cells.items():
        total = years[(member_id, year)]
        for i, value in enumerate(delta):
            total[i] += value
    # The same deltas on the per-member-year totals, which the compliance summary reads.
    _add_deltas(MemberYearTotal, ("member_id", "year"), years)
    # … and by the month of each line's date, which figures "as of" a day read.
    months = _deltas(entries, lambda e: (e.member_id, e.year, e.on.month))
    _add_deltas(MemberMonthTotal, ("member_id", "year", "month"), months)


def _add_deltas(model: Any, key_fields: tuple[str, ...], deltas: dict[Any, list[Any]]) -> None:
    """Add `deltas` (key → [hours, concentrated, online, entries, concentrated entries]) to the
    rows of `model` keyed by `key_fields`, creating the rows that do not exist yet."""
    existing = {
        tuple(getattr(r, f) for f in key_fields): r
        for r in model.objects.select_for_update().filter(
            member_id__in={k[0] for k in deltas}, year__in={k[1] for k in deltas}
        )
    }
    # New rows are inserted (a row another transaction inserted meanwhile is an error, as
    # before); the rows read above are locked, and get their new amounts in one INSERT … ON
    # CONFLICT DO UPDATE. Django's bulk_update builds a CASE per field and row, which made
    # closing a meeting of a dozen members spend most of its time here.
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
            amounts = [getattr(row, f) + v for f, v in zip(AMOUNTS, delta, strict=True)]
            to_update.append(
                model(
                    **dict(zip(key_fields, key, strict=True)),
                    **dict(zip(AMOUNTS, amounts, strict=True)),
                )
            )
    model.objects.bulk_create(to_create, batch_size=2000)
    if to_update:
        model.objects.bulk_create(
            to_update,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=list(key_fields),
            update_fields=AMOUNTS,
        )


def rollup_add_bulk(entries: Iterable[CreditEntry]) -> None:
    """`rollup_apply` for tens of thousands of lines: the same deltas, added by the database in
    one INSERT … ON CONFLICT DO UPDATE per table (executemany), with no row read or built as a
    model here. The upsert adds to the stored amounts, so the result is the same whatever
    another transaction committed before it."""
    assert transaction.get_connection().in_atomic_block, "rollups change only with the ledger"
    entries = list(entries)
    cells = _deltas(entries, lambda e: (e.member_id, e.year, e.kind, e.topic))
    if not cells:
        return
    years: dict[tuple[int, int], list[Any]] = defaultdict(lambda: [ZERO, ZERO, ZERO, 0, 0])
    for (member_id, year, _kind, _topic), delta in cells.items():
        total = years[(member_id, year)]
        for i, value in enumerate(delta):
            total[i] += value
    months = _deltas(entries, lambda e: (e.member_id, e.year, e.on.month))
    _upsert_deltas(YearlyRollup, ("member_id", "year", "kind", "topic"), cells)
    _upsert_deltas(MemberYearTotal, ("member_id", "year"), years)
    _upsert_deltas(MemberMonthTotal, ("member_id", "year", "month"), months)


def _upsert_deltas(model: Any, key_fields: tuple[str, ...], deltas: dict[Any, list[Any]]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join([*key_fields, *AMOUNTS])
    marks = ", ".join(["%s"] * (len(key_fields) + len(AMOUNTS)))
    adds = ", ".join(f"{a} = {table}.{a} + excluded.{a}" for a in AMOUNTS)
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES ({marks}) "  # noqa: S608 — names from our models
        f"ON CONFLICT ({', '.join(key_fields)}) DO UPDATE SET {adds}"
    )
    rows = [(*key, *delta) for key, delta in deltas.items()]
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[i : i + 5000])


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
    months_qs = MemberMonthTotal.objects.all()
    if year is not None:
        months_qs = months_qs.filter(year=year)
    months_qs.delete()
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
        cursor.execute(month_totals_sql(connection.vendor, year is not None), params)
        return cells


def month_totals_sql(vendor: str, one_year: bool) -> str:
    """INSERT … SELECT of the per-member month totals from the ledger (also run by migration
    hours 0008, hence plain table names); one `%s` parameter, the year, when `one_year`."""
    month = (
        """CAST(strftime('%%m', "on") AS INTEGER)"""
        if vendor == "sqlite"
        else """CAST(EXTRACT(MONTH FROM "on") AS INTEGER)"""
    )
    where = "state = 'confirmed'" + (" AND year = %s" if one_year else "")
    return f"""
        INSERT INTO hours_membermonthtotal (member_id, year, month, hours, concentrated_hours,
                                            online_hours, entries, concentrated_entries)
        SELECT member_id, year, {month},
               SUM(hours),
               SUM(CASE WHEN concentrated THEN hours ELSE 0 END),
               SUM(CASE WHEN online THEN hours ELSE 0 END),
               SUM(CASE WHEN hours > 0 THEN 1 ELSE -1 END),
               SUM(CASE WHEN concentrated THEN (CASE WHEN hours > 0 THEN 1 ELSE -1 END) ELSE 0 END)
        FROM hours_creditentry WHERE {where}
        GROUP BY member_id, year, {month}
    """  # noqa: S608 - fixed table names, values are parameters

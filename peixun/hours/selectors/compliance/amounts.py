"""The hours a compliance evaluation counts, per member and period in play, in a constant number
of queries: from the per-member-year totals (and month totals, for a day inside the year) for the
members on the roster all along, from the ledger for the others (those who joined, left or moved
in the periods in play, counted only for the days they belonged), and since the candidate day for
a 发展对象 rule. Sums are read raw, as floats or ints on SQLite and Decimals on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import (
    Case,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone

from peixun.members.models import Membership

from ...logic import KIND_COUNT, TOPIC_HOURS, TOPIC_SHARE, ZERO, RuleSpec, Totals
from ...models import CreditEntry, MemberMonthTotal, MemberYearTotal, YearlyRollup
from .roster import IN_PARTY_ON_LINE_DATE
from .roster import raw_rows as _raw_rows

# Per member and period: (total, concentrated, online, concentrated count) as read from the database
# (floats or ints on SQLite, Decimals on PostgreSQL; hours are quarters, exact in binary).
Amounts = tuple[Any, Any, Any, Any]


def _year_cond(first: int, lowest: int, extra: Q | None = None) -> Q | None:
    if first == lowest:
        return extra
    years = Q(year__gte=first)
    return years if extra is None else years & extra


def _amounts(member_filter: Q, year: int, firsts: list[int]) -> dict[int, tuple[Any, ...]]:
    lowest = firsts[0]
    aggregates: dict[str, Any] = {}
    for first in firsts:
        cond = _year_cond(first, lowest)
        # As floats: quarter hours are exact in binary, and PostgreSQL's numeric → Decimal
        # conversion of 100k × 3 sums costs more than the whole evaluation of them.
        aggregates[f"t{first}"] = Cast(Sum("hours", filter=cond), FloatField())
        aggregates[f"c{first}"] = Cast(Sum("concentrated_hours", filter=cond), FloatField())
        aggregates[f"o{first}"] = Cast(Sum("online_hours", filter=cond), FloatField())
        aggregates[f"n{first}"] = Sum("concentrated_entries", filter=cond)
    qs = (
        MemberYearTotal.objects.filter(member_filter, year__gte=lowest, year__lte=year)
        .values("member_id")
        .annotate(**aggregates)
        .values_list("member_id", *aggregates)
        .order_by()
    )
    return {row[0]: row[1:] for row in _raw_rows(qs)}


def _plus(left: Any, right: Any) -> Any:
    """`left + right` for sums as read from the database (either may be None)."""
    if right is None:
        return left
    return right if left is None else left + right


def _shift(
    amounts: dict[int, tuple[Any, ...]], change: dict[int, tuple[Any, ...]], sign: int, blocks: int
) -> None:
    """Add `sign` × a member's 4 figures of `change` to each of the `blocks` periods of their
    row in `amounts` (the change lies in the year itself, which every period in play holds)."""
    for member_id, figures in change.items():
        moved = tuple(v if v is None else sign * v for v in figures) * blocks
        row = amounts.get(member_id)
        amounts[member_id] = (
            moved if row is None else tuple(_plus(a, b) for a, b in zip(row, moved, strict=True))
        )


_TOTAL_COLUMNS = ("member_id", "year", "hours", "concentrated_hours", "online_hours")


def _amounts_to_month(
    member_filter: Q, year: int, firsts: list[int], months: int
) -> dict[int, tuple[Any, ...]]:
    """`_amounts` counting, of `year` itself, only its first `months` months (by the lines'
    dates), in one aggregate over the per-member-year totals and the month totals: the earlier
    years plus the year's first months, or (past mid-year) the years' totals less the year's
    later months, whichever reads fewer month rows."""
    lowest = firsts[0]
    later = months >= 6
    years = MemberYearTotal.objects.filter(member_filter, year__gte=lowest)
    years = years.filter(year__lte=year) if later else years.filter(year__lt=year)
    month_rows = MemberMonthTotal.objects.filter(member_filter, year=year)
    month_rows = (
        month_rows.filter(month__gt=months) if later else month_rows.filter(month__lte=months)
    )
    parts = [
        (years.annotate(sign=Value(1)), True),
        (
            month_rows.annotate(sign=Value(-1 if later else 1)),
            (months < 12) if later else months >= 1,
        ),
    ]
    sqls: list[str] = []
    params: list[Any] = []
    for qs, wanted in parts:
        if not wanted:
            continue
        try:
            sql, more = (
                qs.values_list(*_TOTAL_COLUMNS, "concentrated_entries", "sign")
                .order_by()
                .query.sql_with_params()
            )
        except EmptyResultSet:
            continue
        sqls.append(sql)
        params.extend(more)
    if not sqls:
        return {}
    number = "REAL" if connection.vendor == "sqlite" else "DOUBLE PRECISION"
    columns = []
    for first in firsts:
        when = f"WHEN year >= {int(first)} THEN sign *"
        columns += [
            f"CAST(SUM(CASE {when} hours END) AS {number})",
            f"CAST(SUM(CASE {when} concentrated_hours END) AS {number})",
            f"CAST(SUM(CASE {when} online_hours END) AS {number})",
            f"SUM(CASE {when} concentrated_entries END)",
        ]
    union = " UNION ALL ".join(
        f"SELECT * FROM ({sql}) AS p{n}"  # noqa: S608 - Django's SQL; values are parameters
        for n, sql in enumerate(sqls)
    )
    query = f"SELECT member_id, {', '.join(columns)} FROM ({union}) AS parts GROUP BY member_id"  # noqa: S608 - our own SQL; values are parameters
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return {row[0]: row[1:] for row in cursor.fetchall()}


def _lines_between(member_filter: Q, first: dt.date, last: dt.date) -> dict[int, tuple[Any, ...]]:
    """(total, concentrated, online, concentrated count) per member of the confirmed lines
    dated in [first, last] (one year's, found by date)."""
    conc = _CONFIRMED & Q(concentrated=True)
    qs = (
        CreditEntry.objects.filter(member_filter, on__gte=first, on__lte=last)
        .values("member_id")
        .annotate(
            t=Cast(Sum("hours", filter=_CONFIRMED), FloatField()),
            c=Cast(Sum("hours", filter=conc), FloatField()),
            o=Cast(Sum("hours", filter=_CONFIRMED & Q(online=True)), FloatField()),
            n=Sum(_STEP_OF_ENTRY, filter=conc),
        )
        .values_list("member_id", "t", "c", "o", "n")
        .order_by()
    )
    return {row[0]: row[1:] for row in _raw_rows(qs)}


def _amounts_within_year(
    member_filter: Q, after_filter: Q, year: int, firsts: list[int], as_of: dt.date
) -> dict[int, tuple[Any, ...]]:
    """`_amounts` counting only the lines dated up to `as_of`, a day inside `year`: the month
    totals up to the nearer month boundary, corrected by the ledger lines between that
    boundary and `as_of` (at most half a month of lines, found by date)."""
    month_start = as_of.replace(day=1)
    next_month = (month_start + dt.timedelta(days=32)).replace(day=1)
    month_end = next_month - dt.timedelta(days=1)
    if (as_of - month_start).days + 1 <= (month_end - as_of).days:
        amounts = _amounts_to_month(member_filter, year, firsts, as_of.month - 1)
        lines, sign = _lines_between(after_filter, month_start, as_of), 1
    else:
        amounts = _amounts_to_month(member_filter, year, firsts, as_of.month)
        if as_of == month_end:
            return amounts
        lines, sign = _lines_between(after_filter, as_of + dt.timedelta(days=1), month_end), -1
    _shift(amounts, lines, sign, len(firsts))
    return amounts


def _extras(
    member_filter: Q, year: int, firsts: list[int], specs: list[RuleSpec]
) -> dict[tuple[int, int], dict[tuple[str, str], Any]]:
    topics = sorted({s.topic for s in specs if s.metric in (TOPIC_HOURS, TOPIC_SHARE)})
    kinds = sorted({s.kind for s in specs if s.metric == KIND_COUNT})
    if not topics and not kinds:
        return {}
    lowest = firsts[0]
    aggregates: dict[str, Any] = {}
    keys: list[tuple[int, tuple[str, str]]] = []
    for first in firsts:
        for topic in topics:
            aggregates[f"a{len(keys)}"] = Sum(
                "hours", filter=_year_cond(first, lowest, Q(topic=topic))
            )
            keys.append((first, ("topic", topic)))
        for kind in kinds:
            aggregates[f"a{len(keys)}"] = Sum(
                "entries", filter=_year_cond(first, lowest, Q(kind=kind))
            )
            keys.append((first, ("kind", kind)))
    qs = (
        YearlyRollup.objects.filter(member_filter, year__gte=lowest, year__lte=year)
        .values("member_id")
        .annotate(**aggregates)
        .values_list("member_id", *aggregates)
        .order_by()
    )
    out: dict[tuple[int, int], dict[tuple[str, str], Any]] = {}
    for row in _raw_rows(qs):
        for (first, key), value in zip(keys, row[1:], strict=True):
            if value:
                out.setdefault((row[0], first), {})[key] = value
    return out


# A ledger line's contribution to a net activity count: a reversal takes one away.
_STEP_OF_ENTRY = Case(
    When(hours__gt=0, then=Value(1)), default=Value(-1), output_field=IntegerField()
)


def _dated_after(member_filter: Q, year: int, as_of: dt.date) -> QuerySet[CreditEntry]:
    """The ledger lines up to the end of `year` dated after `as_of` (any state: the callers keep
    the confirmed ones in their aggregates): what the rollup counts but an "as of" figure must not
    (the rollup keeps yearly sums, the ledger keeps the dates). A line's year is its date's, so
    the dates alone bound the years; the state stays out of WHERE so that SQLite, which has no
    statistics, walks the date index (a few lines) rather than every confirmed line of the year."""
    return CreditEntry.objects.filter(member_filter, on__gt=as_of, on__lte=dt.date(year, 12, 31))


_CONFIRMED = Q(state=CreditEntry.State.CONFIRMED)


def _minus(left: Any, right: Any) -> Any:
    """`left - right` for sums as read from the database (either may be None)."""
    if not right:
        return left
    return (left or 0) - right


def _line_aggregates(firsts: list[int]) -> dict[str, Any]:
    """Per period in play, the confirmed lines' (total, concentrated, online, concentrated
    count), as `_amounts` reads them from the rollup, for an aggregate over ledger lines."""
    aggregates: dict[str, Any] = {}
    for first in firsts:
        cond = _CONFIRMED & Q(year__gte=first)
        conc = cond & Q(concentrated=True)
        aggregates[f"t{first}"] = Cast(Sum("hours", filter=cond), FloatField())
        aggregates[f"c{first}"] = Cast(Sum("hours", filter=conc), FloatField())
        aggregates[f"o{first}"] = Cast(Sum("hours", filter=cond & Q(online=True)), FloatField())
        aggregates[f"n{first}"] = Sum(_STEP_OF_ENTRY, filter=conc)
    return aggregates


def _line_cells(
    lines: QuerySet[CreditEntry], firsts: list[int], topics: list[str], kinds: list[str]
) -> dict[tuple[int, int], dict[tuple[str, str], Any]]:
    """The topic hours and kind counts of `_extras`, from ledger lines: (member, first year of a
    period) → {("topic", t) | ("kind", k): value}. Groups with no confirmed line add nothing."""
    rows = (
        lines.values("member_id", "year", "topic", "kind")
        .annotate(
            hours_sum=Sum("hours", filter=_CONFIRMED), steps=Sum(_STEP_OF_ENTRY, filter=_CONFIRMED)
        )
        .values_list("member_id", "year", "topic", "kind", "hours_sum", "steps")
        .order_by()
    )
    out: dict[tuple[int, int], dict[tuple[str, str], Any]] = {}
    # Raw, like `_extras`, so that both sums come back as the same type.
    for member_id, entry_year, topic, kind, hours, steps in _raw_rows(rows):
        if hours is None:
            continue  # only pending or rejected lines
        for first in firsts:
            if entry_year < first:
                continue
            cell = out.setdefault((member_id, first), {})
            if topic in topics:
                cell[("topic", topic)] = cell.get(("topic", topic), 0) + hours
            if kind in kinds:
                cell[("kind", kind)] = cell.get(("kind", kind), 0) + steps
    return out


def _amounts_after(
    member_filter: Q, year: int, firsts: list[int], as_of: dt.date
) -> dict[int, tuple[Any, ...]]:
    """The same figures as `_amounts`, of the lines dated after `as_of` only (usually none)."""
    aggregates = _line_aggregates(firsts)
    qs = (
        _dated_after(member_filter, year, as_of)
        .values("member_id")
        .annotate(**aggregates)
        .values_list("member_id", *aggregates)
        .order_by()
    )
    return {row[0]: row[1:] for row in _raw_rows(qs)}


def _extras_after(
    member_filter: Q, year: int, firsts: list[int], specs: list[RuleSpec], as_of: dt.date
) -> dict[tuple[int, int], dict[tuple[str, str], Any]]:
    """The topic hours and kind counts of `_extras`, of the lines dated after `as_of` only."""
    topics = sorted({s.topic for s in specs if s.metric in (TOPIC_HOURS, TOPIC_SHARE)})
    kinds = sorted({s.kind for s in specs if s.metric == KIND_COUNT})
    if not topics and not kinds:
        return {}
    lines = _dated_after(member_filter, year, as_of).filter(year__gte=firsts[0])
    return _line_cells(lines, firsts, topics, kinds)


def amounts_as_of(
    member_filter: Q,
    year: int,
    firsts: list[int],
    specs: list[RuleSpec],
    as_of: dt.date,
    *,
    keep: set[int] | None = None,
    after_filter: Q | None = None,
) -> tuple[dict[int, tuple[Any, ...]], dict[tuple[int, int], dict[tuple[str, str], Any]]]:
    """The amounts and extras of the periods in play counting only lines dated on or before
    `as_of`: the rollup's sums less the (few) lines dated after it. Computed from the ledger
    rather than by giving the rollup a daily grain: the rollup stays small and exact, and the
    lines after a date are few for the usual question (today, or a recent month end).
    `keep`: only these members (the others are read elsewhere); `after_filter`: how to find
    the lines after `as_of` (default `member_filter`; `Q()` finds them by date alone).

    As of a day inside the year, the amounts come from the month totals up to the nearer
    month boundary and the few lines between it and that day (`_amounts_within_year`), not
    from the year's totals less half a year of lines."""
    after = member_filter if after_filter is None else after_filter
    # As of today (no line is dated in the future) or in the last fortnight of the year, the
    # year's totals less the few lines after `as_of`; else the month totals.
    inside = dt.date(year, 1, 1) <= as_of < min(dt.date(year, 12, 16), timezone.localdate())
    if inside:
        amounts = _amounts_within_year(member_filter, after, year, firsts, as_of)
    else:
        amounts = _amounts(member_filter, year, firsts)
    extras = _extras(member_filter, year, firsts, specs)
    if keep is not None:
        amounts = {k: v for k, v in amounts.items() if k in keep}
        extras = {k: v for k, v in extras.items() if k[0] in keep}
    if as_of >= dt.date(year, 12, 31):
        return amounts, extras
    for member_id, later in ({} if inside else _amounts_after(after, year, firsts, as_of)).items():
        if keep is not None and member_id not in keep:
            continue
        row = amounts.get(member_id) or (None,) * len(later)
        amounts[member_id] = tuple(_minus(a, b) for a, b in zip(row, later, strict=True))
    for key, later_cells in _extras_after(after, year, firsts, specs, as_of).items():
        if keep is not None and key[0] not in keep:
            continue
        cell = extras.setdefault(key, {})
        for what, value in later_cells.items():
            cell[what] = _minus(cell.get(what), value)
    return amounts, extras


def totals_since_candidate(
    member_ids: list[int], tenant_path: str, as_of: dt.date
) -> dict[int, Totals]:
    """Each member's confirmed totals from the day they became a candidate (发展对象,
    `Member.candidate_since`) to `as_of`, across calendar years, in one query grouped in the
    database. Where that day was not recorded, the day they were first entered in the tenant
    stands in for it (a candidate is entered as one): their earliest membership there."""
    if not member_ids:
        return {}
    first_day = (
        Membership.objects.filter(
            member_id=OuterRef("member_id"), org__path__startswith=tenant_path
        )
        .order_by("since")
        .values("since")[:1]
    )
    confirmed = Q(state=CreditEntry.State.CONFIRMED)
    groups = (
        CreditEntry.objects.filter(member_id__in=member_ids, on__lte=as_of)
        .filter(
            on__gte=Coalesce(
                "member__candidate_since", Subquery(first_day), Value(dt.date(1900, 1, 1))
            )
        )
        .values("member_id", "kind", "topic", "concentrated", "online")
        .annotate(
            hours_sum=Sum("hours", filter=confirmed), steps=Sum(_STEP_OF_ENTRY, filter=confirmed)
        )
        .values_list("member_id", "kind", "topic", "concentrated", "online", "hours_sum", "steps")
        .order_by()
    )
    out = {pk: Totals() for pk in member_ids}
    # Raw (no per-value converters): sums of quarter hours as ints, floats or Decimals.
    for member_id, kind, topic, concentrated, online, raw_hours, steps in _raw_rows(groups):
        if raw_hours is None:
            continue  # only pending or rejected lines
        hours = raw_hours if isinstance(raw_hours, Decimal) else Decimal(raw_hours)
        mine = out[member_id]
        topics = dict(mine.by_topic)
        topics[topic] = topics.get(topic, ZERO) + hours
        kinds = dict(mine.by_kind_count)
        kinds[kind] = kinds.get(kind, 0) + steps
        out[member_id] = Totals(
            total=mine.total + hours,
            concentrated=mine.concentrated + (hours if concentrated else ZERO),
            online=mine.online + (hours if online else ZERO),
            by_topic=topics,
            by_kind_count=kinds,
            concentrated_count=mine.concentrated_count + (steps if concentrated else 0),
        )
    return out


def ledger_amounts(
    member_ids: Any,
    inside: Any,
    year: int,
    firsts: list[int],
    specs: list[RuleSpec],
    cut: dt.date,
) -> tuple[dict[int, tuple[Any, ...]], dict[tuple[int, int], dict[tuple[str, str], Any]]]:
    """The amounts and extras of `_amounts` / `_extras` read from the ledger for `member_ids`
    (a list or a subquery), counting only lines dated up to `cut` while the member belonged to
    the subtree (`inside`: a `roster.window`) as a Party member."""
    lines = (
        CreditEntry.objects.filter(member_id__in=member_ids, year__gte=firsts[0], year__lte=year)
        .filter(on__lte=cut)
        .filter(inside)
        .filter(IN_PARTY_ON_LINE_DATE)
    )
    aggregates = _line_aggregates(firsts)
    amounts = {
        row[0]: row[1:]
        for row in _raw_rows(
            lines.values("member_id")
            .annotate(**aggregates)
            .values_list("member_id", *aggregates)
            .order_by()
        )
    }
    topics = sorted({s.topic for s in specs if s.metric in (TOPIC_HOURS, TOPIC_SHARE)})
    kinds = sorted({s.kind for s in specs if s.metric == KIND_COUNT})
    if not topics and not kinds:
        return amounts, {}
    return amounts, _line_cells(lines, firsts, topics, kinds)

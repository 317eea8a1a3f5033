"""The hours figures of a period, counted against the roster of that period (docs/figures.md).

`period_hours` answers, for an org's subtree and any stretch of days: how many Party members
belonged to it, how many member-years they add up to, how many of them were trained, the hours
they earned there and the average per member per year, and the hours by kind of activity.
`yearly_hours` is the same, one calendar year at a time.

Who counts: the members of the period (`members.selectors.period_memberships`): people who were
Party members (from their 入党 date) while they belonged to the subtree at some time in the
period, departed members included for their time, 发展对象 and 积极分子 never.

Which hours count: confirmed ledger lines (reversals subtract) of a member of the period dated in
the period, on or before `as_of`, on a day the member belonged to the subtree as a Party member.
Hours earned at another org before a transfer in, or before joining the Party, do not count here.

Everything is aggregated in the database: the yearly rollup (`MemberYearTotal`, `YearlyRollup`)
for the members who belonged for the whole of a year (nearly everyone), the ledger (with the
membership window checked per line) only for the few who joined, left or moved during it, and the
few lines dated after `as_of`. Python only walks the membership stretches and member-id sets.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from peixun.core.scoping import Actor
from peixun.members.models import Membership
from peixun.members.selectors import PARTY_STATUSES, period_memberships
from peixun.orgs.models import Organization

from ..models import CreditEntry, MemberYearTotal, YearlyRollup
from .compliance.loading import readable_org_or_404
from .compliance.roster import raw_rows as _raw_rows

CENT = Decimal("0.01")
PER_TEN_THOUSAND = Decimal("0.0001")
ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PeriodHours:
    """The hours figures of an org's subtree over [start, end], as of `as_of` (docs/figures.md)."""

    start: dt.date
    end: dt.date
    as_of: dt.date
    members: int  # members of the period (people, not member-years)
    member_years: Decimal  # Σ party days in the subtree / days in that year: the denominator
    members_trained: int  # members of the period with confirmed hours (net > 0) in it
    coverage: Decimal | None  # members_trained / members (0..1), None without members
    total_hours: Decimal  # confirmed hours of members of the period earned here in the period
    average_hours: Decimal | None  # total_hours / member_years: per member per year
    hours_by_kind: dict[str, Decimal]  # CreditEntry kind → hours (only kinds with hours)


def _date(value: Any) -> dt.date:
    """A date as read from a raw cursor (a string on SQLite, a date on PostgreSQL)."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _dec(value: Any) -> Decimal:
    """A sum as read from a raw cursor (None, int, float of quarter hours, or Decimal)."""
    if value is None:
        return ZERO
    return Decimal(value).quantize(CENT)


def _year_days(year: int) -> int:
    return (dt.date(year, 12, 31) - dt.date(year - 1, 12, 31)).days


def _years(start: dt.date, end: dt.date) -> Iterable[tuple[dt.date, dt.date]]:
    """[start, end] cut into calendar-year pieces."""
    for year in range(start.year, end.year + 1):
        yield max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))


def _window(actor: Actor, org: Organization) -> QuerySet[Membership]:
    """The memberships that put the outer ledger line's date inside the subtree, as a member."""
    return (
        Membership.objects.visible_to(actor)
        .filter(member_id=OuterRef("member_id"), org__path__startswith=org.path)
        .filter(since__lte=OuterRef("on"))
        .filter(Q(until__isnull=True) | Q(until__gt=OuterRef("on")))
    )


def _whole(actor: Actor, org: Organization, first: dt.date, last: dt.date) -> QuerySet[Membership]:
    """The memberships covering every day of [first, last] as a Party member of the subtree:
    for these members the rollup's yearly sums are the hours earned here."""
    return (
        Membership.objects.visible_to(actor)
        .filter(org__path__startswith=org.path, since__lte=first)
        .filter(Q(until__isnull=True) | Q(until__gt=last))
        .filter(member__status__in=PARTY_STATUSES)
        .filter(Q(member__joined_on__isnull=True) | Q(member__joined_on__lte=first))
    )


class _Sums:
    """Hours per member (only those with lines) and per kind, summed over the pieces."""

    def __init__(self) -> None:
        self.by_member: dict[int, Any] = {}
        self.by_kind: dict[str, Any] = {}
        self.total: Any = 0

    def add(
        self, rows: Iterable[tuple[Any, ...]], keep: set[int] | None = None, sign: int = 1
    ) -> None:
        """Add (member id, kind, hours) rows, only of the members in `keep` if given."""
        for member_id, kind, hours in rows:
            if not hours or (keep is not None and member_id not in keep):
                continue
            value = sign * hours
            self.by_member[member_id] = self.by_member.get(member_id, 0) + value
            self.by_kind[kind] = self.by_kind.get(kind, 0) + value
            self.total += value

    def add_members(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """Add (member id, hours) rows to the members only (their kinds are added apart)."""
        for member_id, hours in rows:
            if hours:
                self.by_member[member_id] = self.by_member.get(member_id, 0) + hours

    def add_kinds(self, rows: Iterable[tuple[Any, ...]]) -> None:
        for kind, hours in rows:
            if hours:
                self.by_kind[kind] = self.by_kind.get(kind, 0) + hours
                self.total += hours


_CONFIRMED = Q(state=CreditEntry.State.CONFIRMED)


def _member_kind_rows(lines: QuerySet[CreditEntry]) -> list[tuple[Any, ...]]:
    """(member id, kind, confirmed hours) of `lines`. The state is tested inside the sum, not in
    WHERE, so that SQLite (no statistics) seeks by member or date rather than walking every
    confirmed line."""
    return _raw_rows(
        lines.values("member_id", "kind")
        .annotate(s=Sum("hours", filter=_CONFIRMED))
        .values_list("member_id", "kind", "s")
        .order_by()
    )


def _ledger_piece(
    sums: _Sums,
    *,
    actor: Actor,
    org: Organization,
    first: dt.date,
    last: dt.date,
    members: QuerySet[Any],
) -> None:
    """Add the confirmed lines dated in [first, last] of `members` (a subquery of member ids),
    each counted only if its date falls in a membership of the subtree on or after the 入党 date."""
    lines = (
        CreditEntry.objects.filter(member_id__in=members, year__gte=first.year)
        .filter(year__lte=last.year, on__gte=first, on__lte=last)
        .filter(Exists(_window(actor, org)))
        .filter(Q(member__joined_on__isnull=True) | Q(member__joined_on__lte=F("on")))
    )
    sums.add(_member_kind_rows(lines))


def _year_piece(
    sums: _Sums, *, actor: Actor, org: Organization, year: int, cut: dt.date, whole: set[int]
) -> None:
    """Add a calendar year counted up to `cut`: the rollup for the members who belonged all
    along (`whole`, less their lines dated after `cut`), the ledger for the others."""
    first, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    whole_ids = _whole(actor, org, first, cut).values("member_id")
    totals = MemberYearTotal.objects.filter(year=year, member_id__in=whole_ids)
    sums.add_members(_raw_rows(totals.filter(~Q(hours=0)).values_list("member_id", "hours")))
    cells = YearlyRollup.objects.filter(year=year, member_id__in=whole_ids)
    sums.add_kinds(
        _raw_rows(cells.values("kind").annotate(s=Sum("hours")).values_list("kind", "s").order_by())
    )
    if cut < year_end:
        # By date (usually a few lines), kept for the members counted from the rollup.
        later = CreditEntry.objects.filter(on__gt=cut, on__lte=year_end)
        sums.add(_member_kind_rows(later), keep=whole, sign=-1)
    everyone = period_memberships(actor=actor, org=org, start=first, end=cut).values("member_id")
    # NOT EXISTS, not NOT IN (`exclude(member_id__in=…)`): PostgreSQL re-reads a NOT IN list that
    # outgrows work_mem for every row (at a million members this query had not ended in 10 min).
    whole_stretch = _whole(actor, org, first, cut).filter(member_id=OuterRef("member_id"))
    partial = everyone.exclude(Exists(whole_stretch))
    _ledger_piece(sums, actor=actor, org=org, first=first, last=cut, members=partial)


def period_hours(
    *,
    actor: Actor,
    org: Organization | int,
    start: dt.date,
    end: dt.date,
    as_of: dt.date | None = None,
) -> PeriodHours:
    """The hours figures of `org`'s subtree over [start, end] counting the lines dated on or
    before `as_of` (default: today, or `end` if earlier). 404 when the actor may not read `org`.

    As of a date inside the period, the roster is the people who were members by then, the hours
    those dated by then, and the member-years still those of the whole period (the history as
    recorded), so the average reads "hours so far per member per year", not an annualised rate."""
    found = readable_org_or_404(actor, org)
    if end < start:
        raise ValueError("the period ends before it starts")
    as_of = as_of or min(end, timezone.localdate())
    cut = min(end, as_of)

    # The roster and its member-years, from the membership stretches (one row per stretch).
    stretches: list[tuple[int, dt.date, dt.date]] = []
    rows = _raw_rows(
        period_memberships(actor=actor, org=found, start=start, end=end).values_list(
            "member_id", "since", "until", "member__joined_on"
        )
    )
    for member_id, since, until, joined_on in rows:
        begin = _date(since)
        if joined_on is not None:
            begin = max(begin, _date(joined_on))
        first = max(start, begin)
        last = end if until is None else min(end, _date(until) - dt.timedelta(days=1))
        if first <= last:
            stretches.append((member_id, first, last))
    counted = {m for m, first, _last in stretches if first <= cut}
    days: dict[int, int] = {}
    for member_id, first, last in stretches:
        if member_id not in counted:
            continue
        for a, b in _years(first, last):
            days[a.year] = days.get(a.year, 0) + (b - a).days + 1
    member_years = sum((Fraction(n, _year_days(y)) for y, n in days.items()), Fraction(0))

    # The hours: one piece per calendar year of [start, cut].
    sums = _Sums()
    if start <= cut:
        for first, last in _years(start, cut):
            # From 1 January: the rollup, less the lines after `last`; else the ledger.
            if first == dt.date(first.year, 1, 1):
                whole = {m for m, a, b in stretches if a <= first and b >= last}
                _year_piece(sums, actor=actor, org=found, year=first.year, cut=last, whole=whole)
            else:
                ids = period_memberships(actor=actor, org=found, start=first, end=last).values(
                    "member_id"
                )
                _ledger_piece(sums, actor=actor, org=found, first=first, last=last, members=ids)

    trained = sum(1 for m, h in sums.by_member.items() if h > 0 and m in counted)
    total = _dec(sums.total)
    members = len(counted)
    average = None
    if member_years:
        exact = Fraction(total) / member_years
        average = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(
            CENT, rounding=ROUND_HALF_UP
        )
    return PeriodHours(
        start=start,
        end=end,
        as_of=as_of,
        members=members,
        member_years=(Decimal(member_years.numerator) / Decimal(member_years.denominator)).quantize(
            PER_TEN_THOUSAND, rounding=ROUND_HALF_UP
        ),
        members_trained=trained,
        coverage=(
            (Decimal(trained) / Decimal(members)).quantize(PER_TEN_THOUSAND, ROUND_HALF_UP)
            if members
            else None
        ),
        total_hours=total,
        average_hours=average,
        hours_by_kind={
            kind: _dec(hours) for kind, hours in sorted(sums.by_kind.items()) if _dec(hours)
        },
    )


def yearly_hours(
    *,
    actor: Actor,
    org: Organization | int,
    first_year: int,
    last_year: int,
    as_of: dt.date | None = None,
) -> list[PeriodHours]:
    """`period_hours` of each calendar year from `first_year` to `last_year`, in order."""
    found = readable_org_or_404(actor, org)
    return [
        period_hours(
            actor=actor,
            org=found,
            start=dt.date(year, 1, 1),
            end=dt.date(year, 12, 31),
            as_of=as_of,
        )
        for year in range(first_year, last_year + 1)
    ]


__all__ = ["PeriodHours", "period_hours", "yearly_hours"]

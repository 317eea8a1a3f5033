"""Who a compliance evaluation judges for a year: the roster of that year, read from the
membership history and the dates of a person's path into the Party (docs/figures.md), never
today's roster.

- A Party member is judged for a year if they were a Party member (from their 入党 date) of the
  subtree on some day of it up to the as-of date; one who left or moved away during the year is
  judged for their time, under the org they were in last, and their requirement is pro-rated by
  the days they were there (the engine's `member_start` / `member_end`).
- A person who on that day was a 发展对象 or 积极分子 (today's status, or a Party member who joined
  after it) is never counted as a Party member: they are judged only by the rules that name their
  status (the 发展对象 rule), and only while they belong to the subtree.
- Hours: a member who belonged for the whole of the periods in play is read from the rollup (the
  yearly sums); the others' hours are read from the ledger, counting only the lines dated while
  they belonged to the subtree as Party members.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Value

from peixun.members.models import Member, Membership

MemberRow = tuple[int, str, int, str, str, str, str, str]  # id, name, org, path, org name, status…
PARTY = frozenset({Member.Status.FULL.value, Member.Status.PROBATIONARY.value})
CANDIDATE = Member.Status.CANDIDATE.value
PROBATIONARY = Member.Status.PROBATIONARY.value
FULL = Member.Status.FULL.value
ACTIVIST = Member.Status.ACTIVIST.value
ONE_DAY = dt.timedelta(days=1)


def raw_rows(qs: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """Run a values_list queryset without Django's per-value converters (100,000 rows × 8 sums)."""
    try:
        sql, params = qs.query.sql_with_params()
    except EmptyResultSet:  # a filter that can match nothing (an org with no members yet)
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def as_date(value: Any) -> dt.date | None:
    """A date as read from a raw cursor (a string on SQLite, a date on PostgreSQL)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def last_day(until: Any) -> dt.date | None:
    """The last day of a membership read raw: the day before its `until` (None: still open)."""
    day = as_date(until)
    return None if day is None else day - ONE_DAY


@dataclass
class Roster:
    members: list[MemberRow] = field(default_factory=list)
    # First day as a Party member in the subtree, only where after the earliest period start.
    starts: dict[int, dt.date] = field(default_factory=dict)
    # Last day in the subtree of those who left it (the engine pro-rates up to it).
    ends: dict[int, dt.date] = field(default_factory=dict)
    # Party members: days of the year on which they were Party members of the subtree.
    days: dict[int, int] = field(default_factory=dict)
    # Whose hours the rollup's sums are: Party members in the subtree for all of the periods in
    # play (up to cut) that may cover them, and the others on the roster (no rule reads their
    # yearly hours). The rest's hours come from the ledger (`partial`).
    whole: set[int] = field(default_factory=set)
    partial: list[int] = field(default_factory=list)


def stretches(
    base: QuerySet[Membership], *, path: str, first_day: dt.date, cut: dt.date
) -> QuerySet[Membership]:
    """The memberships of the subtree at `path` that may matter for a year viewed on `cut`
    with periods starting on `first_day`."""
    return (
        base.filter(org__path__startswith=path, since__lte=cut)
        .filter(Q(until__isnull=True) | Q(until__gt=first_day))
        .filter(member__status__in=[*PARTY, CANDIDATE, ACTIVIST])
    )


def whole_members(qs: QuerySet[Membership], *, first_day: dt.date, cut: dt.date) -> QuerySet[Any]:
    """The member ids of `qs` (stretches) that cover [first_day, cut] as Party members: the
    SQL twin of `Roster.whole`."""
    return (
        qs.filter(since__lte=first_day, member__status__in=list(PARTY))
        .filter(Q(until__isnull=True) | Q(until__gt=cut))
        .filter(Q(member__joined_on__isnull=True) | Q(member__joined_on__lte=first_day))
        .values("member_id")
    )


def window(base: QuerySet[Membership], path: str) -> Exists:
    """True for a ledger line dated while its member belonged to the subtree at `path` (as a
    Party member: the line's date is on or after the 入党 date, tested beside it)."""
    return Exists(
        base.filter(member_id=OuterRef("member_id"), org__path__startswith=path)
        .filter(since__lte=OuterRef("on"))
        .filter(Q(until__isnull=True) | Q(until__gt=OuterRef("on")))
    )


IN_PARTY_ON_LINE_DATE = Q(member__joined_on__isnull=True) | Q(member__joined_on__lte=F("on"))


def read_roster(
    qs: QuerySet[Membership],
    *,
    year: int,
    first_day: dt.date,
    cut: dt.date,
    detailed: bool,
    judged: frozenset[str] = frozenset({CANDIDATE}),
    long_periods: Callable[[str, str, str], bool] | None = None,
) -> Roster:
    """Group the stretches of `qs` (see `stretches`) by person into the year's roster: the
    Party members of the year, and the people of the other statuses in `judged` (those a rule
    in force names) who belonged to the subtree on the day it is viewed.

    `long_periods(path, status, rank)` tells whether a rule whose period starts before the year
    (a 5-year cycle) may cover such a person: only then must they have belonged since
    `first_day` for the rollup's sums to be theirs; otherwise since 1 January suffices."""
    name = "member__name" if detailed else Value("")
    rows = raw_rows(
        qs.values_list(
            "member_id",
            "org_id",
            "org__path",
            "org__name" if detailed else Value(""),
            "since",
            "until",
            name,
            "member__status",
            "member__cadre_rank",
            "member__exempt_reason",
            "member__joined_on",
            "member__confirmed_on",
            "member__candidate_since",
        ).order_by("member_id", "since")
    )
    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out = Roster()
    n = len(rows)
    i = 0
    while i < n:
        j = i
        member_id = rows[i][0]
        while j < n and rows[j][0] == member_id:
            j += 1
        group = rows[i:j]
        i = j
        last = group[-1]
        (
            _m,
            org_id,
            path,
            org_name,
            _s,
            last_until,
            pname,
            status,
            rank,
            exempt,
            joined,
            confirmed,
            candidate_since,
        ) = last
        joined_on = as_date(joined)
        left_on = last_day(last_until)
        ref = cut if left_on is None or left_on > cut else left_on
        if status in PARTY and (joined_on is None or joined_on <= ref):
            first: dt.date | None = None
            days = 0
            in_year = False
            covers = covers_year = False
            for row in group:
                since, end = as_date(row[4]), last_day(row[5])
                assert since is not None
                begin = since if joined_on is None or joined_on < since else joined_on
                if end is not None and end < begin:
                    continue
                if first is None or begin < first:
                    first = begin
                if begin <= cut and (end is None or end >= year_start):
                    in_year = True
                lo = begin if begin > year_start else year_start
                hi = year_end if end is None or end > year_end else end
                if hi >= lo:
                    days += (hi - lo).days + 1
                if end is None or end >= cut:
                    covers = covers or begin <= first_day
                    covers_year = covers_year or begin <= year_start
            if not in_year or first is None:
                continue
            then = status
            if status == FULL and as_date(confirmed) is not None and as_date(confirmed) > ref:  # type: ignore[operator]
                then = PROBATIONARY
            out.members.append((member_id, pname, org_id, path, org_name, then, rank, exempt))
            out.days[member_id] = days
            if first > first_day:
                out.starts[member_id] = first
            if left_on is not None:
                out.ends[member_id] = left_on
            if covers or (
                covers_year and (long_periods is None or not long_periods(path, then, rank))
            ):
                out.whole.add(member_id)
            else:
                out.partial.append(member_id)
        else:
            # Not (yet) a Party member on that day: judged only while still in the subtree.
            if left_on is not None and left_on < cut:
                continue
            # A Party member of today who joined after that day was not one then: a 发展对象
            # from `candidate_since`, before it (or without it) an applicant (积极分子). A
            # 发展对象 of today is one from that day (without it, from the start).
            since_then = as_date(candidate_since)
            if status in PARTY or status == CANDIDATE:
                was_candidate = since_then is not None and since_then <= ref
                if status == CANDIDATE and since_then is None:
                    was_candidate = True
                then = CANDIDATE if was_candidate else ACTIVIST
            else:
                then = status
            if then not in judged:
                continue
            out.members.append((member_id, pname, org_id, path, org_name, then, rank, exempt))
            # Their hours of the year are shown as the rollup has them; no rule reads them.
            out.whole.add(member_id)
    if detailed:
        out.members.sort(key=lambda r: (r[3], r[1], r[0]))
    return out

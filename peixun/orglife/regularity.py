"""Regularity (规律性) of branch meetings: which required meetings were held in each month,
quarter or year, which are due, and which were missed.

The rule is `REQUIRED_FREQUENCY` (DESIGN.md §3). A period counts as held when at least one meeting
of the kind took place in it (recorded, dated in the period and not in the future). Pure
functions over dates do the counting, so every boundary can be tested without a database; the
query layer reads the meetings of many branches at once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.orgs.models import Organization

from .models import REQUIRED_FREQUENCY, Frequency, Meeting


class State:
    HELD = "held"
    DUE = "due"  # the current period, nothing yet
    MISSED = "missed"  # a past period with none
    UPCOMING = "upcoming"  # a future period


@dataclass(frozen=True)
class Period:
    label: str
    first: dt.date
    last: dt.date
    state: str
    held: int


def periods_of(frequency: str, year: int) -> list[tuple[str, dt.date, dt.date]]:
    """(label, first day, last day) of each period of `year` for `frequency`."""
    if frequency == Frequency.MONTHLY:
        out = []
        for month in range(1, 13):
            first = dt.date(year, month, 1)
            nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
            out.append((_("Month %(n)s") % {"n": month}, first, nxt - dt.timedelta(days=1)))
        return out
    if frequency == Frequency.QUARTERLY:
        out = []
        for quarter in range(1, 5):
            first = dt.date(year, quarter * 3 - 2, 1)
            nxt = dt.date(year + (quarter == 4), (quarter * 3) % 12 + 1, 1)
            out.append((_("Quarter %(n)s") % {"n": quarter}, first, nxt - dt.timedelta(days=1)))
        return out
    if frequency == Frequency.YEARLY:
        return [(str(year), dt.date(year, 1, 1), dt.date(year, 12, 31))]
    return []


def calendar_for(
    frequency: str, year: int, held_on: Iterable[dt.date], today: dt.date
) -> list[Period]:
    """Each period with its state, given the dates meetings of the kind were held."""
    days = sorted(d for d in held_on if d <= today)
    out: list[Period] = []
    for label, first, last in periods_of(frequency, year):
        held = sum(1 for d in days if first <= d <= last)
        if held:
            state = State.HELD
        elif first > today:
            state = State.UPCOMING
        elif last >= today:
            state = State.DUE
        else:
            state = State.MISSED
        out.append(Period(label, first, last, state, held))
    return out


def is_regular(periods: list[Period]) -> bool:
    """Regular so far: no past period without a meeting."""
    return not any(p.state == State.MISSED for p in periods)


@dataclass
class BranchCalendar:
    org: Organization
    year: int
    kinds: dict[str, list[Period]] = field(default_factory=dict)

    @property
    def regular(self) -> bool:
        return all(is_regular(periods) for periods in self.kinds.values())

    def missed(self, kind: str) -> list[Period]:
        return [p for p in self.kinds.get(kind, []) if p.state == State.MISSED]


REQUIRED_KINDS = [k for k, f in REQUIRED_FREQUENCY.items() if f != Frequency.NONE]


def _held_dates(
    orgs: list[Organization], year: int, today: dt.date
) -> dict[tuple[int, str], list[dt.date]]:
    """(org id, kind) → local dates of meetings held in `year`. One query."""
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    rows = Meeting.objects.filter(
        event__org__in=orgs, event__starts_at__gte=start, event__starts_at__lt=end
    ).values_list("event__org_id", "kind", "event__starts_at")
    out: dict[tuple[int, str], list[dt.date]] = defaultdict(list)
    for org_id, kind, starts_at in rows:
        day = timezone.localtime(starts_at).date()
        if day <= today:
            out[(org_id, kind)].append(day)
    return out


def branch_calendars(
    orgs: list[Organization], year: int, today: dt.date | None = None
) -> list[BranchCalendar]:
    """The calendar of each branch in `orgs` for `year`; one query whatever their number."""
    today = today or timezone.localdate()
    held = _held_dates(orgs, year, today)
    out = []
    for org in orgs:
        calendar = BranchCalendar(org, year)
        for kind in REQUIRED_KINDS:
            calendar.kinds[kind] = calendar_for(
                REQUIRED_FREQUENCY[kind], year, held.get((org.pk, kind), []), today
            )
        out.append(calendar)
    return out


def branches_below(org: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(
        path__startswith=org.path, kind=Organization.Kind.BRANCH, closed_on__isnull=True
    ).order_by("path")


@dataclass
class KindShare:
    kind: str
    regular: int
    total: int
    irregular: list[tuple[Organization, list[Period]]]

    @property
    def percent(self) -> int:
        return round(self.regular * 100 / self.total) if self.total else 0


@dataclass
class Overview:
    org: Organization
    year: int
    branches: int
    shares: list[KindShare]
    observed: int  # 中心组学习 meetings with at least one observer
    central_meetings: int
    committees: int  # orgs below (not branches) holding 中心组学习
    committees_observed: int


def overview(org: Organization, year: int, today: dt.date | None = None) -> Overview:
    """For an upper org: per kind the share of branches regular so far and the irregular ones;
    and 旁听 coverage of 中心组学习 below it. Constant queries."""
    today = today or timezone.localdate()
    branches = list(branches_below(org))
    calendars = branch_calendars(branches, year, today)
    shares = []
    for kind in REQUIRED_KINDS:
        irregular = [(c.org, c.missed(kind)) for c in calendars if c.missed(kind)]
        shares.append(KindShare(kind, len(calendars) - len(irregular), len(calendars), irregular))
    start = timezone.make_aware(dt.datetime(year, 1, 1))
    end = timezone.make_aware(dt.datetime(year + 1, 1, 1))
    central = Meeting.objects.filter(
        kind="central_group",
        event__org__path__startswith=org.path,
        event__starts_at__gte=start,
        event__starts_at__lt=end,
    )
    rows = list(central.values_list("pk", "event__org_id", "observers__id"))
    meetings: set[int] = set()
    observed: set[int] = set()
    holders: set[int] = set()
    holders_observed: set[int] = set()
    for pk, org_id, observer_id in rows:
        meetings.add(pk)
        holders.add(org_id)
        if observer_id is not None:
            observed.add(pk)
            holders_observed.add(org_id)
    return Overview(
        org=org,
        year=year,
        branches=len(calendars),
        shares=shares,
        observed=len(observed),
        central_meetings=len(meetings),
        committees=len(holders),
        committees_observed=len(holders_observed),
    )

"""Regularity (规律性) of branch meetings, as pure functions over dates: which required meetings
were held in each month, quarter or year, which are due, and which were missed.

The rule is `REQUIRED_FREQUENCY` (DESIGN.md §3). A period counts as held when at least one meeting
of the kind took place in it (recorded, dated in the period and not in the future). The counting
here needs no database, so every boundary can be tested without one; the reads of many branches'
meetings at once are in `selectors` (`branch_calendars`, `regularity_overview`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from .models import REQUIRED_FREQUENCY, Frequency

if TYPE_CHECKING:
    from peixun.orgs.models import Organization


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

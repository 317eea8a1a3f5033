"""The compliance engine: pure functions over aggregated numbers (no ORM), easy to test exhaustively.

A rule (`RuleSpec`) measures one number (`achieved`) out of a member's `Totals` for the rule's
period and compares it with what the member owes (`required`, pro-rated from the day the member
started in the tenant) and with what is due by `as_of` at an even pace (`due_by_now`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal
from types import MappingProxyType
from typing import Any, Literal

Status = Literal["met", "on_track", "at_risk", "behind", "exempt"]
STATUSES: tuple[Status, ...] = ("met", "on_track", "at_risk", "behind", "exempt")
# Worse statuses sort later; exempt stands apart and is never "worse" than anything.
SEVERITY: dict[str, int] = {"exempt": -1, "met": 0, "on_track": 1, "at_risk": 2, "behind": 3}

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
CENT = Decimal("0.01")
DEFAULT_AT_RISK_RATIO = Decimal("0.80")

# Metric names, mirrored from models.Metric so that this module stays free of Django.
TOTAL_HOURS = "total_hours"
CONCENTRATED_HOURS = "concentrated_hours"
ONLINE_HOURS = "online_hours"
TOPIC_HOURS = "topic_hours"
TOPIC_SHARE = "topic_share"
KIND_COUNT = "kind_count"
CONCENTRATED_COUNT = "concentrated_count"
COUNT_METRICS = frozenset({KIND_COUNT, CONCENTRATED_COUNT})
_EMPTY: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class Totals:
    """A member's confirmed figures over some years (reversals already subtracted)."""

    total: Decimal = ZERO
    concentrated: Decimal = ZERO
    online: Decimal = ZERO
    by_topic: Mapping[str, Decimal] = field(default_factory=lambda: _EMPTY)
    by_kind_count: Mapping[str, int] = field(default_factory=lambda: _EMPTY)
    concentrated_count: int = 0

    def __add__(self, other: Totals) -> Totals:
        topics = dict(self.by_topic)
        for key, value in other.by_topic.items():
            topics[key] = topics.get(key, ZERO) + value
        kinds = dict(self.by_kind_count)
        for key, count in other.by_kind_count.items():
            kinds[key] = kinds.get(key, 0) + count
        return Totals(
            total=self.total + other.total,
            concentrated=self.concentrated + other.concentrated,
            online=self.online + other.online,
            by_topic=topics,
            by_kind_count=kinds,
            concentrated_count=self.concentrated_count + other.concentrated_count,
        )

    def normalised(self) -> Totals:
        """Drop zero topics and kinds so that totals built in different orders compare equal."""
        return Totals(
            total=self.total,
            concentrated=self.concentrated,
            online=self.online,
            by_topic={k: v for k, v in self.by_topic.items() if v},
            by_kind_count={k: v for k, v in self.by_kind_count.items() if v},
            concentrated_count=self.concentrated_count,
        )


def totals_of_entry(
    *, hours: Decimal, kind: str, topic: str, concentrated: bool, online: bool
) -> Totals:
    """The totals one confirmed ledger line contributes (a negative `hours` is a reversal)."""
    step = 1 if hours > 0 else -1
    return Totals(
        total=hours,
        concentrated=hours if concentrated else ZERO,
        online=hours if online else ZERO,
        by_topic={topic: hours},
        by_kind_count={kind: step},
        concentrated_count=step if concentrated else 0,
    )


@dataclass(frozen=True)
class RuleSpec:
    """What the engine needs of a `Requirement` row."""

    requirement_id: int
    name: str
    metric: str
    threshold: Decimal
    topic: str = ""
    kind: str = ""
    period_years: int = 1
    cycle_start_year: int | None = None
    online_cap: Decimal | None = None
    # Owed once before admission (the 发展对象 rule): counted from the day the person became a
    # candidate up to `as_of`, across years, never pro-rated and with no year-end deadline.
    before_admission: bool = False

    @classmethod
    def of(cls, rule: Any) -> RuleSpec:
        """Read the fields off a `Requirement` (or anything shaped like one)."""
        return cls(
            requirement_id=rule.pk,
            name=rule.name,
            metric=rule.metric,
            threshold=Decimal(rule.threshold),
            topic=rule.topic or "",
            kind=rule.kind or "",
            period_years=rule.period_years or 1,
            cycle_start_year=rule.cycle_start_year,
            online_cap=None if rule.online_cap is None else Decimal(rule.online_cap),
            before_admission=bool(getattr(rule, "before_admission", False)),
        )

    @property
    def is_count(self) -> bool:
        return self.metric in COUNT_METRICS


@dataclass(frozen=True)
class RuleResult:
    requirement_id: int
    name: str
    required: Decimal
    achieved: Decimal
    gap: Decimal
    due_by_now: Decimal
    status: Status


def cycle_years(rule: RuleSpec, year: int) -> tuple[int, int]:
    """First and last year of the rule's period that contains `year`."""
    if rule.period_years <= 1:
        return year, year
    start = rule.cycle_start_year if rule.cycle_start_year is not None else year
    first = start + ((year - start) // rule.period_years) * rule.period_years
    return first, first + rule.period_years - 1


def period_of(rule: RuleSpec, year: int) -> tuple[dt.date, dt.date]:
    first, last = cycle_years(rule, year)
    return dt.date(first, 1, 1), dt.date(last, 12, 31)


def achieved_of(rule: RuleSpec, totals: Totals) -> Decimal:
    """The number the rule measures. Online hours count toward a total only up to `online_cap`."""
    metric = rule.metric
    if metric == TOTAL_HOURS:
        if rule.online_cap is None or totals.online <= rule.online_cap:
            return totals.total
        return totals.total - totals.online + max(rule.online_cap, ZERO)
    if metric == CONCENTRATED_HOURS:
        return totals.concentrated
    if metric == ONLINE_HOURS:
        if rule.online_cap is not None:
            return min(totals.online, rule.online_cap)
        return totals.online
    if metric == TOPIC_HOURS:
        return totals.by_topic.get(rule.topic, ZERO)
    if metric == TOPIC_SHARE:
        if totals.total <= 0:
            return ZERO
        share = totals.by_topic.get(rule.topic, ZERO) * HUNDRED / totals.total
        return share.quantize(CENT, rounding=ROUND_HALF_UP)
    if metric == KIND_COUNT:
        return Decimal(totals.by_kind_count.get(rule.kind, 0))
    if metric == CONCENTRATED_COUNT:
        return Decimal(totals.concentrated_count)
    raise ValueError(f"unknown metric {metric!r}")


def _round(value: Decimal, *, count: bool) -> Decimal:
    # A count owed pro rata is a whole activity (1 training for half a year is still 1).
    if count:
        return value.to_integral_value(rounding=ROUND_CEILING)
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def required_and_due(
    rule: RuleSpec,
    *,
    period_start: dt.date,
    period_end: dt.date,
    member_start: dt.date,
    as_of: dt.date,
    member_end: dt.date | None = None,
) -> tuple[Decimal, Decimal]:
    """(required over the period, due by `as_of`), both pro rata from the member's start (and
    up to their last day, `member_end`, when they left during the period).

    A share is a proportion, not an amount: it is owed in full by whoever is there at all.
    A rule owed before admission is owed in full, and nothing of it falls due at a given date."""
    if rule.before_admission:
        return rule.threshold, ZERO
    start = max(period_start, member_start)
    end = period_end if member_end is None else min(period_end, member_end)
    if start > end:
        return ZERO, ZERO
    full_days = (period_end - period_start).days + 1
    owed_days = (end - start).days + 1
    if rule.metric == TOPIC_SHARE:
        required = rule.threshold
    else:
        required = _round(rule.threshold * owed_days / full_days, count=rule.is_count)
        required = min(required, rule.threshold)
    if as_of < start:
        return required, ZERO
    elapsed = min((as_of - start).days + 1, owed_days)
    if elapsed >= owed_days:
        return required, required
    due = (required * elapsed / owed_days).quantize(CENT, rounding=ROUND_HALF_UP)
    return required, min(due, required)


def status_for(
    *,
    achieved: Decimal,
    required: Decimal,
    due_by_now: Decimal,
    at_end: bool,
    exempt: bool,
    at_risk_ratio: Decimal = DEFAULT_AT_RISK_RATIO,
) -> Status:
    if exempt:
        return "exempt"
    if achieved >= required:
        return "met"
    if at_end:
        return "behind"
    if achieved >= due_by_now:
        return "on_track"
    if achieved >= at_risk_ratio * due_by_now:
        return "at_risk"
    return "behind"


def evaluate(
    rule: RuleSpec,
    totals: Totals,
    *,
    period_start: dt.date,
    period_end: dt.date,
    member_start: dt.date,
    as_of: dt.date,
    exempt: bool = False,
    at_risk_ratio: Decimal = DEFAULT_AT_RISK_RATIO,
    member_end: dt.date | None = None,
) -> RuleResult:
    """One member against one rule. `totals` must cover the rule's period up to `as_of`.
    A member who left on `member_end` is judged at that day's end for their time."""
    required, due = required_and_due(
        rule,
        period_start=period_start,
        period_end=period_end,
        member_start=member_start,
        as_of=as_of,
        member_end=member_end,
    )
    achieved = achieved_of(rule, totals)
    last = period_end if member_end is None else min(period_end, member_end)
    status = status_for(
        achieved=achieved,
        required=required,
        due_by_now=due,
        at_end=as_of >= last and not rule.before_admission,
        exempt=exempt,
        at_risk_ratio=at_risk_ratio,
    )
    return RuleResult(
        requirement_id=rule.requirement_id,
        name=rule.name,
        required=required,
        achieved=achieved,
        gap=max(required - achieved, ZERO),
        due_by_now=due,
        status=status,
    )


def worst_of(statuses: list[Status]) -> Status | None:
    """The status that needs attention first; None when no rule applies."""
    if not statuses:
        return None
    return max(statuses, key=SEVERITY.__getitem__)

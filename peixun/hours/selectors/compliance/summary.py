"""Org summaries: members, exempt, coverage, average hours and per-rule status counts, for an org
and each of its children. The hot loop works on plain numbers and caches what members share, so
a 100,000-member tenant is summarised well within a second; the statuses are the engine's own
(`test_compliance` checks them against the per-member results)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from ...logic import (
    CONCENTRATED_COUNT,
    CONCENTRATED_HOURS,
    ONLINE_HOURS,
    STATUSES,
    TOTAL_HOURS,
    ZERO,
    Status,
    Totals,
    achieved_of,
    period_of,
    required_and_due,
)
from ...models import Requirement
from .detail import Evaluator
from .loading import STEP, Batch
from .roster import PARTY

MET, ON_TRACK, AT_RISK, BEHIND, EXEMPT = range(5)
FAST_METRICS = (TOTAL_HOURS, CONCENTRATED_HOURS, ONLINE_HOURS, CONCENTRATED_COUNT)
_NO_ROLES: frozenset[str] = frozenset()


@dataclass
class OrgSummary:
    org_id: int
    org_name: str
    members: int = 0
    exempt: int = 0
    coverage: Decimal | None = (
        None  # share (0..1) of non-exempt members with a concentrated training
    )
    average_hours: Decimal | None = None
    per_rule: dict[int, dict[Status, int]] = field(default_factory=dict)
    rule_names: dict[int, str] = field(default_factory=dict)
    # Members (not rule results) whose worst status is behind / at risk: the 滞后 and 预警 counts.
    behind: int = 0
    at_risk: int = 0

    def share_met(self, rule_id: int) -> Decimal | None:
        """Share (0..1) of the members a rule covers, exempt apart, who have met it."""
        counts = self.per_rule.get(rule_id) or {}
        judged = sum(n for s, n in counts.items() if s != "exempt")
        return Decimal(counts.get("met", 0)) / judged if judged else None


@dataclass
class OrgCompliance:
    summary: OrgSummary
    children: list[OrgSummary]
    rules: list[Requirement]
    year: int
    as_of: dt.date
    # When these figures were computed, if they were read from a kept copy (ComplianceSnapshot)
    # rather than computed for this request.
    computed_at: dt.datetime | None = None


class _Tally:
    """Running counts of one org (or one child) while members stream past."""

    __slots__ = (
        "at_risk",
        "behind",
        "covered",
        "counted",
        "days",
        "exempt",
        "hours",
        "members",
        "per_rule",
    )

    def __init__(self, rules: int) -> None:
        self.days = 0  # party days of the counted (non-exempt) members in the year
        self.members = 0
        self.exempt = 0
        self.counted = 0
        self.covered = 0
        self.hours: Any = 0
        self.behind = 0
        self.at_risk = 0
        self.per_rule = [[0, 0, 0, 0, 0] for _ in range(rules)]

    def add(self, other: _Tally) -> None:
        self.members += other.members
        self.exempt += other.exempt
        self.counted += other.counted
        self.days += other.days
        self.covered += other.covered
        self.hours += other.hours
        self.behind += other.behind
        self.at_risk += other.at_risk
        for mine, theirs in zip(self.per_rule, other.per_rule, strict=True):
            for s in range(5):
                mine[s] += theirs[s]

    def finish(
        self, org_id: int, org_name: str, rules: list[Requirement], year_days: int
    ) -> OrgSummary:
        summary = OrgSummary(org_id=org_id, org_name=org_name, members=self.members)
        summary.exempt = self.exempt
        summary.behind = self.behind
        summary.at_risk = self.at_risk
        if self.counted:
            summary.coverage = Decimal(self.covered) / self.counted
        if self.days:
            # Per member-year: a member there for half the year counts as half a member.
            hours = Decimal(self.hours) if not isinstance(self.hours, Decimal) else self.hours
            summary.average_hours = (hours * year_days / self.days).quantize(Decimal("0.01"))
        summary.rule_names = {r.pk: r.name for r in rules}
        summary.per_rule = {
            r.pk: {status: counts[n] for n, status in enumerate(STATUSES)}
            for r, counts in zip(rules, self.per_rule, strict=True)
        }
        return summary


class _Summariser:
    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self.evaluator = Evaluator(batch)
        self.periods = [period_of(s, batch.year) for s in batch.specs]
        self.at_end = [
            batch.as_of >= end and not spec.before_admission
            for (_start, end), spec in zip(self.periods, batch.specs, strict=True)
        ]
        self._prefix: dict[str, tuple[int, ...]] = {}
        self._audience: dict[tuple[Any, ...], tuple[int, ...]] = {}
        self._pace: dict[tuple[int, dt.date, dt.date | None], tuple[Any, Any, Any]] = {}
        sample = next((v for row in batch.amounts.values() for v in row if v is not None), None)
        # Sums come back as floats/ints (SQLite) or Decimals (PostgreSQL); compare like with like.
        # Hours are quarters, exact in binary, so float comparisons decide exactly as Decimal ones.
        self.as_number = Decimal if isinstance(sample, Decimal) else float
        self.year_offset = 4 * batch.firsts.index(batch.year)

    def rules_for(self, member_id: int, path: str, status: str, rank: str) -> tuple[int, ...]:
        prefix = self._prefix.get(path)
        if prefix is None:
            prefix = self._prefix[path] = tuple(
                i for i, r in enumerate(self.batch.rules) if path.startswith(r.org.path)
            )
        roles = self.batch.roles.get(member_id, _NO_ROLES)
        key = (prefix, status, rank, roles)
        found = self._audience.get(key)
        if found is None:
            rules = self.batch.rules
            party = status in PARTY
            found = self._audience[key] = tuple(
                i
                for i in prefix
                if (status in rules[i].statuses or (party and not rules[i].statuses))
                and (not rules[i].cadre_ranks or rank in rules[i].cadre_ranks)
                and (not rules[i].positions or not roles.isdisjoint(rules[i].positions))
            )
        return found

    def pace(
        self, index: int, start: dt.date | None, end: dt.date | None = None
    ) -> tuple[Any, Any, Any]:
        """(required, due by now, the at-risk floor) in the numbers the database gave us."""
        period_start, period_end = self.periods[index]
        begin = period_start if start is None or start < period_start else start
        if end is not None and end >= period_end:
            end = None
        key = (index, begin, end)
        found = self._pace.get(key)
        if found is None:
            required, due = required_and_due(
                self.batch.specs[index],
                period_start=period_start,
                period_end=period_end,
                member_start=begin,
                as_of=self.batch.as_of,
                member_end=end,
            )
            floor = self.batch.ratio * due
            spec = self.batch.specs[index]
            if spec.metric in FAST_METRICS and not spec.before_admission:
                found = (self.as_number(required), self.as_number(due), self.as_number(floor))
            else:
                found = (required, due, floor)
            self._pace[key] = found
        return found

    def achieved(self, index: int, member_id: int, row: tuple[Any, ...] | None) -> Any:
        spec = self.batch.specs[index]
        metric = spec.metric
        if spec.before_admission:
            return achieved_of(spec, self.batch.since_candidate.get(member_id) or Totals())
        if metric not in FAST_METRICS:
            totals = self.evaluator.totals(member_id, self.batch.ranges[index])
            return achieved_of(spec, totals)
        if row is None:
            return 0
        base = 4 * self.batch.ranges[index]
        if metric == CONCENTRATED_HOURS:
            return row[base + 1] or 0
        if metric == CONCENTRATED_COUNT:
            return row[base + 3] or 0
        online = row[base + 2] or 0
        cap = spec.online_cap
        if metric == ONLINE_HOURS:
            return online if cap is None or online <= cap else self.as_number(cap)
        total = row[base] or 0
        if cap is None or online <= cap:
            return total
        return total - online + self.as_number(max(cap, ZERO))

    def run(self) -> tuple[_Tally, dict[str, _Tally]]:
        """Tallies of the org's own members and of each child's subtree, keyed by child path."""
        batch = self.batch
        rule_count = len(batch.rules)
        own = _Tally(rule_count)
        children: dict[str, _Tally] = {}
        child_len = len(batch.org.path) + STEP
        groups: dict[str, _Tally] = {}
        amounts, starts, at_end = batch.amounts, batch.starts, self.at_end
        ends, days = batch.ends, batch.days
        as_of = batch.as_of
        year_offset = self.year_offset
        # Per rule: where its number sits in a member's row (None: ask the engine), and the pace
        # of a member who was there from the period's start (nearly everyone).
        column: list[int | None] = []
        for i, spec in enumerate(batch.specs):
            base = 4 * batch.ranges[i]
            plain = spec.online_cap is None
            if spec.before_admission:
                column.append(None)  # counted since the candidate day, not by year
            elif spec.metric == CONCENTRATED_HOURS:
                column.append(base + 1)
            elif spec.metric == CONCENTRATED_COUNT:
                column.append(base + 3)
            elif spec.metric == ONLINE_HOURS and plain:
                column.append(base + 2)
            elif spec.metric == TOTAL_HOURS and plain:
                column.append(base)
            else:
                column.append(None)
        full_pace = [self.pace(i, None) for i in range(rule_count)]
        for member_id, _name, _org, path, _org_name, status, rank, exempt in batch.members:
            tally = groups.get(path)
            if tally is None:
                if len(path) >= child_len:
                    child = path[:child_len]
                    tally = children.get(child)
                    if tally is None:
                        tally = children[child] = _Tally(rule_count)
                else:
                    tally = own
                groups[path] = tally
            indices = self.rules_for(member_id, path, status, rank)
            # 发展对象 and 积极分子 are judged (by the rules naming them) but never counted as members.
            party = status in PARTY
            per_rule = tally.per_rule
            if party:
                tally.members += 1
            if exempt:
                if party:
                    tally.exempt += 1
                for i in indices:
                    per_rule[i][EXEMPT] += 1
                continue
            row = amounts.get(member_id)
            if party:
                tally.counted += 1
                tally.days += days.get(member_id, 0)
                if row is not None:
                    tally.hours += row[year_offset] or 0
                    if (row[year_offset + 3] or 0) > 0:
                        tally.covered += 1
            start = starts.get(member_id)
            end = ends.get(member_id)
            worst = MET
            for i in indices:
                if start is None and end is None:
                    required, due, floor = full_pace[i]
                else:
                    required, due, floor = self.pace(i, start, end)
                at = column[i]
                if at is None:
                    achieved = self.achieved(i, member_id, row)
                else:
                    achieved = (row[at] or 0) if row is not None else 0
                if achieved >= required:
                    outcome = MET
                elif at_end[i] or (
                    end is not None and as_of >= end and not batch.specs[i].before_admission
                ):
                    outcome = BEHIND
                elif achieved >= due:
                    outcome = ON_TRACK
                elif achieved >= floor:
                    outcome = AT_RISK
                else:
                    outcome = BEHIND
                per_rule[i][outcome] += 1
                if outcome > worst:
                    worst = outcome
            if worst == BEHIND:
                tally.behind += 1
            elif worst == AT_RISK:
                tally.at_risk += 1
        return own, children


def summarise(batch: Batch, children: list[tuple[int, str, str]]) -> OrgCompliance:
    """The org's summary and one per child (id, name, path), members counted where they are now."""
    own, tallies = _Summariser(batch).run()
    rule_count = len(batch.rules)
    year_days = (dt.date(batch.year, 12, 31) - dt.date(batch.year - 1, 12, 31)).days
    total = _Tally(rule_count)
    total.add(own)
    child_summaries = []
    for pk, name, path in children:
        tally = tallies.get(path) or _Tally(rule_count)
        total.add(tally)
        child_summaries.append(tally.finish(pk, name, batch.rules, year_days))
    return OrgCompliance(
        summary=total.finish(batch.org.pk, batch.org.name, batch.rules, year_days),
        children=child_summaries,
        rules=batch.rules,
        year=batch.year,
        as_of=batch.as_of,
    )

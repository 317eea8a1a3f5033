"""Per-member results with every figure (for the archive, the branch table and the 台账)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ...logic import (
    ZERO,
    RuleResult,
    Status,
    Totals,
    achieved_of,
    period_of,
    required_and_due,
    status_for,
    worst_of,
)
from .loading import Batch, rule_applies

CENT = Decimal("0.01")


def as_decimal(value: Any) -> Decimal:
    """A sum as read from the database (None, int, float of quarters, or Decimal) as Decimal."""
    if value is None:
        return ZERO.quantize(CENT)
    return Decimal(value).quantize(CENT)


@dataclass
class MemberCompliance:
    member_id: int
    name: str
    org_id: int
    org_name: str
    exempt: bool
    totals: Totals
    results: list[RuleResult]
    org_path: str = ""  # the tree path of the member's org (for the branch path shown beside them)
    status: str = ""  # their status in the year (as of its as-of date): 正式党员, 发展对象 …
    party_days: int = 0  # days of the year they were a Party member of the subtree
    left_on: dt.date | None = None  # their last day in the subtree, if they left it

    @property
    def worst_status(self) -> Status | None:
        if self.exempt:
            return "exempt"
        return worst_of([r.status for r in self.results])


class Evaluator:
    """Runs the engine over a batch, caching what many members share (audience, pace)."""

    def __init__(self, batch: Batch) -> None:
        self.batch = batch
        self._audience: dict[tuple[str, str, str, frozenset[str]], list[int]] = {}
        self._pace: dict[tuple[int, dt.date, dt.date | None], tuple[Decimal, Decimal]] = {}
        self._periods = [period_of(s, batch.year) for s in batch.specs]
        self._year_index = batch.firsts.index(batch.year)

    def applicable(self, path: str, status: str, rank: str, roles: frozenset[str]) -> list[int]:
        key = (path, status, rank, roles)
        found = self._audience.get(key)
        if found is None:
            found = [
                i
                for i, r in enumerate(self.batch.rules)
                if rule_applies(r, org_path=path, status=status, cadre_rank=rank, roles=roles)
            ]
            self._audience[key] = found
        return found

    def pace(
        self, index: int, start: dt.date | None, end: dt.date | None = None
    ) -> tuple[Decimal, Decimal]:
        period_start, period_end = self._periods[index]
        begin = period_start if start is None or start < period_start else start
        if end is not None and end >= period_end:
            end = None
        key = (index, begin, end)
        found = self._pace.get(key)
        if found is None:
            found = required_and_due(
                self.batch.specs[index],
                period_start=period_start,
                period_end=period_end,
                member_start=begin,
                as_of=self.batch.as_of,
                member_end=end,
            )
            self._pace[key] = found
        return found

    def _last_day(self, index: int, end: dt.date | None) -> dt.date:
        period_end = self._periods[index][1]
        return period_end if end is None or end > period_end else end

    def totals(self, member_id: int, position: int) -> Totals:
        batch = self.batch
        row = batch.amounts.get(member_id)
        extras = batch.extras.get((member_id, batch.firsts[position]), {})
        if row is None and not extras:
            return Totals(total=as_decimal(0), concentrated=as_decimal(0), online=as_decimal(0))
        total, conc, online, conc_n = row[4 * position : 4 * position + 4] if row else (0,) * 4
        return Totals(
            total=as_decimal(total),
            concentrated=as_decimal(conc),
            online=as_decimal(online),
            by_topic={k: as_decimal(v) for (what, k), v in extras.items() if what == "topic"},
            by_kind_count={k: int(v) for (what, k), v in extras.items() if what == "kind"},
            concentrated_count=int(conc_n or 0),
        )

    def results(self, member_id: int, indices: list[int], exempt: bool) -> list[RuleResult]:
        batch = self.batch
        out = []
        start = batch.starts.get(member_id)
        end = batch.ends.get(member_id)
        by_position: dict[int, Totals] = {}
        for i in indices:
            spec = batch.specs[i]
            required, due = self.pace(i, start, end)
            if spec.before_admission:
                totals = batch.since_candidate.get(member_id) or Totals()
            else:
                position = batch.ranges[i]
                if position not in by_position:
                    by_position[position] = self.totals(member_id, position)
                totals = by_position[position]
            achieved = achieved_of(spec, totals)
            status = status_for(
                achieved=achieved,
                required=required,
                due_by_now=due,
                at_end=batch.as_of >= self._last_day(i, end) and not spec.before_admission,
                exempt=exempt,
                at_risk_ratio=batch.ratio,
            )
            out.append(
                RuleResult(
                    requirement_id=spec.requirement_id,
                    name=spec.name,
                    required=required,
                    achieved=achieved,
                    gap=max(required - achieved, ZERO),
                    due_by_now=due,
                    status=status,
                )
            )
        return out

    def members(self) -> Iterator[MemberCompliance]:
        batch = self.batch
        no_roles: frozenset[str] = frozenset()
        for member_id, name, org_id, path, org_name, status, rank, exempt_reason in batch.members:
            indices = self.applicable(path, status, rank, batch.roles.get(member_id, no_roles))
            exempt = bool(exempt_reason)
            yield MemberCompliance(
                member_id=member_id,
                name=name,
                org_id=org_id,
                org_name=org_name,
                exempt=exempt,
                totals=self.totals(member_id, self._year_index),
                results=self.results(member_id, indices, exempt),
                org_path=path,
                status=status,
                party_days=batch.days.get(member_id, 0),
                left_on=batch.ends.get(member_id),
            )

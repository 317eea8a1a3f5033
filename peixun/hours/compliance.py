"""Compliance selectors: who owes what under which rule, for one member or a whole subtree.

Every selector takes the actor and starts from what the actor may see. The numbers come from the
yearly rollup in ONE aggregate query per call (GROUP BY member), plus one query each for members,
current positions, first memberships and rules, so the query count stays constant as members grow;
the engine then runs in Python over plain tuples.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Min, Q, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from peixun.core.scoping import can_read_org
from peixun.members.models import Member, Membership
from peixun.orgs.models import Organization, Position

from .engine import (
    CONCENTRATED_COUNT,
    KIND_COUNT,
    STATUSES,
    TOPIC_HOURS,
    TOPIC_SHARE,
    ZERO,
    RuleResult,
    RuleSpec,
    Status,
    Totals,
    achieved_of,
    cycle_years,
    period_of,
    required_and_due,
    status_for,
    worst_of,
)
from .models import HoursSettings, Requirement, YearlyRollup

STEP = Organization.steplen
DEFAULT_RATIO = Decimal("0.80")
FILTER_STATUSES = ("behind", "at_risk", "exempt")
# Shown as 达标 / 进度正常 / 有风险 / 滞后 / 免学 once the catalogue is filled.
STATUS_LABELS: dict[str, Any] = {
    "met": gettext_lazy("Met"),
    "on_track": gettext_lazy("On track"),
    "at_risk": gettext_lazy("At risk"),
    "behind": gettext_lazy("Behind"),
    "exempt": gettext_lazy("Exempt"),
}


@dataclass
class MemberCompliance:
    member_id: int
    name: str
    org_id: int
    org_name: str
    exempt: bool
    totals: Totals
    results: list[RuleResult]

    @property
    def worst_status(self) -> Status | None:
        if self.exempt:
            return "exempt"
        return worst_of([r.status for r in self.results])


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
    # Running sums, turned into coverage/average by `_finish`.
    _counted: int = 0
    _covered: int = 0
    _hours: Decimal = ZERO

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


def default_as_of(year: int, today: dt.date | None = None) -> dt.date:
    """Today for this year, the year end for a past year, the year start for a future one."""
    today = today or timezone.localdate()
    if year < today.year:
        return dt.date(year, 12, 31)
    if year > today.year:
        return dt.date(year, 1, 1)
    return today


def _ancestor_paths(path: str) -> list[str]:
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


def rules_in_force(org: Organization, year: int, *, subtree: bool = False) -> list[Requirement]:
    """Rules holding in `year` whose org is `org` or above it (and, with `subtree`, below it too)."""
    cond = Q(org__path__in=_ancestor_paths(org.path))
    if subtree:
        cond |= Q(org__path__startswith=org.path)
    return list(
        Requirement.objects.filter(cond, valid_from_year__lte=year)
        .filter(Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=year))
        .select_related("org")
        .order_by("org__path", "id")
    )


def rule_applies(
    rule: Requirement, *, org_path: str, status: str, cadre_rank: str, roles: Iterable[str]
) -> bool:
    """The audience test: org subtree, status, cadre rank, any current position (empty = anyone)."""
    if not org_path.startswith(rule.org.path):
        return False
    if rule.statuses and status not in rule.statuses:
        return False
    if rule.cadre_ranks and cadre_rank not in rule.cadre_ranks:
        return False
    return not rule.positions or not set(rule.positions).isdisjoint(roles)


def rules_for_member(member: Member, year: int, *, on: dt.date | None = None) -> list[Requirement]:
    roles = set(Position.objects.current(on).filter(member=member).values_list("role", flat=True))
    return [
        r
        for r in rules_in_force(member.org, year)
        if rule_applies(
            r,
            org_path=member.org.path,
            status=member.status,
            cadre_rank=member.cadre_rank,
            roles=roles,
        )
    ]


def _at_risk_ratio(org: Organization) -> Decimal:
    ratio = (
        HoursSettings.objects.filter(tenant__path=org.path[:STEP])
        .values_list("at_risk_ratio", flat=True)
        .first()
    )
    return DEFAULT_RATIO if ratio is None else Decimal(ratio)


# --- the batch evaluation -------------------------------------------------------------------------


@dataclass
class _Batch:
    """Everything one evaluation needs, loaded with a constant number of queries."""

    year: int
    as_of: dt.date
    ratio: Decimal
    rules: list[Requirement]
    specs: list[RuleSpec]
    members: list[tuple[int, str, int, str, str, str, str, str]]  # id, name, org, path, org name…
    roles: dict[int, set[str]]
    starts: dict[int, dt.date]
    totals: dict[tuple[int, int], Totals]  # (member, first year of the range) → totals
    ranges: dict[int, int]  # rule index → first year of its period

    def totals_for(self, member_id: int, first_year: int) -> Totals:
        return self.totals.get((member_id, first_year)) or _ZERO_TOTALS


_ZERO_TOTALS = Totals()


def _rollup_totals(
    member_filter: Q, year: int, specs: Sequence[RuleSpec], firsts: set[int]
) -> dict[tuple[int, int], Totals]:
    """Per member and per period (by its first year, up to `year`): one GROUP BY member query."""
    firsts = set(firsts) | {year}
    topics = sorted({s.topic for s in specs if s.metric in (TOPIC_HOURS, TOPIC_SHARE)})
    kinds = sorted({s.kind for s in specs if s.metric == KIND_COUNT})
    aggregates: dict[str, Any] = {}
    lowest = min(firsts)
    for first in sorted(firsts):
        years = None if first == lowest else Q(year__gte=first)

        def cond(extra: Q | None = None, years: Q | None = years) -> Q | None:
            if years is None:
                return extra
            return years if extra is None else years & extra

        aggregates[f"t{first}"] = Sum("hours", filter=cond())
        aggregates[f"c{first}"] = Sum("concentrated_hours", filter=cond())
        aggregates[f"o{first}"] = Sum("online_hours", filter=cond())
        aggregates[f"n{first}"] = Sum("concentrated_entries", filter=cond())
        for i, topic in enumerate(topics):
            aggregates[f"p{first}_{i}"] = Sum("hours", filter=cond(Q(topic=topic)))
        for i, kind in enumerate(kinds):
            aggregates[f"k{first}_{i}"] = Sum("entries", filter=cond(Q(kind=kind)))
    rows = (
        YearlyRollup.objects.filter(member_filter, year__gte=lowest, year__lte=year)
        .values("member_id")
        .annotate(**aggregates)
        .values_list("member_id", *aggregates)
        .order_by()
    )
    out: dict[tuple[int, int], Totals] = {}
    width = 4 + len(topics) + len(kinds)
    for row in rows:
        member_id = row[0]
        for j, first in enumerate(sorted(firsts)):
            base = 1 + j * width
            total, conc, online, conc_n = row[base : base + 4]
            by_topic = {t: row[base + 4 + i] or ZERO for i, t in enumerate(topics)}
            by_kind = {k: row[base + 4 + len(topics) + i] or 0 for i, k in enumerate(kinds)}
            out[(member_id, first)] = Totals(
                total=total or ZERO,
                concentrated=conc or ZERO,
                online=online or ZERO,
                by_topic=by_topic,
                by_kind_count=by_kind,
                concentrated_count=conc_n or 0,
            )
    return out


def _load(
    *, org: Organization, year: int, as_of: dt.date, member_qs: Any, member_filter: Q
) -> _Batch:
    rules = rules_in_force(org, year, subtree=True)
    specs = [RuleSpec.of(r) for r in rules]
    ranges = {i: cycle_years(s, year)[0] for i, s in enumerate(specs)}
    members = list(
        member_qs.order_by("org__path", "name", "id").values_list(
            "id",
            "name",
            "org_id",
            "org__path",
            "org__name",
            "status",
            "cadre_rank",
            "exempt_reason",
        )
    )
    roles: dict[int, set[str]] = {}
    if any(r.positions for r in rules):
        for member_id, role in (
            Position.objects.current(as_of)
            .filter(Q(member__in=member_qs.values("pk")))
            .values_list("member_id", "role")
        ):
            roles.setdefault(member_id, set()).add(role)
    tenant_path = org.path[:STEP]
    starts = dict(
        Membership.objects.filter(
            member__in=member_qs.values("pk"), org__path__startswith=tenant_path
        )
        .values("member_id")
        .annotate(first=Min("since"))
        .values_list("member_id", "first")
        .order_by()
    )
    totals = _rollup_totals(member_filter, year, specs, set(ranges.values()))
    return _Batch(
        year=year,
        as_of=as_of,
        ratio=_at_risk_ratio(org),
        rules=rules,
        specs=specs,
        members=members,
        roles=roles,
        starts=starts,
        totals=totals,
        ranges=ranges,
    )


class _Evaluator:
    """Runs the engine over a batch, caching what many members share (audience, pace)."""

    def __init__(self, batch: _Batch) -> None:
        self.batch = batch
        self._audience: dict[tuple[str, str, str, frozenset[str]], list[int]] = {}
        self._pace: dict[tuple[int, dt.date], tuple[Decimal, Decimal]] = {}
        self._periods = [period_of(s, batch.year) for s in batch.specs]

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

    def pace(self, index: int, start: dt.date | None) -> tuple[Decimal, Decimal]:
        period_start, period_end = self._periods[index]
        begin = period_start if start is None or start < period_start else start
        key = (index, begin)
        found = self._pace.get(key)
        if found is None:
            found = required_and_due(
                self.batch.specs[index],
                period_start=period_start,
                period_end=period_end,
                member_start=begin,
                as_of=self.batch.as_of,
            )
            self._pace[key] = found
        return found

    def results(self, member_id: int, indices: list[int], exempt: bool) -> list[RuleResult]:
        batch = self.batch
        out = []
        start = batch.starts.get(member_id)
        for i in indices:
            spec = batch.specs[i]
            required, due = self.pace(i, start)
            achieved = achieved_of(spec, batch.totals_for(member_id, batch.ranges[i]))
            status = status_for(
                achieved=achieved,
                required=required,
                due_by_now=due,
                at_end=batch.as_of >= self._periods[i][1],
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

    def members(self) -> Iterable[MemberCompliance]:
        batch = self.batch
        no_roles: frozenset[str] = frozenset()
        for member_id, name, org_id, path, org_name, status, rank, exempt_reason in batch.members:
            roles = batch.roles.get(member_id)
            indices = self.applicable(path, status, rank, frozenset(roles) if roles else no_roles)
            exempt = bool(exempt_reason)
            yield MemberCompliance(
                member_id=member_id,
                name=name,
                org_id=org_id,
                org_name=org_name,
                exempt=exempt,
                totals=batch.totals_for(member_id, batch.year),
                results=self.results(member_id, indices, exempt),
            )


def _add(summary: OrgSummary, mc: MemberCompliance) -> None:
    summary.members += 1
    if mc.exempt:
        summary.exempt += 1
    else:
        summary._counted += 1
        summary._hours += mc.totals.total
        if mc.totals.concentrated_count > 0:
            summary._covered += 1
    for r in mc.results:
        counts = summary.per_rule.setdefault(r.requirement_id, {})
        counts[r.status] = counts.get(r.status, 0) + 1


def _finish(summary: OrgSummary, rules: list[Requirement]) -> OrgSummary:
    if summary._counted:
        summary.coverage = Decimal(summary._covered) / summary._counted
        summary.average_hours = (summary._hours / summary._counted).quantize(Decimal("0.01"))
    summary.rule_names = {r.pk: r.name for r in rules}
    for r in rules:
        counts = summary.per_rule.setdefault(r.pk, {})
        for status in STATUSES:
            counts.setdefault(status, 0)
    return summary


def _readable_org_or_404(actor: Any, org: Organization | int) -> Organization:
    if isinstance(org, Organization):
        found = org
    else:
        try:
            found = Organization.objects.get(pk=org)
        except (Organization.DoesNotExist, ValueError, TypeError):
            raise Http404 from None
    if not can_read_org(actor, found):
        raise Http404
    return found


def _subtree_members(actor: Any, org: Organization) -> tuple[Any, Q]:
    qs = Member.objects.visible_to(actor).filter(org__path__startswith=org.path)
    return qs, Q(member__org__path__startswith=org.path)


# --- the selectors --------------------------------------------------------------------------------


def org_compliance(
    *, actor: Any, org: Organization | int, year: int, as_of: dt.date | None = None
) -> OrgCompliance:
    """The org's summary and one summary per child org (members counted where they belong now)."""
    org = _readable_org_or_404(actor, org)
    as_of = as_of or default_as_of(year)
    member_qs, member_filter = _subtree_members(actor, org)
    batch = _load(org=org, year=year, as_of=as_of, member_qs=member_qs, member_filter=member_filter)
    children = list(
        Organization.objects.get_children(org).order_by("path").values_list("id", "name", "path")
    )
    by_path = {path: OrgSummary(org_id=pk, org_name=name) for pk, name, path in children}
    summary = OrgSummary(org_id=org.pk, org_name=org.name)
    child_len = len(org.path) + STEP
    for mc, row in zip(_Evaluator(batch).members(), batch.members, strict=True):
        _add(summary, mc)
        child = by_path.get(row[3][:child_len])
        if child is not None:
            _add(child, mc)
    return OrgCompliance(
        summary=_finish(summary, batch.rules),
        children=[_finish(c, batch.rules) for c in by_path.values()],
        rules=batch.rules,
        year=year,
        as_of=as_of,
    )


def member_table(
    *,
    actor: Any,
    org: Organization | int,
    year: int,
    as_of: dt.date | None = None,
    status: str = "",
) -> list[MemberCompliance]:
    """Every member of the subtree with each rule's result; `status` keeps behind/at_risk/exempt."""
    org = _readable_org_or_404(actor, org)
    as_of = as_of or default_as_of(year)
    member_qs, member_filter = _subtree_members(actor, org)
    batch = _load(org=org, year=year, as_of=as_of, member_qs=member_qs, member_filter=member_filter)
    rows = list(_Evaluator(batch).members())
    if status in FILTER_STATUSES:
        rows = [mc for mc in rows if mc.worst_status == status]
    return rows


def member_table_rules(*, org: Organization, year: int) -> list[Requirement]:
    """The rule columns of a member table (rules in force anywhere in the subtree)."""
    return rules_in_force(org, year, subtree=True)


def member_compliance(
    *, actor: Any, member: Member | int, year: int, as_of: dt.date | None = None
) -> MemberCompliance:
    """One member's results under each rule that covers them. 404 outside the actor's scope."""
    pk = member.pk if isinstance(member, Member) else member
    member_qs = Member.objects.visible_to(actor).filter(pk=pk)
    found = member_qs.select_related("org").first()
    if found is None:
        raise Http404
    as_of = as_of or default_as_of(year)
    batch = _load(
        org=found.org, year=year, as_of=as_of, member_qs=member_qs, member_filter=Q(member_id=pk)
    )
    # A member's own rules are those above their org; `_load` also read rules below, harmless here.
    return next(iter(_Evaluator(batch).members()))


def member_year_totals(*, member_id: int, year: int) -> Totals:
    """Full totals of one member for one year (every topic and kind), for the archive page."""
    rows = YearlyRollup.objects.filter(member_id=member_id, year=year).values_list(
        "kind",
        "topic",
        "hours",
        "concentrated_hours",
        "online_hours",
        "entries",
        "concentrated_entries",
    )
    totals = Totals()
    for kind, topic, hours, conc, online, entries, conc_entries in rows:
        totals = totals + Totals(
            total=hours,
            concentrated=conc,
            online=online,
            by_topic={topic: hours},
            by_kind_count={kind: entries},
            concentrated_count=conc_entries,
        )
    return totals.normalised()


__all__ = [
    "CONCENTRATED_COUNT",
    "MemberCompliance",
    "OrgCompliance",
    "OrgSummary",
    "STATUS_LABELS",
    "default_as_of",
    "member_compliance",
    "member_table",
    "member_year_totals",
    "org_compliance",
    "rule_applies",
    "rules_for_member",
    "rules_in_force",
]

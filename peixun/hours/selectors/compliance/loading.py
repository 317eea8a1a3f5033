"""What a compliance evaluation reads, in a constant number of queries whatever the member count:
rules, members (plain tuples), current positions, first memberships, and their hours (`amounts`:
ONE aggregate over the per-member-year totals, plus one over the kind × topic cells only when a
rule needs them, and the ledger for the part-year members)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from peixun.core.scoping import Actor, can_read_org
from peixun.members.models import Member, Membership
from peixun.orgs.models import Organization, Position, ancestor_paths

from ...logic import RuleSpec, Totals, cycle_years
from ...models import HoursSettings, Requirement
from .amounts import amounts_as_of, ledger_amounts, totals_since_candidate
from .roster import PARTY, MemberRow, read_roster, stretches, whole_members, window

STEP = Organization.steplen
DEFAULT_RATIO = Decimal("0.80")
# Up to this many members, totals are fetched by member id (an index seek) rather than by path.
BY_ID_LIMIT = 2000
# Up to this many members read from the ledger (joined, left or moved in the periods in play)
# are passed by id; beyond it, by a subquery.
PARTIAL_LIMIT = 20000


def default_as_of(year: int, today: dt.date | None = None) -> dt.date:
    """Today for this year, the year end for a past year, the year start for a future one."""
    today = today or timezone.localdate()
    if year < today.year:
        return dt.date(year, 12, 31)
    if year > today.year:
        return dt.date(year, 1, 1)
    return today


def readable_org_or_404(actor: Actor, org: Organization | int) -> Organization:
    """The org (or the org of that id) if the actor may read it; else 404."""
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


def rules_in_force(org: Organization, year: int, *, subtree: bool = False) -> list[Requirement]:
    """Rules holding in `year` whose org is `org` or above it (and, with `subtree`, below it too)."""
    cond = Q(org__path__in=ancestor_paths(org.path))
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
    """The audience test: org subtree, status, cadre rank, any current position (empty = anyone).
    A rule naming no status covers Party members only: 发展对象 and 积极分子 are judged only by
    the rules that name their status."""
    if not org_path.startswith(rule.org.path):
        return False
    if rule.statuses and status not in rule.statuses:
        return False
    if not rule.statuses and status not in PARTY:
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


def at_risk_ratio(org: Organization) -> Decimal:
    ratio = (
        HoursSettings.objects.filter(tenant__path=org.path[:STEP])
        .values_list("at_risk_ratio", flat=True)
        .first()
    )
    return DEFAULT_RATIO if ratio is None else Decimal(ratio)


@dataclass
class Batch:
    """Everything one evaluation needs."""

    org: Organization
    year: int
    as_of: dt.date
    ratio: Decimal
    rules: list[Requirement]
    specs: list[RuleSpec]
    members: list[MemberRow]
    roles: dict[int, frozenset[str]]
    # First day as a Party member in the subtree, only where after the earliest period start.
    starts: dict[int, dt.date]
    firsts: list[int]  # first years of the periods in play, ascending; the year itself included
    amounts: dict[int, tuple[Any, ...]]  # member → Amounts per first year, flattened
    # (member, first year) → {("topic", t) | ("kind", k): value}, only when a rule needs them.
    extras: dict[tuple[int, int], dict[tuple[str, str], Any]]
    ranges: list[int]  # rule index → position of its period in `firsts`
    # Candidates under a rule owed before admission → their totals since they became one.
    since_candidate: dict[int, Totals] = field(default_factory=dict)
    # Last day in the subtree of those who left it during the year (pro-rated up to it).
    ends: dict[int, dt.date] = field(default_factory=dict)
    # Party members → days of the year they were Party members of the subtree.
    days: dict[int, int] = field(default_factory=dict)


def load(
    *,
    actor: Actor | None,
    org: Organization,
    year: int,
    as_of: dt.date,
    path_filter: str | None,
    detailed: bool,
    member_filter: Q | None = None,
) -> Batch:
    """Read one batch: the roster of `year` in the subtree at `path_filter` (None: the tenant of
    `org`, for one member's own figures, who is picked by `member_filter`) as of `as_of`, from
    the membership history (`roster`). `member_filter` narrows it by the person (a Q on the
    membership's `member__…`); `actor` None reads every membership (the member's own history,
    already let through by the caller). `detailed` also reads names and orders members by org
    and name (for tables)."""
    rules = rules_in_force(org, year, subtree=path_filter is not None)
    specs = [RuleSpec.of(r) for r in rules]
    firsts = sorted({cycle_years(s, year)[0] for s in specs} | {year})
    ranges = [firsts.index(cycle_years(s, year)[0]) for s in specs]
    first_day = dt.date(firsts[0], 1, 1)
    cut = min(as_of, dt.date(year, 12, 31))
    path = path_filter if path_filter is not None else org.path[:STEP]
    base = Membership.objects.all() if actor is None else Membership.objects.visible_to(actor)
    qs = stretches(base, path=path, first_day=first_day, cut=cut)
    if member_filter is not None:
        qs = qs.filter(member_filter)
    judged = frozenset(status for r in rules for status in r.statuses) - PARTY
    long_rules = [r for r, s in zip(rules, specs, strict=True) if cycle_years(s, year)[0] < year]
    seen: dict[tuple[str, str, str], bool] = {}

    def long_periods(path: str, status: str, rank: str) -> bool:
        # Whether a rule of several years may cover them (positions aside: read later).
        key = (path, status, rank)
        found = seen.get(key)
        if found is None:
            found = seen[key] = any(
                rule_applies(r, org_path=path, status=status, cadre_rank=rank, roles=())
                for r in long_rules
                if not r.positions
            ) or any(r.positions for r in long_rules)
        return found

    roster = read_roster(
        qs,
        year=year,
        first_day=first_day,
        cut=cut,
        detailed=detailed,
        judged=judged,
        long_periods=long_periods if long_rules else None,
    )
    members = roster.members
    ids = [m[0] for m in members]
    small = len(members) <= BY_ID_LIMIT
    # The rollup for everyone on the roster (cheap), its sums kept only for the whole members;
    # by id for a small roster, else by the stretches as a subquery.
    owner_filter = Q(member_id__in=ids) if small else Q(member_id__in=qs.values("member_id"))
    roles: dict[int, set[str]] = {}
    if any(r.positions for r in rules):
        for member_id, role in (
            Position.objects.current(as_of).filter(owner_filter).values_list("member_id", "role")
        ):
            roles.setdefault(member_id, set()).add(role)
    # The rollup of the roster (cheap: one row per member and year), kept for `roster.whole`.
    whole_filter = Q(member_id__in=list(roster.whole)) if small else owner_filter
    amounts, extras = amounts_as_of(
        whole_filter,
        year,
        firsts,
        specs,
        as_of,
        keep=roster.whole,
        after_filter=whole_filter if small else Q(),
    )
    if roster.partial:
        # By id up to PARTIAL_LIMIT; beyond it, everyone not there since `first_day` (a
        # superset, read for nothing but correct: the others' sums are dropped).
        # NOT EXISTS, not NOT IN: PostgreSQL hashes a NOT IN list only while it fits in
        # work_mem, and past that re-reads the list for every row (at 1,000,000 members the
        # query ran for over 17 minutes); NOT EXISTS is an anti-join whatever its size.
        partial_ids: Any = (
            roster.partial
            if len(roster.partial) <= PARTIAL_LIMIT
            else qs.exclude(
                Exists(
                    whole_members(qs, first_day=first_day, cut=cut).filter(
                        member_id=OuterRef("member_id")
                    )
                )
            ).values("member_id")
        )
        more, more_extras = ledger_amounts(
            partial_ids, window(base, path), year, firsts, specs, cut
        )
        wanted = set(roster.partial)
        amounts.update((k, v) for k, v in more.items() if k in wanted)
        extras.update((k, v) for k, v in more_extras.items() if k[0] in wanted)
    admission = [r for r, s in zip(rules, specs, strict=True) if s.before_admission]
    candidates = [m[0] for m in members if any(m[5] in r.statuses for r in admission)]
    return Batch(
        org=org,
        year=year,
        as_of=as_of,
        ratio=at_risk_ratio(org),
        rules=rules,
        specs=specs,
        members=members,
        roles={k: frozenset(v) for k, v in roles.items()},
        starts=roster.starts,
        firsts=firsts,
        amounts=amounts,
        extras=extras,
        ranges=ranges,
        since_candidate=totals_since_candidate(candidates, org.path[:STEP], as_of),
        ends=roster.ends,
        days=roster.days,
    )

"""The members behind the compliance page's 滞后 / 有风险 figures, across an org's whole subtree.

The list is the engine's own per-member results (the same `load` and `Evaluator` as the member
table), so its length equals the figure it was opened from: with a rule, the members whose result
under that rule has the status (the "By rule" cells); without, the members whose worst status it
is (`OrgSummary.behind` / `at_risk`). A constant number of queries, whatever the member count.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from peixun.core.scoping import Actor
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ...logic import RuleResult
from ...models import Requirement
from .detail import Evaluator, MemberCompliance
from .loading import STEP, default_as_of, load, readable_org_or_404

# The statuses the list is opened for: 滞后 and 有风险 (预警).
DRILL_STATUSES = ("behind", "at_risk")
# A branch search matching more orgs than this keeps the first ones in tree order.
BRANCH_MATCH_LIMIT = 200


@dataclass(frozen=True)
class DrillFilters:
    status: str = ""  # "behind", "at_risk", or "" for either
    rule_id: int | None = None  # judge by this rule's result; None: by the member's worst status
    name: str = ""  # part of the member's name
    branch: str = ""  # part of an org's name, or the start of its code, within the subtree
    category: str = ""  # a member status (正式党员 / 预备党员 …), "" for any


@dataclass
class DrillRow:
    member: MemberCompliance
    shown: list[RuleResult]  # the results that put the member on the list
    branch_path: list[str] = field(default_factory=list)  # org names below the tenant root


@dataclass
class Drilldown:
    org: Organization
    year: int
    as_of: dt.date
    rules: list[Requirement]  # the rules in force in the subtree (the rule chooser)
    rule: Requirement | None  # the rule judged by, if one was asked for and is in force
    rows: list[DrillRow]


def _branch_tops(org: Organization, text: str) -> list[str]:
    """The paths of the orgs in `org`'s subtree whose name contains `text` or whose code starts
    with it (not those below one of them: their members are found by the prefix)."""
    paths = list(
        Organization.objects.filter(path__startswith=org.path)
        .filter(Q(name__contains=text) | Q(code__istartswith=text))
        .order_by("path")
        .values_list("path", flat=True)[:BRANCH_MATCH_LIMIT]
    )
    tops: list[str] = []
    for path in paths:  # in tree order, so an org's ancestors come before it
        if not any(path.startswith(top) for top in tops):
            tops.append(path)
    return tops


def _shown(mc: MemberCompliance, status: str, rule_id: int | None) -> list[RuleResult]:
    """The member's results that put them on the list ([] when they are not on it)."""
    wanted = (status,) if status else DRILL_STATUSES
    if rule_id is not None:
        return [r for r in mc.results if r.requirement_id == rule_id and r.status in wanted]
    if mc.worst_status not in wanted:
        return []
    return [r for r in mc.results if r.status == mc.worst_status]


def compliance_drilldown(
    *,
    actor: Actor,
    org: Organization | int,
    year: int,
    as_of: dt.date | None = None,
    filters: DrillFilters | None = None,
) -> Drilldown:
    """The members of `org`'s subtree the actor may see who are behind (or at risk) in `year`,
    ordered by org and name; 404 when the actor may not read the org."""
    org = readable_org_or_404(actor, org)
    f = filters or DrillFilters()
    status = f.status if f.status in DRILL_STATUSES else ""
    person = Q()
    name = f.name.strip()
    if name:
        person &= Q(member__name__contains=name)
    batch = load(
        actor=actor,
        org=org,
        year=year,
        as_of=as_of or default_as_of(year),
        path_filter=org.path,
        detailed=True,
        member_filter=person if name else None,
    )
    # The category (status in that year) and the branch are the row's, as the roster has it.
    if f.category in Member.Status.values:
        batch.members = [m for m in batch.members if m[5] == f.category]
    branch = f.branch.strip()
    if branch:
        tops = _branch_tops(org, branch)
        batch.members = [m for m in batch.members if any(m[3].startswith(t) for t in tops)]
    rule = next((r for r in batch.rules if r.pk == f.rule_id), None)
    rule_id = rule.pk if rule is not None else None
    rows = []
    for mc in Evaluator(batch).members():
        shown = _shown(mc, status, rule_id)
        if shown:
            rows.append(DrillRow(member=mc, shown=shown))
    return Drilldown(org=org, year=year, as_of=batch.as_of, rules=batch.rules, rule=rule, rows=rows)


def attach_branch_paths(rows: list[DrillRow]) -> None:
    """Set each row's `branch_path`: the names of its member's org and the orgs above it, below
    the tenant root (15 branches called 办公室党支部 are told apart). One query for all rows."""
    spans = {
        row.member.org_path: range(2 * STEP, len(row.member.org_path) + 1, STEP) for row in rows
    }
    prefixes = {path[:i] for path, span in spans.items() for i in span}
    names = (
        dict(Organization.objects.filter(path__in=prefixes).values_list("path", "name"))
        if prefixes
        else {}
    )
    for row in rows:
        path = row.member.org_path
        trail = [names[path[:i]] for i in spans[path] if path[:i] in names]
        row.branch_path = trail or [row.member.org_name]

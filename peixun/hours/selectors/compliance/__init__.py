"""Compliance selectors: who owes what under which rule, for one member or a whole subtree.

Every selector takes the actor and starts from what the actor may see (out of scope: 404). The
numbers come from the per-member-year totals in one aggregate query per call, with one query
each for members, current positions, first memberships and rules, so the query count stays
constant as members grow; the engine (`hours.logic`) then runs in Python over plain tuples.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext_lazy

from peixun.core.scoping import Actor
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ...logic import Totals
from ...models import Requirement
from .detail import Evaluator, MemberCompliance
from .drilldown import (
    DRILL_STATUSES,
    Drilldown,
    DrillFilters,
    DrillRow,
    attach_branch_paths,
    compliance_drilldown,
)
from .loading import (
    default_as_of,
    load,
    readable_org_or_404,
    rule_applies,
    rules_for_member,
    rules_in_force,
)
from .summary import OrgCompliance, OrgSummary, summarise

FILTER_STATUSES = ("behind", "at_risk", "exempt")
# Shown as 达标 / 进度正常 / 有风险 / 滞后 / 免学 once the catalogue is filled.
STATUS_LABELS: dict[str, Any] = {
    "met": gettext_lazy("Met"),
    "on_track": gettext_lazy("On track"),
    "at_risk": gettext_lazy("At risk"),
    "behind": gettext_lazy("Behind"),
    "exempt": gettext_lazy("Exempt"),
}


def org_compliance(
    *, actor: Actor, org: Organization | int, year: int, as_of: dt.date | None = None
) -> OrgCompliance:
    """The org's summary and one summary per child org: the year's roster by the membership
    history, each person counted under the org they were in last (as of `as_of`)."""
    found = readable_org_or_404(actor, org)
    batch = load(
        actor=actor,
        org=found,
        year=year,
        as_of=as_of or default_as_of(year),
        path_filter=found.path,
        detailed=False,
    )
    children = list(
        Organization.objects.get_children(found).order_by("path").values_list("id", "name", "path")
    )
    return summarise(batch, children)


def member_table(
    *,
    actor: Actor,
    org: Organization | int,
    year: int,
    as_of: dt.date | None = None,
    status: str = "",
) -> list[MemberCompliance]:
    """Every person on the year's roster of the subtree (by the membership history) with each
    rule's result, ordered by org and name (never ranked); `status` keeps only members whose
    worst status is behind, at_risk or exempt."""
    found = readable_org_or_404(actor, org)
    batch = load(
        actor=actor,
        org=found,
        year=year,
        as_of=as_of or default_as_of(year),
        path_filter=found.path,
        detailed=True,
    )
    rows = list(Evaluator(batch).members())
    if status in FILTER_STATUSES:
        rows = [mc for mc in rows if mc.worst_status == status]
    return rows


def member_table_rules(*, org: Organization, year: int) -> list[Requirement]:
    """The rule columns of a member table (rules in force anywhere in the subtree)."""
    return rules_in_force(org, year, subtree=True)


def member_compliance(
    *, actor: Actor, member: Member | int, year: int, as_of: dt.date | None = None
) -> MemberCompliance:
    """One member's results under each rule that covers them in `year`, counting their time and
    hours anywhere in the tenant (none when they were not on its roster that year: not yet a
    Party member or 发展对象, or gone). 404 outside the actor's scope."""
    pk = member.pk if isinstance(member, Member) else member
    found = Member.objects.visible_to(actor).filter(pk=pk).select_related("org").first()
    if found is None:
        raise Http404
    batch = load(
        actor=None,
        org=found.org,
        year=year,
        as_of=as_of or default_as_of(year),
        path_filter=None,
        detailed=True,
        member_filter=Q(member_id=found.pk),
    )
    mine = next(Evaluator(batch).members(), None)
    if mine is None:
        return MemberCompliance(
            member_id=found.pk,
            name=found.name,
            org_id=found.org_id,
            org_name=found.org.name,
            exempt=found.is_exempt,
            totals=Totals(),
            results=[],
            org_path=found.org.path,
        )
    return mine


def report_org(org_id: int) -> Organization:
    """The org of a report the selectors above have already let the actor read."""
    return Organization.objects.get(pk=org_id)


def report_member(member_id: int) -> Member:
    """The member of a report the selectors above have already let the actor read."""
    return Member.objects.select_related("org").get(pk=member_id)


def org_ancestors(org: Organization) -> list[Organization]:
    """The orgs above `org`, root first (the page's breadcrumb)."""
    step = Organization.steplen
    paths = [org.path[:i] for i in range(step, len(org.path), step)]
    return list(Organization.objects.filter(path__in=paths).order_by("path"))


__all__ = [
    "DRILL_STATUSES",
    "FILTER_STATUSES",
    "STATUS_LABELS",
    "DrillFilters",
    "DrillRow",
    "Drilldown",
    "MemberCompliance",
    "OrgCompliance",
    "OrgSummary",
    "attach_branch_paths",
    "compliance_drilldown",
    "default_as_of",
    "member_compliance",
    "member_table",
    "member_table_rules",
    "org_ancestors",
    "org_compliance",
    "readable_org_or_404",
    "report_member",
    "report_org",
    "rule_applies",
    "rules_for_member",
    "rules_in_force",
]

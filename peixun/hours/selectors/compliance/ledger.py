"""What the branch 台账 holds: the member table, hours by kind and the rules it reports on.

Built from the compliance selector (constant queries) plus one GROUP BY for hours by kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum
from django.http import Http404

from peixun.core.scoping import Actor, can_read_org
from peixun.orgs.models import Organization

from ...models import Requirement, YearlyRollup
from . import member_table
from .detail import MemberCompliance


@dataclass
class LedgerData:
    org: Organization
    year: int
    rows: list[MemberCompliance]
    by_kind: dict[tuple[int, str], Decimal]  # (member, kind) → hours
    rules: list[Requirement]  # the rules some row has a result for, in tree order


def _org_or_404(actor: Actor, org: Organization | int) -> Organization:
    found = org if isinstance(org, Organization) else Organization.objects.filter(pk=org).first()
    if found is None or not can_read_org(actor, found):
        raise Http404
    return found


def _hours_by_kind(member_ids: list[int], year: int) -> dict[tuple[int, str], Decimal]:
    # By member id (an index seek per member), not by org path (a scan of the year's cells).
    rows = (
        YearlyRollup.objects.filter(member_id__in=member_ids, year=year)
        .values("member_id", "kind")
        .annotate(hours=Sum("hours"))
        .values_list("member_id", "kind", "hours")
        .order_by()
    )
    return {(member_id, kind): hours for member_id, kind, hours in rows}


def ledger_data(*, actor: Actor, org: Organization | int, year: int) -> LedgerData:
    """The 台账 of `org`'s subtree for `year`; 404 outside the actor's scope."""
    found = _org_or_404(actor, org)
    rows = member_table(actor=actor, org=found, year=year)
    by_kind = _hours_by_kind([mc.member_id for mc in rows], year)
    used = {r.requirement_id for mc in rows for r in mc.results}
    rules = list(Requirement.objects.filter(pk__in=used).order_by("org__path", "id"))
    return LedgerData(org=found, year=year, rows=rows, by_kind=by_kind, rules=rules)

"""The hooks the org tree offers to the apps above it (orgs imports neither members nor hours).

members registers its member readers in `MembersConfig.ready()`: the tree shows how many members
each org holds, an org that still holds members cannot close, and a plain member sees the branch
they belong to. hours registers a `tenant_created` listener in `HoursConfig.ready()`: a new tenant
starts with the national study-hour rules.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from peixun.core.scoping import Actor

if TYPE_CHECKING:
    from .models import Organization

# function(org ids) -> {org id: number of members directly in that org}
MemberCounts = Callable[[list[int]], dict[int, int]]
# function(org path) -> number of members anywhere in the subtree at that path
SubtreeMemberCount = Callable[[str], int]
# function(member id) -> a values queryset of that member's org id (for a `pk__in` subquery)
MemberOrgIds = Callable[[int], QuerySet[Any, Any]]


class _MemberHooks:
    counts: MemberCounts | None = None
    subtree_count: SubtreeMemberCount | None = None
    org_ids: MemberOrgIds | None = None


_members = _MemberHooks()


def register_member_readers(
    *, counts: MemberCounts, subtree_count: SubtreeMemberCount, org_ids: MemberOrgIds
) -> None:
    _members.counts = counts
    _members.subtree_count = subtree_count
    _members.org_ids = org_ids


def _registered(hook: Any) -> Any:
    # Loud rather than "no members": a missing registration would let an org holding members
    # close, and every count read zero.
    if hook is None:
        raise ImproperlyConfigured("peixun.members has not registered its member readers.")
    return hook


def member_counts(org_ids: list[int]) -> dict[int, int]:
    """{org id: direct members} for the given orgs (an org without members is left out)."""
    counts: MemberCounts = _registered(_members.counts)
    return counts(org_ids)


def subtree_member_count(path: str) -> int:
    subtree_count: SubtreeMemberCount = _registered(_members.subtree_count)
    return subtree_count(path)


def member_org_ids(member_id: int) -> QuerySet[Any, Any]:
    """The org id of member `member_id` as a subquery."""
    org_ids: MemberOrgIds = _registered(_members.org_ids)
    return org_ids(member_id)


# functions(*, actor, tenant, from_year) called inside `org_create`'s transaction after a new
# tenant (a root org) is added; `from_year` is the year the tenant starts in.
TenantCreated = Callable[..., object]
_tenant_created: list[TenantCreated] = []


def register_tenant_created(listener: TenantCreated) -> None:
    if listener not in _tenant_created:
        _tenant_created.append(listener)


def tenant_created(*, actor: Actor | None, tenant: Organization, from_year: int) -> None:
    for listener in _tenant_created:
        listener(actor=actor, tenant=tenant, from_year=from_year)

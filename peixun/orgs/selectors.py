"""Every read of the org tree."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet

from peixun.core.scoping import scope_of

from .models import Organization


def org_roots_for(*, actor: Any, include_closed: bool = False) -> QuerySet[Organization]:
    """The top of what the actor may see: tenant roots for a platform admin, else their granted orgs."""
    scope = scope_of(actor)
    qs = Organization.objects.all()
    if scope.platform:
        qs = qs.filter(depth=1)
    elif scope.read_paths:
        qs = qs.filter(path__in=scope.read_paths)
    else:
        return qs.none()
    if not include_closed:
        qs = qs.filter(closed_on__isnull=True)
    return qs.order_by("code")


def org_children(
    *, actor: Any, org: Organization, include_closed: bool = False
) -> QuerySet[Organization]:
    qs = Organization.objects.visible_to(actor).filter(
        path__startswith=org.path, depth=org.depth + 1
    )
    if not include_closed:
        qs = qs.filter(closed_on__isnull=True)
    return qs.annotate(member_count=Count("members")).order_by("code")


def org_search(*, actor: Any, q: str, limit: int = 50) -> list[Organization]:
    text = (q or "").strip()
    if not text:
        return []
    found = list(
        Organization.objects.visible_to(actor)
        .filter(Q(name__contains=text) | Q(code__istartswith=text))
        .order_by("depth", "code")[:limit]
    )
    attach_ancestor_names(found)
    return found


def attach_ancestor_names(orgs: list[Organization]) -> None:
    """Set `o.trail` (names from the root down) on each org with one query for all of them."""
    steplen = Organization.steplen
    prefixes = {o.path[:i] for o in orgs for i in range(steplen, len(o.path), steplen)}
    names = dict(Organization.objects.filter(path__in=prefixes).values_list("path", "name"))
    for o in orgs:
        o.trail = [
            names[o.path[:i]] for i in range(steplen, len(o.path), steplen) if o.path[:i] in names
        ]  # type: ignore[attr-defined]


def org_subtree_member_count(*, org: Organization) -> int:
    from peixun.members.models import Member

    return Member.objects.filter(org__path__startswith=org.path).count()


def org_options_for(*, actor: Any, member_kinds_only: bool = False) -> QuerySet[Organization]:
    """Orgs the actor may put records in, for pickers."""
    qs = Organization.objects.manageable_by(actor).filter(closed_on__isnull=True)
    if member_kinds_only:
        qs = qs.filter(kind__in=Organization.MEMBER_KINDS)
    return qs.order_by("path")

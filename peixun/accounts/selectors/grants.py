"""Reads about who holds which grant."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from peixun.orgs.models import Organization, ancestor_paths

from ..models import Grant, User

MANAGER_ROLES = (Grant.Role.ORG_ADMIN, Grant.Role.SECRETARY)


def grants_of(user_pk: Any) -> Iterable[tuple[str, str | None]]:
    """The user's grants on open orgs as (role, org path) pairs: what `core.scoping` computes an
    actor's scope from (registered in `AccountsConfig.ready()`)."""
    return Grant.objects.filter(user_id=user_pk, org__closed_on__isnull=True).values_list(
        "role", "org__path"
    )


def org_managers(org: Organization) -> list[User]:
    """The active org admins and secretaries granted on `org` itself."""
    grants = Grant.objects.filter(
        org=org, role__in=MANAGER_ROLES, user__is_active=True
    ).select_related("user")
    return [g.user for g in grants]


def nearest_managers(org: Organization) -> list[User]:
    """The managers of `org`, or, when nobody is granted on it, of its nearest ancestor that has
    some: they are the ones who act for it (a unit without its own admin is run from above).
    One query."""
    prefixes = ancestor_paths(org.path)
    grants = list(
        Grant.objects.filter(
            org__path__in=prefixes, role__in=MANAGER_ROLES, user__is_active=True
        ).select_related("user", "org")
    )
    if not grants:
        return []
    deepest = max(len(g.org.path) for g in grants if g.org is not None)
    return [g.user for g in grants if g.org is not None and len(g.org.path) == deepest]

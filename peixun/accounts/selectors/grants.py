"""Reads about who holds which grant.

A grant gives access up to and including its `expires_on` day (the tenant's day, Asia/Shanghai):
`live_grants()` is the one place that says which grants count, and everything that computes
access (`grants_of`, the managers) reads through it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from peixun.core.prepared import PreparedQuery
from peixun.core.scoping import Actor, can_admin_accounts, can_secure_org, scope_of
from peixun.orgs.models import Organization, ancestor_paths
from peixun.orgs.selectors import attach_ancestor_names, orgs_administered

from ..models import Grant, User

MANAGER_ROLES = (Grant.Role.ORG_ADMIN, Grant.Role.SECRETARY)
# The roles an org admin hands out within their subtree; platform admin is the platform's own.
ORG_ROLES = (Grant.Role.ORG_ADMIN, Grant.Role.SECRETARY, Grant.Role.VIEWER)
# The three-role separation: a security administrator or a platform admin grants these.
SEPARATION_ROLES = (Grant.Role.SECURITY_ADMIN, Grant.Role.AUDITOR)
# Which family a role belongs to: one person holds roles of one family only (系统管理员 /
# 安全管理员 / 审计员 kept apart).
ROLE_FAMILY: dict[str, str] = {
    Grant.Role.PLATFORM_ADMIN: "system",
    Grant.Role.ORG_ADMIN: "system",
    Grant.Role.SECRETARY: "system",
    Grant.Role.VIEWER: "system",
    Grant.Role.SECURITY_ADMIN: "security",
    Grant.Role.AUDITOR: "audit",
}
USER_OPTIONS_LIMIT = 20


def live_grants(today: dt.date | None = None) -> QuerySet[Grant]:
    """Grants that give access today: no expiry, or an expiry today or later."""
    today = today or timezone.localdate()
    return Grant.objects.filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))


def counting_grants(user: Any, today: dt.date) -> QuerySet[Grant]:
    """The grants a user's scope is made of: live today, on an open org (or platform-wide).
    `user` is a pk or an `OuterRef` to one."""
    return (
        live_grants(today)
        .filter(user_id=user)
        .filter(Q(org__isnull=True) | Q(org__closed_on__isnull=True))
    )


# Every request of a logged-in user asks this (core.scoping): prepared once per process.
_GRANTS_OF = PreparedQuery(
    lambda user_pk, today: counting_grants(user_pk, today).values_list("role", "org__path"),
    kinds=(int, dt.date),
)


def grants_of(user_pk: Any) -> Iterable[tuple[str, str | None]]:
    """The user's live grants on open orgs as (role, org path) pairs: what `core.scoping`
    computes an actor's scope from (registered in `AccountsConfig.ready()`). A grant whose
    expiry day has passed gives nothing."""
    if user_pk is None:  # an unsaved user (the demo's system actor) holds no grant
        return []
    return _GRANTS_OF.rows(int(user_pk), timezone.localdate())


def org_managers(org: Organization) -> list[User]:
    """The active org admins and secretaries granted on `org` itself."""
    grants = (
        live_grants()
        .filter(org=org, role__in=MANAGER_ROLES, user__is_active=True)
        .select_related("user")
    )
    return [g.user for g in grants]


def nearest_managers(org: Organization) -> list[User]:
    """The managers of `org`, or, when nobody is granted on it, of its nearest ancestor that has
    some: they are the ones who act for it (a unit without its own admin is run from above).
    One query."""
    prefixes = ancestor_paths(org.path)
    grants = list(
        live_grants()
        .filter(org__path__in=prefixes, role__in=MANAGER_ROLES, user__is_active=True)
        .select_related("user", "org")
    )
    if not grants:
        return []
    deepest = max(len(g.org.path) for g in grants if g.org is not None)
    return [g.user for g in grants if g.org is not None and len(g.org.path) == deepest]


# The grants pages and API: an org admin reads and changes the grants of their admin subtree.


def may_administer_grants(actor: Actor) -> bool:
    """Whether the actor hands out grants anywhere (an org admin, a security administrator, or a
    platform admin)."""
    scope = scope_of(actor)
    return scope.platform or bool(scope.account_paths)


def grantable_roles(actor: Actor) -> list[str]:
    """The roles the actor's grant form offers: the org roles, and the separation roles for a
    security administrator or a platform admin (platform admin is granted elsewhere)."""
    scope = scope_of(actor)
    roles: list[str] = [role.value for role in ORG_ROLES]
    if scope.platform or scope.security_paths:
        roles += [role.value for role in SEPARATION_ROLES]
    return roles


def may_grant_role(actor: Actor, role: str, org: Organization | None) -> bool:
    """Whether the actor may give, change or take `role` on `org` (the services' own rule)."""
    if scope_of(actor).platform:
        return True
    if org is None:
        return False
    if role in SEPARATION_ROLES:
        return can_secure_org(actor, org)
    return can_admin_accounts(actor, org)


def may_change_grant(actor: Actor, grant: Grant) -> bool:
    """Whether the actor may revoke `grant` (the list's buttons follow this)."""
    return may_grant_role(actor, grant.role, grant.org) and not last_org_admin(grant)


def role_family_conflict(user: User, role: str) -> Grant | None:
    """A live grant of `user` in another role family than `role` (None when there is none)."""
    others = [r for r, family in ROLE_FAMILY.items() if family != ROLE_FAMILY.get(role)]
    found: Grant | None = (
        live_grants().filter(user=user, role__in=others).select_related("org").first()
    )
    return found


def grants_manageable(actor: Actor) -> QuerySet[Grant]:
    """The grants the actor may read and change: those on orgs inside their admin subtrees;
    a platform admin sees every grant, their own platform grants included."""
    scope = scope_of(actor)
    qs = Grant.objects.all()
    if scope.platform:
        return qs
    cond = Q()
    for path in scope.account_paths:
        cond |= Q(org__path__startswith=path)
    return qs.filter(cond) if cond else qs.none()


def grant_manageable_or_404(actor: Actor, pk: Any) -> Grant:
    try:
        return grants_manageable(actor).select_related("user", "org").get(pk=pk)
    except (Grant.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def grants_listed(
    *, actor: Actor, org: Organization | None = None, role: str = "", q: str = ""
) -> QuerySet[Grant]:
    """Who holds what: the grants on `org` and its whole subtree (all the actor may read when
    `org` is None), filtered by role and by a name, username or mobile number; in tree order
    of the org, then by role. Each row brings its user, member and org."""
    qs = grants_manageable(actor).select_related("user", "user__member", "org", "granted_by")
    if org is not None:
        qs = qs.filter(org__path__startswith=org.path)
    if role:
        qs = qs.filter(role=role)
    text = (q or "").strip()
    if text:
        qs = qs.filter(
            Q(user__member__name__contains=text)
            | Q(user__username__icontains=text)
            | Q(user__mobile__startswith=text)
            | Q(user__first_name__contains=text)
        )
    return qs.order_by("org__path", "role", "user__username")


def grant_org_options(
    *, actor: Actor, within: Organization | None = None
) -> QuerySet[Organization]:
    """The open orgs the actor may grant roles on (their admin subtree; `within` narrows it):
    the grant form's picker searches them on the server."""
    qs = orgs_administered(actor, accounts=True).filter(closed_on__isnull=True)
    if within is not None:
        qs = qs.filter(path__startswith=within.path)
    return qs.order_by("path")


def grantable_users(actor: Actor) -> QuerySet[User]:
    """Active logins of members inside the actor's admin subtrees (every active login for a
    platform admin): who the actor may grant a role to."""
    scope = scope_of(actor)
    qs = User.objects.filter(is_active=True)
    if scope.platform:
        return qs
    cond = Q()
    for path in scope.account_paths:
        cond |= Q(member__org__path__startswith=path)
    return qs.filter(cond) if cond else qs.none()


def grant_user_options(
    *, actor: Actor, org: Organization | None, q: str, limit: int = USER_OPTIONS_LIMIT
) -> list[User]:
    """Members with a login under `org` whose name, username or mobile matches `q` (searched on
    the server: a county has thousands), each with its member and the member's org trail."""
    text = (q or "").strip()
    if not text:
        return []
    qs = grantable_users(actor).filter(member__isnull=False).select_related("member__org")
    if org is not None:
        qs = qs.filter(member__org__path__startswith=org.path)
    qs = qs.filter(
        Q(member__name__contains=text) | Q(username__icontains=text) | Q(mobile__startswith=text)
    )
    found = list(qs.order_by("member__name", "username")[:limit])
    attach_ancestor_names([u.member.org for u in found if u.member is not None])
    return found


def grantable_user_or_none(actor: Actor, pk: Any) -> User | None:
    try:
        return grantable_users(actor).filter(pk=pk).first()
    except (ValueError, TypeError):
        return None


def last_org_admin(grant: Grant) -> bool:
    """Whether `grant` is the only live org-admin grant on its tenant root."""
    if grant.role != Grant.Role.ORG_ADMIN or grant.org is None or grant.org.depth != 1:
        return False
    others = (
        live_grants()
        .filter(org=grant.org, role=Grant.Role.ORG_ADMIN, user__is_active=True)
        .exclude(pk=grant.pk)
    )
    return not others.exists()


def user_has_manage_over(user: User, org: Organization) -> bool:
    """Whether `user` already manages `org` through a live grant (no need to offer one)."""
    for role, path in grants_of(user.pk):
        if role in MANAGER_ROLES and path is not None and org.path.startswith(path):
            return True
    return False


def admin_root_for(actor: Actor) -> Organization | None:
    """The first org the actor administers from the top: the grants page's default org."""
    scope = scope_of(actor)
    if scope.platform or not scope.account_paths:
        return None
    org: Organization | None = Organization.objects.filter(path=scope.account_paths[0]).first()
    return org

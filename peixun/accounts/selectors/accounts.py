"""Reads about members' logins: who has one, and in which state."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Case, CharField, Count, Q, QuerySet, Value, When
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from peixun.core.scoping import Actor, can_admin_accounts, scope_of
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.orgs.selectors import orgs_administered

from ..models import User


class AccountStatus:
    NONE = "none"
    AWAITING = "awaiting"
    ACTIVE = "active"
    DISABLED = "disabled"
    CHOICES = (
        (NONE, _("No login")),
        (AWAITING, _("Awaiting activation")),
        (ACTIVE, _("Active")),
        (DISABLED, _("Disabled")),
    )
    LABELS = dict(CHOICES)


def status_condition(status: str) -> Q:
    """The members whose login is in `status` (an unusable password starts with "!")."""
    awaiting = Q(user__password__startswith="!")
    return {
        AccountStatus.NONE: Q(user__isnull=True),
        AccountStatus.DISABLED: Q(user__is_active=False),
        AccountStatus.AWAITING: Q(user__is_active=True) & awaiting,
        AccountStatus.ACTIVE: Q(user__is_active=True) & ~awaiting,
    }[status]


@dataclass(frozen=True)
class AccountFilters:
    include_subtree: bool = True
    status: str = ""
    q: str = ""


def account_rows(
    *, actor: Actor, org: Organization, filters: AccountFilters | None = None
) -> QuerySet[Member]:
    """The members of `org` (or its subtree) with `account_status` and their login, for an admin
    of `org`: nothing for anyone else. One query per page."""
    filters = filters or AccountFilters()
    if not can_admin_accounts(actor, org):
        return Member.objects.none()
    where = Q(org__path__startswith=org.path) if filters.include_subtree else Q(org=org)
    # Checked above: the actor manages the logins of `org` (a security administrator included,
    # who manages no member record).
    rows: QuerySet[Member] = (
        Member.objects.filter(where)
        .select_related("org", "user")
        .annotate(
            account_status=Case(
                When(user__isnull=True, then=Value(AccountStatus.NONE)),
                When(user__is_active=False, then=Value(AccountStatus.DISABLED)),
                When(user__password__startswith="!", then=Value(AccountStatus.AWAITING)),
                default=Value(AccountStatus.ACTIVE),
                output_field=CharField(),
            )
        )
        .order_by("org__path", "name", "pk")
    )
    if filters.status in AccountStatus.LABELS:
        rows = rows.filter(status_condition(filters.status))
    q = filters.q.strip()
    if q:
        rows = rows.filter(
            Q(name__contains=q) | Q(mobile__contains=q) | Q(user__username__contains=q)
        )
    return rows


def account_counts(*, actor: Actor, org: Organization) -> dict[str, int]:
    """How many members of the subtree are in each account state."""
    if not can_admin_accounts(actor, org):
        return dict.fromkeys(AccountStatus.LABELS, 0)
    rows = Member.objects.filter(org__path__startswith=org.path)
    return rows.aggregate(
        **{key: Count("pk", filter=status_condition(key)) for key in AccountStatus.LABELS}
    )


def admin_orgs(*, actor: Actor) -> QuerySet[Organization]:
    """The open orgs whose accounts `actor` administers, top ones first."""
    scope = scope_of(actor)
    orgs: QuerySet[Organization] = Organization.objects.filter(closed_on__isnull=True)
    if not scope.platform:
        cond = Q(pk__in=[])
        for path in scope.account_paths:
            cond |= Q(path=path)
        orgs = orgs.filter(cond)
    else:
        orgs = orgs.filter(depth=1)
    return orgs.order_by("path")


def account_user_manageable(*, actor: Actor, pk: Any) -> User | None:
    """A member's login the actor administers, or None."""
    user = User.objects.select_related("member__org").filter(pk=pk, member__isnull=False).first()
    if user is None or user.member is None or not can_admin_accounts(actor, user.member.org):
        return None
    return user


def member_for_account(*, actor: Actor, pk: Any) -> Member | None:
    """A member whose login the actor may create, or None."""
    member: Member | None = Member.objects.select_related("org").filter(pk=pk).first()
    if member is None or not can_admin_accounts(actor, member.org):
        return None
    return member


def account_user_visible(*, actor: Actor, pk: Any) -> User | None:
    """A member's login whose member the actor can see (the API answers 403, not 404, when the
    actor sees the member but may not administer the login)."""
    visible = Member.objects.visible_to(actor).values("pk")
    return (
        User.objects.select_related("member__org")
        .filter(pk=pk, member__isnull=False, member__in=visible)
        .first()
    )


def account_org_or_404(*, actor: Actor, pk: Any) -> Organization:
    """An org whose logins the actor manages (an org admin or security administrator over it)."""
    org = orgs_administered(actor, accounts=True).filter(pk=pk).first()
    if org is None:
        raise Http404
    return org

"""Reads of personal API tokens: a user's own, and those of the logins an admin manages.
A token's secret is never readable; only its hash is stored."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Count, QuerySet
from django.utils import timezone

from peixun.core.scoping import Actor, scope_of
from peixun.members.models import Member

from ..models import ApiToken, User
from .accounts import account_user_manageable


def _pk(raw: Any) -> int | None:
    # A key the database can hold (an id past 64 bits would make it fail rather than find nothing).
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        return None
    return pk if 0 < pk < 2**63 else None


def tokens_of(*, actor: Actor, user: User) -> QuerySet[ApiToken]:
    """The tokens of `user` that `actor` may see (their own; an admin's over the login), live
    ones first, then the newest."""
    return (
        ApiToken.objects.visible_to(actor)
        .filter(user=user)
        .select_related("revoked_by__member")
        .order_by("revoked_at", "-created_at", "-pk")
    )


def token_visible(*, actor: Actor, pk: Any) -> ApiToken | None:
    """One token the actor may see and revoke, or None (a 404)."""
    key = _pk(pk)
    if key is None:
        return None
    return ApiToken.objects.visible_to(actor).select_related("user").filter(pk=key).first()


def token_owner_manageable(*, actor: Actor, pk: Any) -> User | None:
    """A login whose tokens `actor` may list and revoke: their own, a member's login under an org
    they administer, or any login for a platform admin; None otherwise (a 404)."""
    key = _pk(pk)
    if not actor.is_authenticated or key is None:
        return None
    if key == actor.pk or scope_of(actor).platform:
        return User.objects.select_related("member__org").filter(pk=key).first()
    return account_user_manageable(actor=actor, pk=key)


def attach_active_token_counts(members: Iterable[Member]) -> None:
    """Sets `active_tokens` on each member of a page of the accounts list (0 without a login),
    in one query, so the admin sees whose login holds live tokens."""
    rows = list(members)
    user_ids = [m.user.pk for m in rows if getattr(m, "user", None) is not None]
    counts = dict(
        ApiToken.objects.filter(user_id__in=user_ids)
        .active(timezone.now())
        .values("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    for member in rows:
        user = getattr(member, "user", None)
        member.active_tokens = counts.get(user.pk, 0) if user is not None else 0  # type: ignore[attr-defined]

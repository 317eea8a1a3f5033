"""The one scoping primitive: what part of the org tree an actor may see and manage.

An actor's scope is a set of materialised paths (treebeard `path`); an object is in scope when
the path of its organisation starts with one of them. Out of scope is always a 404.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol, Self, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

from . import registry

M = TypeVar("M", bound=models.Model)


class Actor(Protocol):
    """Whoever acts or reads: a signed-in `accounts.User` or Django's `AnonymousUser`.

    A protocol rather than the User model because core sits below accounts; both classes
    satisfy it, and `request.user` can be passed as it is.
    """

    @property
    def pk(self) -> Any: ...

    @property
    def is_authenticated(self) -> bool: ...

    @property
    def is_superuser(self) -> bool: ...


@dataclass(frozen=True)
class Scope:
    platform: bool = False
    read_paths: tuple[str, ...] = ()
    manage_paths: tuple[str, ...] = ()
    admin_paths: tuple[str, ...] = ()  # org admin: may reveal ID numbers and read the audit trail
    # Security administrator: manages the logins and grants of the subtree (no business data).
    security_paths: tuple[str, ...] = ()
    # Who reads the audit trail: org admins, security administrators and auditors.
    audit_paths: tuple[str, ...] = ()
    # Who manages logins and grants: org admins and security administrators.
    account_paths: tuple[str, ...] = ()
    member_id: int | None = None
    roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_staff_like(self) -> bool:
        return self.platform or bool(self.read_paths)


def _minimal(paths: set[str]) -> tuple[str, ...]:
    """Drop paths already covered by a shorter ancestor path."""
    kept: list[str] = []
    for p in sorted(paths, key=len):
        if not any(p.startswith(k) for k in kept):
            kept.append(p)
    return tuple(sorted(kept))


def scope_of(actor: Actor | None) -> Scope:
    if actor is None or not getattr(actor, "is_authenticated", False):
        return Scope()
    cached = getattr(actor, "_peixun_scope", None)
    if cached is not None:
        return cached
    read: set[str] = set()
    manage: set[str] = set()
    admin: set[str] = set()
    security: set[str] = set()
    audit: set[str] = set()
    roles: set[str] = set()
    platform = bool(actor.is_superuser)
    known = getattr(actor, "_peixun_grants", None)
    for role, path in known if known is not None else registry.grants_of(actor.pk):
        roles.add(role)
        if role == registry.PLATFORM_ADMIN:
            platform = True
        elif path is None:
            continue
        elif role == registry.ORG_ADMIN:
            read.add(path)
            manage.add(path)
            admin.add(path)
            audit.add(path)
        elif role == registry.SECURITY_ADMIN:
            security.add(path)
            audit.add(path)
        elif role == registry.AUDITOR:
            audit.add(path)
        elif role == registry.SECRETARY:
            read.add(path)
            manage.add(path)
        elif role == registry.VIEWER:
            read.add(path)
    if platform:
        roles.add(registry.PLATFORM_ADMIN)
    member_id = getattr(actor, "member_id", None)
    if member_id:
        roles.add("member")
    scope = Scope(
        platform=platform,
        read_paths=_minimal(read),
        manage_paths=_minimal(manage),
        admin_paths=_minimal(admin),
        security_paths=_minimal(security),
        audit_paths=_minimal(audit),
        account_paths=_minimal(admin | security),
        member_id=member_id,
        roles=frozenset(roles),
    )
    # Cached on the user object for the request; forget_scope() drops it after a grant changes.
    setattr(actor, "_peixun_scope", scope)  # noqa: B010
    return scope


def grants_known(actor: Actor, grants: tuple[tuple[str, str | None], ...]) -> None:
    """The actor's grants as `registry.grants_of` would give them, read already with something
    else (an API token's query knows whether its owner holds any): `scope_of` uses them instead
    of asking again. For this request's user object only; `forget_scope` drops them."""
    setattr(actor, "_peixun_grants", grants)  # noqa: B010


def forget_scope(actor: Actor) -> None:
    for memo in ("_peixun_scope", "_peixun_grants"):
        if hasattr(actor, memo):
            delattr(actor, memo)


def path_in(path: str, paths: tuple[str, ...]) -> bool:
    return any(path.startswith(p) for p in paths)


def can_read_org(actor: Actor | None, org: Any) -> bool:
    scope = scope_of(actor)
    return scope.platform or path_in(org.path, scope.read_paths)


def can_manage_org(actor: Actor | None, org: Any) -> bool:
    scope = scope_of(actor)
    return scope.platform or path_in(org.path, scope.manage_paths)


def can_read_audit(actor: Actor | None) -> bool:
    """Whether the actor reads the audit trail anywhere (the audit page, its menu entry)."""
    scope = scope_of(actor)
    return scope.platform or bool(scope.audit_paths)


def can_admin_accounts(actor: Actor | None, org: Any) -> bool:
    """Whether the actor manages the logins and grants of `org` (an org admin or a security
    administrator over it, or a platform admin)."""
    scope = scope_of(actor)
    return scope.platform or path_in(org.path, scope.account_paths)


def can_secure_org(actor: Actor | None, org: Any) -> bool:
    """Whether the actor is a security administrator over `org` (or a platform admin): who
    grants the security administrator and auditor roles."""
    scope = scope_of(actor)
    return scope.platform or path_in(org.path, scope.security_paths)


def can_admin_org(actor: Actor | None, org: Any) -> bool:
    scope = scope_of(actor)
    return scope.platform or path_in(org.path, scope.admin_paths)


class ScopedQuerySet(models.QuerySet[Any]):
    """Base for every model's queryset: `visible_to(actor)` by the path of the object's org."""

    scope_path_field = "path"

    def _filter_paths(self, paths: tuple[str, ...], extra: Q | None = None) -> Self:
        cond = Q()
        for p in paths:
            cond |= Q(**{f"{self.scope_path_field}__startswith": p})
        if extra is not None:
            cond |= extra
        if not cond:
            return self.none()
        return self.filter(cond)

    def visible_to(self, actor: Actor) -> Self:
        scope = scope_of(actor)
        if scope.platform:
            return self.all()
        return self._filter_paths(scope.read_paths, self.self_condition(scope))

    def manageable_by(self, actor: Actor) -> Self:
        scope = scope_of(actor)
        if scope.platform:
            return self.all()
        return self._filter_paths(scope.manage_paths)

    def self_condition(self, scope: Scope) -> Q | None:
        """What a plain member sees of this model beyond their grants (nothing by default)."""
        return None


class MemberOwnedQuerySet(ScopedQuerySet):
    """Rows that belong to one member (attendance, a ledger entry, an attempt): a plain member
    sees their own besides what their grants show."""

    def self_condition(self, scope: Scope) -> Q | None:
        return Q(member_id=scope.member_id) if scope.member_id else None


def get_visible_or_404(actor: Actor, model: type[M], pk: Any) -> M:
    try:
        return model._default_manager.visible_to(actor).get(pk=pk)  # type: ignore[attr-defined]
    except (ObjectDoesNotExist, ValueError, TypeError):
        raise Http404 from None


def actor_id(actor: Actor | None) -> int | None:
    """The user to record as having done something: None for the system or an anonymous actor."""
    return actor.pk if actor is not None and actor.is_authenticated else None

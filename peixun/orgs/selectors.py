"""Every read of the org tree.

The tree pages read through `orgs_readable(actor)`: the subtrees the actor holds a grant on
(everything for a platform admin). Unlike `visible_to`, it leaves out the branch a plain member
belongs to, so a secretary who is a member elsewhere still sees only their own subtree.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Length, Substr
from django.http import Http404
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, scope_of
from peixun.core.text import fold_width

from . import registry
from .models import ALLOWED_CHILDREN, Organization

SEARCH_LIMIT = 50

Row = TypeVar("Row")


def orgs_readable(actor: Actor) -> QuerySet[Organization]:
    """Orgs inside the actor's granted subtrees; none for an actor without grants."""
    scope = scope_of(actor)
    qs = Organization.objects.all()
    if scope.platform:
        return qs
    cond = Q()
    for path in scope.read_paths:
        cond |= Q(path__startswith=path)
    return qs.filter(cond) if cond else qs.none()


def orgs_administered(actor: Actor, *, accounts: bool = False) -> QuerySet[Organization]:
    """Orgs inside the subtrees the actor is an org admin of (everything for a platform admin);
    with `accounts`, those whose logins and grants they manage (a security administrator's too)."""
    scope = scope_of(actor)
    qs = Organization.objects.all()
    if scope.platform:
        return qs
    cond = Q()
    for path in scope.account_paths if accounts else scope.admin_paths:
        cond |= Q(path__startswith=path)
    return qs.filter(cond) if cond else qs.none()


def org_roots_for(*, actor: Actor, include_closed: bool = False) -> QuerySet[Organization]:
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
    *, actor: Actor, org: Organization, include_closed: bool = False
) -> QuerySet[Organization]:
    """The direct children of `org` the actor may read (one query, no member counts)."""
    qs = orgs_readable(actor).filter(path__startswith=org.path, depth=org.depth + 1)
    if not include_closed:
        qs = qs.filter(closed_on__isnull=True)
    return qs.order_by("code")


def attach_member_counts(orgs: Iterable[Organization]) -> None:
    """Set `o.member_count` (direct members) on each org with one aggregate query for all."""
    listed = list(orgs)
    if not listed:
        return
    counts = registry.member_counts([o.pk for o in listed])
    for o in listed:
        o.member_count = counts.get(o.pk, 0)  # type: ignore[attr-defined]


def org_search(
    *, actor: Actor, q: str, include_closed: bool = False, limit: int = SEARCH_LIMIT
) -> list[Organization]:
    """Orgs whose name contains `q` or whose code starts with it, each with its ancestor trail."""
    text = (q or "").strip()
    if not text:
        return []
    qs = orgs_readable(actor).filter(Q(name__contains=text) | Q(code__istartswith=text))
    if not include_closed:
        qs = qs.filter(closed_on__isnull=True)
    found = list(qs.order_by("depth", "code")[:limit])
    attach_ancestor_names(found)
    return found


def org_picker_matches(candidates: QuerySet[Organization], text: str) -> QuerySet[Organization]:
    """The candidates whose name contains `text` or whose code starts with it, ignoring case,
    in tree order (all of them for no text): what an org picker offers."""
    text = fold_width(text).strip()
    if text:
        candidates = candidates.filter(Q(name__icontains=text) | Q(code__istartswith=text))
    return candidates.order_by("path")


def org_path_label(org: Organization) -> str:
    """The org's name after its ancestors' (`org.trail`, from `attach_ancestor_names`), so that
    the 15 branches named 办公室党支部 can be told apart: 县统计局党总支 › 办公室党支部."""
    return " › ".join([*getattr(org, "trail", []), org.name])


def org_above_label(org: Organization) -> str:
    """Where the org sits, for a column or line beside its name: its ancestors below the tenant
    root (`org.trail`, from `attach_ancestor_names`), or the root for the root's own children,
    "" for a root. Tells the 15 branches named 办公室党支部 apart: 县统计局 › 县统计局党总支."""
    trail: list[str] = getattr(org, "trail", [])
    return " › ".join(trail[1:] or trail)


def attach_ancestor_names(orgs: list[Organization]) -> None:
    """Set `o.trail` (names from the root down) on each org with one query for all of them."""
    steplen = Organization.steplen
    prefixes = {o.path[:i] for o in orgs for i in range(steplen, len(o.path), steplen)}
    names = (
        dict(Organization.objects.filter(path__in=prefixes).values_list("path", "name"))
        if prefixes
        else {}
    )
    for o in orgs:
        o.trail = [  # type: ignore[attr-defined]
            names[o.path[:i]] for i in range(steplen, len(o.path), steplen) if o.path[:i] in names
        ]


def attach_org_trails(
    rows: Iterable[Row], org_of: Callable[[Row], Organization | None]
) -> list[Row]:
    """`rows` as a list, each row's org (`org_of(row)`) given its `trail` in one query for all,
    so a page can show every org's path (`orgs/templatetags/org_paths.py`). Typically
    `page.object_list = attach_org_trails(page.object_list, lambda m: m.org)`."""
    listed = list(rows)
    attach_ancestor_names([org for org in map(org_of, listed) if org is not None])
    return listed


def org_above_labels(org_ids: Iterable[int]) -> dict[int, str]:
    """org id → `org_above_label`, for exports that stream their rows: two queries in all."""
    orgs = list(Organization.objects.filter(pk__in=set(org_ids)))
    attach_ancestor_names(orgs)
    return {o.pk: org_above_label(o) for o in orgs}


def attach_ancestors(org: Organization) -> None:
    """Set `org.ancestors` (root first, as objects, for links) with one query."""
    steplen = Organization.steplen
    prefixes = [org.path[:i] for i in range(steplen, len(org.path), steplen)]
    org.ancestors = (  # type: ignore[attr-defined]
        list(Organization.objects.filter(path__in=prefixes).order_by("depth")) if prefixes else []
    )


def org_subtree_member_count(*, org: Organization) -> int:
    return registry.subtree_member_count(org.path)


def org_move_targets(*, actor: Actor, org: Organization) -> QuerySet[Organization]:
    """Where the actor may move `org`: open orgs they administer, outside its own subtree,
    of a kind that takes `org`'s kind, other than its current parent."""
    parent_kinds = [kind for kind, allowed in ALLOWED_CHILDREN.items() if org.kind in allowed]
    qs = (
        orgs_administered(actor)
        .filter(closed_on__isnull=True, kind__in=parent_kinds)
        .exclude(path__startswith=org.path)
    )
    if org.depth > 1:
        qs = qs.exclude(path=org.path[: -Organization.steplen])
    return qs.order_by("path")


def org_options_for(*, actor: Actor, member_kinds_only: bool = False) -> QuerySet[Organization]:
    """Orgs the actor may put records in, for pickers."""
    qs = Organization.objects.manageable_by(actor).filter(closed_on__isnull=True)
    if member_kinds_only:
        qs = qs.filter(kind__in=Organization.MEMBER_KINDS)
    return qs.order_by("path")


def tenant_of(org: Organization) -> Organization:
    """The tenant (root organisation) an organisation belongs to."""
    return (
        org if org.depth == 1 else Organization.objects.get(path=org.path[: Organization.steplen])
    )


def admin_tenants(actor: Actor, *, accounts: bool = False) -> list[Organization]:
    """The tenants (root organisations) whose settings and rules the actor may change: those
    they administer from the root (every tenant for a platform admin); with `accounts`, those
    whose login settings they keep (a security administrator of the root too)."""
    scope = scope_of(actor)
    if scope.platform:
        return list(Organization.objects.get_root_nodes())
    steplen = Organization.steplen
    paths = scope.account_paths if accounts else scope.admin_paths
    roots = {p[:steplen] for p in paths if len(p) == steplen}
    return list(Organization.objects.filter(path__in=roots).order_by("path"))


def admin_tenant_chosen(
    actor: Actor, chosen: str | None, *, accounts: bool = False
) -> tuple[Organization, list[Organization]]:
    """For a tenant-wide settings page: the tenant asked for (`?tenant=`), else the first one
    the actor administers, and all of them for the picker; 404 when there is none."""
    tenants = admin_tenants(actor, accounts=accounts)
    tenant = next((t for t in tenants if str(t.pk) == chosen), None) if chosen else None
    if tenant is None and not chosen and tenants:
        tenant = tenants[0]
    if tenant is None:
        raise Http404
    return tenant, tenants


def reader_tenant(actor: Actor) -> Organization | None:
    """The tenant of the actor's first read grant: whose rules they are shown."""
    scope = scope_of(actor)
    paths = scope.read_paths or scope.manage_paths
    if not paths:
        return Organization.objects.get_root_nodes().first() if scope.platform else None
    return Organization.objects.filter(path=paths[0][: Organization.steplen]).first()


def reader_scope_org_name(actor: Actor) -> str:
    """The name of the one org the actor reads (theirs and below), for the title of an export
    of "everything I see"; "" when they read several subtrees or none."""
    paths = scope_of(actor).read_paths
    if len(paths) != 1:
        return ""
    return Organization.objects.filter(path=paths[0]).values_list("name", flat=True).first() or ""


def org_field(actor: Actor, field: str, pk: int) -> Organization:
    """An org named in a request body: one out of scope is a field error (422), like a bad value."""
    org = Organization.objects.visible_to(actor).filter(pk=pk).first()
    if org is None:
        raise ValidationError({field: _("No such organization in your scope.")})
    return org


# The API's lists: what `visible_to` shows (a plain member's own branch included), each org
# with its parent's id.


def with_parent_ids(qs: QuerySet[Organization]) -> QuerySet[Organization]:
    """Annotate `parent_pk` with one subquery: the org whose path is ours minus the last step."""
    parent_path = Substr(
        OuterRef("path"), Value(1), Length(OuterRef("path")) - Organization.steplen
    )
    parents = Organization.objects.filter(path=parent_path).values("pk")[:1]
    return qs.annotate(parent_pk=Subquery(parents))


def orgs_listed(
    *,
    actor: Actor,
    parent: Organization | None = None,
    kind: str = "",
    q: str = "",
    include_closed: bool = False,
) -> QuerySet[Organization]:
    """Orgs the actor may see, by path, with `parent_pk`. `q` matches the name or the start of
    the code; `parent` keeps that org's direct children."""
    qs = Organization.objects.visible_to(actor)
    if parent is not None:
        qs = qs.filter(path__startswith=parent.path, depth=parent.depth + 1)
    if kind:
        qs = qs.filter(kind=kind)
    text = q.strip()
    if text:
        qs = qs.filter(Q(name__contains=text) | Q(code__istartswith=text))
    if not include_closed:
        qs = qs.filter(closed_on__isnull=True)
    return with_parent_ids(qs).order_by("path")


def org_parent_id(org: Organization) -> int | None:
    """The id of `org`'s parent (None for a tenant root), with one query."""
    if org.depth <= 1:
        return None
    parent_path = org.path[: -Organization.steplen]
    return Organization.objects.filter(path=parent_path).values_list("pk", flat=True).first()

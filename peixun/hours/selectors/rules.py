"""Reads of requirement rules and whom they cover, for the rules pages and the API. Each
selector takes the actor and starts from `visible_to`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, can_admin_org, scope_of
from peixun.members.models import Member
from peixun.orgs.models import Organization, Position

from ..models import Requirement


def rules_for(
    *, actor: Actor, year: int | None = None, org: Organization | None = None
) -> QuerySet[Requirement]:
    """Rules the actor may read (their subtree and every rule above it), in force in `year`;
    with `org`, only those that concern it (set on it, above it or inside its subtree)."""
    qs = Requirement.objects.visible_to(actor).select_related("org")
    if year:
        qs = qs.filter(valid_from_year__lte=year).filter(
            Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=year)
        )
    if org is not None:
        steplen = Organization.steplen
        above = [org.path[:i] for i in range(steplen, len(org.path) + 1, steplen)]
        qs = qs.filter(org__path__in=above) | qs.filter(org__path__startswith=org.path)
    return qs.order_by("org__path", "id")


def rule_visible_or_404(*, actor: Actor, pk: Any) -> Requirement:
    try:
        return Requirement.objects.visible_to(actor).select_related("org").get(pk=int(pk))
    except (Requirement.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def rule_org_or_404(*, actor: Actor, pk: Any) -> Organization:
    """An org the actor is an org admin of, for a new rule's subtree."""
    try:
        org = Organization.objects.visible_to(actor).get(pk=int(pk))
    except (Organization.DoesNotExist, TypeError, ValueError):
        raise Http404 from None
    if not can_admin_org(actor, org):
        raise Http404
    return org


def admin_roots(*, actor: Actor) -> list[Organization]:
    """The tops of the subtrees the actor administers (tenant roots for a platform admin)."""
    scope = scope_of(actor)
    if scope.platform:
        return list(Organization.objects.filter(depth=1).order_by("code")[:20])
    if not scope.admin_paths:
        return []
    return list(Organization.objects.filter(path__in=scope.admin_paths).order_by("code"))


def _audience_lists(rule_or_data: Requirement | Mapping[str, Any]) -> dict[str, list[str]]:
    if isinstance(rule_or_data, Requirement):
        return {
            "statuses": list(rule_or_data.statuses or []),
            "positions": list(rule_or_data.positions or []),
            "cadre_ranks": list(rule_or_data.cadre_ranks or []),
        }
    return {
        name: [str(v) for v in (rule_or_data.get(name) or [])]
        for name in ("statuses", "positions", "cadre_ranks")
    }


def requirement_audience(
    *, actor: Actor, rule_or_data: Requirement | Mapping[str, Any], org: Organization
) -> QuerySet[Member]:
    """The members a rule covers today, of those the actor may see: in `org`'s subtree, with one
    of the statuses (none named: Party members, as `rule_applies` judges) and cadre ranks (empty
    = any), holding one of the positions (empty = any)."""
    lists = _audience_lists(rule_or_data)
    qs = Member.objects.visible_to(actor).filter(org__path__startswith=org.path)
    if lists["statuses"]:
        qs = qs.filter(status__in=lists["statuses"])
    else:
        qs = qs.filter(status__in=[Member.Status.FULL, Member.Status.PROBATIONARY])
    if lists["cadre_ranks"]:
        qs = qs.filter(cadre_rank__in=lists["cadre_ranks"])
    if lists["positions"]:
        holding = Position.objects.current(timezone.localdate()).filter(
            member=OuterRef("pk"), role__in=lists["positions"]
        )
        qs = qs.filter(Exists(holding))
    return qs


def requirement_audience_count(
    *, actor: Actor, rule_or_data: Requirement | Mapping[str, Any], org: Organization
) -> int:
    return requirement_audience(actor=actor, rule_or_data=rule_or_data, org=org).count()


def _labels(values: list[str], choices: Any) -> str:
    names = dict(choices.choices)
    return "、".join(str(names.get(v, v)) for v in values)


def requirement_audience_text(
    *, rule_or_data: Requirement | Mapping[str, Any], org: Organization
) -> str:
    """Whom a rule covers, in one plain sentence."""
    lists = _audience_lists(rule_or_data)
    conditions: list[str] = []
    if lists["statuses"]:
        conditions.append(
            _("whose status is %(statuses)s")
            % {"statuses": _labels(lists["statuses"], Member.Status)}
        )
    if lists["cadre_ranks"]:
        conditions.append(
            _("whose cadre rank is %(ranks)s")
            % {"ranks": _labels(lists["cadre_ranks"], Member.CadreRank)}
        )
    if lists["positions"]:
        conditions.append(
            _("who hold the position %(positions)s")
            % {"positions": _labels(lists["positions"], Position.Role)}
        )
    if not conditions:
        return _("Applies to: every member in %(org)s and the organizations under it") % {
            "org": org.name
        }
    return _("Applies to: members in %(org)s and the organizations under it %(conditions)s") % {
        "org": org.name,
        "conditions": _(", and ").join(conditions),
    }

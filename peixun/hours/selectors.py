"""Every read of ledger entries and requirement rules for the pages. Each selector takes the actor
and starts from `visible_to` (or `manageable_by` where the page is for changing things)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, can_admin_org, scope_of
from peixun.members.models import Member
from peixun.orgs.models import Organization, Position

from .models import CreditEntry, HoursSettings, Requirement

# Orgs whose members a secretary records an activity for.
RECORD_ORG_KINDS = (
    Organization.Kind.BRANCH,
    Organization.Kind.GENERAL_BRANCH,
    Organization.Kind.GROUP,
)
RECORD_ORG_CHOICES_LIMIT = 50


@dataclass(frozen=True)
class EntryFilters:
    org: Organization | None = None  # entries whose branch on their date lies in this subtree
    member: Member | None = None
    year: int | None = None
    kind: str = ""
    state: str = ""


def entry_list(*, actor: Actor, filters: EntryFilters | None = None) -> QuerySet[CreditEntry]:
    f = filters or EntryFilters()
    qs = CreditEntry.objects.visible_to(actor).select_related(
        "member__org", "org", "reverses", "reversed_by"
    )
    if f.org is not None:
        qs = qs.filter(org__path__startswith=f.org.path)
    if f.member is not None:
        qs = qs.filter(member=f.member)
    if f.year:
        qs = qs.filter(year=f.year)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.state:
        qs = qs.filter(state=f.state)
    return qs.order_by("-on", "-id")


def entry_manageable_or_404(*, actor: Actor, pk: Any) -> CreditEntry:
    """The entry for a write page: 404 unless the actor may change records of its member."""
    try:
        return (
            CreditEntry.objects.manageable_by(actor)
            .select_related("member__org", "org", "reverses", "reversed_by")
            .get(pk=int(pk))
        )
    except (CreditEntry.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def entry_visible_or_404(*, actor: Actor, pk: Any) -> CreditEntry:
    try:
        return CreditEntry.objects.visible_to(actor).select_related("member__org").get(pk=int(pk))
    except (CreditEntry.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def self_study_mine(*, actor: Actor) -> QuerySet[CreditEntry]:
    """The logged-in member's own filings, newest first (none for an account without a member)."""
    member_id = scope_of(actor).member_id
    if not member_id:
        return CreditEntry.objects.none()
    return (
        CreditEntry.objects.visible_to(actor)
        .filter(member_id=member_id, source=CreditEntry.Source.SELF_STUDY, reverses__isnull=True)
        .select_related("member__org", "reversed_by")
        .order_by("-recorded_at", "-id")
    )


def two_stage_tenants(entries: Iterable[CreditEntry]) -> set[str]:
    """Paths of the tenant roots, among those of `entries`, that ask for two-stage approval."""
    steplen = Organization.steplen
    roots = {e.member.org.path[:steplen] for e in entries}
    if not roots:
        return set()
    return set(
        HoursSettings.objects.filter(tenant__path__in=roots, two_stage_approval=True).values_list(
            "tenant__path", flat=True
        )
    )


def pending_for(*, actor: Actor) -> QuerySet[CreditEntry]:
    """Pending entries the actor may decide on, oldest first (first filed, first answered)."""
    return (
        CreditEntry.objects.manageable_by(actor)
        .filter(state=CreditEntry.State.PENDING)
        .select_related("member__org", "org", "first_approved_by")
        .order_by("recorded_at", "id")
    )


def attach_stages(actor: Actor, entries: list[CreditEntry]) -> None:
    """Set `e.stage` ("secretary" / "org_admin") and `e.can_act` on each pending entry."""
    two_stage = two_stage_tenants(entries)
    own_member = scope_of(actor).member_id
    steplen = Organization.steplen
    for e in entries:
        is_two_stage = e.member.org.path[:steplen] in two_stage
        waiting_for_admin = is_two_stage and e.first_approved_by_id is not None
        e.stage = "org_admin" if waiting_for_admin else "secretary"  # type: ignore[attr-defined]
        e.two_stage = is_two_stage  # type: ignore[attr-defined]
        e.own = bool(own_member) and e.member_id == own_member  # type: ignore[attr-defined]
        e.can_act = not e.own and (  # type: ignore[attr-defined]
            not waiting_for_admin or can_admin_org(actor, e.member.org)
        )


def record_org_choices(*, actor: Actor, q: str = "") -> list[Organization]:
    """Branches (and groups) the actor may record activities for, for the page's chooser."""
    qs = (
        Organization.objects.manageable_by(actor)
        .filter(kind__in=RECORD_ORG_KINDS, closed_on__isnull=True)
        .order_by("path")
    )
    text = (q or "").strip()
    if text:
        qs = qs.filter(Q(name__contains=text) | Q(code__istartswith=text))
    return list(qs[:RECORD_ORG_CHOICES_LIMIT])


def record_org_or_404(*, actor: Actor, pk: Any) -> Organization:
    try:
        return (
            Organization.objects.manageable_by(actor)
            .filter(kind__in=RECORD_ORG_KINDS, closed_on__isnull=True)
            .get(pk=int(pk))
        )
    except (Organization.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def record_members(*, actor: Actor, org: Organization) -> QuerySet[Member]:
    """Members of the branch and its groups the actor may record for, by name."""
    return (
        Member.objects.manageable_by(actor)
        .filter(org__path__startswith=org.path)
        .select_related("org")
        .order_by("name", "id")
    )


# -- requirement rules -----------------------------------------------------------------------


def rules_for(*, actor: Actor, year: int | None = None) -> QuerySet[Requirement]:
    """Rules the actor may read (their subtree and every rule above it), in force in `year`."""
    qs = Requirement.objects.visible_to(actor).select_related("org")
    if year:
        qs = qs.filter(valid_from_year__lte=year).filter(
            Q(valid_to_year__isnull=True) | Q(valid_to_year__gte=year)
        )
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
    of the statuses and cadre ranks (empty = any), holding one of the positions (empty = any)."""
    lists = _audience_lists(rule_or_data)
    qs = Member.objects.visible_to(actor).filter(org__path__startswith=org.path)
    if lists["statuses"]:
        qs = qs.filter(status__in=lists["statuses"])
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

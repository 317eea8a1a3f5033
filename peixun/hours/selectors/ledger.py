"""Reads of ledger entries for the pages and the API: lists, queues, one entry, the members and
branches a secretary records for. Each selector takes the actor and starts from `visible_to` (or
`manageable_by` where the page is for changing things)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Min, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from peixun.core.scoping import Actor, can_admin_org, scope_of
from peixun.members.models import Member, Membership
from peixun.orgs.models import Organization
from peixun.orgs.selectors import tenant_of

from ..models import CreditEntry, HoursSettings, YearlyRollup

# Orgs whose members a secretary records an activity for.
RECORD_ORG_KINDS = (
    Organization.Kind.BRANCH,
    Organization.Kind.GENERAL_BRANCH,
    Organization.Kind.GROUP,
)
RECORD_ORG_CHOICES_LIMIT = 50
# No year before this one is offered, whatever a stray date in the data says.
EARLIEST_YEAR = 2000


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


def settings_for(org: Organization) -> HoursSettings:
    """The tenant's ledger settings: the stored row, or the defaults (unsaved) when the tenant
    never changed them."""
    tenant = tenant_of(org)
    return HoursSettings.objects.filter(tenant=tenant).first() or HoursSettings(tenant=tenant)


def entries_by_pk(pks: list[int]) -> list[CreditEntry]:
    """Entries fresh from the database with what the API's entry schema reads, in the order of
    `pks` (ids the caller has just written or checked)."""
    found = CreditEntry.objects.select_related("member", "org", "reversed_by").in_bulk(pks)
    return [found[pk] for pk in pks]


def member_year_entries(
    *, actor: Actor, member: Member, year: int, as_of: dt.date | None = None
) -> list[CreditEntry]:
    """A member's entries of `year` the actor may see, in date order (the archive page); with
    `as_of`, only those dated on or before it (the lines its figures count)."""
    qs = CreditEntry.objects.visible_to(actor).filter(member_id=member.pk, year=year)
    if as_of is not None:
        qs = qs.filter(on__lte=as_of)
    return list(qs.select_related("reverses", "reversed_by").order_by("on", "id"))


def member_entry_years(*, member: Member) -> set[int]:
    """The years in which a member has any entry (the archive's year chooser)."""
    return set(
        CreditEntry.objects.filter(member_id=member.pk)
        .values_list("year", flat=True)
        .distinct()
        .order_by()
    )


def member_year_cells(
    *, member_id: int, year: int, as_of: dt.date | None = None
) -> list[tuple[str, str, Decimal, int]]:
    """(kind, topic, hours, entries) of a member's year from the rollup; with `as_of` before the
    year's end, less the confirmed lines dated after it (reversals count an activity -1)."""
    cells = {
        (kind, topic): (hours, entries)
        for kind, topic, hours, entries in YearlyRollup.objects.filter(
            member_id=member_id, year=year
        ).values_list("kind", "topic", "hours", "entries")
    }
    if as_of is not None and as_of < dt.date(year, 12, 31):
        later = CreditEntry.objects.filter(
            member_id=member_id, year=year, state=CreditEntry.State.CONFIRMED, on__gt=as_of
        ).values_list("kind", "topic", "hours")
        for kind, topic, hours in later:
            had_hours, had_entries = cells.get((kind, topic), (Decimal(0), 0))
            cells[(kind, topic)] = (had_hours - hours, had_entries - (1 if hours > 0 else -1))
    return [(kind, topic, hours, entries) for (kind, topic), (hours, entries) in cells.items()]


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


def record_members_by_pk(*, actor: Actor, ids: list[int]) -> dict[int, Member]:
    """The listed members the actor may record for, by id (unknown and out-of-scope ids are
    simply missing)."""
    return Member.objects.manageable_by(actor).select_related("org").in_bulk(ids)


def record_members(*, actor: Actor, org: Organization) -> QuerySet[Member]:
    """Members of the branch and its groups the actor may record for, by name."""
    return (
        Member.objects.manageable_by(actor)
        .filter(org__path__startswith=org.path)
        .select_related("org")
        .order_by("name", "id")
    )


def _bounded_year(found: Any) -> int:
    this_year = timezone.localdate().year
    if found is None:
        return this_year
    return min(max(int(found), EARLIEST_YEAR), this_year)


def tenant_first_year(*, org: Organization) -> int:
    """The first year of the tenant's data: its earliest ledger entry or the earliest day a member
    joined one of its orgs, whichever came first (this year for a new tenant). Two queries."""
    tenant_path = org.path[: Organization.steplen]
    entry_year = CreditEntry.objects.filter(org__path__startswith=tenant_path).aggregate(
        first=Min("year")
    )["first"]
    joined = Membership.objects.filter(org__path__startswith=tenant_path).aggregate(
        first=Min("since")
    )["first"]
    years = [y for y in (entry_year, joined.year if joined else None) if y is not None]
    return _bounded_year(min(years) if years else None)


def ledger_first_year(*, actor: Actor) -> int:
    """The year of the earliest entry the actor may see (this year when there is none)."""
    found = CreditEntry.objects.visible_to(actor).aggregate(first=Min("year"))["first"]
    return _bounded_year(found)

"""Every read of members. Each selector takes the actor and starts from `visible_to`."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from peixun.core.scoping import Actor, scope_of
from peixun.core.text import fold_width
from peixun.orgs.models import Organization, Position
from peixun.orgs.selectors import org_options_for

from .models import Member, Membership


@dataclass(frozen=True)
class MemberFilters:
    org: Organization | None = None  # the subtree to look in
    status: str = ""
    cadre_rank: str = ""
    position: str = ""
    exempt: str = ""  # "yes" / "no" / ""
    employment: str = ""
    q: str = ""
    joined_month: int | None = None  # 1..12: members whose 入党 date falls in that month


def member_list(*, actor: Actor, filters: MemberFilters | None = None) -> QuerySet[Member]:
    f = filters or MemberFilters()
    qs: QuerySet[Member] = (
        Member.objects.visible_to(actor).select_related("org").annotate(has_left=has_left())
    )
    if f.org is not None:
        qs = qs.filter(org__path__startswith=f.org.path)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.cadre_rank:
        qs = qs.filter(cadre_rank=f.cadre_rank)
    if f.employment:
        qs = qs.filter(employment=f.employment)
    if f.exempt == "yes":
        qs = qs.exclude(exempt_reason="")
    elif f.exempt == "no":
        qs = qs.filter(exempt_reason="")
    if f.position:
        holding = Position.objects.current().filter(member=OuterRef("pk"), role=f.position)
        qs = qs.filter(Exists(holding))
    if f.joined_month:
        qs = qs.filter(joined_on__month=f.joined_month)
    if f.q:
        text = fold_width(f.q).strip()
        qs = qs.filter(Q(name__contains=text) | Q(mobile__startswith=text))
    return qs.order_by("org__path", "name", "id")


def member_picker_matches(candidates: QuerySet[Member], text: str) -> QuerySet[Member]:
    """The candidates whose name contains `text` or whose mobile starts with it (all of them
    for no text), by branch and name, each with its org: what a member picker offers."""
    text = fold_width(text).strip()
    if text:
        candidates = candidates.filter(Q(name__icontains=text) | Q(mobile__startswith=text))
    return candidates.select_related("org").order_by("org__path", "name", "id")


def has_left() -> Q:
    """An annotation: the member left the tenant (a departure closed their last membership and
    no membership is open)."""
    memberships = Membership.objects.filter(member=OuterRef("pk"))
    return Exists(memberships.exclude(departure="")) & ~Exists(
        memberships.filter(until__isnull=True)
    )


def member_history(*, actor: Actor, member: Member) -> QuerySet[Membership]:
    return Membership.objects.filter(member=member).select_related("org").order_by("since", "id")


def member_positions(*, actor: Actor, member: Member) -> QuerySet[Position]:
    return Position.objects.filter(member=member).select_related("org").order_by("-since", "id")


def member_manageable(*, actor: Actor) -> QuerySet[Member]:
    """Members whose records the actor may change (their org is in a managed subtree)."""
    return Member.objects.manageable_by(actor).select_related("org")


def member_own(*, actor: Actor) -> Member | None:
    """The actor's own member record (我的), or None for an account without one."""
    member_id = scope_of(actor).member_id
    if not member_id:
        return None
    return Member.objects.visible_to(actor).select_related("org").filter(pk=member_id).first()


def open_position_manageable_or_404(*, actor: Actor, member: Member, pk: int) -> Position:
    """A current position of `member` the actor may end; 404 for anything else."""
    try:
        return (
            Position.objects.manageable_by(actor)
            .select_related("org")
            .get(pk=pk, member=member, until__isnull=True)
        )
    except Position.DoesNotExist:
        raise Http404 from None


def transfer_target(*, pk: int) -> Organization | None:
    """The org a transfer names, not yet scoped: the transfer service judges it against the
    actor's scope before anything else, so an unknown id and one out of scope get one answer."""
    return Organization.objects.filter(pk=pk).first()


def transfer_target_options(*, actor: Actor, member: Member) -> QuerySet[Organization]:
    """Where the actor may move `member`: open orgs they manage that take members, bar the current."""
    return org_options_for(actor=actor, member_kinds_only=True).exclude(pk=member.org_id)


def position_org_options(*, actor: Actor, member: Member) -> QuerySet[Organization]:
    """Orgs in which the actor may give `member` a position: the member's org, its ancestors
    (a branch member on the committee above) and its descendants (a group leader)."""
    org = member.org
    steplen = Organization.steplen
    ancestors = [org.path[:i] for i in range(steplen, len(org.path) + 1, steplen)]
    return org_options_for(actor=actor).filter(Q(path__in=ancestors) | Q(path__startswith=org.path))


def branch_on(*, member: Member | int, day: dt.date) -> Organization | None:
    """The org member M belonged to on day D, answered from the membership history."""
    member_id = member if isinstance(member, int) else member.pk
    found = Membership.objects.on(day).filter(member_id=member_id).select_related("org").first()
    return found.org if found else None


def branches_on(*, member_ids: list[int], day: dt.date) -> dict[int, int]:
    """member id → org id on `day`, for many members in one query."""
    rows = (
        Membership.objects.on(day)
        .filter(member_id__in=member_ids)
        .values_list("member_id", "org_id")
    )
    return dict(rows)


# Who belonged to an org in a period: the roster of that time, not today's (docs/figures.md).

PARTY_STATUSES = (Member.Status.FULL, Member.Status.PROBATIONARY)


def period_memberships(
    *, actor: Actor, org: Organization, start: dt.date, end: dt.date
) -> QuerySet[Membership]:
    """The stretches of belonging to the subtree of `org` that overlap [start, end] while the
    person was a Party member: a "member of the period" has at least one.

    A member counts from their 入党 date (`joined_on`, the day they became a probationary member)
    and only while their membership in the subtree was open, so people who joined the Party or
    the org after `end`, or left before `start`, are not counted, and 发展对象 and 积极分子 never
    are. A member recorded without a 入党 date counts for all of their membership (the roster
    import allows it). Departed members count for the periods they belonged.
    """
    return (
        Membership.objects.visible_to(actor)
        .filter(org__path__startswith=org.path, since__lte=end)
        .filter(Q(until__isnull=True) | Q(until__gt=start))
        .filter(member__status__in=PARTY_STATUSES)
        .filter(Q(member__joined_on__isnull=True) | Q(member__joined_on__lte=end))
        .filter(
            Q(member__joined_on__isnull=True)
            | Q(until__isnull=True)
            | Q(until__gt=F("member__joined_on"))
        )
    )


def period_member_count(*, actor: Actor, org: Organization, start: dt.date, end: dt.date) -> int:
    """How many people were Party members of the subtree of `org` at some time in [start, end]."""
    return (
        period_memberships(actor=actor, org=org, start=start, end=end)
        .values("member_id")
        .distinct()
        .count()
    )


def period_party_days(
    *, actor: Actor, org: Organization, start: dt.date, end: dt.date
) -> dict[int, int]:
    """member id → the days of [start, end] on which they were a Party member of the subtree
    (the measure a yearly requirement is pro-rated by), for every member of the period."""
    days: dict[int, int] = {}
    rows = period_memberships(actor=actor, org=org, start=start, end=end).values_list(
        "member_id", "since", "until", "member__joined_on"
    )
    for member_id, since, until, joined_on in rows:
        first = max(start, since, joined_on or since)
        last = min(end, until - dt.timedelta(days=1) if until else end)
        if last >= first:
            days[member_id] = days.get(member_id, 0) + (last - first).days + 1
    return days


# The member readers the org tree asks through orgs.registry (MembersConfig.ready()).


def member_counts_by_org(org_ids: list[int]) -> dict[int, int]:
    """{org id: members directly in it} for the given orgs, with one aggregate query."""
    return dict(
        Member.objects.filter(org_id__in=org_ids)
        .values("org_id")
        .annotate(n=Count("id"))
        .values_list("org_id", "n")
    )


def subtree_member_count(path: str) -> int:
    """How many members the subtree at `path` holds."""
    return Member.objects.filter(org__path__startswith=path).count()


def member_org_ids(member_id: int) -> QuerySet[Any, Any]:
    """The org id of member `member_id`, as a values queryset for a subquery."""
    return Member.objects.filter(pk=member_id).values("org_id")


# The workbench (see members.workbench): the subtree's size and this month's 政治生日.

PARTY_STATUSES = (Member.Status.FULL, Member.Status.PROBATIONARY)


def member_count(*, actor: Actor) -> int:
    """Members of the subtrees the actor's grants cover (their own record apart)."""
    scope = scope_of(actor)
    if not (scope.platform or scope.read_paths):
        return 0
    if scope.platform:
        return Member.objects.count()
    cond = Q()
    for path in scope.read_paths:
        cond |= Q(org__path__startswith=path)
    return Member.objects.filter(cond).count()


@dataclass(frozen=True)
class PartyBirthdays:
    """Members whose 入党 anniversary falls in `month`: how many, and the first few with years."""

    month: int
    count: int
    first: list[tuple[str, int]]  # (name, years in the Party this year)


def party_birthdays(*, actor: Actor, today: dt.date, limit: int = 5) -> PartyBirthdays:
    """Party members the actor manages whose joined_on month is today's month (政治生日), for
    the branch to mark. Two queries: the count and the first few by day of the month."""
    qs = Member.objects.manageable_by(actor).filter(
        joined_on__month=today.month, status__in=PARTY_STATUSES
    )
    count = qs.count()
    first = (
        [
            (name, today.year - joined.year)
            for name, joined in qs.order_by("joined_on__day", "name", "pk").values_list(
                "name", "joined_on"
            )[:limit]
        ]
        if count
        else []
    )
    return PartyBirthdays(today.month, count, first)

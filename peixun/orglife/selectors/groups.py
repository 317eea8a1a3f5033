"""Reads of the 青年理论学习小组: the groups the actor sees, one group's members, meetings and
the hours its meetings credited in a year, the members who may join, and a member's own groups."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet, Sum
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, get_visible_or_404
from peixun.events.models import Event
from peixun.hours.models import CreditEntry
from peixun.members.models import Member
from peixun.orgs.models import Organization

from ..models import Meeting, StudyGroup, StudyGroupMember


def _current(day: dt.date) -> Q:
    return Q(joined_on__lte=day) & (Q(left_on__isnull=True) | Q(left_on__gt=day))


def study_group_member_ids(group_id: int, day: dt.date) -> QuerySet[Any, int]:
    """Members of the group on `day` (the audience of its meeting that day), as member ids."""
    rows = StudyGroupMember.objects.filter(_current(day), group_id=group_id).values("member_id")
    return Member.objects.filter(pk__in=rows).values_list("pk", flat=True)


def study_group_list(
    actor: Actor, *, org: Organization | None = None, q: str = "", active: bool | None = None
) -> QuerySet[StudyGroup]:
    """Visible groups with `member_count` (members today) and `meeting_count` (this year's)."""
    today = timezone.localdate()
    groups: QuerySet[StudyGroup] = StudyGroup.objects.visible_to(actor).select_related(
        "org", "leader"
    )
    if org is not None:
        groups = groups.filter(org__path__startswith=org.path)
    if active is not None:
        groups = groups.filter(active=active)
    q = (q or "").strip()
    if q:
        groups = groups.filter(Q(name__icontains=q) | Q(org__name__icontains=q))
    return groups.annotate(
        member_count=Count(
            "memberships",
            filter=Q(memberships__joined_on__lte=today)
            & (Q(memberships__left_on__isnull=True) | Q(memberships__left_on__gt=today)),
            distinct=True,
        ),
        meeting_count=Count(
            "meetings", filter=Q(meetings__event__starts_at__year=today.year), distinct=True
        ),
    ).order_by("org__path", "name", "id")


def study_group_get(actor: Actor, pk: Any) -> StudyGroup:
    group = get_visible_or_404(actor, StudyGroup, pk)
    found: StudyGroup = StudyGroup.objects.select_related("org", "leader__org").get(pk=group.pk)
    return found


def study_group_memberships(group: StudyGroup) -> QuerySet[StudyGroupMember]:
    """Every membership, current first, then those who left (latest first)."""
    return (
        StudyGroupMember.objects.filter(group=group)
        .select_related("member__org")
        .order_by(F("left_on").desc(nulls_first=True), "member__org__path", "member__name", "id")
    )


def study_group_membership_get(group: StudyGroup, pk: Any) -> StudyGroupMember:
    """A membership of this group; another group's, or none, is a 404."""
    return get_object_or_404(StudyGroupMember.objects.select_related("member"), group=group, pk=pk)


def study_group_meetings(group: StudyGroup) -> QuerySet[Meeting]:
    return (
        Meeting.objects.filter(study_group=group)
        .select_related("event__org")
        .order_by("-event__starts_at", "-id")
    )


def study_group_hours(group: StudyGroup, year: int) -> Decimal:
    """学时 credited in `year` for attending the group's meetings, net of reversals (a
    reopened meeting's credits are reversed by entries that point at them). One query."""
    refs = [
        f"event:{pk}"
        for pk in Meeting.objects.filter(
            study_group=group, event__state=Event.State.CLOSED
        ).values_list("event_id", flat=True)
    ]
    if not refs:
        return Decimal(0)
    total = CreditEntry.objects.filter(
        Q(reference__in=refs) | Q(reverses__reference__in=refs),
        year=year,
        state=CreditEntry.State.CONFIRMED,
    ).aggregate(h=Sum("hours"))["h"]
    return total or Decimal(0)


def study_group_candidates(actor: Actor, group: StudyGroup) -> QuerySet[Member]:
    """Members the actor may add: those of the keeping org's subtree it manages."""
    return (
        Member.objects.manageable_by(actor)
        .filter(org__path__startswith=group.org.path)
        .select_related("org")
        .order_by("org__path", "name", "id")
    )


def study_group_leaders(actor: Actor, orgs: QuerySet[Organization]) -> QuerySet[Member]:
    """Members who may lead a group kept by one of `orgs`."""
    paths = list(orgs.values_list("path", flat=True))
    cond = Q(pk__in=[])
    for path in paths:
        cond |= Q(org__path__startswith=path)
    return (
        Member.objects.manageable_by(actor)
        .filter(cond)
        .select_related("org")
        .order_by("org__path", "name", "id")
    )


def study_groups_managed(actor: Actor) -> QuerySet[StudyGroup]:
    return StudyGroup.objects.manageable_by(actor).filter(active=True).select_related("org")


def member_study_groups(member: Member) -> QuerySet[StudyGroup]:
    """The groups the member belongs to today (我的会议 names them)."""
    today = timezone.localdate()
    rows = StudyGroupMember.objects.filter(_current(today), member=member).values("group_id")
    return StudyGroup.objects.filter(pk__in=rows, active=True).select_related("org")


def study_group_field(actor: Actor, field: str, pk: int) -> StudyGroup:
    """A group named in a request body: one out of scope is a field error (422)."""
    group: StudyGroup | None = (
        StudyGroup.objects.visible_to(actor).select_related("org").filter(pk=pk).first()
    )
    if group is None:
        raise ValidationError({field: _("No such study group in your scope.")})
    return group

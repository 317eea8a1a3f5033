"""Every read of organisational life, scoped to the actor: meetings (list, one, figures),
visits, the members a meeting expects, and the tenants whose rules the actor may change.

A meeting is seen by the readers of its org's subtree (org admins, secretaries, viewers above
it); anyone else gets a 404."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from peixun.core.scoping import Actor, get_visible_or_404, scope_of
from peixun.events.models import Attendance, Event
from peixun.events.registry import expected_member_ids
from peixun.members.models import Member, Membership
from peixun.orgs.models import Organization, Position
from peixun.plans.registry import Delivered

from .models import HomeVisit, Meeting, MeetingKind, Observer

PARTY_STATUSES = (Member.Status.FULL, Member.Status.PROBATIONARY)
PRESENT_STATUSES = (
    Attendance.Status.PRESENT,
    Attendance.Status.LATE,
    Attendance.Status.LEFT_EARLY,
)
# Meetings of the leadership: expected are those holding a position in the org itself.
LEADERSHIP_KINDS = (MeetingKind.COMMITTEE, MeetingKind.CENTRAL_GROUP)


def meeting_expected_member_ids(event: Any) -> QuerySet:
    """Members expected at a meeting: the Party members (full and probationary) registered in
    the meeting org's subtree on the meeting's day, except those exempt from organisational
    life (送学上门 serves them); at a 支委会 or 中心组学习, those holding a position in the org
    that day, when any is recorded. A member who joined the branch after the meeting, or left
    it before, is not expected (their hours belong to the branch of that day)."""
    org = event.org
    day = timezone.localdate(event.starts_at)
    kind = Meeting.objects.filter(event=event).values_list("kind", flat=True).first()
    if kind in LEADERSHIP_KINDS:
        holders = Position.objects.current(on=day).filter(org=org).values("member_id")
        if holders.exists():
            return Member.objects.filter(pk__in=holders).values_list("pk", flat=True)
    registered = Membership.objects.on(day).filter(org__path__startswith=org.path)
    return (
        Member.objects.filter(pk__in=registered.values("member_id"), status__in=PARTY_STATUSES)
        .filter(exempt_reason="")
        .values_list("pk", flat=True)
    )


def require_staff(actor: Actor) -> None:
    """The meeting pages are for those with a grant; a plain member gets a 404."""
    if not scope_of(actor).is_staff_like:
        raise Http404


def meetings_visible(actor: Actor) -> QuerySet[Meeting]:
    return Meeting.objects.visible_to(actor)


def meeting_list(
    actor: Actor,
    *,
    kind: str = "",
    org: Organization | None = None,
    year: int | None = None,
    q: str = "",
) -> QuerySet[Meeting]:
    """Visible meetings, newest first, each with its event and org and `present_count`.
    `org` takes its subtree."""
    meetings = meetings_visible(actor).select_related("event__org", "plan_item")
    if kind:
        meetings = meetings.filter(kind=kind)
    if org is not None:
        meetings = meetings.filter(event__org__path__startswith=org.path)
    if year:
        meetings = meetings.filter(event__starts_at__year=year)
    q = (q or "").strip()
    if q:
        meetings = meetings.filter(
            Q(event__title__icontains=q)
            | Q(host__icontains=q)
            | Q(event__place__icontains=q)
            | Q(event__org__name__icontains=q)
        )
    # Subqueries, not joins: joining attendances and observers together would multiply them.
    present = (
        Attendance.objects.filter(event_id=OuterRef("event_id"), status__in=PRESENT_STATUSES)
        .order_by()
        .values("event_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    observed = (
        Observer.objects.filter(meeting_id=OuterRef("pk"))
        .order_by()
        .values("meeting_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return meetings.annotate(
        present_count=Coalesce(Subquery(present), 0),
        observer_count=Coalesce(Subquery(observed), 0),
    ).order_by("-event__starts_at", "-id")


def meeting_get(actor: Actor, pk: Any) -> Meeting:
    meeting = get_visible_or_404(actor, Meeting, pk)
    return Meeting.objects.select_related("event__org", "plan_item__plan").get(pk=meeting.pk)


def meeting_years(actor: Actor) -> list[int]:
    return sorted(
        {d.year for d in meetings_visible(actor).dates("event__starts_at", "year")}, reverse=True
    )


def meeting_orgs(actor: Actor) -> QuerySet[Organization]:
    """The organisations the actor may see (the list's org filter), in tree order."""
    return Organization.objects.visible_to(actor).order_by("path")


def recorder_orgs(actor: Actor) -> QuerySet[Organization]:
    """Open organisations the actor manages: those it may record meetings and visits for."""
    return Organization.objects.manageable_by(actor).open().order_by("path")


def meeting_figures(meeting: Meeting) -> dict[str, Any]:
    """Expected, present (incl. late and left early), absent and on leave, and unmarked."""
    event = meeting.event
    expected_ids = set(expected_member_ids(event))
    counts = {status: 0 for status in Attendance.Status.values}
    marked: set[int] = set()
    for member_id, status in event.attendances.values_list("member_id", "status"):
        counts[status] += 1
        marked.add(member_id)
    present = sum(counts[s] for s in PRESENT_STATUSES)
    return {
        "expected": len(expected_ids),
        "present": present,
        "late": counts[Attendance.Status.LATE],
        "left_early": counts[Attendance.Status.LEFT_EARLY],
        "absent": counts[Attendance.Status.ABSENT],
        "leave": counts[Attendance.Status.LEAVE],
        "unmarked": len(expected_ids - marked),
    }


def appraisal_members(meeting: Meeting) -> QuerySet[Member]:
    """The members a democratic appraisal rates: the Party members of the org's subtree."""
    return (
        Member.objects.filter(
            org__path__startswith=meeting.event.org.path, status__in=PARTY_STATUSES
        )
        .select_related("org")
        .order_by("org__path", "name", "id")
    )


def visit_list(
    actor: Actor, *, org: Organization | None = None, year: int | None = None, q: str = ""
) -> QuerySet[HomeVisit]:
    visits = HomeVisit.objects.visible_to(actor).select_related("org", "member")
    if org is not None:
        visits = visits.filter(org__path__startswith=org.path)
    if year:
        visits = visits.filter(visited_on__year=year)
    q = (q or "").strip()
    if q:
        visits = visits.filter(
            Q(member__name__icontains=q) | Q(visitors__icontains=q) | Q(content__icontains=q)
        )
    return visits.order_by("-visited_on", "-id")


def visit_members(actor: Actor) -> QuerySet[Member]:
    """Members the actor may record a visit for, exempt members first (they need it most)."""
    return (
        Member.objects.manageable_by(actor)
        .filter(status__in=PARTY_STATUSES)
        .select_related("org")
        .order_by("-exempt_reason", "org__path", "name", "id")
    )


def plan_item_delivery(item_ids: list[int]) -> dict[int, Delivered]:
    """plan item id -> what its closed meetings delivered: meetings and their hours (the plans
    registry's provider for meetings); one query."""
    rows = (
        Meeting.objects.filter(plan_item_id__in=item_ids, event__state=Event.State.CLOSED)
        .values("plan_item_id")
        .annotate(n=Count("id"), h=Sum("event__hours"))
    )
    return {r["plan_item_id"]: Delivered(meetings=r["n"], hours=r["h"] or Decimal(0)) for r in rows}

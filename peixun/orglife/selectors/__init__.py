"""Every read of organisational life, scoped to the actor: meetings (list, one, figures, their
observers, appraisal results and attachments), visits, the members a meeting expects, the tenant
whose credit rules are read, the regularity calendars and overview, and the meetings of an org's
yearly record book.

A meeting is seen by the readers of its org's subtree (org admins, secretaries, viewers above
it); anyone else gets a 404."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, NamedTuple

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from peixun.core.scoping import Actor, can_read_org, get_visible_or_404, scope_of
from peixun.events.models import Attendance, Event, LeaveRequest
from peixun.events.registry import expected_member_ids
from peixun.members.models import Member, Membership
from peixun.orgs.models import Organization, Position
from peixun.orgs.selectors import reader_tenant
from peixun.plans.models import PlanItem
from peixun.plans.registry import Delivered

from ..logic import REQUIRED_KINDS, BranchCalendar, KindShare, Overview, State, calendar_for
from ..models import (
    REQUIRED_FREQUENCY,
    AppraisalResult,
    HomeVisit,
    Meeting,
    MeetingAttachment,
    MeetingCreditRule,
    MeetingKind,
    Observer,
    StudyGroupMember,
)

# The smaller habits of study (study groups, support pairs, note checks) have modules of their
# own in this package; callers import them as `selectors.groups` etc.
from .groups import study_group_member_ids

PARTY_STATUSES = (Member.Status.FULL, Member.Status.PROBATIONARY)
PRESENT_STATUSES = (
    Attendance.Status.PRESENT,
    Attendance.Status.LATE,
    Attendance.Status.LEFT_EARLY,
)
# Meetings of the leadership: expected are those holding a position in the org itself.
LEADERSHIP_KINDS = (MeetingKind.COMMITTEE, MeetingKind.CENTRAL_GROUP)


def meeting_expected_member_ids(event: Any) -> QuerySet[Any, int]:
    """Members expected at a meeting: a study group's meeting, the group's members that day;
    otherwise the Party members (full and probationary, 入党 by then)
    registered in the meeting org's subtree on the meeting's day, except those exempt from organisational
    life (送学上门 serves them); at a 支委会 or 中心组学习, those holding a position in the org
    that day, when any is recorded. A member who joined the branch after the meeting, or left
    it before, is not expected (their hours belong to the branch of that day)."""
    org = event.org
    day = timezone.localdate(event.starts_at)
    kind, group_id = Meeting.objects.filter(event=event).values_list(
        "kind", "study_group_id"
    ).first() or (None, None)
    if group_id is not None:
        # A study group's meeting: its members on that day, whichever branch they are in.
        return study_group_member_ids(group_id, day)
    if kind in LEADERSHIP_KINDS:
        holders = Position.objects.current(on=day).filter(org=org).values("member_id")
        if holders.exists():
            return Member.objects.filter(pk__in=holders).values_list("pk", flat=True)
    registered = Membership.objects.on(day).filter(org__path__startswith=org.path)
    return (
        Member.objects.filter(pk__in=registered.values("member_id"), status__in=PARTY_STATUSES)
        # A Party member today who joined the Party after the meeting was not one at it (a
        # meeting entered years later: the 积极分子 of that day is not expected, nor credited).
        .filter(Q(joined_on__isnull=True) | Q(joined_on__lte=day))
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
    topic: str = "",
) -> QuerySet[Meeting]:
    """Visible meetings, newest first, each with its event and org and `present_count`.
    `org` takes its subtree; `topic` is the event's topic (hours.Topic), so "sessions on the
    Party's innovative theory across the branches" is a filter, not a title search."""
    meetings = meetings_visible(actor).select_related("event__org", "plan_item")
    if kind:
        meetings = meetings.filter(kind=kind)
    if topic:
        meetings = meetings.filter(event__topic=topic)
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
    return Meeting.objects.select_related("event__org", "plan_item__plan", "study_group").get(
        pk=meeting.pk
    )


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


def meeting_observers(meeting: Meeting) -> QuerySet[Observer]:
    return meeting.observers.select_related("org")


def meeting_observer_get(meeting: Meeting, pk: int) -> Observer:
    """An observer of this meeting; 404 for any other."""
    return get_object_or_404(Observer, pk=pk, meeting=meeting)


def meeting_attachments(meeting: Meeting) -> QuerySet[MeetingAttachment]:
    return meeting.attachments.all()


def meeting_attachment_get(meeting: Meeting, pk: int) -> MeetingAttachment:
    """An attachment of this meeting; 404 for any other."""
    return get_object_or_404(MeetingAttachment, pk=pk, meeting=meeting)


def appraisal_results(meeting: Meeting) -> QuerySet[AppraisalResult]:
    return AppraisalResult.objects.filter(meeting=meeting).select_related("member")


def meeting_export_rows(meetings: list[Meeting]) -> list[tuple[Meeting, int]]:
    """Each meeting of the .xlsx 台账 with the number of members it expects."""
    return [(meeting, expected_member_ids(meeting.event).count()) for meeting in meetings]


def plan_item_get(pk: int | None) -> PlanItem | None:
    """The plan item a meeting is recorded against (the service checks that it fits)."""
    return None if pk is None else PlanItem.objects.filter(pk=pk).first()


def org_get(pk: int) -> Organization | None:
    """An org named in a body (an observer's); the service decides whether it may be used."""
    return Organization.objects.filter(pk=pk).first()


def members_by_pk(pks: list[int]) -> dict[int, Member]:
    """The members named in a body (appraisal results), with their orgs; the service checks
    that they belong to the meeting's org."""
    return {m.pk: m for m in Member.objects.select_related("org").filter(pk__in=pks)}


def member_visible(actor: Actor, pk: int) -> Member | None:
    return Member.objects.visible_to(actor).select_related("org").filter(pk=pk).first()


def rules_tenant(actor: Actor, tenant: int | None) -> Organization:
    """The tenant whose credit rules are read: the one named, or the actor's own
    (`reader_tenant`); one the actor neither reads nor belongs to is a 404."""
    own = reader_tenant(actor)
    if tenant is None:
        if own is None:
            raise Http404
        return own
    org = Organization.objects.filter(pk=tenant, depth=1).first()
    if org is None or not (org == own or can_read_org(actor, org)):
        raise Http404
    return org


# -- credit rules per kind of meeting (changed by `services.rules`) -----------------------------


class Credit(NamedTuple):
    hours: Decimal
    concentrated: bool
    is_default: bool = True


# The defaults a new tenant starts from, as local practice most often credits them: a Party
# lecture, a theme Party day, a central-group study, an organisational life meeting and a
# democratic appraisal take half a day (2 学时); the routine branch meetings 1 学时. Only the
# central group's study is concentrated study (理论学习中心组集体学习). Each tenant changes these
# on /orglife/rules/.
DEFAULT_CREDIT: dict[str, tuple[Decimal, bool]] = {
    MeetingKind.BRANCH_ASSEMBLY: (Decimal(1), False),
    MeetingKind.COMMITTEE: (Decimal(1), False),
    MeetingKind.GROUP: (Decimal(1), False),
    MeetingKind.LECTURE: (Decimal(2), False),
    MeetingKind.THEME_DAY: (Decimal(2), False),
    MeetingKind.CENTRAL_GROUP: (Decimal(2), True),
    MeetingKind.LIFE_MEETING: (Decimal(2), False),
    MeetingKind.APPRAISAL: (Decimal(2), False),
    MeetingKind.EXPERT_LECTURE: (Decimal(2), False),
    MeetingKind.REPORT_MEETING: (Decimal(2), False),
    MeetingKind.READING_CLASS: (Decimal(2), False),
    MeetingKind.ONSITE_TEACHING: (Decimal(2), False),
}


def credit_rules(org: Organization) -> dict[str, Credit]:
    """kind → the credit of `org`'s tenant, for every kind (defaults where no row)."""
    tenant_path = org.path[: Organization.steplen]
    stored = {
        rule.kind: Credit(rule.hours, rule.concentrated, is_default=False)
        for rule in MeetingCreditRule.objects.filter(tenant__path=tenant_path)
    }
    return {kind: stored.get(kind) or Credit(*DEFAULT_CREDIT[kind]) for kind in MeetingKind.values}


def credit_rule_for(org: Organization, kind: str) -> Credit:
    return credit_rules(org)[kind]


def appraisal_members(meeting: Meeting) -> QuerySet[Member]:
    """The members a democratic appraisal rates: the Party members of the org's subtree."""
    return (
        Member.objects.filter(
            org__path__startswith=meeting.event.org.path, status__in=PARTY_STATUSES
        )
        .select_related("org")
        .order_by("org__path", "name", "id")
    )


# -- regularity (the counting itself is in `logic`) --------------------------------------------


def _year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    return (
        dt.datetime(year, 1, 1, tzinfo=timezone.get_current_timezone()),
        dt.datetime(year + 1, 1, 1, tzinfo=timezone.get_current_timezone()),
    )


class ActivityCount(NamedTuple):
    sessions: int
    person_times: int


def activity_counts(org: Organization, year: int) -> dict[str, ActivityCount]:
    """kind → sessions and person-times of the meetings held in `org`'s subtree that started in
    `year` (local time), for every kind, zero where none. Person-times are the attendance rows
    of people who came (present, late or left early); someone on leave or absent is not one.
    Two aggregate queries, whatever the size of the subtree (the reports of issue 14)."""
    start, end = _year_bounds(year)
    held = Meeting.objects.filter(
        event__org__path__startswith=org.path,
        event__starts_at__gte=start,
        event__starts_at__lt=end,
    )
    sessions = dict(held.order_by().values_list("kind").annotate(n=Count("pk")))
    person_times = dict(
        Attendance.objects.filter(event__meeting__in=held.values("pk"), status__in=PRESENT_STATUSES)
        .order_by()
        .values_list("event__meeting__kind")
        .annotate(n=Count("pk"))
    )
    return {
        kind: ActivityCount(sessions.get(kind, 0), person_times.get(kind, 0))
        for kind in MeetingKind.values
    }


def regularity_org(actor: Actor, org: Any, *, branch: bool) -> Organization:
    """The org asked for (404 outside the actor's scope), or else the actor's first visible
    open org (a branch when `branch`). Regularity is for those who run or oversee branches:
    404 for an actor without a grant."""
    if not scope_of(actor).is_staff_like:
        raise Http404
    if org not in (None, ""):
        return get_visible_or_404(actor, Organization, org)
    visible = Organization.objects.visible_to(actor).filter(closed_on__isnull=True)  # type: ignore[attr-defined]
    if branch:
        visible = visible.filter(kind=Organization.Kind.BRANCH)
    first = visible.order_by("depth", "path").first()
    if first is None:
        raise Http404
    return first


def _held_dates(
    orgs: list[Organization], year: int, today: dt.date
) -> dict[tuple[int, str], list[dt.date]]:
    """(org id, kind) → local dates of meetings held in `year`. One query."""
    start, end = _year_bounds(year)
    rows = Meeting.objects.filter(
        event__org__in=orgs, event__starts_at__gte=start, event__starts_at__lt=end
    ).values_list("event__org_id", "kind", "event__starts_at")
    out: dict[tuple[int, str], list[dt.date]] = defaultdict(list)
    for org_id, kind, starts_at in rows:
        day = timezone.localtime(starts_at).date()
        if day <= today:
            out[(org_id, kind)].append(day)
    return out


def branch_calendars(
    orgs: list[Organization], year: int, today: dt.date | None = None
) -> list[BranchCalendar]:
    """The calendar of each branch in `orgs` for `year`; one query whatever their number."""
    today = today or timezone.localdate()
    held = _held_dates(orgs, year, today)
    out = []
    for org in orgs:
        calendar = BranchCalendar(org, year)
        for kind in REQUIRED_KINDS:
            calendar.kinds[kind] = calendar_for(
                REQUIRED_FREQUENCY[kind], year, held.get((org.pk, kind), []), today
            )
        out.append(calendar)
    return out


def branches_below(org: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(
        path__startswith=org.path, kind=Organization.Kind.BRANCH, closed_on__isnull=True
    ).order_by("path")


def regularity_overview(org: Organization, year: int, today: dt.date | None = None) -> Overview:
    """For an upper org: per kind the share of branches regular so far and the irregular ones;
    and 旁听 coverage of 中心组学习 below it. Constant queries."""
    today = today or timezone.localdate()
    branches = list(branches_below(org))
    calendars = branch_calendars(branches, year, today)
    shares = []
    for kind in REQUIRED_KINDS:
        irregular = [(c.org, c.missed(kind)) for c in calendars if c.missed(kind)]
        shares.append(KindShare(kind, len(calendars) - len(irregular), len(calendars), irregular))
    start, end = _year_bounds(year)
    central = Meeting.objects.filter(
        kind="central_group",
        event__org__path__startswith=org.path,
        event__starts_at__gte=start,
        event__starts_at__lt=end,
    )
    rows = list(central.values_list("pk", "event__org_id", "observers__id"))
    meetings: set[int] = set()
    observed: set[int] = set()
    holders: set[int] = set()
    holders_observed: set[int] = set()
    for pk, org_id, observer_id in rows:
        meetings.add(pk)
        holders.add(org_id)
        if observer_id is not None:
            observed.add(pk)
            holders_observed.add(org_id)
    return Overview(
        org=org,
        year=year,
        branches=len(calendars),
        shares=shares,
        observed=len(observed),
        central_meetings=len(meetings),
        committees=len(holders),
        committees_observed=len(holders_observed),
    )


@dataclass(frozen=True)
class BookMeeting:
    """A meeting of the record book with its attendance: status → count, how many were
    expected, and who: status → names, and the expected members nobody marked."""

    meeting: Meeting
    statuses: Counter[str]
    expected: int
    names: dict[str, list[str]] = field(default_factory=dict)
    unmarked: list[str] = field(default_factory=list)

    def named(self, *statuses: str) -> list[str]:
        return [name for status in statuses for name in self.names.get(status, [])]


def record_book_meetings(org: Organization, year: int) -> list[BookMeeting]:
    """The meetings `org` held in `year`, in date order, with observers, appraisal results,
    the recorder and attendance by name (三会一课记录本). One query for all the attendance;
    the members each meeting expects are asked per meeting (who is expected depends on the
    day and the kind)."""
    start, end = _year_bounds(year)
    meetings = list(
        Meeting.objects.filter(
            event__org=org, event__starts_at__gte=start, event__starts_at__lt=end
        )
        .select_related("event", "recorded_by__member")
        .prefetch_related("observers", "appraisals")
        .order_by("event__starts_at", "id")
    )
    marked: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    marked_ids: dict[int, set[int]] = defaultdict(set)
    rows = (
        Attendance.objects.filter(event__in=[m.event_id for m in meetings])
        .order_by("member__name", "member_id")
        .values_list("event_id", "member_id", "member__name", "status")
    )
    for event_id, member_id, name, status in rows:
        marked[event_id][status].append(name)
        marked_ids[event_id].add(member_id)
    expected = {m.pk: set(expected_member_ids(m.event)) for m in meetings}
    missing = set().union(*(expected[m.pk] - marked_ids[m.event_id] for m in meetings))
    names = dict(Member.objects.filter(pk__in=missing).values_list("pk", "name"))
    return [
        BookMeeting(
            meeting=meeting,
            statuses=Counter({s: len(n) for s, n in marked[meeting.event_id].items()}),
            expected=len(expected[meeting.pk]),
            names={s: list(n) for s, n in marked[meeting.event_id].items()},
            unmarked=sorted(names[i] for i in expected[meeting.pk] - marked_ids[meeting.event_id]),
        )
        for meeting in meetings
    ]


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


def visit_years(actor: Actor) -> list[int]:
    return sorted(
        {d.year for d in HomeVisit.objects.visible_to(actor).dates("visited_on", "year")},
        reverse=True,
    )


def visit_get(actor: Actor, pk: int) -> HomeVisit:
    return HomeVisit.objects.visible_to(actor).select_related("org", "member").get(pk=pk)


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


# -- the workbench (see orglife.workbench) ---------------------------------------------------


@dataclass(frozen=True)
class MeetingsDue:
    """Branches the actor runs whose required meetings of the current period are not held yet."""

    branches: int  # branches with at least one such meeting
    first: Organization | None  # the first of them (to link to its calendar)
    kinds: dict[str, int]  # meeting kind -> how many branches still owe it this period


def meetings_due(actor: Actor, today: dt.date | None = None) -> MeetingsDue:
    """By the regularity rules (`logic`): for each open branch the actor manages, the required
    kinds whose current period (month, quarter, year) is DUE, nothing held yet. Two queries
    whatever the number of branches."""
    today = today or timezone.localdate()
    branches = list(
        Organization.objects.manageable_by(actor)
        .filter(kind=Organization.Kind.BRANCH, closed_on__isnull=True)
        .order_by("depth", "path")
    )
    if not branches:
        return MeetingsDue(0, None, {})
    kinds: Counter[str] = Counter()
    first: Organization | None = None
    owing = 0
    for calendar in branch_calendars(branches, today.year, today):
        due = [
            k for k, periods in calendar.kinds.items() if any(p.state == State.DUE for p in periods)
        ]
        if due:
            owing += 1
            first = first or calendar.org
            kinds.update(due)
    return MeetingsDue(owing, first, dict(kinds))


def branch_upcoming_meetings(member: Member, now: dt.datetime, limit: int = 3) -> list[Meeting]:
    """The next meetings of the member's branch and of the orgs above it (see
    `member_meetings`), soonest first. One query."""
    return list(
        member_meetings(member)
        .filter(event__ends_at__gt=now, event__state=Event.State.OPEN)
        .order_by("event__starts_at", "pk")[:limit]
    )


# -- a member's own view of their branch's meetings (我的会议) -----------------------------------


def member_meetings(member: Member) -> QuerySet[Meeting]:
    """The meetings a member sees as theirs: those of their branch and of the orgs above it (the
    members there are expected), except a 支委会 or 中心组学习 of an org where they hold no
    position today; and any meeting where they hold an attendance row (a branch they left).

    Members read these through the 我的会议 pages only, which show what, when and where and
    their own attendance, never anybody else's."""
    step = Organization.steplen
    above = [member.org.path[:end] for end in range(step, len(member.org.path) + 1, step)]
    held = Position.objects.current().filter(member=member).values("org_id")
    own_branch = Q(event__org__path__in=above) & (
        ~Q(kind__in=LEADERSHIP_KINDS) | Q(event__org_id__in=held)
    )
    attended = Exists(Attendance.objects.filter(event_id=OuterRef("event_id"), member=member))
    # A study group's meetings are its members' (`study_group_member_ids` is who is expected).
    in_group = Exists(
        StudyGroupMember.objects.filter(group_id=OuterRef("study_group_id"), member=member)
    )
    return Meeting.objects.filter(
        (own_branch & Q(study_group__isnull=True)) | Q(in_group) | Q(attended)
    ).select_related("event__org")


def member_meeting_years(member: Member) -> list[int]:
    """Years with a meeting of the member's, and this year, newest first."""
    years = {d.year for d in member_meetings(member).dates("event__starts_at", "year")}
    return sorted(years | {timezone.localdate().year}, reverse=True)


def member_meetings_upcoming(member: Member, now: dt.datetime) -> QuerySet[Meeting]:
    """Meetings not over yet, soonest first."""
    return (
        member_meetings(member)
        .filter(event__ends_at__gt=now, event__state=Event.State.OPEN)
        .order_by("event__starts_at", "pk")
    )


def member_meetings_past(member: Member, year: int, now: dt.datetime) -> QuerySet[Meeting]:
    """Meetings of `year` that are over (or closed), newest first."""
    start, end = _year_bounds(year)
    return (
        member_meetings(member)
        .filter(event__starts_at__gte=start, event__starts_at__lt=end)
        .filter(Q(event__ends_at__lte=now) | Q(event__state=Event.State.CLOSED))
        .order_by("-event__starts_at", "-pk")
    )


def member_meeting_get(member: Member, pk: int) -> Meeting:
    """One of the member's meetings; any other is a 404 (it does not exist for them)."""
    return get_object_or_404(member_meetings(member), pk=pk)


@dataclass(frozen=True)
class MyAttendance:
    """The member's own part in a meeting: their attendance row, their live leave request."""

    attendance: Attendance | None
    leave: LeaveRequest | None


def member_attendance(member: Member, meetings: list[Meeting]) -> dict[int, MyAttendance]:
    """meeting id -> the member's attendance and live (pending or approved) leave request at
    it. Two queries whatever the number of meetings."""
    event_ids = [m.event_id for m in meetings]
    rows = {a.event_id: a for a in Attendance.objects.filter(member=member, event_id__in=event_ids)}
    leaves: dict[int, LeaveRequest] = {}
    for leave in LeaveRequest.objects.filter(
        member=member,
        event_id__in=event_ids,
        state__in=(LeaveRequest.State.PENDING, LeaveRequest.State.APPROVED),
    ):
        leaves[leave.event_id] = leave
    return {m.pk: MyAttendance(rows.get(m.event_id), leaves.get(m.event_id)) for m in meetings}


def member_is_expected(member: Member, meeting: Meeting) -> bool:
    """Whether the member is on the meeting's list (asking leave needs it)."""
    return expected_member_ids(meeting.event).filter(pk=member.pk).exists()

"""Reads of 述学评学: a member's own report and the year's hours that prompt it; a branch's
reports of a year beside its members (who has and hasn't submitted); the appraisal meetings a
report may be reviewed at; the links an appraisal meeting's page shows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.scoping import Actor, can_read_org, get_visible_or_404, scope_of
from peixun.hours.selectors.archive import HoursFigures, member_hours_figures
from peixun.members.models import Member
from peixun.orglife.models import Meeting, MeetingKind
from peixun.orgs.models import Organization, ancestor_paths

from ..models import StudyReport

PARTY_STATUSES = (Member.Status.FULL, Member.Status.PROBATIONARY)
State = StudyReport.State


def own_member(actor: Actor) -> Member | None:
    member_id = scope_of(actor).member_id
    if not member_id:
        return None
    return Member.objects.select_related("org").filter(pk=member_id).first()


def my_study_report(*, actor: Actor, year: int) -> StudyReport | None:
    member_id = scope_of(actor).member_id
    if not member_id:
        return None
    return (
        StudyReport.objects.filter(member_id=member_id, year=year)
        .select_related("meeting__event", "org")
        .first()
    )


def my_year_hours(*, member: Member, year: int) -> HoursFigures:
    """The member's confirmed hours of the year from the ledger's rollup: the prompt beside the
    form (what they studied is on record already)."""
    return member_hours_figures(member_id=member.pk, first_year=year, last_year=year)


def study_report_get(*, actor: Actor, pk: int) -> StudyReport:
    report = get_visible_or_404(actor, StudyReport, pk)
    found: StudyReport = (
        StudyReport.objects.select_related("member__org", "org", "meeting__event__org")
        .filter(pk=report.pk)
        .get()
    )
    return found


def study_report_orgs(actor: Actor) -> QuerySet[Organization]:
    """The orgs whose 述学 the actor reads (the org picker's candidates)."""
    return Organization.objects.visible_to(actor)


def default_org(actor: Actor) -> Organization | None:
    """The org a staff page opens on: the highest org the actor reads (a secretary's branch)."""
    scope = scope_of(actor)
    found: Organization | None
    if not scope.read_paths:
        found = (
            Organization.objects.filter(depth=1).order_by("path").first()
            if scope.platform
            else None
        )
    else:
        found = Organization.objects.filter(path=scope.read_paths[0]).first()
    return found


@dataclass(frozen=True)
class BranchReportRow:
    member: Member
    report: StudyReport | None


def branch_study_reports(*, actor: Actor, org: Organization, year: int) -> list[BranchReportRow]:
    """The Party members of `org`'s subtree, each with their report of `year` (None: none yet),
    then the reports written there by members who have since moved away. Two queries."""
    if not can_read_org(actor, org):
        raise Http404
    members = list(
        Member.objects.visible_to(actor)
        .filter(org__path__startswith=org.path, status__in=PARTY_STATUSES)
        .select_related("org")
        .order_by("org__path", "name", "id")
    )
    reports = {
        r.member_id: r
        for r in StudyReport.objects.visible_to(actor)
        .filter(year=year)
        .filter(org__path__startswith=org.path)
        .select_related("org", "member__org", "meeting__event")
    }
    rows = [BranchReportRow(member=m, report=reports.pop(m.pk, None)) for m in members]
    rows.extend(
        BranchReportRow(member=r.member, report=r)
        for r in sorted(reports.values(), key=lambda r: r.member.name)
    )
    return rows


@dataclass(frozen=True)
class StudyReportCounts:
    members: int  # rows on the list
    submitted: int  # handed in: submitted, reviewed or returned
    reviewed: int
    returned: int
    waiting: int  # submitted and not yet reviewed or returned
    missing: int  # nothing handed in: no report, or a draft


def study_report_counts(rows: list[BranchReportRow]) -> StudyReportCounts:
    states = [row.report.state if row.report else "" for row in rows]
    handed = [s for s in states if s in (State.SUBMITTED, State.REVIEWED, State.RETURNED)]
    return StudyReportCounts(
        members=len(rows),
        submitted=len(handed),
        reviewed=states.count(State.REVIEWED),
        returned=states.count(State.RETURNED),
        waiting=states.count(State.SUBMITTED),
        missing=len(rows) - len(handed),
    )


def appraisal_meetings_for(*, actor: Actor, report: StudyReport) -> QuerySet[Meeting]:
    """Democratic appraisals the actor sees, of the report's branch or an org above it, held in
    the report's year or the next: where it may be reviewed (the picker's candidates)."""
    tz = timezone.get_current_timezone()
    return (
        Meeting.objects.visible_to(actor)
        .filter(
            kind=MeetingKind.APPRAISAL,
            event__org__path__in=ancestor_paths(report.org.path),
            event__starts_at__gte=dt.datetime(report.year, 1, 1, tzinfo=tz),
            event__starts_at__lt=dt.datetime(report.year + 2, 1, 1, tzinfo=tz),
        )
        .select_related("event")
        .order_by("-event__starts_at", "-id")
    )


def meeting_study_report_links(actor: Actor, meeting: Meeting) -> list[tuple[str, str]]:
    """For orglife's meeting page (its registry): a democratic appraisal links to the 述学 of its
    org's members. Held in January to March it reads the year just ended (民主评议 runs at year
    end or early in the new year); otherwise the meeting's own year."""
    if meeting.kind != MeetingKind.APPRAISAL or not can_read_org(actor, meeting.event.org):
        return []
    held = timezone.localtime(meeting.event.starts_at)
    year = held.year - 1 if held.month <= 3 else held.year
    url = reverse("surveys:study_reports") + f"?org={meeting.event.org_id}&year={year}"
    return [(_("Members' study reports of %(year)s") % {"year": year}, url)]


def visible_meeting(*, actor: Actor, pk: int) -> Meeting | None:
    """A meeting the actor sees, by id (the API's review names one); None otherwise."""
    return Meeting.objects.visible_to(actor).select_related("event__org").filter(pk=pk).first()

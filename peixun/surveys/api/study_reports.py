"""/api/v1/surveys/study-reports/: 述学评学. A member reads and writes their own report of a year
(`mine`); staff list a branch's reports beside its members, read one, review it at a democratic
appraisal or return it. Reads through selectors.study_reports, writes through
services.study_reports.

Statuses as elsewhere in API v1: anonymous 401; `mine` without a member behind the account 404;
the staff routes for a plain member 404; a report or org out of scope 404; a visible report the
actor may not review (a viewer) 403; bad values 422 with the field named, nothing stored.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Router, Schema

from peixun.core.apiutils import Id, IdParam, OrgRef, Ref, Year, YearParam
from peixun.core.scoping import get_visible_or_404, scope_of
from peixun.orgs.models import Organization

from ..models import StudyReport
from ..selectors import study_reports as selectors
from ..services import study_reports as services

router = Router()


class StudyReportOut(Schema):
    id: int
    member: Ref
    branch: OrgRef
    year: Year
    text: str
    state: str
    state_label: str
    submitted_at: dt.datetime | None
    meeting: Ref | None
    comment: str
    return_reason: str
    reviewed_at: dt.datetime | None

    @staticmethod
    def resolve_member(obj: StudyReport) -> dict[str, Any]:
        return {"id": obj.member_id, "name": obj.member.name}

    @staticmethod
    def resolve_branch(obj: StudyReport) -> Organization:
        return obj.org

    @staticmethod
    def resolve_state_label(obj: StudyReport) -> str:
        return str(obj.get_state_display())

    @staticmethod
    def resolve_meeting(obj: StudyReport) -> dict[str, Any] | None:
        m = obj.meeting
        return {"id": m.pk, "name": m.event.title} if m is not None else None


class StudyReportMineOut(Schema):
    year: Year
    hours: Decimal  # the member's confirmed hours of the year (the prompt)
    report: StudyReportOut | None


class StudyReportIn(Schema):
    year: Year
    text: str
    submit: bool = False


class StudyReportRowOut(Schema):
    member: Ref
    branch: OrgRef
    report: StudyReportOut | None


class StudyReportListOut(Schema):
    org: OrgRef
    year: Year
    members: int
    submitted: int
    reviewed: int
    returned: int
    waiting: int
    missing: int
    rows: list[StudyReportRowOut]


class StudyReportReviewIn(Schema):
    meeting: Id
    comment: str = ""


class StudyReportReturnIn(Schema):
    reason: str


def _require_staff(request: HttpRequest) -> None:
    if not scope_of(request.user).is_staff_like:
        raise Http404


@router.get("/study-reports/mine", response=StudyReportMineOut)
def my_report(request: HttpRequest, year: YearParam | None = None) -> dict[str, Any]:
    """The actor's own report of `year` (this year when not given) and their hours of it."""
    member = selectors.own_member(request.user)
    if member is None:
        raise Http404
    year = year or timezone.localdate().year
    return {
        "year": year,
        "hours": selectors.my_year_hours(member=member, year=year).total,
        "report": selectors.my_study_report(actor=request.user, year=year),
    }


@router.put("/study-reports/mine", response=StudyReportOut)
def save_my_report(request: HttpRequest, payload: StudyReportIn) -> StudyReport:
    """Write the actor's report of `year` (this year or the last); `submit` hands it in."""
    if selectors.own_member(request.user) is None:
        raise Http404
    report = services.study_report_save(
        actor=request.user, year=payload.year, text=payload.text, submit=payload.submit
    )
    return selectors.study_report_get(actor=request.user, pk=report.pk)


@router.get("/study-reports/", response=StudyReportListOut)
def branch_reports(
    request: HttpRequest, org: IdParam | None = None, year: YearParam | None = None
) -> dict[str, Any]:
    """The Party members of `org`'s subtree (the actor's first org when not given), each with
    their report of `year`, and the counts of who has and hasn't submitted."""
    _require_staff(request)
    found = (
        get_visible_or_404(request.user, Organization, org)
        if org
        else selectors.default_org(request.user)
    )
    if found is None:
        raise Http404
    year = year or timezone.localdate().year
    rows = selectors.branch_study_reports(actor=request.user, org=found, year=year)
    counts = selectors.study_report_counts(rows)
    return {
        "org": found,
        "year": year,
        **counts.__dict__,
        "rows": [
            {
                "member": {"id": r.member.pk, "name": r.member.name},
                "branch": r.member.org,
                # A draft is the member's own until they submit it.
                "report": r.report if r.report and r.report.state != "draft" else None,
            }
            for r in rows
        ],
    }


def _report(request: HttpRequest, pk: int) -> StudyReport:
    _require_staff(request)
    return selectors.study_report_get(actor=request.user, pk=pk)


@router.get("/study-reports/{int:report_id}", response=StudyReportOut)
def get_report(request: HttpRequest, report_id: IdParam) -> StudyReport:
    return _report(request, report_id)


@router.post("/study-reports/{int:report_id}/review", response=StudyReportOut)
def review_report(
    request: HttpRequest, report_id: IdParam, payload: StudyReportReviewIn
) -> StudyReport:
    """Mark the report reviewed at `meeting`, a democratic appraisal of its branch or above."""
    report = _report(request, report_id)
    meeting = selectors.visible_meeting(actor=request.user, pk=payload.meeting)
    services.study_report_review(
        actor=request.user, report=report, meeting=meeting, comment=payload.comment
    )
    return _report(request, report_id)


@router.post("/study-reports/{int:report_id}/return", response=StudyReportOut)
def return_report(
    request: HttpRequest, report_id: IdParam, payload: StudyReportReturnIn
) -> StudyReport:
    report = _report(request, report_id)
    services.study_report_return(actor=request.user, report=report, reason=payload.reason)
    return _report(request, report_id)

"""述学评学: a member writes and submits their 述学 for a year; the branch (the managers of the
report's org) reviews it at a democratic appraisal meeting or returns it with a reason.

A member writes for this year or the last (述学 is written at year end and often read at the
appraisal in the new year). A draft may be any length up to the maximum; a submitted report
says enough to be read (the minimum). A returned report goes back to its member to rewrite and
submit again; a reviewed one is final.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor, actor_id, can_read_org, scope_of
from peixun.members.models import Member
from peixun.orglife.models import Meeting, MeetingKind
from peixun.orgs.models import Organization

from ..documents import study_report_workbook
from ..models import STUDY_REPORT_MAX_CHARS, STUDY_REPORT_MIN_CHARS, StudyReport

State = StudyReport.State


def study_report_years() -> list[int]:
    """The years a member may write for: this year and the last, newest first."""
    this_year = timezone.localdate().year
    return [this_year, this_year - 1]


def _own_member(actor: Actor) -> Member:
    member_id = scope_of(actor).member_id
    member: Member | None = (
        Member.objects.select_related("org").filter(pk=member_id).first() if member_id else None
    )
    if member is None:
        raise PermissionDenied
    return member


def _locked(report: StudyReport) -> StudyReport:
    found: StudyReport = (
        StudyReport.objects.select_for_update().select_related("org", "member").get(pk=report.pk)
    )
    return found


@transaction.atomic
def study_report_save(*, actor: Actor, year: int, text: str, submit: bool = False) -> StudyReport:
    """Write (or rewrite) the actor's own 述学 of `year`; with `submit`, hand it to the branch.
    Refused once it has been submitted, until the branch returns it."""
    member = _own_member(actor)
    errors: dict[str, str] = {}
    if year not in study_report_years():
        errors["year"] = _("Write for this year or the last.")
    text = (text or "").strip()
    if len(text) > STUDY_REPORT_MAX_CHARS:
        errors["text"] = _("At most %(n)s characters.") % {"n": STUDY_REPORT_MAX_CHARS}
    elif not text:
        errors["text"] = _("Write what you studied this year.")
    elif submit and len(text) < STUDY_REPORT_MIN_CHARS:
        errors["text"] = _(
            "Write at least %(n)s characters before you submit: what you studied, how, and what "
            "you took from it."
        ) % {"n": STUDY_REPORT_MIN_CHARS}
    if errors:
        raise ValidationError(errors)
    report = StudyReport.objects.select_for_update().filter(member=member, year=year).first()
    if report is not None and report.state not in (State.DRAFT, State.RETURNED):
        raise ValidationError(
            {
                "text": _(
                    "Your study report was submitted; it changes only if the branch returns it."
                )
            }
        )
    before = {"state": report.state, "chars": len(report.text)} if report else None
    if report is None:
        report = StudyReport(member=member, org=member.org, year=year)
    report.text = text
    if submit:
        report.state = State.SUBMITTED
        report.submitted_at = timezone.now()
    report.save()
    audit_record(
        actor=actor,
        verb="study_report.submit" if submit else "study_report.save",
        obj=report,
        org=report.org,
        before=before,
        after={"state": report.state, "year": year, "chars": len(text)},
    )
    return report


def appraisal_meeting_allowed(report: StudyReport, meeting: Meeting) -> bool:
    """A report is reviewed at a democratic appraisal of its branch or an org above, held in the
    report's year or early in the next (民主评议 is held at year end or in the new year)."""
    org_path = meeting.event.org.path
    held = timezone.localtime(meeting.event.starts_at).year
    return (
        meeting.kind == MeetingKind.APPRAISAL
        and report.org.path.startswith(org_path)
        and held in (report.year, report.year + 1)
    )


@transaction.atomic
def study_report_review(
    *, actor: Actor, report: StudyReport, meeting: Meeting | None, comment: str = ""
) -> StudyReport:
    """Record that the branch read the report at `meeting` (a democratic appraisal)."""
    report = _locked(report)
    require_manage(actor, report.org)
    errors: dict[str, str] = {}
    if report.state != State.SUBMITTED:
        errors["state"] = _("Only a submitted study report can be reviewed.")
    if meeting is None:
        errors["meeting"] = _("Choose the democratic appraisal meeting it was reviewed at.")
    elif not Meeting.objects.visible_to(actor).filter(pk=meeting.pk).exists() or not (
        appraisal_meeting_allowed(report, meeting)
    ):
        errors["meeting"] = _(
            "Choose a democratic appraisal of this branch or the organization above it, held in "
            "the report's year or the next."
        )
    comment = (comment or "").strip()
    if len(comment) > 500:
        errors["comment"] = _("At most %(n)s characters.") % {"n": 500}
    if errors:
        raise ValidationError(errors)
    report.state = State.REVIEWED
    report.meeting = meeting
    report.comment = comment
    report.return_reason = ""
    report.reviewed_by_id = actor_id(actor)
    report.reviewed_at = timezone.now()
    report.save()
    audit_record(
        actor=actor,
        verb="study_report.review",
        obj=report,
        org=report.org,
        after={"meeting": report.meeting_id, "comment": comment},
    )
    return report


@transaction.atomic
def study_report_return(*, actor: Actor, report: StudyReport, reason: str) -> StudyReport:
    """Send a submitted report back to its member with the reason, to rewrite and submit."""
    report = _locked(report)
    require_manage(actor, report.org)
    errors: dict[str, str] = {}
    if report.state != State.SUBMITTED:
        errors["state"] = _("Only a submitted study report can be returned.")
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = _("Say why it goes back, so the member knows what to add.")
    elif len(reason) > 500:
        errors["reason"] = _("At most %(n)s characters.") % {"n": 500}
    if errors:
        raise ValidationError(errors)
    report.state = State.RETURNED
    report.return_reason = reason
    report.reviewed_by_id = actor_id(actor)
    report.reviewed_at = timezone.now()
    report.save()
    audit_record(
        actor=actor,
        verb="study_report.return",
        obj=report,
        org=report.org,
        after={"reason": reason},
    )
    return report


def study_reports_export(
    *, actor: Actor, org: Organization, org_label: str, year: int, rows: Sequence[Any]
) -> bytes:
    """The branch's 述学 台账 of a year as .xlsx (it holds what members wrote): audited."""
    if not can_read_org(actor, org):
        raise PermissionDenied
    content = study_report_workbook(org_name=org.name, org_label=org_label, year=year, rows=rows)
    audit_record(
        actor=actor,
        verb="study_report.export",
        obj=org,
        org=org,
        after={"year": year, "rows": len(rows)},
    )
    return content

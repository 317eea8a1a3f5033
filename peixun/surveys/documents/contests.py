"""Files out of the surveys app: the branch's 述学 台账 and a competition's results, as
`core.workbooks` 台账 sheets in Chinese whatever the reader's language; and the names they carry."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peixun.core.downloads import file_name
from peixun.core.workbooks import Column, LedgerBook, ledger_title, year_period


def study_report_workbook(
    *, org_name: str, org_label: str, year: int, rows: Sequence[Any]
) -> bytes:
    """One row per member of the branch (`selectors.BranchReportRow`): name, unit, state, when
    submitted, the appraisal meeting it was reviewed at, the comment or reason, and the text."""
    with translation.override("zh-hans"):
        book = LedgerBook()
        sheet = book.sheet(
            _("Study reports"),
            title=ledger_title(org_name, _("%(year)s study reports") % {"year": year}),
            org=org_label,
            period=year_period(year),
            columns=[
                Column(_("name")),
                Column(_("branch")),
                Column(_("state")),
                Column(_("handed in at"), "datetime"),
                Column(_("appraisal meeting")),
                Column(_("review comment or reason for returning")),
                Column(_("study report"), max_width=60),
            ],
            freeze_columns=1,
        )
        for row in rows:
            report = row.report
            if report is None:
                sheet.append(
                    [row.member.name, row.member.org.name, _("Not handed in"), None, "", "", ""]
                )
                continue
            meeting = report.meeting
            meeting_text = (
                f"{timezone.localtime(meeting.event.starts_at):%Y-%m-%d} {meeting.event.title}"
                if meeting is not None
                else ""
            )
            sheet.append(
                [
                    row.member.name,
                    report.org.name,
                    report.get_state_display(),
                    report.submitted_at,
                    meeting_text,
                    report.comment or report.return_reason,
                    report.text if report.state != report.State.DRAFT else "",
                ]
            )
        return book.save()


def study_report_names(org_code: str, org_name: str, year: int) -> tuple[str, str]:
    """(述学台账-<org>-2026年.xlsx, study-reports-<code>-2026.xlsx)."""
    return (
        file_name("述学台账", org_name, f"{year}年", ext="xlsx"),
        f"study-reports-{org_code}-{year}.xlsx",
    )


def contest_results_workbook(*, contest: Any, rows: Sequence[Any]) -> bytes:
    """A competition's results for its organiser: each standing entry with its unit, the judges'
    sheets counted, the average score and the award (`selectors.EntryResult` rows)."""
    with translation.override("zh-hans"):
        book = LedgerBook()
        sheet = book.sheet(
            _("Competition results"),
            title=ledger_title(contest.org.name, contest.title),
            org=contest.org.name,
            period=year_period(contest.year),
            columns=[
                Column(_("entrant")),
                Column(_("unit")),
                Column(_("title"), max_width=40),
                Column(_("score sheets"), "integer"),
                Column(_("judges' average"), "number"),
                Column(_("award")),
            ],
            freeze_columns=1,
        )
        for row in rows:
            entry = row.entry
            sheet.append(
                [
                    entry.member.name,
                    entry.org.name,
                    entry.title,
                    row.sheets,
                    row.average,
                    entry.get_award_display() if entry.award else "",
                ]
            )
        return book.save()


def contest_results_names(contest: Any) -> tuple[str, str]:
    """(评比结果-<title>-2026年.xlsx, contest-<id>-results.xlsx)."""
    return (
        file_name("评比结果", contest.title, f"{contest.year}年", ext="xlsx"),
        f"contest-{contest.pk}-results.xlsx",
    )

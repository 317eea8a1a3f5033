"""THE TABLE: every download route of the app, who fetches it in the demo, for which demo object,
and what the printed file should look like. `make docs-check` fails when the URLconf has a
download route this table does not list (scripts/docs_check/discover.py finds them).

Expectations are per file so they can be tuned as the documents change: `pages` is the range
the demo's file should print to, `orientation` the paper's, `margin_mm` the blank border a
.docx/PDF keeps (None for spreadsheets, which are checked for A4 and fit-to-width instead), and
`ledger` marks a 台账 whose title and header rows must repeat on every printed page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from .checks import Expect

if TYPE_CHECKING:
    from .demo import Demo

PORTRAIT = Expect()
SHEET = Expect(orientation="any", pages=(1, 30), margin_mm=None)


@dataclass(frozen=True)
class Row:
    key: str  # the saved file's stem under test-artifacts/docs-check/files/
    route: str  # URL name, or api:<operation id>
    login: str  # the demo login that fetches it
    url: Callable[[Demo], str]  # the path (with query) for the demo's object
    ext: str = ""  # what comes back: docx, xlsx, pdf or zip
    expect: Expect = PORTRAIT
    ledger: bool = False
    method: str = "GET"
    data: Callable[[Demo], dict[str, str]] | None = None
    skip: str = ""  # why this route is not fetched (a file served as it was uploaded)
    # Whether the workbook's own page setup (A4, fitted to width) is checked: not for the import
    # templates, which keep their drop-downs and help sheets as they are (docs/development.md).
    setup: bool = True
    notes: tuple[str, ...] = field(default=())


UPLOADED = "serves a user's uploaded file as it was uploaded; not a generated document"


def _q(path: str, **params: object) -> str:
    return path + ("?" + urlencode(params) if params else "")


TABLE: tuple[Row, ...] = (
    # -- accounts: activation slips of the logins awaiting activation (a POST issues fresh codes)
    Row(
        "accounts-slips",
        "accounts:slips",
        "org_admin",
        lambda d: d.url("accounts:slips", d.awaiting_activation(d.branch, False).pk),
        "docx",
        method="POST",
        data=lambda d: {"scope": "org"},
    ),
    Row(
        "accounts-slips-pdf",
        "accounts:slips_pdf",
        "org_admin",
        lambda d: d.url("accounts:slips_pdf", d.awaiting_activation(d.branch, False).pk),
        "pdf",
        method="POST",
        data=lambda d: {"scope": "org"},
    ),
    # -- members: the roster template and the roster as a 台账
    Row(
        "roster-template",
        "roster:template",
        "org_admin",
        lambda d: d.url("roster:template"),
        "xlsx",
        SHEET,
        setup=False,
    ),
    Row(
        "roster-export",
        "roster:export",
        "org_admin",
        lambda d: d.url("roster:export"),
        "xlsx",
        Expect("any", (1, 200), None),
        ledger=True,
    ),
    # -- hours: 台账, members behind, 培训档案, 学时证明
    Row("hours-evidence", "hours:evidence", "org_admin", lambda d: "", skip=UPLOADED),
    Row(
        "hours-ledger",
        "compliance:ledger",
        "org_admin",
        lambda d: _q(d.url("compliance:ledger", d.root.pk), year=d.year),
        "xlsx",
        Expect("any", (1, 200), None),
        ledger=True,
    ),
    Row(
        "hours-ledger-branch",
        "compliance:ledger",
        "secretary",
        lambda d: _q(d.url("compliance:ledger", d.branch.pk), year=d.year),
        "xlsx",
        SHEET,
        ledger=True,
    ),
    Row(
        "hours-behind",
        "compliance:drilldown_export",
        "org_admin",
        lambda d: _q(d.url("compliance:drilldown_export", d.root.pk), year=d.year),
        "xlsx",
        Expect("any", (1, 200), None),
        ledger=True,
    ),
    Row(
        "hours-archive-pdf",
        "compliance:archive_print",
        "secretary",
        lambda d: _q(
            d.url("compliance:archive_print", d.member.pk),
            first_year=d.year - 2,
            last_year=d.year,
            format="pdf",
        ),
        "pdf",
        Expect(pages=(1, 12)),
    ),
    Row(
        "hours-archive-docx",
        "compliance:archive_print",
        "org_admin",
        lambda d: _q(
            d.url("compliance:archive_print", d.member.pk),
            first_year=d.year - 2,
            last_year=d.year,
            format="docx",
        ),
        "docx",
        Expect(pages=(1, 12)),
    ),
    Row(
        "hours-archive-api",
        "api:peixun_hours_api_archive_archive_file",
        "member",
        lambda d: _q(
            f"/api/v1/compliance/members/{d.member.pk}/archive/file",
            first_year=d.year,
            last_year=d.year,
            format="pdf",
        ),
        "pdf",
        Expect(pages=(1, 6)),
    ),
    Row(
        "hours-certificate-pdf",
        "hours:certificate",
        "org_admin",
        lambda d: d.url("hours:certificate", d.certificate_pk, "pdf"),
        "pdf",
        Expect(pages=(1, 1)),
    ),
    Row(
        "hours-certificate-docx",
        "hours:certificate",
        "member",
        lambda d: d.url("hours:certificate", d.certificate_pk, "docx"),
        "docx",
        Expect(pages=(1, 1)),
    ),
    Row(
        "hours-certificate-api",
        "api:peixun_hours_api_archive_certificate_file",
        "secretary",
        lambda d: _q(f"/api/v1/hours/certificates/{d.certificate_pk}/file", format="docx"),
        "docx",
        Expect(pages=(1, 1)),
    ),
    # -- training: roster, 调训通知, 通报, 签到表, 结业证书
    Row(
        "training-roster-xlsx",
        "training:roster_export",
        "org_admin",
        lambda d: d.url("training:roster_export", d.open_class.pk, "xlsx"),
        "xlsx",
        SHEET,
        ledger=True,
    ),
    Row(
        "training-roster-docx",
        "training:roster_export",
        "org_admin",
        lambda d: d.url("training:roster_export", d.open_class.pk, "docx"),
        "docx",
        Expect("any", (1, 6)),
    ),
    Row(
        "training-notice",
        "training:notice",
        "org_admin",
        lambda d: _q(d.url("training:notice", d.open_class.pk), member=d.enrolled_member.pk),
        "docx",
        Expect(pages=(1, 3)),
    ),
    Row(
        "training-circular-docx",
        "training:circular_file",
        "org_admin",
        lambda d: d.url("training:circular_file", d.closed_class.pk, "docx"),
        "docx",
        Expect(pages=(1, 8)),
    ),
    Row(
        "training-circular-pdf",
        "training:circular_file",
        "org_admin",
        lambda d: d.url("training:circular_file", d.closed_class.pk, "pdf"),
        "pdf",
        Expect(pages=(1, 8)),
    ),
    Row(
        "training-circular-xlsx",
        "training:circular_file",
        "org_admin",
        lambda d: d.url("training:circular_file", d.closed_class.pk, "xlsx"),
        "xlsx",
        SHEET,
        ledger=True,
    ),
    Row(
        "training-year-circular-pdf",
        "training:year_circular_file",
        "org_admin",
        lambda d: _q(d.url("training:year_circular_file", "pdf"), org=d.root.pk, year=d.year),
        "pdf",
        Expect(pages=(1, 12)),
    ),
    Row(
        "training-year-circular-docx",
        "training:year_circular_file",
        "org_admin",
        lambda d: _q(d.url("training:year_circular_file", "docx"), org=d.root.pk, year=d.year),
        "docx",
        Expect(pages=(1, 12)),
    ),
    Row(
        "training-class-circular-api",
        "api:peixun_training_api_circular_get_class_circular_file",
        "org_admin",
        lambda d: _q(f"/api/v1/training/classes/{d.closed_class.pk}/circular/file", format="pdf"),
        "pdf",
        Expect(pages=(1, 8)),
    ),
    Row(
        "training-year-circular-api",
        "api:peixun_training_api_circular_get_year_circular_file",
        "org_admin",
        lambda d: _q("/api/v1/training/circular/file", org=d.root.pk, year=d.year, format="xlsx"),
        "xlsx",
        SHEET,
        ledger=True,
    ),
    Row(
        "training-plan-document", "training:plan_document", "org_admin", lambda d: "", skip=UPLOADED
    ),
    Row(
        "training-signin-xlsx",
        "training:signin_sheet",
        "org_admin",
        lambda d: d.url("training:signin_sheet", d.closed_class.pk, "xlsx"),
        "xlsx",
        SHEET,
        ledger=True,
    ),
    Row(
        "training-signin-docx",
        "training:signin_sheet",
        "org_admin",
        lambda d: d.url("training:signin_sheet", d.closed_class.pk, "docx"),
        "docx",
        Expect("any", (1, 60)),
    ),
    Row(
        "training-certificate",
        "training:certificate",
        "org_admin",
        lambda d: d.url("training:certificate", d.closed_class.pk, d.completed_member.pk),
        "docx",
        Expect("any", (1, 1)),
    ),
    Row(
        "training-certificate-pdf",
        "training:certificate_file",
        "org_admin",
        lambda d: d.url(
            "training:certificate_file", d.closed_class.pk, d.completed_member.pk, "pdf"
        ),
        "pdf",
        Expect("landscape", (1, 1)),
    ),
    Row(
        "training-certificates-pdf",
        "training:certificates",
        "org_admin",
        lambda d: d.url("training:certificates", d.closed_class.pk, "pdf"),
        "pdf",
        Expect("landscape", (1, 200)),
    ),
    Row(
        "training-certificates-api",
        "api:peixun_training_api_documents_get_certificates_file",
        "org_admin",
        lambda d: _q(
            f"/api/v1/training/classes/{d.closed_class.pk}/certificates/file", format="zip"
        ),
        "zip",
        Expect("landscape", (1, 1)),
    ),
    Row(
        "training-notice-pdf",
        "training:notice_file",
        "org_admin",
        lambda d: _q(
            d.url("training:notice_file", d.open_class.pk, "pdf"), member=d.enrolled_member.pk
        ),
        "pdf",
        Expect(pages=(1, 3)),
    ),
    Row(
        "training-notices-zip",
        "training:notices",
        "org_admin",
        lambda d: d.url("training:notices", d.open_class.pk, "zip"),
        "zip",
        Expect(pages=(1, 3)),
    ),
    Row(
        "training-notices-api",
        "api:peixun_training_api_documents_get_notices_file",
        "org_admin",
        lambda d: _q(f"/api/v1/training/classes/{d.open_class.pk}/notices/file", format="pdf"),
        "pdf",
        Expect(pages=(1, 300)),
    ),
    # -- learning: an online class's progress 台账
    Row(
        "learning-class-progress",
        "learning:staff_class_progress_xlsx",
        "org_admin",
        lambda d: d.url("learning:staff_class_progress_xlsx", d.online_class.pk),
        "xlsx",
        SHEET,
        ledger=True,
    ),
    # -- learning: a reading list's 读书台账 (the demo's county 必读书目, demo.reading)
    Row(
        "learning-reading-progress",
        "learning:reading_progress_xlsx",
        "org_admin",
        lambda d: d.url("learning:reading_progress_xlsx", d.reading_list.pk),
        "xlsx",
        # Its second sheet names every member with no book credited: a county's list is long.
        Expect(orientation="any", pages=(1, 100), margin_mm=None),
        ledger=True,
    ),
    # -- events: the attendance sheet to fill in
    Row(
        "events-attendance-template",
        "events:attendance_template",
        "secretary",
        lambda d: d.url("events:attendance_template", d.event.pk),
        "xlsx",
        SHEET,
        setup=False,
    ),
    Row(
        "events-attendance-api",
        "api:peixun_events_api_attendance_sheet",
        "secretary",
        lambda d: f"/api/v1/events/{d.event.pk}/attendance/template",
        "xlsx",
        SHEET,
        setup=False,
    ),
    # -- plans: the filing document and the superior's overview
    Row(
        "plans-document",
        "plans:document",
        "org_admin",
        lambda d: d.url("plans:document", d.plan.pk, "docx"),
        "docx",
        Expect(pages=(1, 10)),
    ),
    Row(
        "plans-document-pdf",
        "plans:document",
        "org_admin",
        lambda d: d.url("plans:document", d.plan.pk, "pdf"),
        "pdf",
        Expect(pages=(1, 6)),
    ),
    Row(
        "plans-document-api",
        "api:peixun_plans_api_document",
        "secretary",
        lambda d: f"/api/v1/plans/{d.branch_plan.pk}/document",
        "docx",
        Expect(pages=(1, 10)),
    ),
    Row(
        "plans-filings",
        "plans:filings_xlsx",
        "org_admin",
        lambda d: _q(d.url("plans:filings_xlsx"), org=d.root.pk, year=d.year),
        "xlsx",
        SHEET,
        ledger=True,
    ),
    Row("plans-attachment", "plans:attachment", "org_admin", lambda d: "", skip=UPLOADED),
    Row(
        "plans-attachment-api",
        "api:peixun_plans_api_attachment_file",
        "org_admin",
        lambda d: "",
        skip=UPLOADED,
    ),
    # -- orglife: the meetings 台账 and the 三会一课记录本
    Row(
        "orglife-export",
        "orglife:export",
        "org_admin",
        lambda d: d.url("orglife:export"),
        "xlsx",
        Expect("any", (1, 60), None),
        ledger=True,
    ),
    Row(
        "orglife-record-book",
        "orglife:record_book",
        "secretary",
        lambda d: _q(d.url("orglife:record_book"), org=d.branch.pk, year=d.year),
        "docx",
        Expect(pages=(1, 60)),
    ),
    Row(
        "orglife-record-book-api",
        "api:peixun_orglife_api_regularity_record_book_file",
        "org_admin",
        lambda d: _q(f"/api/v1/orglife/record-book/{d.branch.pk}", year=d.year),
        "docx",
        Expect(pages=(1, 60)),
    ),
    Row(
        "orglife-record-book-pdf",
        "orglife:record_book",
        "secretary",
        lambda d: _q(d.url("orglife:record_book"), org=d.branch.pk, year=d.year, format="pdf"),
        "pdf",
        Expect(pages=(1, 60)),
    ),
    Row(
        "orglife-record-books-zip",
        "orglife:record_books",
        "org_admin",
        lambda d: _q(d.url("orglife:record_books"), org=d.unit.pk, year=d.year, format="zip"),
        "zip",
        Expect(pages=(1, 60)),
    ),
    Row(
        "orglife-record-books-api",
        "api:peixun_orglife_api_regularity_record_books_file",
        "org_admin",
        lambda d: _q(f"/api/v1/orglife/record-books/{d.unit.pk}", year=d.year, format="zip"),
        "zip",
        Expect(pages=(1, 60)),
    ),
    Row("orglife-attachment", "orglife:attachment", "org_admin", lambda d: "", skip=UPLOADED),
    # -- exams: results 台账, the question bank and its template
    Row(
        "exams-results",
        "exams:results_xlsx",
        "org_admin",
        lambda d: d.url("exams:results_xlsx", d.exam.pk),
        "xlsx",
        Expect("any", (1, 200), None),
        ledger=True,
    ),
    Row(
        "exams-bank",
        "exams:bank_export",
        "org_admin",
        lambda d: d.url("exams:bank_export"),
        "xlsx",
        SHEET,
        ledger=True,
    ),
    # -- resources: the 师资库 台账 (the teachers the pool list shows)
    Row(
        "resources-teachers",
        "resources:teacher_export",
        "org_admin",
        lambda d: d.url("resources:teacher_export"),
        "xlsx",
        SHEET,
        ledger=True,
    ),
    Row(
        "exams-bank-template",
        "exams:bank_template",
        "org_admin",
        lambda d: d.url("exams:bank_template"),
        "xlsx",
        SHEET,
        setup=False,
    ),
    # -- surveys: an evaluation's results 台账
    Row(
        "surveys-evaluation-results",
        "surveys:evaluation_export",
        "org_admin",
        lambda d: d.url("surveys:evaluation_export", d.evaluation.pk),
        "xlsx",
        SHEET,
        ledger=True,
    ),
    # -- spending: the 经费台账
    Row(
        "spending-ledger",
        "spending:ledger_xlsx",
        "org_admin",
        lambda d: _q(d.url("spending:ledger_xlsx"), year=d.year),
        "xlsx",
        SHEET,
        ledger=True,
    ),
    Row("spending-attachment", "spending:attachment", "org_admin", lambda d: "", skip=UPLOADED),
    Row(
        "spending-attachment-api",
        "api:peixun_spending_api_expenses_attachment_file",
        "org_admin",
        lambda d: "",
        skip=UPLOADED,
    ),
    # -- surveys: the branch's 述学 台账 and a competition's results
    Row(
        "surveys-study-reports",
        "surveys:study_reports_xlsx",
        "secretary",
        lambda d: _q(d.url("surveys:study_reports_xlsx"), org=d.branch.pk, year=d.year),
        "xlsx",
        SHEET,
        ledger=True,
    ),
    Row(
        "surveys-contest-results",
        "surveys:contest_results_xlsx",
        "org_admin",
        lambda d: d.url("surveys:contest_results_xlsx", d.contest.pk),
        "xlsx",
        SHEET,
        ledger=True,
    ),
    Row("surveys-entry-slides", "surveys:entry_slides", "org_admin", lambda d: "", skip=UPLOADED),
    # -- reports: the annual report, drafted through the page first
    Row(
        "reports-report-docx",
        "reports:report_download",
        "org_admin",
        lambda d: d.url("reports:report_download", d.report_pk, "docx"),
        "docx",
        Expect(pages=(2, 30)),
    ),
    Row(
        "reports-report-pdf",
        "reports:report_download",
        "org_admin",
        lambda d: d.url("reports:report_download", d.report_pk, "pdf"),
        "pdf",
        Expect(pages=(2, 30)),
    ),
    Row(
        "reports-report-api-docx",
        "api:peixun_reports_api_report_draft_docx",
        "org_admin",
        lambda d: f"/api/v1/reports/drafts/{d.report_pk}/report.docx",
        "docx",
        Expect(pages=(2, 30)),
    ),
    Row(
        "reports-report-api-pdf",
        "api:peixun_reports_api_report_draft_pdf",
        "org_admin",
        lambda d: f"/api/v1/reports/drafts/{d.report_pk}/report.pdf",
        "pdf",
        Expect(pages=(2, 30)),
    ),
    # -- resources: a site's booking ledger (场地预约台账)
    Row(
        "resources-site-bookings",
        "resources:site_bookings_xlsx",
        "org_admin",
        lambda d: _q(d.url("resources:site_bookings_xlsx", d.site.pk), year=d.year),
        "xlsx",
        SHEET,
        ledger=True,
    ),
    # -- surveys: a needs survey's results 台账 (overall, by branch, topic demand, shown branches)
    Row(
        "surveys-needs-results",
        "surveys:needs_results_xlsx",
        "org_admin",
        lambda d: d.url("surveys:needs_results_xlsx", d.needs_survey.pk),
        "xlsx",
        SHEET,
        ledger=True,
    ),
    # -- orglife: a note-check round's 台账 (学习笔记抽查), page and API; the photos as uploaded
    Row(
        "orglife-note-checks",
        "orglife:round_export",
        "org_admin",
        lambda d: d.url("orglife:round_export", d.note_round.pk),
        "xlsx",
        SHEET,
        ledger=True,
    ),
    Row(
        "orglife-note-checks-api",
        "api:peixun_orglife_api_notechecks_export_round",
        "org_admin",
        lambda d: f"/api/v1/orglife/note-checks/{d.note_round.pk}/export.xlsx",
        "xlsx",
        SHEET,
        ledger=True,
    ),
    Row(
        "orglife-note-check-photo", "orglife:check_photo", "org_admin", lambda d: "", skip=UPLOADED
    ),
)

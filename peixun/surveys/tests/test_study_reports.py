"""述学评学: a member writes and submits their report (with the year's hours as a prompt); the
branch reviews it at a democratic appraisal or returns it; who has and hasn't submitted; the
台账; the appraisal meeting's page linking to the reports. Every page for every persona."""

from __future__ import annotations

import io
from typing import ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from peixun.core.models import AuditEvent
from peixun.orglife.models import Meeting
from peixun.orglife.tests.test_meetings_fixtures import record
from peixun.surveys.models import StudyReport
from peixun.surveys.selectors.study_reports import (
    branch_study_reports,
    meeting_study_report_links,
    study_report_counts,
)
from peixun.surveys.services.study_reports import (
    study_report_return,
    study_report_review,
    study_report_save,
)
from peixun.testing import (
    PersonaTestCase,
    download_names,
    ledger_rows,
    make_member,
)

TEXT = "今年系统学习了党的二十届三中全会精神和新修订的纪律处分条例，" * 3
YEAR = timezone.localdate().year
MINE = "/surveys/study-report/"
LIST = "/surveys/study-reports/"


class StudyReportTests(PersonaTestCase):
    appraisal: ClassVar[Meeting]
    other_meeting: ClassVar[Meeting]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.appraisal = record(
            w.users["secretary"], w.branch, "appraisal", title="民主评议党员大会"
        )
        cls.other_meeting = record(w.users["secretary"], w.branch, "theme_day", title="主题党日")

    def submitted(self) -> StudyReport:
        return study_report_save(actor=self.user("member"), year=YEAR, text=TEXT, submit=True)

    # -- services --------------------------------------------------------------------------

    def test_draft_then_submit(self) -> None:
        member = self.user("member")
        draft = study_report_save(actor=member, year=YEAR, text="草稿")
        self.assertEqual(draft.state, StudyReport.State.DRAFT)
        self.assertEqual(draft.org, self.world.branch)
        with self.assertRaises(ValidationError) as caught:
            study_report_save(actor=member, year=YEAR, text="太短了", submit=True)
        self.assertIn("text", caught.exception.message_dict)
        self.assertEqual(StudyReport.objects.get(pk=draft.pk).text, "草稿")
        report = study_report_save(actor=member, year=YEAR, text=TEXT, submit=True)
        self.assertEqual((report.pk, report.state), (draft.pk, StudyReport.State.SUBMITTED))
        self.assertIsNotNone(report.submitted_at)
        # Submitted: the member can no longer change it.
        with self.assertRaises(ValidationError):
            study_report_save(actor=member, year=YEAR, text=TEXT + "改", submit=True)
        self.assertTrue(
            AuditEvent.objects.filter(verb="study_report.submit", object_id=str(report.pk)).exists()
        )

    def test_bad_input(self) -> None:
        member = self.user("member")
        for year, text in ((YEAR - 2, TEXT), (YEAR + 1, TEXT), (YEAR, ""), (YEAR, "长" * 2001)):
            with self.assertRaises(ValidationError):
                study_report_save(actor=member, year=year, text=text)
        self.assertFalse(StudyReport.objects.exists())
        with self.assertRaises(PermissionDenied):  # an account with no member behind it
            study_report_save(actor=self.user("org_admin"), year=YEAR, text=TEXT)

    def test_review_at_appraisal(self) -> None:
        report = self.submitted()
        with self.assertRaises(PermissionDenied):
            study_report_review(
                actor=self.user("other_secretary"), report=report, meeting=self.appraisal
            )
        with self.assertRaises(PermissionDenied):
            study_report_review(actor=self.user("viewer"), report=report, meeting=self.appraisal)
        for meeting in (None, self.other_meeting):
            with self.assertRaises(ValidationError) as caught:
                study_report_review(actor=self.user("secretary"), report=report, meeting=meeting)
            self.assertIn("meeting", caught.exception.message_dict)
        self.assertEqual(StudyReport.objects.get(pk=report.pk).state, StudyReport.State.SUBMITTED)
        done = study_report_review(
            actor=self.user("secretary"), report=report, meeting=self.appraisal, comment="认真"
        )
        self.assertEqual(
            (done.state, done.meeting, done.comment),
            (StudyReport.State.REVIEWED, self.appraisal, "认真"),
        )
        with self.assertRaises(ValidationError):  # reviewed is final
            study_report_return(actor=self.user("secretary"), report=done, reason="再写")

    def test_return_and_resubmit(self) -> None:
        report = self.submitted()
        with self.assertRaises(ValidationError) as caught:
            study_report_return(actor=self.user("secretary"), report=report, reason=" ")
        self.assertIn("reason", caught.exception.message_dict)
        returned = study_report_return(
            actor=self.user("secretary"), report=report, reason="请补充学习体会"
        )
        self.assertEqual(returned.state, StudyReport.State.RETURNED)
        again = study_report_save(
            actor=self.user("member"), year=YEAR, text=TEXT + "补充。", submit=True
        )
        self.assertEqual((again.pk, again.state), (report.pk, StudyReport.State.SUBMITTED))

    # -- selectors -------------------------------------------------------------------------

    def test_branch_rows_and_counts(self) -> None:
        w = self.world
        # 第一党支部 has 李明 and 王芳, plus one more member; by hand: 李明 submitted then
        # reviewed, 王芳 a draft, 周新 nothing; one returned report from 第一党小组.
        third = make_member(w.branch, "周新")
        grouped = make_member(w.group, "吴青")
        report = self.submitted()
        study_report_review(actor=self.user("secretary"), report=report, meeting=self.appraisal)
        study_report_save(actor=self.user("secretary"), year=YEAR, text="草稿")
        grouped_report = StudyReport.objects.create(
            member=grouped,
            org=w.group,
            year=YEAR,
            text=TEXT,
            state="submitted",
            submitted_at=timezone.now(),
        )
        study_report_return(actor=self.user("secretary"), report=grouped_report, reason="补充")
        rows = branch_study_reports(actor=self.user("secretary"), org=w.branch, year=YEAR)
        self.assertEqual(
            {row.member.name: row.report.state if row.report else None for row in rows},
            {"李明": "reviewed", "王芳": "draft", third.name: None, "吴青": "returned"},
        )
        counts = study_report_counts(rows)
        self.assertEqual(
            (
                counts.members,
                counts.submitted,
                counts.reviewed,
                counts.returned,
                counts.waiting,
                counts.missing,
            ),
            (4, 2, 1, 1, 0, 2),
        )
        # Another year: nobody has written.
        other = study_report_counts(
            branch_study_reports(actor=self.user("secretary"), org=w.branch, year=YEAR - 1)
        )
        self.assertEqual((other.members, other.submitted, other.missing), (4, 0, 4))

    def test_branch_rows_query_count(self) -> None:
        """Two queries whatever the branch's size (members, then reports)."""
        for n in range(5):
            make_member(self.world.branch, f"党员{n}")
        secretary = self.user("secretary")
        branch_study_reports(actor=secretary, org=self.world.branch, year=YEAR)  # warm the scope
        with self.assertNumQueries(2):
            rows = branch_study_reports(actor=secretary, org=self.world.branch, year=YEAR)
        self.assertEqual(len(rows), 7)

    def test_meeting_links(self) -> None:
        links = meeting_study_report_links(self.user("secretary"), self.appraisal)
        self.assertEqual(len(links), 1)
        self.assertIn(f"org={self.world.branch.pk}", links[0][1])
        self.assertEqual(meeting_study_report_links(self.user("secretary"), self.other_meeting), [])
        self.assertEqual(
            meeting_study_report_links(self.user("other_secretary"), self.appraisal), []
        )
        page = self.client_for("secretary").get(f"/orglife/{self.appraisal.pk}/")
        self.assertContains(page, links[0][1].replace("&", "&amp;"))

    # -- pages -----------------------------------------------------------------------------

    def test_mine_page(self) -> None:
        self.expect_personas(
            MINE,
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 404,
                "viewer": 404,
            },
        )
        client = self.client_for("member")
        bad = client.post(MINE, {"year": YEAR, "text": "短", "submit": "1"})
        self.assertEqual(bad.status_code, 400)
        self.assertFalse(StudyReport.objects.exists())
        saved = client.post(MINE, {"year": YEAR, "text": "草稿", "save": "1"})
        self.assertEqual(saved.status_code, 302)
        self.assertEqual(StudyReport.objects.get().state, "draft")
        client.post(MINE, {"year": YEAR, "text": TEXT, "submit": "1"})
        self.assertEqual(StudyReport.objects.get().state, "submitted")
        page = client.get(MINE)
        self.assertContains(page, 'id="report-text"')
        self.assertContains(page, 'id="year-hours"')
        refused = client.post(MINE, {"year": YEAR, "text": "改掉", "submit": "1"})
        self.assertEqual(refused.status_code, 302)
        self.assertEqual(StudyReport.objects.get().text, TEXT)

    def test_list_and_detail_pages(self) -> None:
        report = self.submitted()
        url = f"{LIST}?org={self.world.branch.pk}&year={YEAR}"
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        page = self.client_for("secretary").get(url)
        self.assertContains(page, "李明")
        detail = f"{LIST}{report.pk}/"
        self.expect_personas(
            detail,
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        self.assertContains(self.client_for("secretary").get(detail), "民主评议党员大会")
        self.expect_personas(
            f"{detail}review/",
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 400,
                "other_secretary": 404,
                "org_admin": 400,
                "viewer": 403,
            },
            method="post",
            data={"meeting": self.other_meeting.pk},
        )
        ok = self.client_for("secretary").post(
            f"{detail}review/", {"meeting": self.appraisal.pk, "comment": "好"}
        )
        self.assertEqual(ok.status_code, 302)
        self.assertEqual(StudyReport.objects.get(pk=report.pk).state, "reviewed")

    def test_return_page(self) -> None:
        report = self.submitted()
        url = f"{LIST}{report.pk}/return/"
        bad = self.client_for("secretary").post(url, {"reason": ""})
        self.assertEqual(bad.status_code, 400)
        self.assertEqual(StudyReport.objects.get(pk=report.pk).state, "submitted")
        ok = self.client_for("secretary").post(url, {"reason": "请补充"})
        self.assertEqual(ok.status_code, 302)
        self.assertEqual(StudyReport.objects.get(pk=report.pk).state, "returned")

    def test_export(self) -> None:
        self.submitted()
        url = f"{LIST}export.xlsx?org={self.world.branch.pk}&year={YEAR}"
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        response = self.client_for("secretary").get(url)
        fallback, name = download_names(response)
        self.assertTrue(name.startswith("述学台账-第一党支部"))
        self.assertEqual(fallback, f"study-reports-T010101-{YEAR}.xlsx")
        sheet = load_workbook(io.BytesIO(response.content)).active
        with translation.override("zh-hans"):
            # The title as the catalogue gives it (述学台账 once the strings are translated).
            title = "第一党支部" + gettext("%(year)s study reports") % {"year": YEAR}
        self.assertEqual([c.value for c in sheet[1] if c.value], [title])
        self.assertEqual(sheet.print_title_rows, "$3:$3")
        rows = ledger_rows(sheet)
        self.assertEqual(rows[0][0], "姓名")
        self.assertEqual({row[0] for row in rows[1:]}, {"李明", "王芳"})
        self.assertTrue(AuditEvent.objects.filter(verb="study_report.export").exists())

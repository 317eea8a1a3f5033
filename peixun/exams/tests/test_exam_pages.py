"""Exam pages for every persona, the staff journey through them, and bad input."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, ClassVar

from django.utils import timezone
from openpyxl import load_workbook

from peixun.core.models import AuditEvent
from peixun.testing import PersonaTestCase, check_printable_ledger, download_names, ledger_rows

from ..models import Attempt, Candidate, Exam, Paper, Question
from ..services import attempt_answer_save, attempt_start, attempt_submit, exam_rule_update
from .fixtures import add_questions, make_exam, rules_paper
from .test_taking import right_answer

STAFF_READERS = {
    "anonymous": 302,
    "member": 404,
    "secretary": 200,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}


def form_data(paper: Paper, **overrides: Any) -> dict[str, Any]:
    now = timezone.localtime()
    data = {
        "title": "2026年第四季度党章党规测试",
        "kind": "quarterly",
        "paper": paper.pk,
        "opens_at": (now - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + dt.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "time_limit_minutes": 30,
        "attempts_allowed": 1,
        "pass_percent": 60,
        "shuffle_questions": "on",
        "shuffle_options": "on",
        "show_answers": "after_submit",
        "credit_hours": "0.5",
        "audience": "subtree",
        "member_statuses": ["full", "probationary"],
    }
    data.update(overrides)
    return data


class ExamPageTests(PersonaTestCase):
    questions: ClassVar[list[Question]]
    paper: ClassVar[Paper]
    root_exam: ClassVar[Exam]
    branch_exam: ClassVar[Exam]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.questions = add_questions(cls.world, per_kind=3)
        cls.paper = rules_paper(cls.world, per_kind=2)
        cls.root_exam = make_exam(cls.world, cls.paper)
        cls.branch_exam = make_exam(
            cls.world, cls.paper, org=cls.world.branch, title="第一支部随机抽测", kind="spot",
            audience="sample", sample_count=1, seed="branch-seed",
        )  # fmt: skip

    def test_list_detail_tabs_and_export_personas(self) -> None:
        self.expect_personas("/exams/", {**STAFF_READERS, "member": 302, "other_secretary": 200})
        for suffix in ("", "?tab=absent", "?tab=items", "results.xlsx"):
            self.expect_personas(f"/exams/{self.branch_exam.pk}/{suffix}", STAFF_READERS)
        # A tenant-wide exam is shared down: every branch's secretary follows it.
        self.expect_personas(
            f"/exams/{self.root_exam.pk}/", {**STAFF_READERS, "other_secretary": 200}
        )
        self.expect_personas(f"/exams/{self.root_exam.pk}/?tab=leaderboard", {
            **STAFF_READERS, "secretary": 404, "org_admin": 404, "viewer": 404,
        })  # fmt: skip

    def test_a_secretary_sees_only_their_branch_rows_and_non_takers(self) -> None:
        page = self.client_for("other_secretary").get(f"/exams/{self.root_exam.pk}/?tab=absent")
        self.assertContains(page, "赵强")
        self.assertNotContains(page, "李明")
        admin = self.client_for("org_admin").get(f"/exams/{self.root_exam.pk}/?tab=absent")
        self.assertContains(admin, "李明")
        self.assertContains(admin, "孙丽")

    def test_take_and_mine_personas(self) -> None:
        self.expect_personas(f"/exams/{self.root_exam.pk}/take/", {
            "anonymous": 302, "member": 200, "secretary": 200, "other_secretary": 200,
            "org_admin": 404, "viewer": 404,
        })  # fmt: skip
        sampled = Candidate.objects.get(exam=self.branch_exam).member
        expected = {
            "anonymous": 302, "member": 404, "secretary": 404, "other_secretary": 404,
            "org_admin": 404, "viewer": 404,
        }  # fmt: skip
        persona = "member" if sampled == self.world.member else "secretary"
        expected[persona] = 200
        self.expect_personas(f"/exams/{self.branch_exam.pk}/take/", expected)
        self.expect_personas("/exams/mine/", {
            "anonymous": 302, "member": 200, "secretary": 200, "other_secretary": 200,
            "org_admin": 404, "viewer": 404,
        })  # fmt: skip

    def test_write_pages_refuse_readers(self) -> None:
        for url in (f"/exams/{self.branch_exam.pk}/edit/", f"/exams/{self.branch_exam.pk}/cancel/"):
            self.expect_personas(url, {
                "anonymous": 302, "member": 404, "secretary": 302 if "cancel" in url else 400,
                "other_secretary": 404, "org_admin": 302 if "cancel" in url else 400,
                "viewer": 403,
            }, method="post")  # fmt: skip
        self.branch_exam.refresh_from_db()
        self.assertEqual(self.branch_exam.state, Exam.State.CANCELLED)

    def test_create_publish_take_and_see_results_through_the_pages(self) -> None:
        admin = self.client_for("org_admin")
        bad = admin.post("/exams/new/", {**form_data(self.paper), "org": self.world.root.pk,
                                         "closes_at": "2020-01-01T00:00"})  # fmt: skip
        self.assertEqual(bad.status_code, 400)
        self.assertContains(bad, "截止时间必须晚于开始时间。", status_code=400)
        count = Exam.objects.count()
        made = admin.post("/exams/new/", {**form_data(self.paper), "org": self.world.root.pk})
        self.assertEqual(Exam.objects.count(), count + 1)
        exam = Exam.objects.latest("id")
        self.assertRedirects(made, f"/exams/{exam.pk}/")
        admin.post(f"/exams/{exam.pk}/publish/")
        exam.refresh_from_db()
        self.assertEqual(exam.state, Exam.State.PUBLISHED)
        self.assertEqual(Candidate.objects.filter(exam=exam).count(), 4)
        member = self.client_for("member")
        start = member.get(f"/exams/{exam.pk}/take/")
        self.assertContains(start, 'name="action" value="start"')
        member.post(f"/exams/{exam.pk}/take/", {"action": "start"})
        attempt = Attempt.objects.get(exam=exam, member=self.world.member)
        first = attempt.items[0]
        attempt_answer_save(
            actor=self.user("member"), attempt_id=attempt.pk, question_id=first["q"],
            response=right_answer(first),
        )  # fmt: skip
        page = member.get(f"/exams/{exam.pk}/take/")
        self.assertContains(page, 'id="exam-timer"')
        self.assertNotContains(page, '"key"')
        done = member.post(f"/exams/{exam.pk}/take/", {"action": "submit", "attempt": attempt.pk})
        self.assertRedirects(done, f"/exams/attempts/{attempt.pk}/")
        result = member.get(f"/exams/attempts/{attempt.pk}/")
        self.assertContains(result, "正确答案")
        secretary = self.client_for("secretary").get(f"/exams/{exam.pk}/")
        self.assertContains(secretary, "第一党支部")
        self.assertNotContains(secretary, "第三党支部")
        response = admin.get(f"/exams/{exam.pk}/results.xlsx")
        self.assertEqual(
            download_names(response),
            (f"exam-results-{exam.pk}.xlsx", f"成绩台账-{exam.title}.xlsx"),
        )
        workbook = load_workbook(io.BytesIO(response.content))
        people = ledger_rows(workbook.worksheets[1])[1:]
        by_branch = workbook.worksheets[0]
        for sheet, what, orientation, freeze in (
            (by_branch, "成绩统计（按党组织）", "portrait", "C4"),
            (workbook.worksheets[1], "成绩明细（按党员）", "landscape", "D4"),
            (workbook.worksheets[2], "试题分析", "portrait", "B4"),
        ):
            check_printable_ledger(
                sheet, title=f"{exam.org.name}{exam.title}{what}", orientation=orientation,
                freeze=freeze,
            )  # fmt: skip
        header = ledger_rows(workbook.worksheets[1])[0]
        self.assertEqual(header[-1], "提交时间")  # a submission, not a filing (报备)
        submitted = [row[8] for row in workbook.worksheets[1].iter_rows(min_row=4) if row[8].value]
        self.assertTrue(submitted and all(cell.is_date for cell in submitted))
        self.assertEqual({cell.number_format for cell in submitted}, {"yyyy-mm-dd hh:mm"})
        rates = [row[4] for row in by_branch.iter_rows(min_row=4) if row[4].value is not None]
        self.assertTrue(
            rates and {(c.data_type, c.number_format) for c in rates} == {("n", "0.0%")}
        )
        branch_rows = ledger_rows(by_branch)
        self.assertEqual(branch_rows[-1][0], "合计")
        self.assertEqual(branch_rows[-1][2], sum(r[2] for r in branch_rows[1:-1]))
        self.assertEqual(sorted(r[2] for r in people), sorted(["李明", "王芳", "赵强", "孙丽"]))
        # Beside each branch, the organization above it.
        self.assertIn(("测试局机关党委", "第一党支部", "李明"), {r[:3] for r in people})
        event = AuditEvent.objects.get(verb="exams.exam.results_export")
        self.assertEqual((event.object_id, event.org_id), (str(exam.pk), exam.org_id))
        self.assertEqual(event.after, {"rows": 4, "took": 1, "branches": 3})
        # A secretary's export holds their branch's rows only, and says so.
        self.client_for("secretary").get(f"/exams/{exam.pk}/results.xlsx")
        mine = AuditEvent.objects.filter(verb="exams.exam.results_export").latest("id")
        self.assertEqual(mine.after["rows"], 2)

    def test_someone_elses_attempt_result_is_not_found(self) -> None:
        attempt = attempt_start(actor=self.user("member"), exam=self.root_exam)
        attempt_submit(actor=self.user("member"), attempt_id=attempt.pk)
        self.expect_personas(f"/exams/attempts/{attempt.pk}/", {
            "anonymous": 302, "member": 200, "secretary": 404, "other_secretary": 404,
            "org_admin": 404, "viewer": 404,
        })  # fmt: skip

    def test_rules_page_only_the_tenant_admin_changes(self) -> None:
        self.expect_personas("/exams/rules/", {**STAFF_READERS, "other_secretary": 200})
        self.expect_personas("/exams/rules/", {
            "anonymous": 302, "member": 404, "secretary": 403, "other_secretary": 403,
            "org_admin": 302, "viewer": 403,
        }, method="post", data={"pass_credit_hours": "1", "contest_leaderboards": "on"})  # fmt: skip
        bad = self.client_for("org_admin").post("/exams/rules/", {"pass_credit_hours": "9"})
        self.assertEqual(bad.status_code, 400)

    def test_leaderboard_only_for_a_contest_the_tenant_allows(self) -> None:
        admin = self.client_for("org_admin")
        data = {**form_data(self.paper), "org": self.world.root.pk, "kind": "contest",
                "leaderboard": "on"}  # fmt: skip
        refused = admin.post("/exams/new/", data)
        self.assertContains(refused, "本单位未开启排行榜", status_code=400)
        exam_rule_update(actor=self.user("org_admin"), tenant=self.world.root,
                         pass_credit_hours="0.5", contest_leaderboards=True)  # fmt: skip
        self.assertEqual(admin.post("/exams/new/", data).status_code, 302)
        quarterly = admin.post("/exams/new/", {**data, "kind": "quarterly"})
        self.assertContains(quarterly, "只有竞赛可以显示排行榜。", status_code=400)

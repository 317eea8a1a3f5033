"""Bank pages for every persona; adding, editing and retiring questions; the import checked
then confirmed through the pages; the downloads."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, ClassVar

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from openpyxl import load_workbook

from peixun.core.models import AuditEvent
from peixun.testing import PersonaTestCase, check_printable_ledger, download_names, ledger_rows

from ..documents import TEMPLATE_HEADERS
from ..models import Question
from ..services import question_create, question_retire
from .fixtures import add_questions
from .test_bank_import import good_rows, row, workbook

READERS = {
    "anonymous": 302,
    "member": 404,
    "secretary": 200,
    "other_secretary": 200,
    "org_admin": 200,
    "viewer": 200,
}
# A page only for writing: a viewer, who manages nothing, is refused.
WRITERS = {**READERS, "viewer": 403}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def question_post(org: Any, **fields: Any) -> dict[str, Any]:
    data = {
        "org": org.pk, "kind": "single", "stem": "党的根本宗旨是什么？",
        "option_a": "全心全意为人民服务", "option_b": "发展经济", "option_c": "", "answer": "A",
        "topics": "党章、宗旨", "difficulty": 2, "explanation": "", "source": "",
    }  # fmt: skip
    data.update(fields)
    return data


class BankPageTests(PersonaTestCase):
    shared: ClassVar[list[Question]]
    own: ClassVar[Question]
    retired: ClassVar[Question]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.shared = add_questions(w, per_kind=1)  # the tenant root's bank
        cls.own = question_create(
            actor=w.users["secretary"],
            org=w.branch,
            data={
                "kind": "judge", "stem": "支部党员大会每季度召开一次。", "answer": "对",
                "topics": "组织生活", "difficulty": 1,
            },
        )  # fmt: skip
        cls.retired = question_create(
            actor=w.users["org_admin"],
            org=w.root,
            data={"kind": "blank", "stem": "已停用的填空题____。", "answer": "旧", "difficulty": 3},
        )
        question_retire(actor=w.users["org_admin"], question=cls.retired)

    def test_pages_for_every_persona(self) -> None:
        self.expect_personas("/exams/bank/", READERS)
        self.expect_personas("/exams/bank/template.xlsx", READERS)
        self.expect_personas("/exams/bank/export.xlsx", READERS)
        self.expect_personas("/exams/bank/new/", WRITERS)
        self.expect_personas("/exams/bank/import/", WRITERS)
        # The branch's own question: a sibling branch's secretary does not see it.
        own = f"/exams/bank/{self.own.pk}/"
        self.expect_personas(own, {**READERS, "other_secretary": 404})
        # The root's bank is shared down: every branch's staff may read it.
        self.expect_personas(f"/exams/bank/{self.shared[0].pk}/", READERS)
        self.expect_personas(
            f"/exams/bank/{self.own.pk}/retire/",
            {"anonymous": 302, "member": 404, "other_secretary": 404, "viewer": 403,
             "secretary": 302, "org_admin": 302},
            method="post",
        )  # fmt: skip
        self.own.refresh_from_db()
        self.assertFalse(self.own.retired)  # retired, then brought back
        self.expect_personas(
            f"/exams/bank/{self.shared[0].pk}/",
            {"anonymous": 302, "member": 404, "other_secretary": 403, "viewer": 403,
             "secretary": 403, "org_admin": 302},
            method="post",
            data=question_post(self.world.root, stem="党的根本宗旨（改）？"),
        )  # fmt: skip

    def test_the_list_searches_filters_and_shows_the_owner(self) -> None:
        client = self.client_for("other_secretary")
        page = client.get("/exams/bank/")
        for question in self.shared:
            self.assertContains(page, question.stem[:20])
        self.assertContains(page, self.world.root.name)
        self.assertNotContains(page, self.own.stem)
        self.assertNotContains(page, self.retired.stem)
        self.assertContains(page, 'href="/exams/bank/import/"')  # into their own branch's bank
        secretary = self.client_for("secretary").get("/exams/bank/")
        self.assertContains(secretary, self.own.stem)
        self.assertContains(secretary, self.world.branch.name)
        self.assertContains(secretary, 'href="/exams/bank/import/"')
        self.assertContains(secretary, 'href="/exams/bank/new/"')
        self.assertContains(secretary, 'href="/exams/bank/template.xlsx"')
        viewer = self.client_for("viewer").get("/exams/bank/")
        self.assertNotContains(viewer, 'href="/exams/bank/new/"')
        self.assertNotContains(viewer, 'href="/exams/bank/import/"')
        self.assertContains(viewer, 'href="/exams/bank/export.xlsx"')

        admin = self.client_for("org_admin")
        judged = admin.get("/exams/bank/", {"kind": "judge"})
        self.assertContains(judged, self.own.stem)
        self.assertNotContains(judged, "单选题0")
        hard = admin.get("/exams/bank/", {"difficulty": 3})
        self.assertContains(hard, "填空题0")
        self.assertNotContains(hard, "判断题0")
        topic = admin.get("/exams/bank/", {"topic": "组织生活"})
        self.assertContains(topic, self.own.stem)
        self.assertNotContains(topic, "单选题0")
        text = admin.get("/exams/bank/", {"q": "四个意识"})
        self.assertContains(text, "多选题0")
        self.assertNotContains(text, "判断题0")
        self.assertContains(admin.get("/exams/bank/", {"retired": "on"}), self.retired.stem)
        nothing = admin.get("/exams/bank/", {"q": "没有这样的题"})
        self.assertEqual(nothing.status_code, 200)
        self.assertNotContains(nothing, "<table")

    @override_settings(PAGE_SIZE=3)
    def test_the_list_is_paginated_and_an_empty_bank_says_so(self) -> None:
        admin = self.client_for("org_admin")
        first = admin.get("/exams/bank/", {"kind": ""})
        self.assertContains(first, "page=2")
        self.assertEqual(len(first.context["page"].object_list), 3)
        second = admin.get("/exams/bank/", {"page": 2})
        self.assertEqual(second.context["page"].number, 2)
        Question.objects.filter(org=self.world.branch).delete()
        empty = self.client_for("secretary").get("/exams/bank/", {"kind": "judge", "topic": "无"})
        self.assertNotContains(empty, "<table")

    def test_add_and_edit_through_the_form_with_bad_input_first(self) -> None:
        w = self.world
        secretary = self.client_for("secretary")
        before = Question.objects.count()
        bad_letter = secretary.post("/exams/bank/new/", question_post(w.branch, answer="E"))
        self.assertEqual(bad_letter.status_code, 400)
        self.assertTrue(bad_letter.context["form"].errors["answer"])
        gap = secretary.post(
            "/exams/bank/new/", question_post(w.branch, option_b="", option_c="改善民生")
        )
        self.assertEqual(gap.status_code, 400)
        one_option = secretary.post("/exams/bank/new/", question_post(w.branch, option_b=""))
        self.assertEqual(one_option.status_code, 400)
        self.assertTrue(one_option.context["form"].errors["option_a"])
        not_mine = secretary.post("/exams/bank/new/", question_post(w.root))
        self.assertEqual(not_mine.status_code, 400)
        self.assertTrue(not_mine.context["form"].errors["org"])
        duplicate = secretary.post(
            "/exams/bank/new/",
            question_post(w.branch, kind="judge", stem=self.own.stem, answer="错"),
        )
        self.assertEqual(duplicate.status_code, 400)
        self.assertEqual(Question.objects.count(), before)

        made = secretary.post("/exams/bank/new/", question_post(w.branch, answer="a"))
        self.assertRedirects(made, "/exams/bank/")
        question = Question.objects.get(stem="党的根本宗旨是什么？")
        self.assertEqual((question.org, question.answer), (w.branch, [0]))
        self.assertEqual(question.options, ["全心全意为人民服务", "发展经济"])
        another = secretary.post(
            "/exams/bank/new/",
            question_post(w.branch, kind="blank", stem="党的最高理想是实现____。", answer="共产主义",
                          another="1"),
        )  # fmt: skip
        self.assertRedirects(another, "/exams/bank/new/")
        self.assertEqual(Question.objects.get(kind="blank", org=w.branch).options, [])

        url = f"/exams/bank/{question.pk}/"
        form = secretary.get(url)
        self.assertContains(form, "全心全意为人民服务")
        self.assertEqual(form.context["form"]["answer"].value(), "A")
        wrong = secretary.post(url, question_post(w.branch, kind="multiple", answer="A"))
        self.assertEqual(wrong.status_code, 400)
        saved = secretary.post(
            url, question_post(w.branch, kind="multiple", answer="AB", option_c="改善民生")
        )
        self.assertRedirects(saved, url)
        question.refresh_from_db()
        self.assertEqual((question.kind, question.answer), ("multiple", [0, 1]))
        self.assertEqual(len(question.options), 3)
        self.assertTrue(AuditEvent.objects.filter(verb="exams.question.update").exists())
        # Read-only for staff who can't manage the owner: no save button.
        shared = self.client_for("secretary").get(f"/exams/bank/{self.shared[0].pk}/")
        self.assertTrue(shared.context["form"].fields["stem"].disabled)
        self.assertFalse(shared.context["can_manage"])

    def test_retire_and_bring_back(self) -> None:
        admin = self.client_for("org_admin")
        question = self.shared[1]
        admin.post(f"/exams/bank/{question.pk}/retire/")
        question.refresh_from_db()
        self.assertTrue(question.retired)
        self.assertNotContains(admin.get("/exams/bank/"), question.stem[:20])
        admin.post(f"/exams/bank/{question.pk}/retire/")
        question.refresh_from_db()
        self.assertFalse(question.retired)
        self.assertEqual(admin.get(f"/exams/bank/{question.pk}/retire/").status_code, 405)

    def test_import_checked_then_confirmed_through_the_pages(self) -> None:
        w = self.world
        secretary = self.client_for("secretary")
        broken = secretary.post(
            "/exams/bank/import/",
            {"org": w.branch.pk,
             "file": SimpleUploadedFile("坏.xlsx", workbook([*good_rows(),
                                        row("单选", "答案不对", ("甲", "乙"), "Z"),
                                        row("判断", "", answer="对")]))},
        )  # fmt: skip
        self.assertEqual(broken.status_code, 400)
        self.assertEqual(broken.context["report"].bad_rows, [6, 7])
        self.assertContains(broken, 'id="import-problems"', status_code=400)
        self.assertNotContains(broken, 'name="token"', status_code=400)
        not_xlsx = secretary.post(
            "/exams/bank/import/",
            {"org": w.branch.pk, "file": SimpleUploadedFile("题库.xlsx", b"a,b,c\n1,2,3\n")},
        )
        self.assertEqual(not_xlsx.status_code, 400)
        self.assertTrue(not_xlsx.context["form"].errors)
        not_mine = secretary.post(
            "/exams/bank/import/",
            {"org": w.root.pk, "file": SimpleUploadedFile("题库.xlsx", workbook(good_rows()))},
        )
        self.assertEqual(not_mine.status_code, 400)
        before = Question.objects.count()

        rows = [*good_rows(), row("判断", self.own.stem, answer="对")]
        checked = secretary.post(
            "/exams/bank/import/",
            {"org": w.branch.pk, "file": SimpleUploadedFile("题库.xlsx", workbook(rows))},
        )
        self.assertEqual(checked.status_code, 200)
        report = checked.context["report"]
        self.assertEqual((report.to_create, len(report.duplicates)), (4, 1))
        self.assertContains(checked, 'id="import-duplicates"')
        token = checked.context["token"]
        self.assertTrue(token)
        self.assertEqual(Question.objects.count(), before)  # a check writes nothing
        stored = list((Path(settings.MEDIA_ROOT) / "imports" / "questions").glob("*.xlsx"))
        self.assertEqual(len(stored), 1)

        # Someone else can't confirm the secretary's file; a forged token is refused.
        stolen = self.client_for("org_admin").post("/exams/bank/import/", {"token": token})
        self.assertEqual(stolen.status_code, 400)
        forged = secretary.post("/exams/bank/import/", {"token": token[:-2] + "xx"})
        self.assertEqual(forged.status_code, 400)
        self.assertEqual(Question.objects.count(), before)
        viewer = self.client_for("viewer").post("/exams/bank/import/", {"token": token})
        self.assertEqual(viewer.status_code, 403)

        done = secretary.post("/exams/bank/import/", {"token": token})
        self.assertRedirects(done, "/exams/bank/")
        self.assertEqual(Question.objects.count(), before + 4)
        self.assertEqual(Question.objects.filter(org=w.branch).count(), 5)
        self.assertFalse(stored[0].exists())
        event = AuditEvent.objects.get(verb="exams.question.import")
        self.assertEqual(event.after, {"created": 4, "duplicates": 1})
        again = secretary.post("/exams/bank/import/", {"token": token})
        self.assertEqual(again.status_code, 400)  # the file is gone: nothing imported twice
        self.assertEqual(Question.objects.count(), before + 4)

    def test_export_and_template_downloads(self) -> None:
        question_create(
            actor=self.user("org_admin"),
            org=self.world.root,
            data={"kind": "judge", "stem": "=1+1 等于 2。", "answer": "对"},
        )
        response = self.client_for("org_admin").get("/exams/bank/export.xlsx")
        self.assertEqual(response["Content-Type"], XLSX)
        today = f"{timezone.localdate():%Y%m%d}"
        self.assertEqual(
            download_names(response),
            (f"question-bank-{today}.xlsx", f"题库-测试县直机关工委-{today}.xlsx"),
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        headers = check_printable_ledger(
            sheet, title="测试县直机关工委题库（含答案）", orientation="landscape", freeze="C4"
        )
        self.assertEqual(headers, [*TEMPLATE_HEADERS, "所属组织", "已停用"])
        rows = ledger_rows(sheet)
        stems = {r[1] for r in rows[1:]}
        self.assertIn("=1+1 等于 2。", stems)  # as typed, a text cell
        typed = next(
            row[1] for row in sheet.iter_rows(min_row=4) if row[1].value == "=1+1 等于 2。"
        )
        self.assertEqual((typed.data_type, typed.quotePrefix), ("s", True))  # no apostrophe
        self.assertIn(self.own.stem, stems)
        self.assertNotIn(self.retired.stem, stems)
        # The other branch's secretary uses the shared questions but exports none of their
        # keys: only questions of the orgs they manage (none here).
        other = self.client_for("other_secretary").get("/exams/bank/export.xlsx")
        other_sheet = load_workbook(io.BytesIO(other.content)).active
        assert other_sheet is not None
        self.assertEqual(len(ledger_rows(other_sheet)), 1)
        judged = self.client_for("org_admin").get("/exams/bank/export.xlsx", {"kind": "judge"})
        judged_sheet = load_workbook(io.BytesIO(judged.content)).active
        assert judged_sheet is not None
        judged_rows = ledger_rows(judged_sheet)[1:]
        kinds = {r[0] for r in judged_rows}
        self.assertEqual(kinds, {"判断"})
        # Every export is in the audit trail with its filters and what it held.
        events = list(AuditEvent.objects.filter(verb="exams.question.bank_export").order_by("id"))
        self.assertEqual(len(events), 3)
        self.assertEqual(events[0].after["rows"], len(rows) - 1)
        self.assertEqual(events[1].after["rows"], 0)
        self.assertEqual(events[2].after["rows"], len(judged_rows))
        self.assertEqual(events[2].after["filters"]["kind"], "judge")
        self.assertEqual(events[2].actor_id, self.user("org_admin").pk)
        template = self.client_for("secretary").get("/exams/bank/template.xlsx")
        self.assertEqual(template["Content-Type"], XLSX)
        self.assertEqual(download_names(template), ("question-template.xlsx", "题库导入模板.xlsx"))
        book = load_workbook(io.BytesIO(template.content))
        self.assertEqual(book.sheetnames, ["题目", "说明"])
        # The headers stay in row 1 (what the import and the 说明 sheet name), printable on A4.
        first = book["题目"]
        self.assertEqual([c.value for c in first[1]], list(TEMPLATE_HEADERS))
        self.assertTrue(all(c.font.bold for c in first[1]))
        self.assertEqual(first.print_title_rows, "$1:$1")
        self.assertEqual(first.freeze_panes, "B2")
        for sheet_name, orientation in (("题目", "landscape"), ("说明", "portrait")):
            setup = book[sheet_name].page_setup
            self.assertEqual(str(setup.paperSize), "9")
            self.assertEqual(setup.orientation, orientation)
            self.assertEqual(int(setup.fitToWidth), 1)
        widths = [first.column_dimensions[c].width for c in "ABCKLMN"]
        self.assertEqual(widths, [8, 48, 14, 12, 16, 8, 36])

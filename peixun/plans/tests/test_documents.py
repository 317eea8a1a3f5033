"""The 报备文件 as a 上行文: red issuer, 主送机关 the org above, a title on one line, headings
numbered from 一、 over the sections present, item prose and a figures table whose columns hold
their numbers on one line, the filing date (never today), 附件说明; its PDF twin says the same;
the downloads are named in Chinese with an ASCII fallback; bad formats are refused."""

from __future__ import annotations

import datetime as dt
import io
import re

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from docx import Document
from docx.shared import Pt
from pypdf import PdfReader

from peixun.core.docxstyle import RED
from peixun.core.models import AuditEvent
from peixun.testing import PersonaTestCase

from ..models import TrainingPlan
from ..services import attachment_add, item_add, plan_approve, plan_submit, plan_update
from .fixtures import YEAR, branch_plan, item_fields

READERS_API = {
    "anonymous": 401,
    "member": 404,
    "secretary": 200,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}
READERS = {**READERS_API, "anonymous": 302}
TITLE = f"关于报送{YEAR}年度党员教育培训计划的报告"


def paragraphs(content: bytes) -> list[str]:
    return [p.text for p in Document(io.BytesIO(content)).paragraphs]


def pdf_text(content: bytes) -> str:
    """The PDF's text without the spaces and NULs pypdf puts between CJK characters."""
    pages = PdfReader(io.BytesIO(content)).pages
    return re.sub(r"[\s\x00]+", "", "".join(page.extract_text() for page in pages))


class FilingDocumentTests(PersonaTestCase):
    def filed_plan(self, *, summary: str = "") -> TrainingPlan:
        w = self.world
        secretary = w.users["secretary"]
        plan, _items = branch_plan(w)
        item_add(
            actor=secretary,
            plan=plan,
            **item_fields(
                w, content="专题党课", planned_classes=0, planned_meetings=4, budget="12345.5",
                planned_hours="12.5", deadline=dt.date(YEAR, 12, 31),
            ),
        )  # fmt: skip
        if summary:
            plan_update(actor=secretary, plan=plan, summary=summary)
        attachment_add(
            actor=secretary, plan=plan, file=SimpleUploadedFile("培训方案.docx", b"PK\x03\x04x")
        )
        plan_submit(actor=secretary, plan=plan)
        # Filed on a day long past: the document carries that day, not the day it is printed.
        filed = dt.datetime(YEAR, 3, 2, 10, 0, tzinfo=timezone.get_current_timezone())
        TrainingPlan.objects.filter(pk=plan.pk).update(submitted_at=filed)
        plan.refresh_from_db()
        return plan

    def test_an_upward_report_to_the_org_above(self) -> None:
        plan = self.filed_plan()
        response = self.client_for("secretary").get(f"/plans/{plan.pk}/document.docx")
        document = Document(io.BytesIO(response.content))
        text = [p.text for p in document.paragraphs]
        # The red 发文机关标志 is the filing org; the title reads as a 上行文's; the 主送机关 is
        # the org the plan is filed to.
        issuer = next(p for p in document.paragraphs if p.text == "第一党支部")
        self.assertTrue(all(run.font.color.rgb == RED for run in issuer.runs if run.text))
        self.assertIn(TITLE, text)
        self.assertLess(len(TITLE), 22)  # one line of the 小标宋 title: nothing left for line 2
        self.assertIn("测试局机关党委：", text)
        self.assertLess(text.index(TITLE), text.index("测试局机关党委："))
        # No summary: the headings still start at 一、 and count on from there.
        headings = [t for t in text if re.match(r"^[一二三四五六七八九十]、", t)]
        self.assertEqual(headings, ["一、培训项目", "二、计划指标"])
        self.assertIn("（一）学习贯彻党的二十届四中全会精神专题轮训", text)
        self.assertIn("（二）专题党课", text)
        self.assertIn(
            f"培训对象：全体党员。达到标准：党员参训率达到95%以上。责任单位：第一党支部。"
            f"完成时限：{YEAR}年6月30日前。",
            text,
        )
        self.assertIn("附件：培训方案.docx", text)
        # 落款 and 成文日期: the filing org on the day it filed, not today.
        self.assertIn(f"{YEAR}年3月2日", text)
        today = timezone.localdate()
        self.assertNotIn(f"{today.year}年{today.month}月{today.day}日", text)
        self.assertEqual(text.count("第一党支部"), 2)  # the issuer and the 落款
        self.assertEqual(document.core_properties.author, "第一党支部")

    def test_the_figures_table_holds_each_number_on_one_line(self) -> None:
        plan = self.filed_plan()
        content = self.client_for("secretary").get(f"/plans/{plan.pk}/document.docx").content
        (table,) = Document(io.BytesIO(content)).tables
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        self.assertEqual(
            rows[0], ["序号", "培训项目", "班次", "会次", "学时", "参训人数", "经费（元）"]
        )
        self.assertEqual(rows[2], ["2", "专题党课", "0", "4", "12.5", "2", "12,345.50"])
        self.assertEqual(rows[3], ["合计", "", "1", "6", "20.5", "4", "15,345.50"])
        # Every figure fits its column on one line: a column is at least as wide as its widest
        # number at 五号 (a digit about half an em) and the long text gets the widest column.
        widths = [column.width for column in table.columns]
        for index in (2, 3, 4, 5, 6):
            widest = max(len(row[index]) for row in rows[1:])
            self.assertGreaterEqual(widths[index], Pt(10.5 * 0.55 * widest), rows[0][index])
        self.assertEqual(max(widths), widths[1])

    def test_a_summary_comes_first_as_一_and_a_decision_is_told(self) -> None:
        plan = self.filed_plan(summary="围绕学习贯彻党的创新理论\n分层分类开展培训")
        plan_approve(actor=self.world.users["org_admin"], plan=plan)
        text = paragraphs(self.client_for("viewer").get(f"/plans/{plan.pk}/document.docx").content)
        headings = [t for t in text if re.match(r"^[一二三四五六七八九十]、", t)]
        self.assertEqual(headings, ["一、总体安排", "二、培训项目", "三、计划指标", "四、审批情况"])
        self.assertIn("分层分类开展培训", text)
        self.assertTrue(any("经测试局机关党委审批同意" in t for t in text))

    def test_a_draft_carries_no_date(self) -> None:
        plan, _items = branch_plan(self.world)
        text = paragraphs(
            self.client_for("secretary").get(f"/plans/{plan.pk}/document.docx").content
        )
        self.assertIn("（本计划为草稿，尚未报送。）", text)
        self.assertFalse(any(re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", t) for t in text))

    def test_pdf_twin_says_the_same_and_names_are_chinese(self) -> None:
        plan = self.filed_plan()
        self.expect_personas(f"/plans/{plan.pk}/document.pdf", READERS)
        self.expect_personas(f"/api/v1/plans/{plan.pk}/document?format=pdf", READERS_API)
        response = self.client_for("secretary").get(f"/plans/{plan.pk}/document.pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = pdf_text(response.content)
        for said in (TITLE, "测试局机关党委：", "一、培训项目", "（二）专题党课", "12,345.50",
                     "附件：培训方案.docx", f"{YEAR}年3月2日"):  # fmt: skip
            self.assertIn(said, text)
        disposition = response["Content-Disposition"]
        self.assertIn(f'filename="plan-T010101-{YEAR}.pdf"', disposition)
        self.assertIn("filename*=UTF-8''", disposition)
        self.assertIn("%E6%8A%A5%E5%A4%87%E6%96%87%E4%BB%B6.pdf", disposition)  # 报备文件.pdf
        api = self.client_for("org_admin").get(f"/api/v1/plans/{plan.pk}/document")
        self.assertIn(f'filename="plan-T010101-{YEAR}.docx"', api["Content-Disposition"])
        formats = AuditEvent.objects.filter(verb="plan.document_export").values_list(
            "after__format", flat=True
        )
        self.assertEqual(set(formats), {"pdf", "docx"})

    def test_unknown_formats_are_refused(self) -> None:
        plan, _items = branch_plan(self.world)
        secretary = self.client_for("secretary")
        for ending in ("xlsx", "doc", "PDF", "pdf.exe"):
            self.assertEqual(secretary.get(f"/plans/{plan.pk}/document.{ending}").status_code, 404)
        self.assertEqual(
            secretary.get(f"/api/v1/plans/{plan.pk}/document?format=xlsx").status_code, 422
        )
        # Another branch's plan stays out of sight whatever the format.
        other = self.client_for("other_secretary")
        self.assertEqual(other.get(f"/plans/{plan.pk}/document.xlsx").status_code, 404)
        self.assertFalse(AuditEvent.objects.filter(verb="plan.document_export").exists())

    def test_attachment_download_keeps_its_chinese_name(self) -> None:
        plan = self.filed_plan()
        attachment = plan.attachments.get()
        response = self.client_for("viewer").get(f"/plans/{plan.pk}/attachments/{attachment.pk}/")
        disposition = response["Content-Disposition"]
        self.assertIn(f'filename="plan-{plan.pk}-attachment-{attachment.pk}.docx"', disposition)
        self.assertIn("filename*=UTF-8''%E5%9F%B9%E8%AE%AD%E6%96%B9%E6%A1%88.docx", disposition)

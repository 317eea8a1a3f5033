"""Plan pages for every persona, the main journey through them, and bad input."""

from __future__ import annotations

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from docx import Document
from openpyxl import load_workbook

from peixun.core.models import AuditEvent
from peixun.testing import PersonaTestCase, ledger_rows

from ..models import PlanItem, TrainingPlan
from ..services import plan_submit
from .fixtures import YEAR, branch_plan

READERS = {
    "anonymous": 302,
    "member": 404,
    "secretary": 200,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}


class PlanPageTests(PersonaTestCase):
    def test_list_and_detail_personas(self) -> None:
        plan, _ = branch_plan(self.world)
        self.expect_personas(
            f"/plans/?year={YEAR}",
            {**READERS, "other_secretary": 200},
        )
        self.expect_personas(f"/plans/{plan.pk}/", READERS)
        self.expect_personas(f"/plans/{plan.pk}/progress/", READERS)
        self.expect_personas(f"/plans/{plan.pk}/document.docx", READERS)
        self.expect_personas(f"/plans/{plan.pk}/document.pdf", READERS)
        listed = self.client_for("other_secretary").get(f"/plans/?year={YEAR}")
        self.assertNotContains(listed, plan.title)
        page = self.client_for("secretary").get(f"/plans/{plan.pk}/")
        self.assertContains(page, "学习贯彻党的二十届四中全会精神专题轮训")
        self.assertContains(page, "报送上级")
        viewer = self.client_for("viewer").get(f"/plans/{plan.pk}/")
        self.assertNotContains(viewer, "报送上级")

    def test_create_add_item_submit_return_and_approve_through_the_pages(self) -> None:
        w = self.world
        secretary = self.client_for("secretary")
        bad = secretary.post("/plans/", {"org": w.branch.pk, "year": YEAR, "title": ""})
        self.assertEqual(bad.status_code, 400)
        self.assertFalse(TrainingPlan.objects.exists())
        made = secretary.post(
            "/plans/", {"org": w.branch.pk, "year": YEAR, "title": "2026年培训计划"}
        )
        plan = TrainingPlan.objects.get()
        self.assertRedirects(made, f"/plans/{plan.pk}/")
        item = {
            "content": "主题党日专题学习", "audience": "全体党员", "standard": "全员参加",
            "responsible_org": w.branch.pk, "deadline": f"{YEAR}-12-31", "planned_classes": 0,
            "planned_meetings": 12, "planned_hours": "24", "planned_people": 2, "budget": "0",
        }  # fmt: skip
        wrong = secretary.post(
            f"/plans/{plan.pk}/items/new/", {**item, "deadline": f"{YEAR + 1}-01-31"}
        )
        self.assertEqual(wrong.status_code, 400)
        self.assertContains(wrong, str(YEAR), status_code=400)
        self.assertFalse(PlanItem.objects.exists())
        secretary.post(f"/plans/{plan.pk}/items/new/", item)
        self.assertEqual(plan.items.count(), 1)
        self.expect_personas(
            f"/plans/{plan.pk}/submit/",
            {
                "anonymous": 302,
                "member": 404,
                "other_secretary": 404,
                "viewer": 403,
                "secretary": 302,
                "org_admin": 302,
            },
            method="post",
        )
        plan.refresh_from_db()
        self.assertEqual((plan.state, plan.version), ("submitted", 1))
        self.expect_personas(
            f"/plans/{plan.pk}/return/",
            {
                "anonymous": 302,
                "member": 404,
                "other_secretary": 404,
                "viewer": 403,
                "secretary": 403,
                "org_admin": 302,
            },
            method="post",
            data={"reason": "请细化达标要求"},
        )
        plan.refresh_from_db()
        self.assertEqual((plan.state, plan.return_reason), ("returned", "请细化达标要求"))
        page = secretary.get(f"/plans/{plan.pk}/")
        self.assertContains(page, "请细化达标要求")
        secretary.post(f"/plans/{plan.pk}/submit/")
        approved = self.client_for("org_admin").post(f"/plans/{plan.pk}/approve/", follow=True)
        self.assertContains(approved, "已审批")
        plan.refresh_from_db()
        self.assertEqual((plan.state, plan.version), ("approved", 2))
        version = secretary.get(f"/plans/{plan.pk}/versions/1/")
        self.assertContains(version, "请细化达标要求")
        document = Document(io.BytesIO(secretary.get(f"/plans/{plan.pk}/document.docx").content))
        text = "\n".join(p.text for p in document.paragraphs) + "".join(
            c.text for t in document.tables for r in t.rows for c in r.cells
        )
        self.assertIn("《2026年培训计划》（第2次报送）", text)
        self.assertIn("主题党日专题学习", text)
        event = AuditEvent.objects.get(verb="plan.document_export")
        self.assertEqual((event.object_id, event.org_id), (str(plan.pk), plan.org_id))
        self.assertEqual(event.actor_id, w.users["secretary"].pk)
        self.assertEqual(
            event.after,
            {"year": plan.year, "version": 2, "items": plan.items.count(), "format": "docx"},
        )

    def test_filings_overview_remind_and_export(self) -> None:
        w = self.world
        plan, _ = branch_plan(w)
        plan_submit(actor=w.users["secretary"], plan=plan)
        url = f"/plans/filings/?org={w.unit.pk}&year={YEAR}"
        self.expect_personas(url, {**READERS, "secretary": 404})
        page = self.client_for("org_admin").get(url)
        self.assertContains(page, "第一党支部")
        self.assertContains(page, "第二党支部")
        self.assertContains(page, "未报备")
        workbook = load_workbook(
            io.BytesIO(
                self.client_for("viewer")
                .get(f"/plans/filings.xlsx?org={w.unit.pk}&year={YEAR}")
                .content
            )
        )
        sheet = workbook.active
        header, *rows, totals = ledger_rows(sheet)
        self.assertEqual(
            header,
            ("序号", "党组织", "报备状态", "报送次数", "最近报送时间", "审批或退回时间",
             "退回理由", "计划名称"),
        )  # fmt: skip
        self.assertEqual(
            [r[:3] for r in rows], [(1, "第一党支部", "已报备"), (2, "第二党支部", "未报备")]
        )
        self.assertIsInstance(rows[0][4], dt.datetime)  # a date cell, not text
        self.assertEqual(totals[:3], ("合计", "2个党组织", "已报备1，未报备1"))
        self.assertIn(f"期间：{YEAR}年1月1日至{YEAR}年12月31日", sheet["A2"].value)
        self.assertEqual(sheet.print_title_rows, "$3:$3")
        self.assertEqual(str(sheet.page_setup.paperSize), "9")
        # The title names where the org sits; the download is in the audit trail.
        self.assertTrue(workbook.active["A1"].value.startswith("测试县直机关工委 › 测试局机关党委"))
        event = AuditEvent.objects.get(verb="plan.filings_export")
        after = event.after or {}
        self.assertEqual((event.object_id, event.actor_id), (str(w.unit.pk), w.users["viewer"].pk))
        self.assertEqual(after["year"], YEAR)
        self.assertEqual(after["rows"], 2)
        self.assertEqual(after["states"]["submitted"], 1)
        self.assertEqual(after["states"]["none"], 1)
        self.assertEqual(
            self.client_for("viewer")
            .post("/plans/filings/", {"org": w.unit.pk, "year": YEAR})
            .status_code,
            403,
        )
        reminded = self.client_for("org_admin").post(
            "/plans/filings/", {"org": w.unit.pk, "year": YEAR}, follow=True
        )
        self.assertContains(reminded, "1")

    def test_attachment_upload_and_download(self) -> None:
        plan, _ = branch_plan(self.world)
        client = self.client_for("secretary")
        client.post(f"/plans/{plan.pk}/attachments/", {"file": SimpleUploadedFile("x.exe", b"MZ")})
        self.assertFalse(plan.attachments.exists())
        client.post(
            f"/plans/{plan.pk}/attachments/",
            {"file": SimpleUploadedFile("方案.pdf", b"%PDF-1.4 x")},
        )
        attachment = plan.attachments.get()
        self.expect_personas(f"/plans/{plan.pk}/attachments/{attachment.pk}/", READERS)


class RemainingRoutePersonaTests(PersonaTestCase):
    """Every other plan page and API route, for every persona."""

    def test_item_version_attachment_and_export_routes(self) -> None:
        w = self.world
        plan, (item,) = branch_plan(w)
        write = {
            "anonymous": 302,
            "member": 404,
            "secretary": 200,
            "other_secretary": 404,
            "org_admin": 200,
            "viewer": 403,
        }
        self.expect_personas(f"/plans/{plan.pk}/items/{item.pk}/", write)
        self.expect_personas(
            f"/plans/{plan.pk}/items/new/",
            {**write, "secretary": 400, "org_admin": 400},
            method="post",
            data={"content": ""},
        )
        self.expect_personas(
            f"/plans/{plan.pk}/attachments/",
            {**write, "secretary": 302, "org_admin": 302},
            method="post",
        )  # no file: a manager is told why; nothing stored
        self.assertFalse(plan.attachments.exists())
        self.expect_personas(
            f"/plans/filings.xlsx?org={w.unit.pk}&year={YEAR}",
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        plan_submit(actor=w.users["secretary"], plan=plan)
        self.expect_personas(f"/plans/{plan.pk}/versions/1/", READERS)
        self.expect_personas(
            f"/plans/{plan.pk}/items/{item.pk}/delete/",
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 302,
                "other_secretary": 404,
                "org_admin": 302,
                "viewer": 403,
            },
            method="post",
        )
        self.assertTrue(PlanItem.objects.filter(pk=item.pk).exists())  # submitted: not removable
        self.expect_personas(
            f"/plans/{plan.pk}/approve/",
            {
                "anonymous": 302,
                "member": 404,
                "other_secretary": 404,
                "viewer": 403,
                "secretary": 403,
                "org_admin": 302,
            },
            method="post",
        )
        plan.refresh_from_db()
        self.assertEqual(plan.state, "approved")

    def test_api_write_routes(self) -> None:
        import json

        w = self.world
        plan, (item,) = branch_plan(w)
        api = f"/api/v1/plans/{plan.pk}"

        def body(data: dict) -> dict:  # type: ignore[type-arg]
            return {"data": json.dumps(data), "content_type": "application/json"}

        write = {
            "anonymous": 401,
            "member": 404,
            "other_secretary": 404,
            "viewer": 403,
            "secretary": 200,
            "org_admin": 200,
        }
        self.expect_personas(api, write, method="patch", **body({"title": "新名称"}))
        self.expect_personas(
            f"{api}/items/{item.pk}", write, method="patch", **body({"budget": "10"})
        )
        self.assertEqual(PlanItem.objects.get(pk=item.pk).budget, 10)
        self.expect_personas(
            f"{api}/items/{item.pk}", {**write, "secretary": 204, "org_admin": 404}, method="delete"
        )
        self.assertFalse(PlanItem.objects.filter(pk=item.pk).exists())

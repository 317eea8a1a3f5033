"""Routes for marking items done, attachments and single items or versions, on pages and the API,
for every persona; bad input through the API stores nothing; pages show figures from the data;
the plan list costs the same queries however many plans it shows."""

from __future__ import annotations

import io
import json
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from docx import Document

from peixun.events.tests.fixtures import add_session, enrol, make_class
from peixun.testing import PersonaTestCase, make_org, make_user
from peixun.training.models import TrainingClass

from ..models import PlanAttachment, PlanItem, TrainingPlan
from ..services import attachment_add, plan_approve, plan_create, plan_return, plan_submit
from .fixtures import YEAR, branch_plan

API = "/api/v1/plans/"
READ = {
    "anonymous": 401,
    "member": 404,
    "secretary": 200,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}
PAGE_WRITE = {
    "anonymous": 302,
    "member": 404,
    "secretary": 302,
    "other_secretary": 404,
    "org_admin": 302,
    "viewer": 403,
}


def body(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(data, default=str), "content_type": "application/json"}


class DoneAndAttachmentPageTests(PersonaTestCase):
    def test_mark_done_page_route(self) -> None:
        plan, (item,) = branch_plan(self.world)
        self.expect_personas(f"/plans/{plan.pk}/items/{item.pk}/done/", PAGE_WRITE, method="post")
        item.refresh_from_db()
        self.assertIsNotNone(item.done_at)
        page = self.client_for("secretary").get(f"/plans/{plan.pk}/progress/")
        self.assertContains(page, "100%")
        self.client_for("secretary").post(f"/plans/{plan.pk}/items/{item.pk}/done/", {"done": "0"})
        item.refresh_from_db()
        self.assertIsNone(item.done_at)
        self.assertEqual(
            self.client_for("secretary").get(f"/plans/{plan.pk}/items/{item.pk}/done/").status_code,
            405,
        )

    def test_attachment_delete_page_route(self) -> None:
        w = self.world
        plan, _ = branch_plan(w)
        secretary = w.users["secretary"]
        url = f"/plans/{plan.pk}/attachments/%s/delete/"
        first = attachment_add(actor=secretary, plan=plan, file=SimpleUploadedFile("a.pdf", b"%P"))
        for persona in ("anonymous", "member", "other_secretary", "viewer"):
            expected = {"anonymous": 302, "member": 404, "other_secretary": 404, "viewer": 403}
            got = self.client_for(persona).post(url % first.pk).status_code
            self.assertEqual(got, expected[persona], persona)
        self.assertTrue(PlanAttachment.objects.filter(pk=first.pk).exists())
        self.assertEqual(self.client_for("secretary").post(url % first.pk).status_code, 302)
        second = attachment_add(actor=secretary, plan=plan, file=SimpleUploadedFile("b.pdf", b"%P"))
        self.assertEqual(self.client_for("org_admin").post(url % second.pk).status_code, 302)
        self.assertFalse(PlanAttachment.objects.exists())
        kept = attachment_add(actor=secretary, plan=plan, file=SimpleUploadedFile("c.pdf", b"%P"))
        plan_submit(actor=secretary, plan=plan)
        refused = self.client_for("secretary").post(url % kept.pk, follow=True)
        self.assertContains(refused, "退回")
        self.assertTrue(PlanAttachment.objects.filter(pk=kept.pk).exists())


class FiguresFromDataTests(PersonaTestCase):
    def test_progress_page_and_document_show_the_records(self) -> None:
        w = self.world
        plan, (item,) = branch_plan(w)
        done = make_class(w.branch, title="结班", plan_item=item, state=TrainingClass.State.CLOSED)
        add_session(done, hours="3.5")
        enrol(done, w.member)
        page = self.client_for("viewer").get(f"/plans/{plan.pk}/progress/")
        self.assertContains(page, "3.50 / 8")  # hours delivered / planned
        self.assertContains(page, "1 / 2")  # trainees / planned
        self.assertNotContains(page, "标记完成")  # a viewer cannot mark items done
        self.assertContains(
            self.client_for("secretary").get(f"/plans/{plan.pk}/progress/"), "标记完成"
        )
        plan_submit(actor=w.users["secretary"], plan=plan)
        plan_approve(actor=w.users["org_admin"], plan=plan)
        document = Document(
            io.BytesIO(self.client_for("secretary").get(f"/plans/{plan.pk}/document.docx").content)
        )
        text = "\n".join(p.text for p in document.paragraphs)
        cells = [c.text for r in document.tables[0].rows for c in r.cells]
        self.assertIn("第一党支部", text)
        self.assertIn(str(YEAR), text)
        self.assertIn("三、审批情况", text)
        self.assertIn("经测试局机关党委审批同意", text)
        self.assertIn("达到标准：党员参训率达到95%以上。", text)
        self.assertEqual(cells[7:], ["1", item.content, "1", "2", "8", "2", "3,000.00"])

    def test_returned_plan_shows_its_reason_on_the_page_and_in_the_document(self) -> None:
        w = self.world
        plan, _ = branch_plan(w)
        plan_submit(actor=w.users["secretary"], plan=plan)
        plan_return(actor=w.users["org_admin"], plan=plan, reason="请补充<b>预算</b>")
        page = self.client_for("secretary").get(f"/plans/{plan.pk}/")
        self.assertContains(page, "请补充&lt;b&gt;预算&lt;/b&gt;")
        self.assertNotContains(page, "请补充<b>")
        document = Document(
            io.BytesIO(self.client_for("secretary").get(f"/plans/{plan.pk}/document.docx").content)
        )
        self.assertIn("请补充<b>预算</b>", "\n".join(p.text for p in document.paragraphs))

    def test_plan_list_queries_do_not_grow(self) -> None:
        w = self.world
        admin = w.users["org_admin"]
        client = self.client_for("org_admin")

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                self.assertEqual(client.get(f"/plans/?year={YEAR}").status_code, 200)
            return len(captured)

        branch_plan(w)
        few = queries()
        for n in range(4):
            org = make_org(w.far_unit, f"T01020{n + 2}", f"远支部{n}", "branch")
            plan_create(actor=admin, org=org, year=YEAR, title=f"计划{n}")
        self.assertEqual(queries(), few)
        self.assertEqual(TrainingPlan.objects.count(), 5)


class MoreApiRouteTests(PersonaTestCase):
    def test_read_routes(self) -> None:
        w = self.world
        plan, (item,) = branch_plan(w)
        attachment = attachment_add(
            actor=w.users["secretary"], plan=plan, file=SimpleUploadedFile("计划.pdf", b"%PDF")
        )
        plan_submit(actor=w.users["secretary"], plan=plan)
        for suffix in (
            f"/items/{item.pk}",
            "/versions/1",
            "/attachments",
            f"/attachments/{attachment.pk}",
        ):
            self.expect_personas(f"{API}{plan.pk}{suffix}", READ)
        self.assertContains(
            self.client_for("viewer").get(f"/plans/{plan.pk}/versions/1/"), "计划.pdf"
        )
        version = self.client_for("viewer").get(f"{API}{plan.pk}/versions/1").json()
        self.assertEqual(version["snapshot"]["attachments"], ["计划.pdf"])
        self.assertEqual(
            self.client_for("viewer").get(f"{API}{plan.pk}/versions/2").status_code, 404
        )
        other_item = branch_plan_other(self)
        self.assertEqual(
            self.client_for("secretary").get(f"{API}{plan.pk}/items/{other_item.pk}").status_code,
            404,
        )

    def test_done_and_attachment_write_routes(self) -> None:
        w = self.world
        plan, (item,) = branch_plan(w)
        write = {
            "anonymous": 401,
            "member": 404,
            "other_secretary": 404,
            "viewer": 403,
            "secretary": 200,
            "org_admin": 200,
        }
        self.expect_personas(
            f"{API}{plan.pk}/items/{item.pk}/done", write, method="post", **body({"done": True})
        )
        marked = self.client_for("secretary").get(f"{API}{plan.pk}/progress").json()
        self.assertEqual([(r["marked_done"], r["percent"]) for r in marked["items"]], [(True, 100)])
        for persona, status in {**write, "secretary": 201, "org_admin": 201}.items():
            upload = SimpleUploadedFile(f"{persona}.docx", b"PK\x03\x04")
            got = self.client_for(persona).post(f"{API}{plan.pk}/attachments", {"file": upload})
            self.assertEqual(got.status_code, status, persona)
        self.assertEqual(
            sorted(PlanAttachment.objects.values_list("name", flat=True)),
            ["org_admin.docx", "secretary.docx"],
        )
        bad = self.client_for("secretary").post(
            f"{API}{plan.pk}/attachments", {"file": SimpleUploadedFile("x.html", b"<script>")}
        )
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(PlanAttachment.objects.count(), 2)
        first, second = PlanAttachment.objects.order_by("id")
        self.expect_personas(
            f"{API}{plan.pk}/attachments/{first.pk}",
            {**write, "secretary": 204, "org_admin": 404},
            method="delete",
        )
        self.assertEqual(list(PlanAttachment.objects.all()), [second])


def branch_plan_other(case: PersonaTestCase) -> PlanItem:
    """An item of the other branch's plan, for cross-plan lookups."""
    from ..services import item_add
    from .fixtures import item_fields

    w = case.world
    plan = plan_create(
        actor=w.users["other_secretary"], org=w.other_branch, year=YEAR, title="二支部"
    )
    return item_add(
        actor=w.users["other_secretary"],
        plan=plan,
        **item_fields(w, responsible_org=w.other_branch),
    )


class ApiBadInputTests(PersonaTestCase):
    def test_bad_plans_and_items_store_nothing(self) -> None:
        w = self.world
        secretary = self.client_for("secretary")
        for data, field in (
            ({"org": w.branch.pk, "year": 1999, "title": "计划"}, "year"),
            ({"org": w.branch.pk, "year": YEAR, "title": "  "}, "title"),
            ({"org": w.far_branch.pk, "year": YEAR, "title": "计划"}, None),
        ):
            response = secretary.post(API, **body(data))
            self.assertIn(response.status_code, (404, 422), data)
            if field:
                self.assertEqual(response.status_code, 422)
                self.assertIn(field, json.dumps(response.json()))
        self.assertFalse(TrainingPlan.objects.exists())
        plan, _ = branch_plan(w, items=0)
        item = {"content": "党课", "responsible_org": w.branch.pk, "deadline": f"{YEAR}-05-01"}
        for bad in (
            {"planned_hours": "-1"},
            {"budget": "-0.01"},
            {"deadline": f"{YEAR + 1}-01-01"},
            {"content": ""},
            {"responsible_org": w.unit.pk},
            {"deadline": "明天"},
        ):
            response = secretary.post(f"{API}{plan.pk}/items", **body({**item, **bad}))
            self.assertEqual(response.status_code, 422, bad)
        self.assertFalse(PlanItem.objects.exists())

    def test_submitted_twice_and_decided_by_the_wrong_org(self) -> None:
        w = self.world
        plan, _ = branch_plan(w)
        secretary = self.client_for("secretary")
        self.assertEqual(secretary.post(f"{API}{plan.pk}/submit").status_code, 200)
        again = secretary.post(f"{API}{plan.pk}/submit")
        self.assertEqual(again.status_code, 422)
        self.assertIn("不能重复报备", json.dumps(again.json(), ensure_ascii=False))
        far_admin = make_user("far_admin", role="org_admin", org=w.far_unit)
        far = self.client_for("anonymous")
        far.force_login(far_admin)
        self.assertEqual(far.post(f"{API}{plan.pk}/approve").status_code, 404)
        self.assertEqual(secretary.post(f"{API}{plan.pk}/approve").status_code, 403)
        self.assertEqual(
            secretary.post(f"{API}{plan.pk}/return", **body({"reason": "自己退回"})).status_code,
            403,
        )
        plan.refresh_from_db()
        self.assertEqual((plan.state, plan.version), ("submitted", 1))
        self.assertEqual(plan.versions.get().decision, "pending")


class FilingsPageDecisionTests(PersonaTestCase):
    def test_approve_and_return_from_the_overview(self) -> None:
        w = self.world
        plan, _ = branch_plan(w)
        plan_submit(actor=w.users["secretary"], plan=plan)
        overview = f"/plans/filings/?org={w.unit.pk}&year={YEAR}"
        admin = self.client_for("org_admin")
        page = admin.get(overview)
        self.assertContains(page, f'action="/plans/{plan.pk}/approve/"')
        self.assertContains(page, f'action="/plans/{plan.pk}/return/"')
        self.assertNotContains(self.client_for("viewer").get(overview), "/approve/")
        empty = admin.post(f"/plans/{plan.pk}/return/", {"reason": " ", "next": overview})
        self.assertRedirects(empty, overview)
        plan.refresh_from_db()
        self.assertEqual(plan.state, "submitted")
        returned = admin.post(
            f"/plans/{plan.pk}/return/", {"reason": "请补充", "next": overview}, follow=True
        )
        self.assertContains(returned, "已退回")
        plan.refresh_from_db()
        self.assertEqual((plan.state, plan.return_reason), ("returned", "请补充"))
        plan_submit(actor=w.users["secretary"], plan=plan)
        outside = admin.post(f"/plans/{plan.pk}/approve/", {"next": "https://evil.example/"})
        self.assertRedirects(outside, f"/plans/{plan.pk}/")
        plan.refresh_from_db()
        self.assertEqual((plan.state, plan.version), ("approved", 2))

"""The report pages and API for every persona: the list, the editor (figures recomputed, the
user's text kept apart), the downloads; bad input stores nothing; every write is audited."""

from __future__ import annotations

import datetime as dt
import io
import json
from typing import Any

from django.utils import timezone
from docx import Document

from peixun.core.models import AuditEvent
from peixun.orglife.models import MeetingKind
from peixun.orglife.tests.test_regularity import meeting
from peixun.testing import OtherTenant, PersonaTestCase, download_names

from ..models import ReportDraft, ReportKind
from ..services import draft_create

API = "/api/v1/reports/"
READ_PAGE = {
    "anonymous": 302,
    "member": 404,
    "secretary": 404,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}
READ_API = {**READ_PAGE, "anonymous": 401}


def body(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(data, default=str), "content_type": "application/json"}


class ReportPageTests(PersonaTestCase):
    def unit_draft(self) -> ReportDraft:
        return draft_create(
            actor=self.user("org_admin"),
            org=self.world.unit,
            kind=ReportKind.PLAN_IMPLEMENTATION,
            first_year=2023,
            last_year=2024,
        )

    def test_list_page_personas(self) -> None:
        self.expect_personas(
            "/reports/drafts/",
            {**READ_PAGE, "secretary": 200, "other_secretary": 200},
        )
        draft = self.unit_draft()
        self.assertContains(self.client_for("viewer").get("/reports/drafts/"), draft.title)
        self.assertNotContains(self.client_for("secretary").get("/reports/drafts/"), draft.title)

    def test_editor_and_downloads_personas(self) -> None:
        draft = self.unit_draft()
        for suffix in ("", "report.docx", "report.pdf"):
            self.expect_personas(f"/reports/drafts/{draft.pk}/{suffix}", READ_PAGE)
        self.expect_personas(
            "/reports/drafts/999999/", {**READ_PAGE, "org_admin": 404, "viewer": 404}
        )
        self.expect_personas(
            f"/reports/drafts/{draft.pk}/report.txt", {**READ_PAGE, "org_admin": 404, "viewer": 404}
        )
        viewer = self.client_for("viewer").get(f"/reports/drafts/{draft.pk}/")
        self.assertNotContains(viewer, 'name="opening"')
        admin = self.client_for("org_admin").get(f"/reports/drafts/{draft.pk}/")
        self.assertContains(admin, 'name="opening"')

    def test_create_edit_and_recompute_keeps_the_text(self) -> None:
        w = self.world
        client = self.client_for("org_admin")
        response = client.post(
            "/reports/drafts/",
            {"org": w.unit.pk, "kind": "annual_summary", "first_year": 2024, "last_year": 2024},
        )
        draft = ReportDraft.objects.get()
        self.assertRedirects(
            response, f"/reports/drafts/{draft.pk}/", fetch_redirect_response=False
        )
        self.assertTrue(draft.opening)  # default prose to replace
        meeting(w.unit, MeetingKind.CENTRAL_GROUP, dt.date(2024, 3, 1))
        page = client.get(f"/reports/drafts/{draft.pk}/")
        self.assertContains(page, 'data-figure="central_group_sessions"><mark>1</mark>')
        form = {
            "title": "2024年度党员教育培训工作总结",
            "first_year": 2024,
            "last_year": 2024,
            "as_of": "",
            "opening": "我们自己写的开头。",
            "basics_before": "",
            "basics_after": "",
            "practice_before": "一是加强组织领导。",
            "practice_after": "",
            "problems_before": "",
            "problems_after": "",
            "plans_before": "",
            "plans_after": "下一步继续努力。",
        }
        saved = client.post(f"/reports/drafts/{draft.pk}/", form)
        self.assertEqual(saved.status_code, 302)
        draft.refresh_from_db()
        self.assertEqual(draft.opening, "我们自己写的开头。")
        self.assertEqual(draft.plans_after, "下一步继续努力。")
        # Nothing computed is stored: no field of the draft holds the figure sentence.
        for name in ("opening", "practice_before", "practice_after"):
            self.assertNotIn("中心组学习", getattr(draft, name))
        # A later record (a correction) changes the figure; the text stays.
        meeting(w.unit, MeetingKind.CENTRAL_GROUP, dt.date(2024, 6, 1))
        page = client.get(f"/reports/drafts/{draft.pk}/")
        self.assertContains(page, 'data-figure="central_group_sessions"><mark>2</mark>')
        self.assertContains(page, "我们自己写的开头。")
        verbs = list(
            AuditEvent.objects.filter(object_type="reports.reportdraft")
            .exclude(verb="report.export")
            .order_by("pk")
            .values_list("verb", flat=True)
        )
        self.assertEqual(verbs, ["report.create", "report.update"])
        document = Document(
            io.BytesIO(client.get(f"/reports/drafts/{draft.pk}/report.docx").content)
        )
        text = "\n".join(p.text for p in document.paragraphs)
        self.assertIn("我们自己写的开头。", text)
        self.assertIn("2024年度党员教育培训工作总结", text)
        self.assertIn("中心组学习2次", text.replace(" ", ""))
        pdf = client.get(f"/reports/drafts/{draft.pk}/report.pdf")
        self.assertTrue(pdf.content.startswith(b"%PDF"))
        draft.refresh_from_db()
        self.assertEqual(
            download_names(pdf),
            (
                f"report-{draft.org.code}-{draft.first_year}-{draft.last_year}.pdf",
                f"{draft.title}.pdf",
            ),
        )
        self.assertTrue(AuditEvent.objects.filter(verb="report.export").exists())

    def test_bad_input_stores_nothing(self) -> None:
        w = self.world
        client = self.client_for("org_admin")
        for bad in (
            {"first_year": 2024, "last_year": 2023},
            {"first_year": 1999, "last_year": 2000},
            {"first_year": 2010, "last_year": 2020},
            {"first_year": 2024, "last_year": 2024, "as_of": "2023-01-01"},
        ):
            response = client.post(
                "/reports/drafts/", {"org": w.unit.pk, "kind": "annual_summary", **bad}
            )
            self.assertEqual(response.status_code, 400, bad)
        out_of_scope = client.post(
            "/reports/drafts/",
            {"org": OtherTenant().root.pk, "kind": "annual_summary", "first_year": 2024},
        )
        self.assertEqual(out_of_scope.status_code, 400)
        self.assertFalse(ReportDraft.objects.exists())
        draft = self.unit_draft()
        response = client.post(
            f"/reports/drafts/{draft.pk}/",
            {"title": "", "first_year": 2023, "last_year": 2024, "opening": "改了"},
        )
        self.assertEqual(response.status_code, 400)
        draft.refresh_from_db()
        self.assertNotEqual(draft.opening, "改了")

    def test_secretary_writes_the_branch_report_and_viewer_may_not_change(self) -> None:
        w = self.world
        response = self.client_for("secretary").post(
            "/reports/drafts/",
            {"org": w.branch.pk, "kind": "annual_summary", "first_year": 2024},
        )
        self.assertEqual(response.status_code, 302)
        draft = ReportDraft.objects.get(org=w.branch)
        self.expect_personas(
            f"/reports/drafts/{draft.pk}/delete/",
            {
                "anonymous": 302,
                "member": 404,
                "other_secretary": 404,
                "viewer": 403,
                "org_admin": 302,
                "secretary": 404,  # the org admin deleted it first
            },
            method="post",
        )
        self.assertFalse(ReportDraft.objects.exists())


class ReportApiTests(PersonaTestCase):
    def test_figures_route(self) -> None:
        w = self.world
        url = f"{API}figures?org={w.unit.pk}&first_year=2023&last_year=2024"
        self.expect_personas(url, READ_API)
        self.expect_personas(
            f"{API}figures?org={w.branch.pk}&first_year=2024",
            {**READ_API, "secretary": 200},
        )
        got = self.client_for("org_admin").get(url).json()
        keys = {f["key"] for f in got["figures"]}
        self.assertIn("central_group_sessions", keys)
        figure = next(f for f in got["figures"] if f["key"] == "members_end")
        self.assertEqual(figure["value"], 3)
        self.assertTrue(figure["definition"] and figure["url"].startswith("/members/"))
        other = OtherTenant()
        self.assertEqual(
            self.client_for("org_admin")
            .get(f"{API}figures?org={other.root.pk}&first_year=2024")
            .status_code,
            404,
        )
        for query in (
            "first_year=2024&last_year=2023",
            "first_year=1999",
            "first_year=2010&last_year=2020",
            "first_year=2024&as_of=2023-05-01",
            "first_year=abc",
        ):
            response = self.client_for("org_admin").get(f"{API}figures?org={w.unit.pk}&{query}")
            self.assertEqual(response.status_code, 422, query)

    def test_drafts_crud(self) -> None:
        w = self.world
        admin = self.client_for("org_admin")
        created = admin.post(
            f"{API}drafts",
            **body(
                {
                    "org": w.unit.pk,
                    "kind": "plan_implementation",
                    "first_year": 2019,
                    "last_year": 2023,
                }
            ),
        )
        self.assertEqual(created.status_code, 201, created.content)
        pk = created.json()["id"]
        for suffix in ("", "/report.docx", "/report.pdf"):
            self.expect_personas(f"{API}drafts/{pk}{suffix}", READ_API)
        made = ReportDraft.objects.get(pk=pk)
        self.assertEqual(
            download_names(admin.get(f"{API}drafts/{pk}/report.docx")),
            (f"report-{made.org.code}-2019-2023.docx", f"{made.title}.docx"),
        )
        self.expect_personas(
            f"{API}drafts", {**READ_API, "member": 200, "secretary": 200, "other_secretary": 200}
        )
        self.assertEqual(self.client_for("secretary").get(f"{API}drafts").json()["count"], 0)
        shown = admin.get(f"{API}drafts/{pk}").json()
        self.assertEqual(
            [s["key"] for s in shown["sections"]], ["basics", "practice", "problems", "plans"]
        )
        patched = admin.patch(
            f"{API}drafts/{pk}", **body({"practice_after": "我们的文字", "as_of": "2023-06-30"})
        )
        self.assertEqual(patched.status_code, 200, patched.content)
        self.assertEqual(patched.json()["practice_after"], "我们的文字")
        self.assertEqual(patched.json()["as_of"], "2023-06-30")
        viewer = self.client_for("viewer").patch(f"{API}drafts/{pk}", **body({"opening": "x"}))
        self.assertEqual(viewer.status_code, 403)
        for bad in (
            {"first_year": 2024},
            {"last_year": 2030},
            {"as_of": "2010-01-01"},
            {"title": ""},
        ):
            response = admin.patch(f"{API}drafts/{pk}", **body(bad))
            self.assertEqual(response.status_code, 422, bad)
        draft = ReportDraft.objects.get()
        self.assertEqual((draft.first_year, draft.last_year), (2019, 2023))
        bad_create = admin.post(
            f"{API}drafts",
            **body(
                {"org": w.unit.pk, "kind": "annual_summary", "first_year": 2024, "last_year": 2023}
            ),
        )
        self.assertEqual(bad_create.status_code, 422)
        wrong_kind = admin.post(
            f"{API}drafts", **body({"org": w.unit.pk, "kind": "poem", "first_year": 2024})
        )
        self.assertEqual(wrong_kind.status_code, 422)
        far = self.client_for("secretary").post(
            f"{API}drafts", **body({"org": w.unit.pk, "kind": "annual_summary", "first_year": 2024})
        )
        self.assertEqual(far.status_code, 422)  # the unit is outside a secretary's scope
        self.assertEqual(ReportDraft.objects.count(), 1)
        self.assertEqual(self.client_for("viewer").delete(f"{API}drafts/{pk}").status_code, 403)
        self.assertEqual(admin.delete(f"{API}drafts/{pk}").status_code, 204)
        self.assertFalse(ReportDraft.objects.exists())
        self.assertEqual(
            list(
                AuditEvent.objects.filter(object_type="reports.reportdraft")
                .exclude(verb="report.export")
                .order_by("pk")
                .values_list("verb", flat=True)
            ),
            ["report.create", "report.update", "report.delete"],
        )

    def test_the_date_of_the_report(self) -> None:
        """成文日期: empty signs the document with the day of export; given (editor or API), it
        signs with that day; it is not before the last year starts nor a year ahead; audited."""
        w = self.world
        admin = self.client_for("org_admin")
        created = admin.post(
            f"{API}drafts",
            **body(
                {
                    "org": w.unit.pk,
                    "kind": "plan_implementation",
                    "first_year": 2019,
                    "last_year": 2023,
                    "dated": "2024-01-15",
                }
            ),
        )
        self.assertEqual(created.status_code, 201, created.content)
        pk = created.json()["id"]
        self.assertEqual(created.json()["dated"], "2024-01-15")

        def signed() -> str:
            document = Document(io.BytesIO(admin.get(f"/reports/drafts/{pk}/report.docx").content))
            body_text = [p.text for p in document.paragraphs]
            # The 落款: the org's name, then the date, before the appendix.
            return body_text[body_text.index(w.unit.name, 1) + 1]

        self.assertEqual(signed(), "2024年1月15日")
        today = timezone.localdate()
        cleared = admin.patch(f"{API}drafts/{pk}", **body({"dated": None}))
        self.assertEqual(cleared.status_code, 200, cleared.content)
        self.assertIsNone(cleared.json()["dated"])
        self.assertEqual(signed(), f"{today.year}年{today.month}月{today.day}日")
        # Before the period's last year, more than a year ahead, not a date: nothing stored.
        for bad in ("2022-12-31", (today + dt.timedelta(days=400)).isoformat(), "15/01/2024"):
            response = admin.patch(f"{API}drafts/{pk}", **body({"dated": bad}))
            self.assertEqual(response.status_code, 422, bad)
        self.assertIsNone(ReportDraft.objects.get(pk=pk).dated)
        # The editor sets it; moving the period past the date is refused with the date named.
        form = {
            "title": "规划贯彻落实情况报告",
            "first_year": 2019,
            "last_year": 2023,
            "as_of": "",
            "dated": "2023-12-28",
        }
        self.assertEqual(admin.post(f"/reports/drafts/{pk}/", form).status_code, 302)
        self.assertEqual(ReportDraft.objects.get(pk=pk).dated, dt.date(2023, 12, 28))
        moved = admin.post(
            f"/reports/drafts/{pk}/", {**form, "first_year": 2020, "last_year": 2024}
        )
        self.assertEqual(moved.status_code, 400)
        self.assertContains(moved, "成文日期不得早于2024年", status_code=400)
        draft = ReportDraft.objects.get(pk=pk)
        self.assertEqual((draft.last_year, draft.dated), (2023, dt.date(2023, 12, 28)))
        changes = [
            e.after.get("dated")
            for e in AuditEvent.objects.filter(object_type="reports.reportdraft").order_by("pk")
            if e.after and "dated" in e.after
        ]
        self.assertEqual(changes, ["2024-01-15", None, "2023-12-28"])

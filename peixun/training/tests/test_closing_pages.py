"""Pages of the closing slice: attendance grid, make-up list, closing checklist and actions,
sign-in sheets, certificates and the plan document; who may open each (persona tests) and what
they show (in Chinese)."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import ClassVar

import docx
import openpyxl
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from peixun.core.models import AuditEvent
from peixun.events.models import Attendance
from peixun.events.tests.fixtures import add_session, enrol, make_class
from peixun.hours.models import CreditEntry
from peixun.hours.services import entry_reverse
from peixun.testing import PersonaTestCase, ledger_rows, make_member
from peixun.training.models import Enrolment, MakeUp, TrainingClass
from peixun.training.services.closing import class_close

from .test_closing_fixtures import DAY, Closable, closable_class, complete, mark_all, plan_file

READERS = {
    "anonymous": 302,
    "member": 403,  # enrolled: sees the class, not its attendance
    "secretary": 403,  # her members are enrolled
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}
WRITERS = {**READERS, "org_admin": 302, "viewer": 403}


class ClosingPagesTests(PersonaTestCase):
    c: ClassVar[Closable]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.c = closable_class(cls.world)
        mark_all(cls.c, skip=("周强", 3))

    def url(self, name: str, *args: object) -> str:
        return reverse(f"training:{name}", args=[self.c.training_class.pk, *args])

    # -- who may open what

    def test_personas_read_pages(self) -> None:
        for name in ("attendance", "makeups", "closing"):
            with self.subTest(page=name):
                self.expect_personas(self.url(name), READERS)
        for fmt in ("xlsx", "docx"):
            with self.subTest(fmt=fmt):
                self.expect_personas(self.url("signin_sheet", fmt), READERS)

    def test_personas_actions(self) -> None:
        self.expect_personas(
            self.url("closing"), WRITERS, method="post", data={"action": "confirm_timetable"}
        )
        self.expect_personas(
            self.url("makeups"),
            WRITERS,
            method="post",
            data={
                "action": "waive",
                "member": self.c.chen.pk,
                "event": self.c.sessions[1].event_id,
                "reason": "已参加同内容学习",
            },
        )
        self.assertEqual(MakeUp.objects.get().state, MakeUp.State.WAIVED)

    def test_personas_plan_document(self) -> None:
        url = self.url("plan_document")
        self.assertEqual(self.client_for("org_admin").get(url).status_code, 404)  # none yet
        complete(self.c, self.user("org_admin"), upload=True)
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 200,  # a trainee may read the plan of their class
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_grid_and_makeup_pages_keep_their_queries_as_rows_grow(self) -> None:
        client = self.client_for("org_admin")

        def queries(name: str) -> int:
            with CaptureQueriesContext(connection) as context:
                self.assertEqual(client.get(self.url(name)).status_code, 200)
            return len(context.captured_queries)

        before = {name: queries(name) for name in ("attendance", "makeups", "closing")}
        extra = [make_member(self.world.branch, f"学员{i}") for i in range(6)]
        enrol(self.c.training_class, *extra)
        add_session(self.c.training_class, starts_in=-DAY // 2, title="第五讲")
        after = {name: queries(name) for name in ("attendance", "makeups", "closing")}
        self.assertEqual(before, after)

    def test_unknown_format_and_class(self) -> None:
        client = self.client_for("org_admin")
        self.assertEqual(client.get(self.url("signin_sheet", "odt")).status_code, 404)
        self.assertEqual(
            client.get(self.url("signin_sheet", "xlsx") + "?session=x").status_code, 404
        )
        self.assertEqual(client.get("/training/999999/attendance/").status_code, 404)
        self.assertEqual(client.post(self.url("closing"), {"action": "explode"}).status_code, 404)

    # -- what the pages show

    def test_attendance_grid(self) -> None:
        Attendance.objects.filter(member=self.c.zhou, event=self.c.sessions[0].event).update(
            status=Attendance.Status.LEAVE
        )  # 周强: 4 hours of leave of 14: above 1/7
        page = self.client_for("org_admin").get(self.url("attendance")).content.decode()
        for text in (
            "第一讲",
            "第四讲",
            "李明",
            "陈静",
            "周强",
            "迟到",
            "早退",
            "请假",
            "应予退训",
            "1/7",
        ):
            self.assertIn(text, page)
        self.assertIn(reverse("events:attendance", args=[self.c.sessions[0].event_id]), page)
        self.assertIn(reverse("events:projector", args=[self.c.sessions[0].event_id]), page)
        self.assertIn(self.url("signin_sheet", "xlsx"), page)
        viewer = self.client_for("viewer").get(self.url("attendance")).content.decode()
        self.assertNotIn(reverse("events:projector", args=[self.c.sessions[0].event_id]), viewer)

    def test_makeup_page_assigns_and_filters(self) -> None:
        admin = self.client_for("org_admin")
        page = admin.get(self.url("makeups")).content.decode()
        for text in ("陈静", "缺席", "请假", "待安排", "第二讲"):
            self.assertIn(text, page)
        later = make_class(self.world.root, title="第二期", audience_org=self.world.unit)
        target = add_session(later, starts_in=DAY, title="第二期第一讲").event
        response = admin.post(
            self.url("makeups"),
            {
                "action": "assign",
                "member": self.c.chen.pk,
                "event": self.c.sessions[1].event_id,
                "assigned": target.pk,
            },
            follow=True,
        )
        self.assertContains(response, "已安排陈静")
        makeup = MakeUp.objects.get()
        self.assertEqual(
            (makeup.state, makeup.assigned_event_id), (MakeUp.State.ASSIGNED, target.pk)
        )
        # A bad assignment says why and stores nothing new.
        response = admin.post(
            self.url("makeups"),
            {
                "action": "assign",
                "member": self.c.li.pk,
                "event": self.c.sessions[0].event_id,
                "assigned": target.pk,
            },
            follow=True,
        )
        self.assertContains(response, "无需补训")
        self.assertEqual(MakeUp.objects.count(), 1)
        filtered = admin.get(self.url("makeups") + "?state=assigned").content.decode()
        self.assertIn("第二期", filtered)
        self.assertNotIn("第三讲（", filtered)
        empty = admin.get(self.url("makeups") + "?q=无此人").content.decode()
        self.assertIn("没有符合条件的补训记录", empty)

    def test_closing_page_checklist_actions_and_close(self) -> None:
        admin = self.client_for("org_admin")
        page = admin.get(self.url("closing")).content.decode()
        for text in ("最终学员名单已确认", "每个课次考勤已登记", "1人未登记", "待完成"):
            self.assertIn(text, page)
        self.assertIn(reverse("events:attendance", args=[self.c.sessions[3].event_id]), page)
        # Closing now is refused with the missing items named; nothing is credited.
        response = admin.post(self.url("closing"), {"action": "close"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "结班清单尚未完成")
        self.assertFalse(CreditEntry.objects.exists())
        # Each item completed through the page.
        for action in ("confirm_roster", "confirm_timetable"):
            self.assertEqual(admin.post(self.url("closing"), {"action": action}).status_code, 302)
        response = admin.post(
            self.url("closing"), {"action": "plan", "plan": plan_file("方案.exe", b"MZ")}
        )
        self.assertContains(response, "培训方案请上传PDF或Word文件")
        response = admin.post(self.url("closing"), {"action": "plan", "plan": plan_file()})
        self.assertEqual(response.status_code, 302)
        download = admin.get(self.url("plan_document"))
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download.getvalue(), b"%PDF-1.4\n% a tiny class plan\n")
        Attendance.objects.create(
            event=self.c.sessions[3].event,
            member=self.c.zhou,
            status=Attendance.Status.LEAVE,
            method=Attendance.Method.MANUAL,
        )
        response = admin.post(self.url("closing"), {"action": "close"}, follow=True)
        self.assertContains(response, "已结班，学时已记入")
        self.assertContains(response, "共为3名学员记入学时，合计30学时")
        self.assertContains(response, self.url("certificate", self.c.li.pk))
        tc = TrainingClass.objects.get(pk=self.c.training_class.pk)
        self.assertEqual(tc.state, TrainingClass.State.CLOSED)
        # Reopen needs a reason, then reverses.
        response = admin.post(self.url("closing"), {"action": "reopen", "reason": ""})
        self.assertContains(response, "请说明重新开启的原因")
        response = admin.post(self.url("closing"), {"action": "reopen", "reason": "补录考勤"})
        self.assertEqual(response.status_code, 302)
        tc.refresh_from_db()
        self.assertEqual(tc.state, TrainingClass.State.PUBLISHED)
        standing = sum(CreditEntry.objects.values_list("hours", flat=True), Decimal(0))
        self.assertEqual(standing, Decimal(0))

    def test_signin_sheets_parse_back(self) -> None:
        admin = self.client_for("org_admin")
        response = admin.get(self.url("signin_sheet", "xlsx"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("attachment", response["Content-Disposition"])
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        self.assertEqual(len(book.worksheets), 4)
        sheet = book.worksheets[0]
        tc = self.c.training_class
        self.assertEqual(sheet["A1"].value, f"{tc.org.name}{tc.title}签到表")
        self.assertIn("党员集中轮训班", sheet["A1"].value)
        self.assertIn("单位：", sheet["A2"].value)
        self.assertTrue(sheet["A3"].value.startswith("第一讲"))
        self.assertIn("学时：4", sheet["A3"].value)
        self.assertEqual(str(sheet.page_setup.paperSize), "9")  # A4, not US Letter
        self.assertEqual(sheet.print_title_rows, "$4:$4")
        self.assertEqual(
            [c.value for c in sheet[4]], ["序号", "姓名", "所在支部", "签到（签名）", "备注"]
        )
        rows = ledger_rows(sheet)[1:-1]  # the counts to fill in are the last line
        names = [row[1] for row in rows]
        self.assertEqual(sorted(names), ["周强", "李明", "陈静"])
        self.assertEqual(rows[0][2], "第一党支部")
        self.assertIsNone(rows[0][3])  # blank: to be signed
        self.assertIn("实到", sheet.cell(row=sheet.max_row, column=1).value)
        one = admin.get(self.url("signin_sheet", "docx") + f"?session={self.c.sessions[1].pk}")
        document = docx.Document(io.BytesIO(one.content))
        text = "\n".join(p.text for p in document.paragraphs)
        self.assertIn("第二讲", text)
        self.assertNotIn("第一讲", text)
        self.assertIn("应到3人", text)
        (table,) = document.tables
        self.assertEqual([c.text for c in table.rows[0].cells][:2], ["序号", "姓名"])
        self.assertEqual(sorted(r.cells[1].text for r in table.rows[1:]), ["周强", "李明", "陈静"])
        self.assertEqual(
            AuditEvent.objects.filter(verb="training_class.signin_sheet_export").count(), 2
        )

    def test_members_on_approved_leave_are_marked_and_counted(self) -> None:
        from peixun.events.models import LeaveRequest

        third = self.c.sessions[2]
        LeaveRequest.objects.create(
            event=third.event, member=self.c.chen, reason="出差", state=LeaveRequest.State.APPROVED
        )
        admin = self.client_for("org_admin")
        book = openpyxl.load_workbook(
            io.BytesIO(admin.get(self.url("signin_sheet", "xlsx")).content)
        )
        sheet = book.worksheets[2]
        remarks = {row[1]: row[-1] for row in ledger_rows(sheet)[1:-1]}
        self.assertEqual(remarks, {"陈静": "请假（已批准）", "李明": None, "周强": None})
        one = admin.get(self.url("signin_sheet", "docx") + f"?session={third.pk}")
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(one.content)).paragraphs)
        self.assertIn("应到3人（已批准请假1人）", text)

    def test_formulas_in_names_are_neutralised(self) -> None:
        self.c.zhou.name = "=HYPERLINK(1)"
        self.c.zhou.save()
        response = self.client_for("org_admin").get(self.url("signin_sheet", "xlsx"))
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
        names = [row[1] for row in ledger_rows(sheet)[1:-1]]
        self.assertIn("=HYPERLINK(1)", names)  # as typed, in a text cell never evaluated


class CertificateTests(PersonaTestCase):
    c: ClassVar[Closable]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.c = closable_class(cls.world)
        mark_all(cls.c)
        complete(cls.c, cls.world.users["org_admin"])
        class_close(actor=cls.world.users["org_admin"], training_class=cls.c.training_class)

    def url(self, member_pk: int) -> str:
        return reverse("training:certificate", args=[self.c.training_class.pk, member_pk])

    def test_personas(self) -> None:
        self.expect_personas(
            self.url(self.c.li.pk),
            {
                "anonymous": 302,
                "member": 200,  # their own
                "secretary": 200,  # their branch's member
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        # Another member's certificate: a member does not see other members (404); a viewer of
        # the member's branch only would see the member but not the class (404 as well).
        self.assertEqual(self.client_for("member").get(self.url(self.c.chen.pk)).status_code, 404)
        self.assertEqual(self.client_for("org_admin").get(self.url(999999)).status_code, 404)

    def test_certificate_content(self) -> None:
        response = self.client_for("member").get(self.url(self.c.li.pk))
        self.assertEqual(response.status_code, 200)
        document = docx.Document(io.BytesIO(response.content))
        text = "\n".join(p.text for p in document.paragraphs)
        for expected in (
            "结业证书",
            "李明同志：",
            "“党员集中轮训班”",
            "测试县直机关工委",
            "共计12学时",
            "准予结业",
            "特发此证",
            "证书编号",
        ):
            self.assertIn(expected, text)
        tc = self.c.training_class
        self.assertIn(f"{tc.starts_on.year}年{tc.starts_on.month}月{tc.starts_on.day}日", text)

    def test_no_certificate_before_closing_or_without_hours(self) -> None:
        admin = self.world.users["org_admin"]
        for entry in CreditEntry.objects.filter(member=self.c.chen):
            entry_reverse(actor=admin, entry=entry, reason="考勤更正")
        self.assertEqual(
            self.client_for("org_admin").get(self.url(self.c.chen.pk)).status_code, 404
        )
        TrainingClass.objects.filter(pk=self.c.training_class.pk).update(
            state=TrainingClass.State.PUBLISHED
        )
        self.assertEqual(self.client_for("member").get(self.url(self.c.li.pk)).status_code, 404)

    def test_no_certificate_for_a_trainee_flagged_for_withdrawal(self) -> None:
        Enrolment.objects.filter(training_class=self.c.training_class, member=self.c.li).update(
            flagged_for_withdrawal=True
        )
        self.assertEqual(self.client_for("org_admin").get(self.url(self.c.li.pk)).status_code, 404)
        page = self.client_for("org_admin").get(f"/training/{self.c.training_class.pk}/closing/")
        self.assertContains(page, "应予退训，不发结业证书")

"""Pages of meetings: every persona on every page and action, bad input storing nothing, minutes
with script shown harmless, closing from the page, the .xlsx ledger.

`meeting` is a 主题党日 of the first branch (its secretary manages it, the other secretary gets
404, the viewer reads it and gets 403 on writes, a plain member gets 404); `central` a 中心组学习
of the unit and `appraisal` a 民主评议 of the first branch."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, ClassVar

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from peixun.core.models import AuditEvent
from peixun.events.models import Event
from peixun.events.services import attendance_mark
from peixun.hours.models import CreditEntry
from peixun.orglife.models import AppraisalResult, Meeting, MeetingAttachment, Observer
from peixun.testing import PersonaTestCase, ledger_rows

from .test_meetings_fixtures import past, record, soon

READ = {
    "anonymous": 302,
    "member": 404,
    "secretary": 200,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}
WRITE = {**READ, "viewer": 403}
LIST = {**READ, "other_secretary": 200}


class MeetingPageTests(PersonaTestCase):
    meeting: ClassVar[Meeting]
    central: ClassVar[Meeting]
    appraisal: ClassVar[Meeting]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        secretary = w.users["secretary"]
        cls.meeting = record(
            secretary,
            w.branch,
            "theme_day",
            title="五月主题党日",
            minutes="<p>学习</p><script>alert('x')</script>",
        )
        cls.central = record(w.users["org_admin"], w.branch, "central_group", title="中心组学习")
        cls.appraisal = record(secretary, w.branch, "appraisal", title="年度民主评议")

    def url(self, name: str = "", meeting: Meeting | None = None) -> str:
        pk = (meeting or self.meeting).pk
        return f"/orglife/{pk}/{name + '/' if name else ''}"

    def new_data(self, **overrides: Any) -> dict[str, Any]:
        starts, ends = past(3)
        data = {
            "kind": "lecture",
            "org": self.world.branch.pk,
            "title": "书记讲党课",
            "day": timezone.localtime(starts).date().isoformat(),
            "start": "09:00",
            "end": "11:00",
            "place": "会议室",
            "host": "王芳",
            "topic": "party_history",
            "hours": "",
            "minutes": "",
        }
        data.update(overrides)
        return data

    # -- reading ---------------------------------------------------------------------------------

    def test_list(self) -> None:
        self.expect_personas("/orglife/", LIST)
        page = self.client_for("other_secretary").get("/orglife/")
        self.assertNotContains(page, "五月主题党日")
        page = self.client_for("secretary").get("/orglife/?kind=theme_day&q=五月")
        self.assertContains(page, "五月主题党日")
        self.assertNotContains(page, "年度民主评议")

    def test_detail(self) -> None:
        self.expect_personas(self.url(), READ)
        page = self.client_for("secretary").get(self.url())
        self.assertContains(page, f"/events/{self.meeting.event_id}/projector/")
        self.assertContains(page, f"/events/{self.meeting.event_id}/attendance/")
        self.assertNotContains(page, "<script>alert")
        self.assertContains(page, "<p>学习</p>", html=False)

    def test_detail_of_central_group_and_appraisal(self) -> None:
        self.expect_personas(self.url(meeting=self.central), READ)
        self.expect_personas(self.url(meeting=self.appraisal), READ)
        page = self.client_for("secretary").get(self.url(meeting=self.appraisal))
        self.assertContains(page, f'name="result_{self.world.member.pk}"')

    def test_export(self) -> None:
        self.expect_personas("/orglife/export.xlsx", LIST)
        response = self.client_for("secretary").get("/orglife/export.xlsx?kind=theme_day")
        sheet = load_workbook(io.BytesIO(response.content)).active
        self.assertEqual(sheet["A1"].value, "第一党支部组织生活会议台账")  # the secretary's branch
        self.assertEqual(sheet.print_title_rows, "$3:$3")
        self.assertEqual(str(sheet.page_setup.paperSize), "9")
        rows = ledger_rows(sheet)
        self.assertEqual(len(rows), 3)  # header, the meeting, totals
        self.assertEqual(
            rows[0],
            ("日期", "起止时间", "会议类型", "专题类别", "会议主题", "召开单位", "上级组织",
             "地点", "主持人", "应到人数", "实到人数", "每人计入学时", "列席旁听人数", "会议状态"),
        )  # fmt: skip
        disposition = response["Content-Disposition"]
        self.assertIn('filename="meetings-', disposition)
        # 组织生活会议台账-<date>.xlsx in the name browsers show
        self.assertIn("filename*=UTF-8''%E7%BB%84%E7%BB%87%E7%94%9F%E6%B4%BB", disposition)
        self.assertIsInstance(rows[1][0], dt.datetime)  # a date cell
        self.assertEqual(rows[-1][:2], ("合计", "1次会议"))
        self.assertEqual(rows[-1][9], 2)
        self.assertEqual(rows[1][3], "其他")  # the topic
        self.assertEqual(rows[1][4], "五月主题党日")
        self.assertEqual(rows[1][5:7], ("第一党支部", "测试局机关党委"))  # held by, org above
        self.assertEqual(rows[1][9], 2)  # the branch's two Party members are expected
        event = AuditEvent.objects.filter(verb="meeting.export").latest("id")
        self.assertEqual(event.actor, self.user("secretary"))
        self.assertIsNone(event.org)
        self.assertEqual(
            event.after,
            {"rows": 1, "kind": "theme_day", "topic": "", "org": None, "year": None, "q": ""},
        )

    # -- recording and editing -------------------------------------------------------------------

    def test_new_form(self) -> None:
        self.expect_personas(
            "/orglife/new/",
            {**LIST, "viewer": 404},
        )

    def test_record_a_meeting(self) -> None:
        response = self.client_for("secretary").post("/orglife/new/", self.new_data())
        meeting = Meeting.objects.get(event__title="书记讲党课")
        self.assertRedirects(response, self.url(meeting=meeting))
        self.assertEqual(meeting.event.hours, 2)

    def test_a_meeting_dated_in_the_future_is_refused_unless_planned(self) -> None:
        starts, _ends = soon()
        day = timezone.localtime(starts).date().isoformat()
        response = self.client_for("secretary").post("/orglife/new/", self.new_data(day=day))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Meeting.objects.filter(event__title="书记讲党课").exists())
        response = self.client_for("secretary").post(
            "/orglife/new/", self.new_data(day=day, scheduled="on")
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Meeting.objects.filter(event__title="书记讲党课").exists())

    def test_bad_input_stores_nothing(self) -> None:
        before = Meeting.objects.count()
        for bad in (
            {"kind": "party_fun"},
            {"host": ""},
            {"end": "08:00"},
            {"hours": "0.3"},
            {"org": self.world.other_branch.pk},
        ):
            response = self.client_for("secretary").post("/orglife/new/", self.new_data(**bad))
            self.assertEqual(response.status_code, 200, bad)
            self.assertContains(response, "invalid-feedback")
        self.assertEqual(Meeting.objects.count(), before)

    def test_edit(self) -> None:
        self.expect_personas(self.url("edit"), WRITE)
        data = self.new_data(title="五月主题党日（改）", minutes="<script>x()</script>纪要")
        response = self.client_for("secretary").post(self.url("edit"), data)
        self.assertRedirects(response, self.url())
        self.meeting.refresh_from_db()
        self.meeting.event.refresh_from_db()
        self.assertEqual(self.meeting.event.title, "五月主题党日（改）")
        self.assertEqual(self.meeting.kind, "theme_day")  # the kind stays
        self.assertEqual(self.meeting.minutes, "纪要")

    # -- close and reopen ------------------------------------------------------------------------

    def test_close_and_reopen(self) -> None:
        w = self.world
        attendance_mark(
            actor=self.user("secretary"),
            event=self.meeting.event,
            member=w.member,
            status="present",
        )
        self.expect_personas(
            self.url("close"), {**WRITE, "secretary": 302, "org_admin": 302}, method="post"
        )
        self.meeting.event.refresh_from_db()
        self.assertEqual(self.meeting.event.state, Event.State.CLOSED)
        self.assertEqual(
            CreditEntry.objects.filter(reference=f"event:{self.meeting.event_id}").count(), 1
        )
        response = self.client_for("secretary").post(self.url("reopen"), {"reason": ""})
        self.assertEqual(response.status_code, 422)
        self.meeting.event.refresh_from_db()
        self.assertEqual(self.meeting.event.state, Event.State.CLOSED)
        self.expect_personas(
            self.url("reopen"),
            {**WRITE, "secretary": 302, "org_admin": 422},
            method="post",
            data={"reason": "考勤有误"},
        )
        self.meeting.event.refresh_from_db()
        self.assertEqual(self.meeting.event.state, Event.State.OPEN)

    # -- observers, appraisals, attachments ------------------------------------------------------

    def test_observers(self) -> None:
        w = self.world
        url = self.url("observers", self.central)
        data = {"name": "陈督导", "org": w.unit.pk, "title": "委员"}
        self.expect_personas(
            url, {**WRITE, "secretary": 302, "org_admin": 302}, method="post", data=data
        )
        self.assertEqual(Observer.objects.filter(meeting=self.central).count(), 2)
        response = self.client_for("secretary").post(url, {**data, "org": w.branch.pk})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(Observer.objects.filter(meeting=self.central).count(), 2)
        response = self.client_for("secretary").post(self.url("observers"), data)
        self.assertEqual(response.status_code, 422)  # not a central group study
        observer = Observer.objects.filter(meeting=self.central).first()
        assert observer is not None
        remove = f"{url}{observer.pk}/remove/"
        self.expect_personas(remove, {**WRITE, "secretary": 302, "org_admin": 404}, method="post")

    def test_appraisals(self) -> None:
        w = self.world
        url = self.url("appraisals", self.appraisal)
        data = {f"result_{w.member.pk}": "excellent", f"note_{w.member.pk}": "表现突出"}
        self.expect_personas(
            url, {**WRITE, "secretary": 302, "org_admin": 302}, method="post", data=data
        )
        result = AppraisalResult.objects.get(meeting=self.appraisal)
        self.assertEqual((result.member, result.result), (w.member, "excellent"))
        response = self.client_for("secretary").post(url, {f"result_{w.member.pk}": "superb"})
        self.assertEqual(response.status_code, 422)
        result.refresh_from_db()
        self.assertEqual(result.result, "excellent")

    def test_attachments(self) -> None:
        url = self.url("attachments")

        def upload() -> dict[str, Any]:
            return {"file": SimpleUploadedFile("签到表.pdf", b"%PDF-1.4 test")}

        for persona, status in {**WRITE, "secretary": 302, "org_admin": 302}.items():
            response = self.client_for(persona).post(url, upload())
            self.assertEqual(response.status_code, status, persona)
        self.assertEqual(MeetingAttachment.objects.filter(meeting=self.meeting).count(), 2)
        attachment = MeetingAttachment.objects.filter(meeting=self.meeting).first()
        assert attachment is not None
        self.expect_personas(f"{url}{attachment.pk}/", READ)
        bad = SimpleUploadedFile("run.exe", b"MZ")
        response = self.client_for("secretary").post(url, {"file": bad})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(MeetingAttachment.objects.filter(meeting=self.meeting).count(), 2)
        self.expect_personas(
            f"{url}{attachment.pk}/remove/",
            {**WRITE, "secretary": 302, "org_admin": 404},
            method="post",
        )
        self.assertEqual(MeetingAttachment.objects.filter(meeting=self.meeting).count(), 1)

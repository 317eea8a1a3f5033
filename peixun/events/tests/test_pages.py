"""Pages of the events layer: personas for every page, and what each page does.

The event is a session of a class organised by the root, with 李明 (member) and 陈静 expected:
org_admin manages it; viewer sees it (403 on its pages); member is expected, so sees it (403 on
the organiser's pages); secretary and other_secretary do not see it (404, the sign-in pages too).
"""

from __future__ import annotations

import io
import shutil
import tempfile
from typing import ClassVar
from urllib.parse import quote

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from peixun.core.models import AuditEvent, Notification
from peixun.events.logic import signin_token
from peixun.events.models import Attendance, Event, EventSettings, LeaveRequest
from peixun.events.services import event_settings_for, leave_request
from peixun.hours.models import CreditEntry
from peixun.members.models import Member
from peixun.testing import OtherTenant, PersonaTestCase, download_names, make_member, make_user

from .fixtures import SessionFixture, class_session

MEDIA = tempfile.mkdtemp(prefix="peixun-events-media-")
MANAGE = {
    "anonymous": 302,
    "member": 403,
    "secretary": 404,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 403,
}
S = Attendance.Status


def sheet(rows: list[list[str]]) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["姓名", "身份证号后4位", "状态"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@override_settings(MEDIA_ROOT=MEDIA)
class EventPageTestCase(PersonaTestCase):
    fx: ClassVar[SessionFixture]
    event: ClassVar[Event]
    chen: ClassVar[Member]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.fx = class_session(cls.world)
        cls.event = cls.fx.event
        cls.chen = cls.fx.members[1]

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def token(self, event: Event | None = None) -> str:
        event = event or self.event
        return signin_token(event, event_settings_for(event.org))

    def url(self, name: str, *args: object) -> str:
        from django.urls import reverse

        return reverse(f"events:{name}", args=args or [self.event.pk])


class ProjectorTests(EventPageTestCase):
    def test_personas(self) -> None:
        self.expect_personas(self.url("projector"), MANAGE)
        self.expect_personas(self.url("projector_panel"), MANAGE)

    def test_projector_shows_a_qr_of_the_signin_url_and_the_count(self) -> None:
        Attendance.objects.create(
            event=self.event,
            member=self.world.member,
            status=S.PRESENT,
            method=Attendance.Method.QR,
            signed_in_at=timezone.now(),
        )
        page = self.client_for("org_admin").get(self.url("projector"))
        text = page.content.decode()
        self.assertIn("<svg", text)
        self.assertIn("已签到 1 / 应到 2", text)
        self.assertIn("李明", text)
        self.assertIn(f'hx-get="{self.url("projector_panel")}"', text)
        self.assertIn('hx-trigger="every 5s"', text)
        panel = self.client_for("org_admin").get(self.url("projector_panel"))
        self.assertContains(panel, "秒后换码")
        self.assertNotContains(panel, "<nav")

    def test_closed_event_shows_no_code(self) -> None:
        Event.objects.filter(pk=self.event.pk).update(state=Event.State.CLOSED)
        page = self.client_for("org_admin").get(self.url("projector_panel"))
        self.assertNotContains(page, "<svg")
        self.assertContains(page, "签到已关闭")


class SigninPageTests(EventPageTestCase):
    def test_personas(self) -> None:
        url = f"{self.url('signin')}?t={self.token()}"
        # Those who may see the event: its expected member and the readers of its organiser.
        seen = {p: 200 for p in MANAGE} | {"anonymous": 302, "secretary": 404}
        seen["other_secretary"] = 404
        self.expect_personas(url, seen)
        self.expect_personas(f"{self.url('signout')}?t={self.token()}", seen)
        self.assertFalse(Attendance.objects.exists())  # GET never signs in

    def test_another_tenant_gets_404_without_the_event_and_nothing_is_written(self) -> None:
        other = OtherTenant()
        token = self.token()
        audit_before = AuditEvent.objects.count()
        for persona, user in other.users.items():
            client = Client()
            client.force_login(user)
            for name in ("signin", "signout"):
                with self.subTest(persona=persona, page=name):
                    got = client.get(f"{self.url(name)}?t={token}")
                    self.assertEqual(got.status_code, 404)
                    self.assertNotContains(got, self.event.title, status_code=404)
                    posted = client.post(self.url(name), {"t": token})
                    self.assertEqual(posted.status_code, 404)
                    self.assertNotContains(posted, self.event.title, status_code=404)
        self.assertFalse(Attendance.objects.exists())
        self.assertFalse(EventSettings.objects.exists())
        self.assertEqual(AuditEvent.objects.count(), audit_before)

    def test_get_writes_nothing_not_even_the_settings(self) -> None:
        # The tenant has never saved its attendance settings: the pages read the defaults.
        self.assertFalse(EventSettings.objects.exists())
        audit_before = AuditEvent.objects.count()
        for persona in ("member", "org_admin", "viewer"):
            client = self.client_for(persona)
            for name in ("signin", "signout", "projector", "projector_panel"):
                client.get(f"{self.url(name)}?t={self.token()}")
        self.assertFalse(EventSettings.objects.exists())
        self.assertFalse(Attendance.objects.exists())
        self.assertEqual(AuditEvent.objects.count(), audit_before)

    def test_anonymous_goes_to_login_and_comes_back(self) -> None:
        url = f"{self.url('signin')}?t={self.token()}"
        response = self.client_for("anonymous").get(url)
        self.assertEqual(response["Location"], f"/accounts/login/?next={quote(url, safe='/')}")

    def test_get_shows_the_button_post_signs_in_and_again_says_already(self) -> None:
        client = self.client_for("member")
        token = self.token()
        page = client.get(f"{self.url('signin')}?t={token}")
        self.assertContains(page, 'id="signin-form"')
        self.assertContains(page, f'value="{token}"')
        self.assertFalse(Attendance.objects.exists())
        done = client.post(self.url("signin"), {"t": token})
        self.assertContains(done, "签到成功")
        self.assertContains(done, "迟到")
        row = Attendance.objects.get()
        self.assertEqual((row.member, row.method), (self.world.member, Attendance.Method.QR))
        again = client.post(self.url("signin"), {"t": token})
        self.assertContains(again, "无需重复")
        self.assertContains(client.get(f"{self.url('signin')}?t=stale"), "无需重复")
        self.assertEqual(Attendance.objects.count(), 1)

    def test_plain_refusals(self) -> None:
        cases = [
            ("reader", self.token(), "不在本次活动的应到人员名单中"),
            ("org_admin", self.token(), "未关联党员"),
            ("member", "12.0123456789abcdef0123", "不是本场活动的二维码"),
            ("member", "nonsense", "不是签到二维码"),
            ("member", f"{int(timezone.now().timestamp() // 30) - 10}.{'0' * 20}", "不是本场"),
        ]
        # A reader of the organiser who is a member but not expected: sees the event, is told.
        reader = Client()
        reader.force_login(
            make_user(
                "reader",
                member=make_member(self.world.other_branch, "周游"),
                role="viewer",
                org=self.world.root,
            )
        )
        for persona, token, words in cases:
            with self.subTest(persona=persona, words=words):
                client = reader if persona == "reader" else self.client_for(persona)
                page = client.post(self.url("signin"), {"t": token})
                self.assertContains(page, words)
        rules = event_settings_for(self.event.org)
        old = signin_token(self.event, rules, now=timezone.now().timestamp() - 300)
        self.assertContains(
            self.client_for("member").get(f"{self.url('signin')}?t={old}"),
            "二维码已过期，请重新扫码",
        )
        later = class_session(self.world, members=[self.world.member], starts_in=120).event
        page = self.client_for("member").get(
            f"{self.url('signin', later.pk)}?t={self.token(later)}"
        )
        self.assertContains(page, "签到尚未开始")
        over = class_session(self.world, members=[self.world.member], starts_in=-200, minutes=60)
        page = self.client_for("member").get(
            f"{self.url('signin', over.event.pk)}?t={self.token(over.event)}"
        )
        self.assertContains(page, "签到已结束")
        self.assertFalse(Attendance.objects.exists())

    def test_unknown_event_is_404(self) -> None:
        self.assertEqual(self.client_for("member").get(self.url("signin", 999999)).status_code, 404)

    def test_signout_page(self) -> None:
        fx = class_session(
            self.world, members=[self.world.member], signout_required=True, starts_in=-5
        )
        client = self.client_for("member")
        token = self.token(fx.event)
        client.post(self.url("signin", fx.event.pk), {"t": token})
        page = client.post(self.url("signout", fx.event.pk), {"t": token})
        self.assertContains(page, "记为早退")
        row = Attendance.objects.get(event=fx.event)
        self.assertEqual(row.status, S.LEFT_EARLY)
        page = client.post(self.url("signout", self.event.pk), {"t": self.token()})
        self.assertContains(page, "无需签退")


class AttendancePageTests(EventPageTestCase):
    def test_personas(self) -> None:
        self.expect_personas(self.url("attendance"), MANAGE)
        self.expect_personas(self.url("attendance_import"), MANAGE)
        self.expect_personas(self.url("attendance_template"), MANAGE)
        mark = self.url("attendance_mark", self.event.pk, self.world.member.pk)
        self.expect_personas(
            mark, {**MANAGE, "org_admin": 302}, method="post", data={"status": "present"}
        )
        self.expect_personas(
            self.url("attendance_absent"), {**MANAGE, "org_admin": 302}, method="post"
        )
        self.expect_personas(
            self.url("attendance_import_confirm"), {**MANAGE, "org_admin": 400}, method="post"
        )
        self.expect_personas(
            self.url("close"), {**MANAGE, "org_admin": 302}, method="post"
        )  # refused
        self.expect_personas(
            self.url("reopen"), {**MANAGE, "org_admin": 302}, method="post", data={"reason": "x"}
        )

    def test_page_lists_expected_members_with_counts(self) -> None:
        Attendance.objects.create(
            event=self.event, member=self.world.member, status=S.LATE, method=Attendance.Method.QR,
            signed_in_at=timezone.now(),
        )  # fmt: skip
        page = self.client_for("org_admin").get(self.url("attendance"))
        self.assertContains(page, "李明")
        self.assertContains(page, "陈静")
        self.assertContains(page, "前往培训班结班")
        self.assertContains(page, reverse("training:closing", args=[self.fx.training_class.pk]))
        filtered = self.client_for("org_admin").get(self.url("attendance") + "?status=unmarked")
        self.assertContains(filtered, "陈静")
        self.assertNotContains(filtered, "李明")

    def test_htmx_mark_returns_the_row(self) -> None:
        url = self.url("attendance_mark", self.event.pk, self.chen.pk)
        client = self.client_for("org_admin")
        row = client.post(url, {"status": "leave"}, HTTP_HX_REQUEST="true")
        self.assertContains(row, f'id="att-{self.chen.pk}"')
        self.assertContains(row, "已保存")
        self.assertEqual(Attendance.objects.get(member=self.chen).status, S.LEAVE)
        bad = client.post(url, {"status": "here"}, HTTP_HX_REQUEST="true")
        self.assertContains(bad, "请选择考勤状态")
        self.assertEqual(Attendance.objects.get(member=self.chen).status, S.LEAVE)
        stranger = client.post(
            self.url("attendance_mark", self.event.pk, self.world.other_member.pk),
            {"status": "present"},
        )
        self.assertEqual(stranger.status_code, 404)

    def test_mark_unmarked_absent_and_close_is_left_to_the_class(self) -> None:
        fx = class_session(
            self.world, members=[self.world.member, self.chen], starts_in=-200, minutes=60
        )
        client = self.client_for("org_admin")
        client.post(
            self.url("attendance_mark", fx.event.pk, self.world.member.pk), {"status": "present"}
        )
        client.post(self.url("attendance_absent", fx.event.pk))
        self.assertEqual(Attendance.objects.get(event=fx.event, member=self.chen).status, S.ABSENT)
        # A class session is credited by the class's closing, never from its own page.
        response = client.post(self.url("close", fx.event.pk), follow=True)
        self.assertContains(response, "须在培训班结班清单完成后随培训班一并结班")
        self.assertFalse(CreditEntry.objects.filter(reference=fx.event.ledger_reference).exists())
        fx.event.refresh_from_db()
        self.assertEqual(fx.event.state, Event.State.OPEN)

    def test_an_event_that_closes_alone_is_closed_and_reopened_on_its_page(self) -> None:
        fx = class_session(self.world, members=[self.world.member], starts_in=-200, minutes=60)
        Event.objects.filter(pk=fx.event.pk).update(category=Event.Category.MEETING)
        Attendance.objects.create(
            event=fx.event, member=self.world.member, status=S.PRESENT, method="manual"
        )
        client = self.client_for("org_admin")
        page = client.get(self.url("attendance", fx.event.pk))
        self.assertContains(page, "结束活动并记入学时")
        response = client.post(self.url("close", fx.event.pk), follow=True)
        self.assertContains(response, "出勤学时已记入学时台账")
        entry = CreditEntry.objects.get(reference=fx.event.ledger_reference)
        self.assertEqual(entry.member, self.world.member)
        response = client.post(self.url("reopen", fx.event.pk), {"reason": ""}, follow=True)
        self.assertContains(response, "请说明重新开启的原因")
        response = client.post(self.url("reopen", fx.event.pk), {"reason": "补登考勤"}, follow=True)
        self.assertContains(response, "已在台账中冲销")
        self.assertEqual(CreditEntry.objects.filter(reference=fx.event.ledger_reference).count(), 2)

    def test_import_dry_run_then_confirm(self) -> None:
        client = self.client_for("org_admin")
        last4 = self.world.member.id_number_masked[-4:]
        bad = sheet([["李明", last4, "出席"], ["陈静", "", "休息"]])
        page = client.post(
            self.url("attendance_import"),
            {"file": SimpleUploadedFile("考勤.xlsx", bad)},
        )
        self.assertContains(page, "未保存任何数据")
        self.assertContains(page, "无法识别的状态")
        self.assertFalse(Attendance.objects.exists())
        good = sheet([["李明", last4, "出席"], ["陈静", self.chen.id_number_masked[-4:], "请假"]])
        page = client.post(
            self.url("attendance_import"), {"file": SimpleUploadedFile("考勤.xlsx", good)}
        )
        self.assertContains(page, "确认")
        token = page.context["token"]
        self.assertFalse(Attendance.objects.exists())
        done = client.post(self.url("attendance_import_confirm"), {"token": token}, follow=True)
        self.assertContains(done, "已导入")
        self.assertEqual(
            dict(Attendance.objects.values_list("member__name", "status")),
            {"李明": S.PRESENT, "陈静": S.LEAVE},
        )
        again = client.post(self.url("attendance_import_confirm"), {"token": token})
        self.assertEqual(again.status_code, 400)

    def test_template_download(self) -> None:
        response = self.client_for("org_admin").get(self.url("attendance_template"))
        self.assertEqual(
            response["Content-Type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        event = self.fx.event
        day = f"{timezone.localtime(event.starts_at):%Y%m%d}"
        names = (f"attendance-{event.pk}-{day}.xlsx", f"考勤表-{event.title}-{day}.xlsx")
        self.assertEqual(download_names(response), names)
        api = self.client_for("org_admin").get(f"/api/v1/events/{event.pk}/attendance/template")
        self.assertEqual(download_names(api), names)


class LeavePageTests(EventPageTestCase):
    def ask(self) -> LeaveRequest:
        future = class_session(self.world, members=[self.world.member], starts_in=120)
        return leave_request(actor=self.user("member"), event=future.event, reason="出差")

    def test_personas(self) -> None:
        self.expect_personas(
            self.url("leave_new"),
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 404,
                "viewer": 404,
            },
        )
        self.expect_personas(
            "/events/leave/",
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 404,
                "viewer": 404,
            },
        )
        self.expect_personas(
            "/events/leave/pending/",
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 404,
            },
        )
        leave = self.ask()
        self.expect_personas(
            self.url("leave_decide", leave.pk),
            {
                "anonymous": 302,
                "member": 403,
                "secretary": 302,
                "other_secretary": 404,
                "org_admin": 302,
                "viewer": 403,
            },
            method="post",
            data={"approve": "1"},
        )
        other = LeaveRequest.objects.create(
            event=self.event, member=self.world.member, reason="家事"
        )
        self.expect_personas(
            self.url("leave_cancel", other.pk),
            {
                "anonymous": 302,
                "member": 302,
                "secretary": 403,
                "other_secretary": 404,
                "org_admin": 403,
                "viewer": 403,
            },
            method="post",
        )

    def test_member_asks_secretary_decides_by_htmx(self) -> None:
        future = class_session(self.world, members=[self.world.member], starts_in=120).event
        client = self.client_for("member")
        empty = client.post(self.url("leave_new", future.pk), {"reason": ""})
        self.assertEqual(empty.status_code, 200)
        self.assertFalse(LeaveRequest.objects.exists())
        done = client.post(self.url("leave_new", future.pk), {"reason": "外出学习"}, follow=True)
        self.assertContains(done, "请假申请已提交")
        self.assertContains(done, "外出学习")
        leave = LeaveRequest.objects.get()
        pending = self.client_for("secretary").get("/events/leave/pending/")
        self.assertContains(pending, "外出学习")
        self.assertContains(pending, "1 条申请待审批")
        self.assertNotContains(
            self.client_for("other_secretary").get("/events/leave/pending/"), "外出学习"
        )
        row = self.client_for("secretary").post(
            self.url("leave_decide", leave.pk), {"approve": "0", "note": ""}, HTTP_HX_REQUEST="true"
        )
        self.assertContains(row, "请说明不批准的理由")
        row = self.client_for("secretary").post(
            self.url("leave_decide", leave.pk), {"approve": "1"}, HTTP_HX_REQUEST="true"
        )
        self.assertContains(row, "已批准")
        leave.refresh_from_db()
        self.assertEqual(leave.state, LeaveRequest.State.APPROVED)
        self.assertEqual(Attendance.objects.get(event=future).status, S.LEAVE)
        self.assertTrue(Notification.objects.filter(recipient=self.user("member")).exists())

    def test_member_cancels(self) -> None:
        leave = self.ask()
        response = self.client_for("member").post(self.url("leave_cancel", leave.pk), follow=True)
        self.assertContains(response, "请假申请已撤销")
        leave.refresh_from_db()
        self.assertEqual(leave.state, LeaveRequest.State.CANCELLED)


class SettingsPageTests(EventPageTestCase):
    def test_personas(self) -> None:
        self.expect_personas(
            "/events/settings/",
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 404,
            },
        )

    def test_save_and_refuse_bad_values(self) -> None:
        client = self.client_for("org_admin")
        data = {
            "tenant": self.world.root.pk,
            "qr_rotate_seconds": 20,
            "qr_valid_seconds": 10,
            "signin_opens_minutes": 15,
            "late_after_minutes": 5,
            "late_credit": "half",
            "left_early_credit": "none",
        }
        page = client.post("/events/settings/", data)
        self.assertEqual(page.status_code, 200)
        self.assertFalse(EventSettings.objects.filter(qr_rotate_seconds=20).exists())
        data["qr_valid_seconds"] = 40
        client.post("/events/settings/", data)
        rules = EventSettings.objects.get(tenant=self.world.root)
        self.assertEqual(
            (rules.qr_rotate_seconds, rules.qr_valid_seconds, rules.late_credit), (20, 40, "half")
        )

"""API v1 for events: every route for every persona, the sign-in error codes, and outcomes.

Statuses: anonymous 401; the event or leave request out of sight 404 (an expected member sees the
event); visible but not the actor's to manage or decide 403; bad input 422, sign-in refusals 422
on `token` with a machine `code`.
"""

import io
import json
from typing import Any, ClassVar

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from peixun.events.logic import signin_token
from peixun.events.models import Attendance, Event, LeaveRequest
from peixun.events.services import event_settings_for, leave_request
from peixun.hours.models import CreditEntry
from peixun.members.models import Member
from peixun.testing import PersonaTestCase

from .fixtures import SessionFixture, class_session

API = "/api/v1/events/"
MANAGE = {
    "anonymous": 401,
    "member": 403,
    "secretary": 404,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 403,
}
S = Attendance.Status


def body(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(data), "content_type": "application/json"}


def xlsx(rows: list[list[str]]) -> bytes:
    book = Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["姓名", "身份证号后4位", "状态"])
    for row in rows:
        ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


class EventApiTestCase(PersonaTestCase):
    fx: ClassVar[SessionFixture]
    event: ClassVar[Event]
    chen: ClassVar[Member]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.fx = class_session(cls.world)
        cls.event = cls.fx.event
        cls.chen = cls.fx.members[1]

    def token(self, event: Event | None = None, at: float | None = None) -> str:
        event = event or self.event
        return signin_token(event, event_settings_for(event.org), now=at)


class EventRouteTests(EventApiTestCase):
    def test_personas(self) -> None:
        e = self.event.pk
        self.expect_personas(
            f"{API}{e}",
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        self.expect_personas(f"{API}{e}/attendance", {**MANAGE, "viewer": 200})
        self.expect_personas(
            f"{API}{e}/attendance",
            MANAGE,
            method="post",
            **body({"member": self.chen.pk, "status": "present"}),
        )
        self.expect_personas(
            f"{API}{e}/attendance/bulk",
            MANAGE,
            method="post",
            **body({"marks": [{"member": self.chen.pk, "status": "late"}]}),
        )
        self.expect_personas(f"{API}{e}/attendance/absent", MANAGE, method="post")
        self.expect_personas(f"{API}{e}/attendance/template", MANAGE)
        self.expect_personas(f"{API}{e}/qr", MANAGE)
        self.expect_personas(
            f"{API}{e}/close", {**MANAGE, "org_admin": 422}, method="post"
        )  # not ended yet
        self.expect_personas(
            f"{API}{e}/reopen", {**MANAGE, "org_admin": 422}, method="post", **body({"reason": "x"})
        )  # not closed

    def test_import_personas_and_outcome(self) -> None:
        url = f"{API}{self.event.pk}/attendance/import"
        last4 = self.world.member.id_number_masked[-4:]
        for persona, status in MANAGE.items():
            with self.subTest(persona=persona):
                data = {"file": SimpleUploadedFile("a.xlsx", xlsx([["李明", last4, "出席"]]))}
                response = self.client_for(persona).post(url, data)
                self.assertEqual(response.status_code, status)
        client = self.client_for("org_admin")
        bad = client.post(
            url, {"file": SimpleUploadedFile("a.xlsx", xlsx([["无名", "1", "出席"]]))}
        )
        self.assertFalse(bad.json()["ok"])
        self.assertEqual(bad.json()["errors"][0]["row"], 2)
        # The same sheet for real stores nothing and says so with a 422 and the same report.
        refused = client.post(
            f"{url}?dry_run=false",
            {"file": SimpleUploadedFile("a.xlsx", xlsx([["无名", "1", "出席"]]))},
        )
        self.assertEqual(refused.status_code, 422)
        self.assertEqual(refused.json()["errors"][0]["row"], 2)
        self.assertFalse(Attendance.objects.exists())
        data = {"file": SimpleUploadedFile("a.xlsx", xlsx([["李明", last4, "迟到"]]))}
        done = client.post(f"{url}?dry_run=false", data)
        self.assertEqual(done.json()["created"], 1, done.json())
        self.assertEqual(Attendance.objects.get().status, S.LATE)

    def test_event_and_attendance_bodies(self) -> None:
        admin = self.client_for("org_admin")
        event = admin.get(f"{API}{self.event.pk}").json()
        self.assertEqual(event["hours"], "3.00")
        self.assertEqual(event["state"], "open")
        marked = admin.post(
            f"{API}{self.event.pk}/attendance",
            **body({"member": self.chen.pk, "status": "leave", "note": "病假"}),
        )
        self.assertEqual(marked.json()["status"], "leave")
        rows = admin.get(f"{API}{self.event.pk}/attendance").json()
        self.assertEqual(rows["count"], 2)
        unmarked = admin.get(f"{API}{self.event.pk}/attendance?status=unmarked").json()
        self.assertEqual([r["member_name"] for r in unmarked["items"]], ["李明"])
        bad = admin.get(f"{API}{self.event.pk}/attendance?status=here")
        self.assertEqual(bad.status_code, 422)
        stranger = admin.post(
            f"{API}{self.event.pk}/attendance",
            **body({"member": self.world.other_member.pk, "status": "present"}),
        )
        self.assertEqual(stranger.status_code, 422)
        missing = admin.post(
            f"{API}{self.event.pk}/attendance", **body({"member": 999999, "status": "present"})
        )
        self.assertEqual(missing.status_code, 422)
        self.assertEqual(
            stranger.json()["detail"][0]["msg"][:10], missing.json()["detail"][0]["msg"][:10]
        )
        qr = admin.get(f"{API}{self.event.pk}/qr").json()
        self.assertIn(f"/events/{self.event.pk}/signin/?t={qr['token']}", qr["url"])
        self.assertEqual(qr["expected"], 2)

    def test_a_class_session_is_not_closed_alone(self) -> None:
        fx = class_session(self.world, members=[self.world.member], starts_in=-200, minutes=60)
        Attendance.objects.create(
            event=fx.event, member=self.world.member, status=S.PRESENT, method="manual"
        )
        refused = self.client_for("org_admin").post(f"{API}{fx.event.pk}/close")
        self.assertEqual(refused.status_code, 422)
        self.assertIn("随培训班一并结班", refused.json()["detail"][0]["msg"])
        self.assertFalse(CreditEntry.objects.filter(reference=fx.event.ledger_reference).exists())

    def test_close_and_reopen_an_event_that_closes_alone(self) -> None:
        fx = class_session(self.world, members=[self.world.member], starts_in=-200, minutes=60)
        # A meeting (the meetings issue's category) has no owner that closes it.
        Event.objects.filter(pk=fx.event.pk).update(category=Event.Category.MEETING)
        fx.event.refresh_from_db()
        Attendance.objects.create(
            event=fx.event, member=self.world.member, status=S.PRESENT, method="manual"
        )
        admin = self.client_for("org_admin")
        closed = admin.post(f"{API}{fx.event.pk}/close")
        self.assertEqual(closed.json()["state"], "closed")
        self.assertEqual(admin.post(f"{API}{fx.event.pk}/close").status_code, 422)
        self.assertEqual(CreditEntry.objects.filter(reference=fx.event.ledger_reference).count(), 1)
        no_reason = admin.post(f"{API}{fx.event.pk}/reopen", **body({"reason": ""}))
        self.assertEqual(no_reason.status_code, 422)
        reopened = admin.post(f"{API}{fx.event.pk}/reopen", **body({"reason": "更正"}))
        self.assertEqual(reopened.json()["state"], "open")
        self.assertEqual(CreditEntry.objects.filter(reference=fx.event.ledger_reference).count(), 2)


class SigninApiTests(EventApiTestCase):
    def sign(self, persona: str, token: str, event: Event | None = None) -> Any:
        event = event or self.event
        return self.client_for(persona).post(f"{API}{event.pk}/signin", **body({"token": token}))

    def code(self, response: Any) -> str:
        self.assertEqual(response.status_code, 422, response.content)
        detail = response.json()["detail"][0]
        self.assertEqual(detail["loc"], ["body", "token"])
        self.assertTrue(detail["msg"])
        return str(detail["code"])

    def test_personas(self) -> None:
        self.expect_personas(
            f"{API}{self.event.pk}/signin",
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 422,
                "viewer": 422,
            },
            method="post",
            **body({"token": self.token()}),
        )
        self.expect_personas(
            f"{API}{self.event.pk}/signout",
            {p: 422 for p in MANAGE} | {"anonymous": 401, "secretary": 404, "other_secretary": 404},
            method="post",
            **body({"token": self.token()}),
        )

    def test_sign_in_twice_one_row(self) -> None:
        first = self.sign("member", self.token())
        self.assertEqual(first.status_code, 200)
        self.assertEqual(first.json()["created"], True)
        self.assertEqual(first.json()["status"], "late")
        self.assertIn("签到成功", first.json()["message"])
        again = self.sign("member", self.token())
        self.assertEqual(again.json()["created"], False)
        self.assertEqual(again.json()["signed_in_at"], first.json()["signed_in_at"])
        self.assertEqual(Attendance.objects.count(), 1)

    def test_codes(self) -> None:
        now = timezone.now().timestamp()
        other = class_session(self.world, members=[self.world.member]).event
        later = class_session(self.world, members=[self.world.member], starts_in=120).event
        over = class_session(self.world, members=[self.world.member], starts_in=-200, minutes=60)
        self.assertEqual(self.code(self.sign("member", "")), "malformed")
        self.assertEqual(self.code(self.sign("member", self.token(other))), "wrong_event")
        self.assertEqual(self.code(self.sign("member", self.token(at=now - 300))), "expired")
        self.assertEqual(self.code(self.sign("member", self.token(later), later)), "not_open")
        self.assertEqual(
            self.code(self.sign("member", self.token(over.event), over.event)), "ended"
        )
        # Not expected and not a reader of the organiser: the event is out of sight.
        self.assertEqual(self.sign("other_secretary", self.token()).status_code, 404)
        self.assertEqual(self.code(self.sign("viewer", self.token())), "no_member")
        Event.objects.filter(pk=over.event.pk).update(state=Event.State.CLOSED)
        self.assertEqual(
            self.code(self.sign("member", self.token(over.event), over.event)), "closed"
        )
        self.assertFalse(Attendance.objects.exists())
        self.assertEqual(
            self.client_for("member").post(f"{API}999999/signin", **body({})).status_code, 404
        )

    def test_sign_out(self) -> None:
        fx = class_session(
            self.world, members=[self.world.member], signout_required=True, starts_in=-5
        )
        url = f"{API}{fx.event.pk}/signout"
        token = self.token(fx.event)
        client = self.client_for("member")
        self.assertEqual(self.code(client.post(url, **body({"token": token}))), "not_signed_in")
        self.sign("member", token, fx.event)
        out = client.post(url, **body({"token": token})).json()
        self.assertEqual((out["status"], out["changed"]), ("left_early", True))
        self.assertEqual(client.post(url, **body({"token": token})).json()["changed"], False)
        plain = client.post(f"{API}{self.event.pk}/signout", **body({"token": self.token()}))
        self.assertEqual(self.code(plain), "no_signout")


class LeaveApiTests(EventApiTestCase):
    def test_personas(self) -> None:
        future = class_session(self.world, members=[self.world.member], starts_in=120).event
        self.expect_personas(
            f"{API}{future.pk}/leave",
            {
                "anonymous": 401,
                "member": 201,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 403,
                "viewer": 403,
            },
            method="post",
            **body({"reason": "出差"}),
        )
        self.expect_personas(f"{API}leave", {p: 200 for p in MANAGE} | {"anonymous": 401})
        leave = LeaveRequest.objects.get()
        self.expect_personas(
            f"{API}leave/{leave.pk}/decide",
            {
                "anonymous": 401,
                "member": 403,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 422,  # already decided by the secretary
                "viewer": 403,
            },
            method="post",
            **body({"approve": True}),
        )
        again = LeaveRequest.objects.create(event=self.event, member=self.world.member, reason="x")
        self.expect_personas(
            f"{API}leave/{again.pk}/cancel",
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 403,
                "other_secretary": 404,
                "org_admin": 403,
                "viewer": 403,
            },
            method="post",
        )

    def test_lists_and_decisions(self) -> None:
        future = class_session(self.world, members=[self.world.member], starts_in=120).event
        leave = leave_request(actor=self.user("member"), event=future, reason="出差")
        mine = self.client_for("member").get(f"{API}leave?mine=true").json()
        self.assertEqual([i["id"] for i in mine["items"]], [leave.pk])
        todo = self.client_for("secretary").get(f"{API}leave?to_decide=true").json()
        self.assertEqual([i["id"] for i in todo["items"]], [leave.pk])
        self.assertEqual(self.client_for("other_secretary").get(f"{API}leave").json()["count"], 0)
        bad = self.client_for("secretary").post(
            f"{API}leave/{leave.pk}/decide", **body({"approve": False})
        )
        self.assertEqual(bad.status_code, 422)
        refused = self.client_for("secretary").post(
            f"{API}leave/{leave.pk}/decide", **body({"approve": False, "note": "必须参加"})
        )
        self.assertEqual(refused.json()["state"], "rejected")
        self.assertEqual(self.client_for("member").get(f"{API}leave?state=bogus").status_code, 422)

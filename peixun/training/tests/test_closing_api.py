"""API v1 routes of the closing slice: persona statuses, shapes, and bad input (422 with the
field named, nothing stored)."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any, ClassVar

from django.test import Client

from peixun.events.tests.fixtures import add_session, make_class
from peixun.hours.models import CreditEntry
from peixun.testing import PersonaTestCase
from peixun.training.models import MakeUp, TrainingClass

from .test_closing_fixtures import DAY, Closable, closable_class, complete, mark_all, plan_file

API = "/api/v1/training"
READERS = {
    "anonymous": 401,
    "member": 403,
    "secretary": 403,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}
WRITERS = {**READERS, "viewer": 403}


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


class ClosingApiTests(PersonaTestCase):
    c: ClassVar[Closable]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.c = closable_class(cls.world)
        mark_all(cls.c)

    def url(self, suffix: str) -> str:
        return f"{API}/classes/{self.c.training_class.pk}/{suffix}"

    def test_read_routes_personas(self) -> None:
        for suffix in ("attendance-grid", "makeups", "checklist"):
            with self.subTest(route=suffix):
                self.expect_personas(self.url(suffix), READERS)

    def test_grid_shape(self) -> None:
        data = self.client_for("viewer").get(self.url("attendance-grid")).json()
        self.assertEqual(
            [s["title"] for s in data["sessions"]], ["第一讲", "第二讲", "第三讲", "第四讲"]
        )
        self.assertEqual(data["total_hours"], "14.00")
        self.assertEqual(data["leave_limit_denominator"], 7)
        rows = {r["member"]["name"]: r for r in data["rows"]}
        self.assertEqual(rows["李明"]["statuses"], ["present", "late", "left_early", "present"])
        self.assertEqual(Decimal(rows["李明"]["hours_to_credit"]), Decimal(12))
        self.assertEqual(Decimal(rows["陈静"]["leave_hours"]), Decimal(4))
        self.assertTrue(rows["陈静"]["over_leave_limit"])  # 4 × 7 > 14
        self.assertFalse(rows["周强"]["over_leave_limit"])  # 2 × 7 = 14

    def test_makeups_list_assign_and_waive(self) -> None:
        admin = self.client_for("org_admin")
        listed = admin.get(self.url("makeups")).json()
        self.assertEqual(
            [(m["member"]["name"], m["missed_title"], m["state"], m["id"]) for m in listed],
            [
                ("陈静", "第二讲", "open", None),
                ("陈静", "第三讲", "open", None),
                ("周强", "第四讲", "open", None),
            ],
        )
        self.assertEqual(admin.get(self.url("makeups") + "?state=bogus").status_code, 422)
        makeup_class = make_class(self.world.root, title="补训班", audience_org=self.world.unit)
        later = add_session(makeup_class, starts_in=DAY, title="补训专场")
        body = {
            "member_id": self.c.chen.pk,
            "missed_event_id": self.c.sessions[1].event_id,
            "assigned_event_id": later.event_id,
        }
        self.expect_personas(
            f"{API}/makeups",
            # Ids in the body the actor cannot see are field errors (422): 陈静 for the member
            # and the other branch's secretary, the 补训班 session for the secretary.
            {**WRITERS, "org_admin": 201, "member": 422, "secretary": 422, "other_secretary": 422},
            method="post",
            data=json.dumps(body),
            content_type="application/json",
        )
        makeup = MakeUp.objects.get()
        self.assertEqual(makeup.assigned_event_id, later.event_id)
        waive = f"{API}/makeups/{makeup.pk}/waive"
        response = post(admin, waive, {"reason": ""})
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["detail"][0]["loc"], ["body", "reason"])
        self.expect_personas(
            waive,
            {**WRITERS, "member": 403},
            method="post",
            data=json.dumps({"reason": "已参加同内容学习"}),
            content_type="application/json",
        )
        self.assertEqual(MakeUp.objects.get().state, MakeUp.State.WAIVED)
        self.assertEqual(
            post(admin, f"{API}/makeups/999999/waive", {"reason": "x"}).status_code, 404
        )
        self.expect_personas(
            f"{API}/makeups/waive",
            {**WRITERS, "org_admin": 201, "member": 422, "other_secretary": 422},
            method="post",
            data=json.dumps(
                {
                    "member_id": self.c.chen.pk,
                    "missed_event_id": self.c.sessions[2].event_id,
                    "reason": "已参加同内容学习",
                }
            ),
            content_type="application/json",
        )
        response = post(
            admin,
            f"{API}/makeups/waive",
            {
                "member_id": self.c.zhou.pk,
                "missed_event_id": self.c.sessions[3].event_id,
                "reason": "病假",
            },
        )
        self.assertEqual(response.status_code, 201)
        self.assertEqual(response.json()["state"], "waived")

    def test_assign_bad_input_names_the_field(self) -> None:
        admin = self.client_for("org_admin")
        cases = [
            ({"member_id": 999999}, "member_id"),
            ({"missed_event_id": 999999}, "missed_event_id"),
            ({"assigned_event_id": self.c.sessions[0].event_id}, "assigned_event_id"),  # earlier
            (
                {"member_id": self.c.li.pk, "missed_event_id": self.c.sessions[0].event_id},
                "member_id",
            ),
        ]
        for change, field in cases:
            body = {
                "member_id": self.c.chen.pk,
                "missed_event_id": self.c.sessions[1].event_id,
                "assigned_event_id": self.c.sessions[3].event_id,
                **change,
            }
            with self.subTest(field=field):
                response = post(admin, f"{API}/makeups", body)
                self.assertEqual(response.status_code, 422, response.content)
                self.assertEqual(response.json()["detail"][0]["loc"], ["body", field])
        self.assertFalse(MakeUp.objects.exists())

    def test_checklist_and_close_refused_then_done_and_reopened(self) -> None:
        admin = self.client_for("org_admin")
        data = admin.get(self.url("checklist")).json()
        self.assertFalse(data["ready"])
        self.assertEqual(
            {i["key"]: i["ok"] for i in data["items"]},
            {
                "roster": False,
                "attendance": True,
                "timetable": False,
                "plan": False,
                "sessions_ended": True,
            },
        )
        response = post(admin, self.url("close"))
        self.assertEqual(response.status_code, 422)
        self.assertEqual(response.json()["detail"][0]["loc"], ["body", "checklist"])
        self.assertFalse(CreditEntry.objects.exists())
        for suffix in ("confirm-roster", "confirm-timetable"):
            with self.subTest(route=suffix):
                self.expect_personas(self.url(suffix), WRITERS, method="post")
        bad = admin.post(self.url("plan"), {"plan": plan_file("a.pdf", b"nope")})
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(bad.json()["detail"][0]["loc"], ["body", "plan"])
        self.assertEqual(admin.post(self.url("plan")).status_code, 422)  # no file
        for persona, status in {
            "anonymous": 401,
            "member": 403,
            "secretary": 403,
            "other_secretary": 404,
            "viewer": 403,
        }.items():
            with self.subTest(persona=persona):
                response = self.client_for(persona).post(self.url("plan"), {"plan": plan_file()})
                self.assertEqual(response.status_code, status)
        response = admin.post(self.url("plan"), {"plan": plan_file()})
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.json()["plan_document"].endswith(".pdf"))
        self.assertTrue(admin.get(self.url("checklist")).json()["ready"])
        self.expect_personas(
            self.url("close"),
            {**WRITERS, "org_admin": 200},
            method="post",
            data=json.dumps({"late_note": ""}),
            content_type="application/json",
        )
        closed = post(admin, self.url("close"))
        self.assertEqual(closed.status_code, 422)  # already closed
        tc = TrainingClass.objects.get(pk=self.c.training_class.pk)
        self.assertEqual(tc.state, TrainingClass.State.CLOSED)
        self.assertEqual(
            sum(CreditEntry.objects.values_list("hours", flat=True), Decimal(0)), Decimal(30)
        )
        response = post(admin, self.url("reopen"), {"reason": ""})
        self.assertEqual(response.json()["detail"][0]["loc"], ["body", "reason"])
        self.expect_personas(
            self.url("reopen"),
            WRITERS,
            method="post",
            data=json.dumps({"reason": "考勤更正"}),
            content_type="application/json",
        )
        data = self.client_for("org_admin").get(self.url("checklist")).json()
        self.assertEqual(data["state"], "published")
        self.assertEqual(
            sum(CreditEntry.objects.values_list("hours", flat=True), Decimal(0)), Decimal(0)
        )

    def test_late_close_needs_a_note(self) -> None:
        late = closable_class(
            self.world, title="迟结班", ended_days_ago=12, chen=self.c.chen, zhou=self.c.zhou
        )
        mark_all(late)
        complete(late, self.user("org_admin"))
        admin = self.client_for("org_admin")
        url = f"{API}/classes/{late.training_class.pk}/close"
        self.assertTrue(
            admin.get(f"{API}/classes/{late.training_class.pk}/checklist").json()["late"]
        )
        response = post(admin, url)
        self.assertEqual(response.json()["detail"][0]["loc"], ["body", "late_note"])
        response = post(admin, url, {"late_note": "等待补训"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["late_close_note"], "等待补训")
        self.assertEqual(response.json()["members_credited"], 3)
        self.assertEqual(Decimal(response.json()["hours_credited"]), Decimal(30))

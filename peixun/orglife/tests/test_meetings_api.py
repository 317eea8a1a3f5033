"""API v1 for meetings under /api/v1/orglife/: every persona on every route, bad input answering
422 with the field named and nothing stored."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.files.uploadedfile import SimpleUploadedFile

from peixun.events.models import Event
from peixun.events.services import attendance_mark
from peixun.hours.models import CreditEntry
from peixun.orglife.models import AppraisalResult, Meeting, MeetingAttachment, Observer
from peixun.orgs.models import Position
from peixun.testing import PersonaTestCase

from .test_meetings_fixtures import body, error_fields, past, record, soon

BASE = "/api/v1/orglife/meetings"
READ = {
    "anonymous": 401,
    "member": 404,
    "secretary": 200,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}
WRITE = {**READ, "viewer": 403}


class MeetingApiTests(PersonaTestCase):
    meeting: ClassVar[Meeting]
    central: ClassVar[Meeting]
    appraisal: ClassVar[Meeting]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.meeting = record(w.users["secretary"], w.branch, "theme_day", title="主题党日")
        cls.central = record(w.users["org_admin"], w.unit, "central_group", title="中心组")
        cls.appraisal = record(w.users["secretary"], w.branch, "appraisal", title="民主评议")

    def new_body(self, **overrides: Any) -> dict[str, Any]:
        starts, ends = past(4)
        data: dict[str, Any] = {
            "org": self.world.branch.pk,
            "kind": "committee",
            "title": "支委会",
            "starts_at": starts.isoformat(),
            "ends_at": ends.isoformat(),
            "host": "王芳",
            "minutes": "<p>议题</p><script>alert(1)</script>",
        }
        data.update(overrides)
        return data

    def test_list(self) -> None:
        self.expect_personas(BASE, {**READ, "member": 200, "other_secretary": 200})
        self.assertEqual(self.client_for("member").get(BASE).json()["count"], 0)
        found = self.client_for("secretary").get(f"{BASE}?kind=theme_day").json()
        self.assertEqual([m["title"] for m in found["items"]], ["主题党日"])
        self.assertEqual(
            error_fields(self.client_for("secretary").get(f"{BASE}?kind=fun")), {"kind"}
        )
        response = self.client_for("secretary").get(f"{BASE}?org={self.world.far_branch.pk}")
        self.assertEqual(response.status_code, 404)

    def test_detail_and_attendance_counts(self) -> None:
        self.expect_personas(f"{BASE}/{self.meeting.pk}", READ)
        self.expect_personas(f"{BASE}/{self.meeting.pk}/attendance", READ)
        counts = self.client_for("secretary").get(f"{BASE}/{self.meeting.pk}/attendance").json()
        self.assertEqual(counts["expected"], 2)

    def test_create(self) -> None:
        statuses = {
            "anonymous": 401,
            "member": 403,  # sees their own branch, manages nothing
            "secretary": 201,
            "other_secretary": 422,
            "org_admin": 201,
            "viewer": 403,
        }
        self.expect_personas(BASE, statuses, method="post", **body(self.new_body()))
        created = Meeting.objects.filter(event__title="支委会")
        self.assertEqual(created.count(), 2)
        first = created.first()
        assert first is not None
        self.assertNotIn("<script", first.minutes)

    def test_bad_input_stores_nothing(self) -> None:
        starts, ends = soon()
        before = Meeting.objects.count()
        client = self.client_for("secretary")
        cases: list[tuple[dict[str, Any], set[str]]] = [
            ({"starts_at": starts.isoformat(), "ends_at": ends.isoformat()}, {"starts_at"}),
            ({"kind": "party"}, {"kind"}),
            ({"hours": "0.3"}, {"hours"}),
            ({"host": " "}, {"host"}),
            ({"org": self.world.far_branch.pk}, {"org"}),
            ({"plan_item": 999999}, {"plan_item"}),
        ]
        for overrides, fields in cases:
            response = client.post(BASE, **body(self.new_body(**overrides)))
            self.assertEqual(response.status_code, 422, overrides)
            self.assertEqual(error_fields(response), fields, overrides)
        self.assertEqual(Meeting.objects.count(), before)
        planned = self.new_body(
            starts_at=starts.isoformat(), ends_at=ends.isoformat(), scheduled=True
        )
        self.assertEqual(client.post(BASE, **body(planned)).status_code, 201)

    def test_update(self) -> None:
        url = f"{BASE}/{self.meeting.pk}"
        self.expect_personas(url, WRITE, method="patch", **body({"place": "新址"}))
        self.meeting.event.refresh_from_db()
        self.assertEqual(self.meeting.event.place, "新址")
        starts, ends = soon()
        response = self.client_for("secretary").patch(
            url, **body({"starts_at": starts.isoformat(), "ends_at": ends.isoformat()})
        )
        self.assertEqual(error_fields(response), {"starts_at"})

    def test_close_and_reopen(self) -> None:
        w = self.world
        attendance_mark(
            actor=self.user("secretary"), event=self.meeting.event, member=w.member, status="late"
        )
        url = f"{BASE}/{self.meeting.pk}"
        self.expect_personas(f"{url}/close", {**WRITE, "org_admin": 422}, method="post", **body({}))
        self.assertEqual(
            CreditEntry.objects.filter(reference=f"event:{self.meeting.event_id}").count(), 1
        )
        response = self.client_for("secretary").post(f"{url}/reopen", **body({"reason": ""}))
        self.assertEqual(error_fields(response), {"reason"})
        self.expect_personas(
            f"{url}/reopen", {**WRITE, "org_admin": 422}, method="post", **body({"reason": "错"})
        )
        self.meeting.event.refresh_from_db()
        self.assertEqual(self.meeting.event.state, Event.State.OPEN)

    def test_observers(self) -> None:
        w = self.world
        url = f"{BASE}/{self.central.pk}/observers"
        unit_read = {**READ, "secretary": 404}
        self.expect_personas(url, unit_read)
        payload = {"name": "陈督导", "org": w.root.pk, "title": "委员"}
        self.expect_personas(
            url, {**unit_read, "org_admin": 201, "viewer": 403}, method="post", **body(payload)
        )
        response = self.client_for("org_admin").post(url, **body({**payload, "org": w.branch.pk}))
        self.assertEqual(error_fields(response), {"org"})
        response = self.client_for("secretary").post(
            f"{BASE}/{self.meeting.pk}/observers", **body(payload)
        )
        self.assertEqual(error_fields(response), {"meeting"})
        self.assertEqual(Observer.objects.count(), 1)
        observer = Observer.objects.get()
        # The viewer is asked before the org admin deletes.
        self.expect_personas(
            f"{url}/{observer.pk}",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "viewer": 403,
                "org_admin": 204,
            },
            method="delete",
        )
        self.assertFalse(Observer.objects.exists())

    def test_appraisals(self) -> None:
        w = self.world
        url = f"{BASE}/{self.appraisal.pk}/appraisals"
        self.expect_personas(url, READ)
        payload = {"results": [{"member": w.member.pk, "result": "qualified"}]}
        self.expect_personas(url, WRITE, method="put", **body(payload))
        self.assertEqual(AppraisalResult.objects.get().result, "qualified")
        bad = {
            "results": [
                {"member": w.member.pk, "result": "excellent"},
                {"member": w.far_member.pk, "result": "qualified"},
            ]
        }
        response = self.client_for("secretary").put(url, **body(bad))
        self.assertEqual(error_fields(response), {"results"})
        self.assertEqual(AppraisalResult.objects.get().result, "qualified")
        response = self.client_for("secretary").put(
            f"{BASE}/{self.meeting.pk}/appraisals", **body(payload)
        )
        self.assertEqual(error_fields(response), {"meeting"})

    def test_attachments(self) -> None:
        url = f"{BASE}/{self.meeting.pk}/attachments"
        self.expect_personas(url, READ)
        for persona, status in {**WRITE, "secretary": 201, "org_admin": 201}.items():
            upload = SimpleUploadedFile("纪要.docx", b"PK\x03\x04 test")
            response = self.client_for(persona).post(url, {"file": upload})
            self.assertEqual(response.status_code, status, persona)
        response = self.client_for("secretary").post(
            url, {"file": SimpleUploadedFile("x.html", b"<script>")}
        )
        self.assertEqual(error_fields(response), {"file"})
        self.assertEqual(MeetingAttachment.objects.count(), 2)
        attachment = MeetingAttachment.objects.first()
        assert attachment is not None
        # Everyone else is asked before the secretary deletes.
        statuses = {
            "anonymous": 401,
            "member": 404,
            "other_secretary": 404,
            "viewer": 403,
            "secretary": 204,
            "org_admin": 404,
        }
        self.expect_personas(f"{url}/{attachment.pk}", statuses, method="delete")
        self.assertEqual(MeetingAttachment.objects.count(), 1)


class CountsTests(PersonaTestCase):
    def test_present_and_observer_counts_do_not_multiply(self) -> None:
        from peixun.orglife.services.observers import observer_add

        w = self.world
        admin = self.user("org_admin")
        meeting = record(admin, w.branch, "central_group")
        for name in ("甲", "乙", "丙"):
            observer_add(actor=admin, meeting=meeting, name=name, org=w.unit)
        Position.objects.all().delete()  # everyone in the branch is expected
        for member in (w.member, w.secretary_member):
            attendance_mark(actor=admin, event=meeting.event, member=member, status="present")
        found = self.client_for("org_admin").get(BASE).json()["items"][0]
        self.assertEqual((found["present_count"], found["observer_count"]), (2, 3))

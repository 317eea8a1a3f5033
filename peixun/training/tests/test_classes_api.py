"""API v1 for classes and their curriculum under /api/v1/training/: statuses for every persona,
bad input (422 naming the field, nothing stored), the theory share and publication.

Fixtures as in the page tests: `root_class` (organised by the root, no places) is read by the org
admin and the viewer and 404 for both secretaries and the member; `branch_class` (organised by the
first branch) is managed by its secretary, 404 for the other secretary, read-only (403 on writes)
for the viewer.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any, ClassVar

from peixun.core.models import AuditEvent
from peixun.events.models import Event
from peixun.testing import PersonaTestCase
from peixun.training.models import Session, TrainingClass

from .test_classes_pages import END, START, add_session, at, make_class

BASE = "/api/v1/training/classes"
READ_ROOT = {
    "anonymous": 401,
    "member": 404,
    "secretary": 404,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}
READ_BRANCH = {**READ_ROOT, "secretary": 200}
WRITE_BRANCH = {**READ_BRANCH, "viewer": 403}


def body(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(data, default=str), "content_type": "application/json"}


def error_fields(response: Any) -> set[str]:
    wrappers = {"body", "query", "payload"}
    return {
        next(str(part) for part in item["loc"] if str(part) not in wrappers)
        for item in response.json()["detail"]
    }


class ClassApiTests(PersonaTestCase):
    root_class: ClassVar[TrainingClass]
    branch_class: ClassVar[TrainingClass]
    branch_session: ClassVar[Session]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.root_class = make_class(w.users["org_admin"], w.root, "县直机关专题培训班")
        add_session(w.users["org_admin"], cls.root_class, "innovation_theory", 3)
        cls.branch_class = make_class(w.users["secretary"], w.branch, "第一支部轮训班")
        cls.branch_session = add_session(w.users["secretary"], cls.branch_class, "professional", 2)

    def new_class_body(self, org: Any, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "org": org.pk,
            "title": "接口建的班",
            "kind": "rotation",
            "topic": "party_history",
            "starts_on": START.isoformat(),
            "ends_on": END.isoformat(),
            "capacity": 20,
        }
        data.update(overrides)
        return data

    def session_body(self, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "title": "党章学习",
            "starts_at": at(START, 14).isoformat(),
            "ends_at": at(START, 16).isoformat(),
            "hours": "2",
            "type": "seminar",
            "topic": "constitution_rules",
        }
        data.update(overrides)
        return data

    # -- classes --------------------------------------------------------------------------------

    def test_list(self) -> None:
        self.expect_personas(
            BASE,
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )

        def titles(persona: str, query: str = "") -> set[str]:
            response = self.client_for(persona).get(BASE + query)
            self.assertEqual(response.status_code, 200)
            return {item["title"] for item in response.json()["items"]}

        self.assertEqual(titles("org_admin"), {"县直机关专题培训班", "第一支部轮训班"})
        self.assertEqual(titles("secretary"), {"第一支部轮训班"})
        self.assertEqual(titles("other_secretary"), set())
        self.assertEqual(titles("member"), set())
        self.assertEqual(titles("viewer", "?q=专题"), {"县直机关专题培训班"})
        self.assertEqual(titles("viewer", f"?org={self.world.branch.pk}"), {"第一支部轮训班"})
        item = self.client_for("org_admin").get(f"{BASE}?org={self.world.root.pk}").json()
        first = item["items"][0]
        self.assertEqual(
            (first["session_count"], Decimal(first["hours_total"]), first["enrolled_count"]),
            (1, Decimal(3), 0),
        )
        self.assertEqual(first["kind_label"], "专题培训")
        bad = self.client_for("org_admin").get(BASE + "?kind=bogus&year=1900")
        self.assertEqual(bad.status_code, 422)
        # An organiser out of scope is not found.
        other = self.client_for("other_secretary").get(f"{BASE}?org={self.world.branch.pk}")
        self.assertEqual(other.status_code, 404)

    def test_detail(self) -> None:
        self.expect_personas(f"{BASE}/{self.root_class.pk}", READ_ROOT)
        self.expect_personas(f"{BASE}/{self.branch_class.pk}", READ_BRANCH)
        data = self.client_for("viewer").get(f"{BASE}/{self.branch_class.pk}").json()
        self.assertEqual(data["org"], {"id": self.world.branch.pk, "name": "第一党支部"})
        self.assertEqual(data["audience_org"]["id"], self.world.branch.pk)
        self.assertEqual(data["state"], "draft")

    def test_create(self) -> None:
        before = (TrainingClass.objects.count(), AuditEvent.objects.count())
        client = self.client_for("secretary")
        # Visible but not managed (viewer on the root): 403; an organiser out of scope: 422.
        response = self.client_for("viewer").post(
            BASE, **body(self.new_class_body(self.world.root))
        )
        self.assertEqual(response.status_code, 403)
        response = client.post(BASE, **body(self.new_class_body(self.world.far_branch)))
        self.assertEqual((response.status_code, error_fields(response)), (422, {"org"}))
        response = client.post(
            BASE,
            **body(
                self.new_class_body(
                    self.world.branch,
                    title="",
                    capacity=0,
                    ends_on=(START - dt.timedelta(days=1)).isoformat(),
                    audience_statuses=["boss"],
                )
            ),
        )
        self.assertEqual(response.status_code, 422)
        self.assertEqual(
            error_fields(response), {"title", "capacity", "ends_on", "audience_statuses"}
        )
        response = client.post(
            BASE,
            **body(self.new_class_body(self.world.branch, audience_org=self.world.other_branch.pk)),
        )
        self.assertEqual((response.status_code, error_fields(response)), (422, {"audience_org"}))
        self.assertEqual((TrainingClass.objects.count(), AuditEvent.objects.count()), before)
        response = self.client_for("anonymous").post(
            BASE, **body(self.new_class_body(self.world.branch))
        )
        self.assertEqual(response.status_code, 401)
        response = client.post(
            BASE,
            **body(
                self.new_class_body(
                    self.world.branch, audience_org=self.world.group.pk, audience_statuses=["full"]
                )
            ),
        )
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual((data["title"], data["state"]), ("接口建的班", "draft"))
        self.assertEqual(data["audience_org"]["id"], self.world.group.pk)

    def test_patch(self) -> None:
        url = f"{BASE}/{self.branch_class.pk}"
        self.expect_personas(url, WRITE_BRANCH, method="patch", **body({"venue": "新地点"}))
        response = self.client_for("secretary").patch(url, **body({"capacity": 0}))
        self.assertEqual((response.status_code, error_fields(response)), (422, {"capacity"}))
        response = self.client_for("secretary").patch(url, **body({"title": "改过的班"}))
        self.assertEqual(response.json()["title"], "改过的班")
        self.assertEqual(response.json()["venue"], "新地点")
        # Dates that would leave the session outside.
        response = self.client_for("secretary").patch(
            url, **body({"starts_on": (START + dt.timedelta(days=1)).isoformat()})
        )
        self.assertEqual((response.status_code, error_fields(response)), (422, {"starts_on"}))

    # -- sessions -------------------------------------------------------------------------------

    def test_sessions_list_and_add(self) -> None:
        url = f"{BASE}/{self.branch_class.pk}/sessions"
        self.expect_personas(url, READ_BRANCH)
        self.expect_personas(f"{BASE}/{self.root_class.pk}/sessions", READ_ROOT)
        items = self.client_for("viewer").get(url).json()
        self.assertEqual([s["title"] for s in items], ["professional课"])
        self.assertEqual(items[0]["type_label"], "专题讲座")
        before = Event.objects.count()
        for persona, status in (
            ("anonymous", 401),
            ("member", 404),
            ("other_secretary", 404),
            ("viewer", 403),
        ):
            response = self.client_for(persona).post(url, **body(self.session_body()))
            self.assertEqual(response.status_code, status, persona)
        late = at(END + dt.timedelta(days=1), 9)
        response = self.client_for("secretary").post(
            url,
            **body(
                self.session_body(
                    starts_at=late.isoformat(), ends_at=(late + dt.timedelta(hours=2)).isoformat()
                )
            ),
        )
        self.assertEqual((response.status_code, error_fields(response)), (422, {"starts_at"}))
        response = self.client_for("secretary").post(
            url, **body(self.session_body(hours="0.3", type="nap"))
        )
        self.assertEqual(error_fields(response), {"hours", "type"})
        self.assertEqual(Event.objects.count(), before)
        response = self.client_for("secretary").post(url, **body(self.session_body()))
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertEqual(
            (data["title"], data["place"], data["topic"]),
            ("党章学习", "党校", "constitution_rules"),
        )
        self.assertEqual(Event.objects.get(pk=data["event_id"]).category, "session")

    def test_session_patch_and_delete(self) -> None:
        url = f"{BASE}/{self.branch_class.pk}/sessions/{self.branch_session.pk}"
        self.expect_personas(url, WRITE_BRANCH, method="patch", **body({"teacher": "新老师"}))
        response = self.client_for("org_admin").patch(url, **body({"hours": "-1"}))
        self.assertEqual((response.status_code, error_fields(response)), (422, {"hours"}))
        data = self.client_for("secretary").patch(url, **body({"topic": "party_history"})).json()
        self.assertEqual((data["topic"], data["teacher"]), ("party_history", "新老师"))
        # A session under another class's id is not found.
        wrong = f"{BASE}/{self.root_class.pk}/sessions/{self.branch_session.pk}"
        self.assertEqual(self.client_for("org_admin").delete(wrong).status_code, 404)
        for persona, status in (
            ("anonymous", 401),
            ("member", 404),
            ("other_secretary", 404),
            ("viewer", 403),
        ):
            self.assertEqual(self.client_for(persona).delete(url).status_code, status, persona)
        self.assertEqual(self.client_for("secretary").delete(url).status_code, 204)
        self.assertFalse(Session.objects.filter(pk=self.branch_session.pk).exists())
        self.assertFalse(Event.objects.filter(pk=self.branch_session.event_id).exists())

    # -- theory share, publish, cancel ----------------------------------------------------------

    def test_theory_share(self) -> None:
        url = f"{BASE}/{self.branch_class.pk}/theory-share"
        self.expect_personas(url, READ_BRANCH)
        self.expect_personas(f"{BASE}/{self.root_class.pk}/theory-share", READ_ROOT)
        data = self.client_for("viewer").get(url).json()
        self.assertEqual(
            {k: data[k] for k in ("ok", "applies", "blocks_publication", "share")},
            {"ok": False, "applies": True, "blocks_publication": True, "share": "0.0000"},
        )
        self.assertEqual(Decimal(data["total_hours"]), Decimal(2))
        self.assertEqual(Decimal(data["minimum"]), Decimal("0.5"))

    def test_publish(self) -> None:
        url = f"{BASE}/{self.branch_class.pk}/publish"
        # Below the minimum without a reason: 422 for those who may publish.
        self.expect_personas(
            url, {**WRITE_BRANCH, "secretary": 422, "org_admin": 422}, method="post", **body({})
        )
        response = self.client_for("secretary").post(url, **body({}))
        self.assertEqual(error_fields(response), {"override_reason"})
        self.assertIn("0%", response.json()["detail"][0]["msg"])
        response = self.client_for("secretary").post(
            url, **body({"override_reason": "以业务实操为主"})
        )
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual(
            (data["state"], data["theory_override_reason"]), ("published", "以业务实操为主")
        )
        self.assertIsNotNone(data["published_at"])
        audit = AuditEvent.objects.get(verb="training_class.publish")
        self.assertEqual((audit.after or {})["theory_override_reason"], "以业务实操为主")
        # The root class is 60%+ theory: published without a reason.
        response = self.client_for("org_admin").post(
            f"{BASE}/{self.root_class.pk}/publish", **body({})
        )
        self.assertEqual(response.json()["state"], "published")

    def test_cancel(self) -> None:
        url = f"{BASE}/{self.branch_class.pk}/cancel"
        self.expect_personas(
            url, {**WRITE_BRANCH, "secretary": 422, "org_admin": 422}, method="post", **body({})
        )
        response = self.client_for("secretary").post(url, **body({"reason": "合并到下期"}))
        self.assertEqual(response.json()["state"], "cancelled")
        response = self.client_for("secretary").patch(
            f"{BASE}/{self.branch_class.pk}", **body({"title": "不能改"})
        )
        self.assertEqual((response.status_code, error_fields(response)), (422, {"state"}))

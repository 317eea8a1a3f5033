"""/api/v1/resources/teachers/ for every persona: the list with its search and paging, a
teacher with their history, create, update, leave and rejoin, and bad input that stores
nothing; and the training API's sessions naming a teacher of the pool."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, ClassVar

from django.test import override_settings
from django.utils import timezone

from peixun.core.models import AuditEvent
from peixun.resources.models import Teacher
from peixun.testing import PersonaTestCase
from peixun.training.models import Session

from .teacher_fixtures import add_teacher, build, make_class, teach

API = "/api/v1/resources/teachers/"
LIST = {
    "anonymous": 401,
    "member": 404,
    "secretary": 200,
    "other_secretary": 200,
    "org_admin": 200,
    "viewer": 200,
}
BRANCH_READ = {**LIST, "other_secretary": 404}


def body(data: Any) -> dict[str, Any]:
    return {"data": json.dumps(data, default=str), "content_type": "application/json"}


# Written against the English messages (the catalogue came with the merge).
@override_settings(LANGUAGE_CODE="en")
class TeacherApiTests(PersonaTestCase):
    branch_teacher: ClassVar[Teacher]
    county_teacher: ClassVar[Teacher]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        made = build(cls.world)
        cls.branch_teacher = made["branch_teacher"]
        cls.county_teacher = made["county_teacher"]
        start = timezone.localdate() - dt.timedelta(days=2)
        tc = make_class(cls.world.users["org_admin"], cls.world.unit, "处级干部轮训", start)
        teach(cls.world.users["org_admin"], tc, cls.county_teacher)

    def test_list_personas_search_and_paging(self) -> None:
        self.expect_personas(API, LIST)
        client = self.client_for("org_admin")
        data = client.get(API).json()
        self.assertEqual(data["count"], 2)
        first = data["items"][0]
        self.assertEqual(first["name"], "吴教授")
        self.assertEqual(first["session_count"], 1)
        self.assertEqual(first["subjects"], ["economy"])
        self.assertEqual(first["open_to"]["id"], self.world.root.pk)
        self.assertNotIn("phone", first)
        names = [t["name"] for t in client.get(API, {"subject": "exemplars"}).json()["items"]]
        self.assertEqual(names, ["周老师"])
        names = [t["name"] for t in client.get(API, {"q": "吴"}).json()["items"]]
        self.assertEqual(names, ["吴教授"])
        page = client.get(API, {"limit": 1, "offset": 1}).json()
        self.assertEqual([t["name"] for t in page["items"]], ["周老师"])
        self.assertEqual(client.get(API, {"keeper": "0"}).status_code, 422)
        self.assertEqual(client.get(API, {"active": "maybe"}).status_code, 422)
        self.assertEqual(client.get(API, {"active": "all"}).json()["count"], 2)
        self.assertEqual(client.get(API, {"limit": "2" * 30}).status_code, 422)
        self.assertEqual(
            [t["name"] for t in self.client_for("other_secretary").get(API).json()["items"]],
            ["吴教授"],
        )

    def test_detail_personas_and_history(self) -> None:
        self.expect_personas(f"{API}{self.branch_teacher.pk}", BRANCH_READ)
        data = self.client_for("viewer").get(f"{API}{self.county_teacher.pk}").json()
        self.assertEqual([s["class_title"] for s in data["sessions"]], ["处级干部轮训"])
        self.assertIsNone(data["rating"])
        self.assertEqual(data["session_count"], 1)
        self.assertEqual(self.client_for("viewer").get(f"{API}999999").status_code, 404)
        subjects = self.client_for("viewer").get(f"{API}subjects").json()
        self.assertIn({"value": "economy", "label": "Modern economy"}, subjects)

    def test_create_personas_bad_input_and_create(self) -> None:
        new = {"org": self.world.branch.pk, "name": "新老师", "subjects": ["science"]}
        self.expect_personas(
            API,
            {"anonymous": 401, "member": 404, "secretary": 201, "other_secretary": 422,
             "org_admin": 201, "viewer": 422},
            method="post", **body(new),
        )  # fmt: skip
        self.assertEqual(Teacher.objects.filter(name="新老师").count(), 2)
        client = self.client_for("secretary")
        before = Teacher.objects.count()
        response = client.post(API, **body({**new, "subjects": ["astrology"], "title": "x"}))
        self.assertEqual(response.status_code, 422)
        fields = {e["loc"][-1] for e in response.json()["detail"]}
        self.assertEqual(fields, {"subjects", "title"})
        response = client.post(API, **body({**new, "open_to": self.world.far_branch.pk}))
        self.assertEqual(response.status_code, 422)
        response = client.post(API, **body({**new, "org": True}))
        self.assertEqual(response.status_code, 422)
        self.assertEqual(Teacher.objects.count(), before)
        response = client.post(API, **body({**new, "member": self.world.member.pk, "name": ""}))
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["name"], "李明")

    def test_update_leave_and_rejoin(self) -> None:
        url = f"{API}{self.branch_teacher.pk}"
        self.expect_personas(
            url,
            {**BRANCH_READ, "anonymous": 401, "viewer": 403},
            method="patch", **body({"position": "副教授"}),
        )  # fmt: skip
        teacher = Teacher.objects.get(pk=self.branch_teacher.pk)
        self.assertEqual(teacher.position, "副教授")
        self.assertEqual(teacher.open_to, self.world.branch)  # untouched fields kept
        client = self.client_for("secretary")
        response = client.patch(url, **body({"subjects": []}))
        self.assertEqual(response.status_code, 422)
        self.assertEqual(
            sorted(teacher.subjects.values_list("subject", flat=True)),
            ["exemplars", "party_history"],
        )
        self.assertEqual(client.post(f"{url}/leave", **body({"reason": ""})).status_code, 422)
        response = client.post(f"{url}/leave", **body({"reason": "调离"}))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.json()["active"])
        self.assertEqual(response.json()["left_reason"], "调离")
        self.assertEqual(
            [t["name"] for t in client.get(API, {"active": "false"}).json()["items"]], ["周老师"]
        )
        self.assertEqual(self.client_for("viewer").post(f"{url}/rejoin").status_code, 403)
        self.assertTrue(client.post(f"{url}/rejoin").json()["active"])
        self.assertTrue(AuditEvent.objects.filter(verb="resources.teacher.rejoin").exists())


class SessionApiPoolTeacherTests(PersonaTestCase):
    def test_session_schema_links_a_pool_teacher(self) -> None:
        w = self.world
        made = build(w)
        other = add_teacher(w.users["other_secretary"], w.other_branch, "郑老师")
        tc = make_class(
            w.users["secretary"], w.branch, "支部轮训", timezone.localdate() + dt.timedelta(days=5)
        )
        url = f"/api/v1/training/classes/{tc.pk}/sessions"
        client = self.client_for("secretary")
        session = {
            "title": "党史专题",
            "starts_at": f"{tc.starts_on}T09:00:00+08:00",
            "ends_at": f"{tc.starts_on}T12:00:00+08:00",
            "hours": "3",
            "type": "lecture",
            "pool_teacher_id": other.pk,
        }
        response = client.post(url, **body(session))
        self.assertEqual(response.status_code, 422)
        self.assertFalse(Session.objects.filter(training_class=tc).exists())
        response = client.post(
            url, **body({**session, "pool_teacher_id": made["county_teacher"].pk})
        )
        self.assertEqual(response.status_code, 201, response.content)
        out = response.json()
        self.assertEqual(
            (out["pool_teacher_id"], out["teacher"]), (made["county_teacher"].pk, "吴教授")
        )
        response = client.patch(f"{url}/{out['id']}", **body({"pool_teacher_id": None}))
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.json()["pool_teacher_id"])
        self.assertEqual(response.json()["teacher"], "吴教授")
        response = client.patch(f"{url}/{out['id']}", **body({"title": "党史专题二"}))
        self.assertIsNone(response.json()["pool_teacher_id"])

"""/api/v1/learning/staff/: the same services and scoping as the staff pages."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.utils import timezone

from peixun.testing import PersonaTestCase

from ..models import OnlineClass
from .classes_fixtures import ClassStory, class_story

API = "/api/v1/learning/staff"


class StaffApiTests(PersonaTestCase):
    story: ClassVar[ClassStory]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.story = class_story(cls.world)

    def url(self, suffix: str = "") -> str:
        return f"{API}/classes/{self.story.online_class.pk}{suffix}"

    def test_personas(self) -> None:
        readers = {"anonymous": 401, "member": 404, "secretary": 200, "other_secretary": 200,
                   "org_admin": 200, "viewer": 200}  # fmt: skip
        for url in (f"{API}/classes", self.url(), self.url("/progress"),
                    self.url("/not-started"), f"{API}/catalogue", f"{API}/strikes"):  # fmt: skip
            with self.subTest(url):
                self.expect_personas(url, readers)
        self.expect_personas(self.url(), readers | {"secretary": 403, "other_secretary": 403,
            "viewer": 403}, method="patch", data={"title": "改名"},
            content_type="application/json")  # fmt: skip
        self.expect_personas(self.url("/remind"), readers | {"viewer": 403}, method="post")

    def test_progress_is_scoped(self) -> None:
        admin = self.client_for("org_admin").get(self.url("/progress")).json()
        self.assertEqual(
            [(b["org"]["name"], b["audience"], b["not_started"], b["in_progress"], b["completed"])
             for b in admin["branches"]],
            [("第一党支部", 3, 1, 1, 1), ("第二党支部", 1, 1, 0, 0)],
        )  # fmt: skip
        self.assertEqual(admin["total"]["audience"], 4)
        mine = self.client_for("secretary").get(self.url("/progress")).json()
        self.assertEqual([b["org"]["name"] for b in mine["branches"]], ["第一党支部"])
        waiting = self.client_for("other_secretary").get(self.url("/not-started")).json()
        self.assertEqual([m["name"] for m in waiting["items"]], ["赵强"])

    def test_create_set_courses_and_bad_input(self) -> None:
        client = self.client_for("org_admin")
        today = timezone.localdate()
        body = {"org": self.world.unit.pk, "title": "API 专题班", "starts_on": today.isoformat(),
                "ends_on": (today + dt.timedelta(days=5)).isoformat()}  # fmt: skip
        bad = client.post(f"{API}/classes", body | {"ends_on": "2000-01-01"},
                          content_type="application/json")  # fmt: skip
        self.assertEqual(bad.status_code, 422)
        outside = client.post(f"{API}/classes", body | {"audience_org": 987654},
                              content_type="application/json")  # fmt: skip
        self.assertEqual(outside.status_code, 422)
        created = client.post(f"{API}/classes", body, content_type="application/json")
        self.assertEqual(created.status_code, 201, created.content)
        pk = created.json()["id"]
        courses = self.story.courses
        put = client.put(f"{API}/classes/{pk}/courses",
                         {"required": [courses["A"].pk], "electives": [courses["C"].pk]},
                         content_type="application/json")  # fmt: skip
        self.assertEqual(put.status_code, 200, put.content)
        self.assertEqual([(c["title"], c["required"]) for c in put.json()["courses"]],
                         [("课程A", True), ("课程C", False)])  # fmt: skip
        unknown = client.put(f"{API}/classes/{pk}/courses", {"required": [987654]},
                             content_type="application/json")  # fmt: skip
        self.assertEqual(unknown.status_code, 422)
        published = client.post(f"{API}/classes/{pk}/publish")
        self.assertEqual(published.json()["state"], OnlineClass.State.PUBLISHED)
        again = client.post(f"{API}/classes/{pk}/publish")
        self.assertEqual(again.status_code, 422)

    def test_remind_answers_how_many_were_told(self) -> None:
        first = self.client_for("org_admin").post(self.url("/remind")).json()
        self.assertEqual(first, {"told": 2})
        self.assertEqual(self.client_for("org_admin").post(self.url("/remind")).json(), {"told": 0})

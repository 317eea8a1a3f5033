"""/api/v1/surveys/needs/ for every persona: a survey created with its audience, opened and
closed, its results, branches and topic demand, and a plan item citing a topic."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from peixun.plans.models import PlanItem
from peixun.surveys.models import PlanCitation, Survey
from peixun.testing import PersonaTestCase

from .needs_fixtures import YEAR, answered_survey, plan_item

API = "/api/v1/surveys/needs"
READ = {
    "anonymous": 401,
    "member": 404,
    "secretary": 404,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}


def body(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(data, default=str), "content_type": "application/json"}


class NeedsApiTest(PersonaTestCase):
    survey: ClassVar[Survey]
    item: ClassVar[PlanItem]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.survey = answered_survey(cls.world)
        cls.item = plan_item(cls.world)

    def test_read_routes(self) -> None:
        self.expect_personas(API, {**READ, "secretary": 200, "other_secretary": 200})
        for suffix in ("", "/results", "/branches", "/topics", "/citations"):
            self.expect_personas(f"{API}/{self.survey.pk}{suffix}", READ)
        admin = self.client_for("org_admin")
        listed = admin.get(API, {"year": str(YEAR)}).json()
        self.assertEqual([s["invited"] for s in listed["items"]], [10])
        self.assertEqual(admin.get(API, {"year": "0"}).status_code, 422)
        topics = admin.get(f"{API}/{self.survey.pk}/topics").json()
        self.assertEqual(
            [(t["topic"], t["respondents"], t["share"]) for t in topics["topics"]],
            [
                ("party_history", 5, "0.5556"),
                ("rule_of_law", 4, "0.4444"),
                ("integrity", 1, "0.1111"),
            ],
        )
        branches = admin.get(f"{API}/{self.survey.pk}/branches").json()
        self.assertEqual(
            [(b["branch"]["name"], b["responded"], b["shown"]) for b in branches],
            [("第一党支部", 6, True), ("第二党支部", 3, False)],
        )
        withheld = admin.get(
            f"{API}/{self.survey.pk}/results", {"branch": str(self.world.other_branch.pk)}
        ).json()
        self.assertEqual((withheld["shown"], withheld["responses"]), (False, 3))
        self.assertTrue(
            all(not q["options"] and q["average"] is None for q in withheld["questions"])
        )
        overall = admin.get(f"{API}/{self.survey.pk}/results").json()
        self.assertTrue(overall["shown"])
        bad = admin.get(f"{API}/{self.survey.pk}/topics", {"branch": str(self.world.far_branch.pk)})
        self.assertEqual(bad.status_code, 422)

    def test_create_open_close(self) -> None:
        data = {
            "org": self.world.branch.pk,
            "title": "支部需求调研",
            "year": YEAR,
            "audience_statuses": ["full"],
        }
        self.expect_personas(
            API,
            {"anonymous": 401, "member": 404, "other_secretary": 422, "viewer": 403,
             "secretary": 201, "org_admin": 201},
            method="post",
            **body(data),
        )  # fmt: skip
        created = Survey.objects.filter(title="支部需求调研").order_by("id")
        self.assertEqual(created.count(), 2)
        survey = created[0]
        bad = self.client_for("secretary").post(
            API, **body({**data, "title": "", "audience_statuses": ["nope"], "form": 999})
        )
        self.assertEqual(bad.status_code, 422)
        self.assertEqual(created.count(), 2)
        opened = self.client_for("secretary").post(f"{API}/{survey.pk}/open")
        # 李明 and the five others of the branch with a login; the secretary is not told of her act.
        self.assertEqual(opened.json(), {"told": 6})
        self.assertEqual(
            self.client_for("other_secretary").post(f"{API}/{survey.pk}/close").status_code, 404
        )
        self.assertEqual(
            self.client_for("viewer").post(f"{API}/{survey.pk}/close").status_code, 403
        )
        closed = self.client_for("secretary").post(f"{API}/{survey.pk}/close").json()
        self.assertEqual(closed["state"], "closed")
        again = self.client_for("secretary").post(f"{API}/{survey.pk}/close")
        self.assertEqual(again.status_code, 422)

    def test_cite(self) -> None:
        url = f"{API}/{self.survey.pk}/citations"
        data = {"plan_item": self.item.pk, "topic": "rule_of_law", "note": "法治需求较高"}
        self.expect_personas(
            url,
            {"anonymous": 401, "member": 404, "secretary": 404, "other_secretary": 404,
             "viewer": 403, "org_admin": 201},
            method="post",
            **body(data),
        )  # fmt: skip
        citation = PlanCitation.objects.get()
        self.assertEqual((citation.respondents, citation.responses), (4, 9))
        listed = self.client_for("viewer").get(url).json()
        self.assertEqual([(c["topic"], c["share"]) for c in listed], [("rule_of_law", "0.4444")])
        twice = self.client_for("org_admin").post(url, **body(data))
        self.assertEqual(twice.status_code, 422)
        unknown = self.client_for("org_admin").post(url, **body({**data, "plan_item": 10**6}))
        self.assertEqual(unknown.status_code, 422)

"""/api/v1/plans/ for every persona, the filing workflow through the API, and bad input."""

from __future__ import annotations

import json
from typing import Any

from peixun.testing import PersonaTestCase

from ..models import PlanItem, TrainingPlan
from .fixtures import YEAR, branch_plan

API = "/api/v1/plans/"
READ = {
    "anonymous": 401,
    "member": 404,
    "secretary": 200,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}


def body(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(data, default=str), "content_type": "application/json"}


class PlanApiTests(PersonaTestCase):
    def test_read_routes_personas(self) -> None:
        plan, (item,) = branch_plan(self.world)
        for suffix in ("", "/items", "/versions", "/progress", "/document"):
            self.expect_personas(f"{API}{plan.pk}{suffix}", READ)
        self.expect_personas(
            f"{API}filings?org={self.world.unit.pk}&year={YEAR}", {**READ, "secretary": 404}
        )
        listed = self.client_for("other_secretary").get(API).json()
        self.assertEqual(listed["count"], 0)
        self.assertEqual(self.client_for("secretary").get(f"{API}?year={YEAR}").json()["count"], 1)

    def test_workflow_and_wrong_decider(self) -> None:
        w = self.world
        secretary, admin = self.client_for("secretary"), self.client_for("org_admin")
        created = secretary.post(
            API, **body({"org": w.branch.pk, "year": YEAR, "title": "年度计划"})
        )
        self.assertEqual(created.status_code, 201)
        plan_id = created.json()["id"]
        self.assertEqual(secretary.post(f"{API}{plan_id}/submit").status_code, 422)  # no items
        item = {
            "content": "党课",
            "responsible_org": w.branch.pk,
            "deadline": f"{YEAR}-09-30",
            "planned_meetings": 4,
            "planned_hours": "8",
        }
        bad = secretary.post(
            f"{API}{plan_id}/items", **body({**item, "responsible_org": w.far_branch.pk})
        )
        self.assertEqual(bad.status_code, 422)
        self.assertFalse(PlanItem.objects.exists())
        self.assertEqual(secretary.post(f"{API}{plan_id}/items", **body(item)).status_code, 201)
        self.expect_personas(
            f"{API}{plan_id}/submit",
            {
                "anonymous": 401,
                "member": 404,
                "other_secretary": 404,
                "viewer": 403,
                "secretary": 200,
                "org_admin": 422,
            },
            method="post",
        )
        self.assertEqual(secretary.post(f"{API}{plan_id}/approve").status_code, 403)
        self.assertEqual(
            admin.post(f"{API}{plan_id}/return", **body({"reason": ""})).status_code, 422
        )
        returned = admin.post(f"{API}{plan_id}/return", **body({"reason": "补充预算"}))
        self.assertEqual(returned.json()["state"], "returned")
        self.assertEqual(secretary.post(f"{API}{plan_id}/submit").json()["version"], 2)
        self.assertEqual(admin.post(f"{API}{plan_id}/approve").json()["state"], "approved")
        versions = secretary.get(f"{API}{plan_id}/versions").json()
        self.assertEqual(
            [(v["number"], v["decision"]) for v in versions], [(2, "approved"), (1, "returned")]
        )
        self.assertEqual(TrainingPlan.objects.get().version, 2)

    def test_remind_personas(self) -> None:
        data = body({"org": self.world.unit.pk, "year": YEAR})
        self.expect_personas(
            f"{API}remind",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "viewer": 403,
                "org_admin": 200,
            },
            method="post",
            **data,
        )
        self.assertEqual(
            self.client_for("org_admin").post(f"{API}remind", **data).json()["reminded"], 2
        )

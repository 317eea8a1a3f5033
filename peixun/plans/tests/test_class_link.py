"""A class is linked to the plan item it delivers, on the class form and through the API; an
item of another org's plan is refused and nothing is stored."""

from __future__ import annotations

import datetime as dt
import json

from peixun.testing import PersonaTestCase
from peixun.training.models import TrainingClass

from ..services import item_add, plan_create
from .fixtures import YEAR, item_fields


class ClassPlanItemTests(PersonaTestCase):
    def test_link_through_api_and_refuse_a_foreign_item(self) -> None:
        w = self.world
        admin = w.users["org_admin"]
        unit_plan = plan_create(actor=admin, org=w.unit, year=YEAR, title="单位计划")
        unit_item = item_add(actor=admin, plan=unit_plan, **item_fields(w, responsible_org=w.unit))
        far_plan = plan_create(actor=admin, org=w.far_unit, year=YEAR, title="他单位计划")
        far_item = item_add(
            actor=admin, plan=far_plan, **item_fields(w, responsible_org=w.far_unit)
        )
        body = {
            "org": w.branch.pk, "title": "支部党员轮训", "kind": "rotation", "topic": "innovation_theory",
            "starts_on": f"{YEAR}-06-01", "ends_on": f"{YEAR}-06-02", "capacity": 20,
        }  # fmt: skip
        client = self.client_for("org_admin")

        def post(data: dict) -> object:  # type: ignore[type-arg]
            return client.post(
                "/api/v1/training/classes", data=json.dumps(data), content_type="application/json"
            )

        refused = post({**body, "plan_item": far_item.pk})
        self.assertEqual(refused.status_code, 422)  # type: ignore[attr-defined]
        self.assertFalse(TrainingClass.objects.exists())
        made = post({**body, "plan_item": unit_item.pk})
        self.assertEqual(made.status_code, 201)  # type: ignore[attr-defined]
        self.assertEqual(made.json()["plan_item_id"], unit_item.pk)  # type: ignore[attr-defined]
        tc = TrainingClass.objects.get()
        page = client.get(f"/training/{tc.pk}/edit/")
        self.assertContains(
            page, f'<option value="{unit_item.pk}" selected>测试局机关党委 {YEAR}：'
        )
        # Changed on the page to the other unit's item: refused, the link stays.
        data = {
            **body, "audience_org": w.branch.pk, "plan_item": far_item.pk,
        }  # fmt: skip
        data.pop("org")
        client.post(f"/training/{tc.pk}/edit/", data)
        tc.refresh_from_db()
        self.assertEqual(tc.plan_item, unit_item)
        # Through the API an explicit null unlinks it, and puts the audience back to the
        # organiser; leaving the field out changes nothing.
        patch = client.patch(
            f"/api/v1/training/classes/{tc.pk}",
            data=json.dumps({"title": "支部党员轮训（二期）"}),
            content_type="application/json",
        )
        self.assertEqual(patch.json()["plan_item_id"], unit_item.pk)  # type: ignore[attr-defined]
        cleared = client.patch(
            f"/api/v1/training/classes/{tc.pk}",
            data=json.dumps({"plan_item": None, "audience_org": None}),
            content_type="application/json",
        )
        self.assertEqual(cleared.status_code, 200, cleared.content)
        tc.refresh_from_db()
        self.assertIsNone(tc.plan_item)
        self.assertEqual(tc.audience_org, w.branch)

    def test_editing_a_class_keeps_an_older_years_item(self) -> None:
        from peixun.events.tests.fixtures import make_class

        w = self.world
        admin = w.users["org_admin"]
        old_plan = plan_create(actor=admin, org=w.unit, year=YEAR - 3, title="往年计划")
        old_item = item_add(
            actor=admin,
            plan=old_plan,
            **item_fields(w, responsible_org=w.unit, deadline=dt.date(YEAR - 3, 6, 30)),
        )
        tc = make_class(w.branch, plan_item=old_item, state=TrainingClass.State.DRAFT)
        page = self.client_for("org_admin").get(f"/training/{tc.pk}/edit/")
        self.assertContains(page, f'<option value="{old_item.pk}" selected>')

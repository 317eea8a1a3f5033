"""/api/v1/spending/ for every persona: list with filters, record, read, correct, void, totals
and plan versus actual; bad input is a 422 naming the field, with nothing stored."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from peixun.core.models import AuditEvent
from peixun.plans.tests.fixtures import branch_plan
from peixun.spending.models import Expense, Fund
from peixun.testing import PersonaTestCase

from .fixtures import YEAR, costed_class, pdf, spend

API = "/api/v1/spending/"
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


def error_fields(response: Any) -> set[str]:
    return {str(item["loc"][-1]) for item in response.json()["detail"]}


class ApiTest(PersonaTestCase):
    expense: ClassVar[Expense]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.expense = spend(w.users["secretary"], w)
        spend(
            w.users["org_admin"],
            w,
            org=w.other_branch,
            amount="50",
            fund=Fund.OTHER,
            purpose="茶水",
        )

    def new(self, **overrides: Any) -> dict[str, Any]:
        data = {
            "org": self.world.branch.pk,
            "spent_on": f"{YEAR}-04-01",
            "amount": "356.00",
            "fund": "party_dues",
            "purpose": "订阅《党建》杂志",
            "decision_body": "支委会",
            "decision_on": f"{YEAR}-03-28",
        }
        data.update(overrides)
        return data

    def test_read_routes_personas(self) -> None:
        self.expect_personas(f"{API}?year={YEAR}", {**READ, "other_secretary": 200})
        self.expect_personas(f"{API}totals?year={YEAR}", {**READ, "other_secretary": 200})
        self.expect_personas(f"{API}plan-actual?year={YEAR}", {**READ, "other_secretary": 200})
        self.expect_personas(f"{API}totals?org={self.world.branch.pk}", READ)
        self.expect_personas(f"{API}{self.expense.pk}", READ)

    def test_list_and_filters(self) -> None:
        client = self.client_for("org_admin")
        rows = client.get(f"{API}?year={YEAR}").json()
        self.assertEqual(rows["count"], 2)
        first = rows["items"][-1]
        self.assertEqual((first["amount"], first["fund_label"]), ("1200.50", "培训经费"))
        self.assertEqual(client.get(f"{API}?fund=other").json()["count"], 1)
        self.assertEqual(client.get(f"{API}?org={self.world.other_branch.pk}").json()["count"], 1)
        self.assertEqual(client.get(f"{API}?q=纲要").json()["count"], 1)
        self.assertEqual(client.get(f"{API}?against=none").json()["count"], 2)
        for bad in ("fund=gold", "against=x", "year=abc", "org=0", "limit=0"):
            with self.subTest(bad):
                self.assertEqual(client.get(f"{API}?{bad}").status_code, 422)
        self.assertEqual(client.get(f"{API}?org=987654321").status_code, 404)
        secretary = self.client_for("secretary").get(f"{API}?year={YEAR}").json()
        self.assertEqual(secretary["count"], 1)

    def test_record_personas_and_audit(self) -> None:
        self.expect_personas(
            API,
            {
                "anonymous": 401,
                "member": 403,
                "secretary": 201,
                "other_secretary": 422,  # 第一党支部 is not in their scope: as if unknown
                "org_admin": 201,
                "viewer": 403,
            },
            method="post",
            **body(self.new()),
        )
        self.assertEqual(Expense.objects.filter(purpose="订阅《党建》杂志").count(), 2)
        # two in setUpTestData, two through the API
        self.assertEqual(AuditEvent.objects.filter(verb="expense.record").count(), 4)

    def test_bad_input_is_422_nothing_stored(self) -> None:
        client = self.client_for("secretary")
        before = Expense.objects.count()
        for data, fields in (
            (self.new(amount="0"), {"amount"}),
            (self.new(amount="abc"), {"amount"}),
            (self.new(fund="gold"), {"fund"}),
            (self.new(decision_body="", decision_on=None), {"decision_body", "decision_on"}),
            (self.new(spent_on="2099-01-01", decision_on=None), {"spent_on", "decision_on"}),
            (self.new(org=True), {"org"}),
            (self.new(org=self.world.far_branch.pk), {"org"}),
            (self.new(training_class=987654321), {"training_class"}),
            (self.new(purpose=""), {"purpose"}),
        ):
            with self.subTest(data=data):
                response = client.post(API, **body(data))
                self.assertEqual(response.status_code, 422, response.content)
                self.assertEqual(error_fields(response), fields)
        self.assertEqual(Expense.objects.count(), before)

    def test_patch_and_void(self) -> None:
        url = f"{API}{self.expense.pk}"
        self.expect_personas(
            url,
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 403,
            },
            method="patch",
            **body({"amount": "1300"}),
        )
        client = self.client_for("secretary")
        response = client.patch(url, **body({"amount": "-1"}))
        self.assertEqual((response.status_code, error_fields(response)), (422, {"amount"}))
        _plan, (item,) = branch_plan(self.world)
        got = client.patch(url, **body({"plan_item": item.pk})).json()
        self.assertEqual(got["plan_item"], {"id": item.pk, "name": item.content})
        got = client.patch(url, **body({"plan_item": None})).json()
        self.assertIsNone(got["plan_item"])
        self.assertEqual(got["amount"], "1300.00")
        response = client.post(f"{url}/void", **body({"reason": ""}))
        self.assertEqual((response.status_code, error_fields(response)), (422, {"reason"}))
        self.assertEqual(
            self.client_for("viewer").post(f"{url}/void", **body({"reason": "x"})).status_code,
            403,
        )
        got = client.post(f"{url}/void", **body({"reason": "重复录入"})).json()
        self.assertTrue(got["voided"])
        self.assertEqual(got["void_reason"], "重复录入")
        self.assertEqual(client.patch(url, **body({"amount": "5"})).status_code, 422)

    def test_totals_by_hand(self) -> None:
        w = self.world
        got = self.client_for("viewer").get(f"{API}totals?org={w.unit.pk}&year={YEAR}").json()
        self.assertEqual(got["total"], "1250.50")
        self.assertEqual(got["count"], 2)
        self.assertEqual(
            got["by_fund"], {"party_dues": "0.00", "training_funds": "1200.50", "other": "50.00"}
        )
        ranged = self.client_for("viewer").get(
            f"{API}totals?org={w.unit.pk}&start={YEAR}-03-13&end={YEAR}-12-31"
        )
        self.assertEqual(ranged.json()["total"], "0.00")
        for bad in (f"start={YEAR}-01-01", f"start={YEAR}-02-01&end={YEAR}-01-01", "year=0"):
            with self.subTest(bad):
                response = self.client_for("viewer").get(f"{API}totals?{bad}")
                self.assertEqual(response.status_code, 422)

    def test_plan_actual(self) -> None:
        w = self.world
        _plan, (item,) = branch_plan(w)
        training_class = costed_class(w, plan_item=item)
        spend(w.users["org_admin"], w, amount="600", training_class=training_class)
        got = self.client_for("org_admin").get(f"{API}plan-actual?org={w.unit.pk}&year={YEAR}")
        data = got.json()
        self.assertEqual((data["budget"], data["spent"]), ("3000.00", "1850.50"))
        self.assertEqual(data["items"][0]["spent"], "600.00")
        self.assertEqual(data["items"][0]["percent"], 20)
        cost = data["classes"][0]
        self.assertEqual(
            (cost["trainees"], cost["per_trainee"], cost["per_hour"]), (2, "300.00", "50.00")
        )
        self.assertEqual(
            [(r["org"]["name"], r["spent"]) for r in data["orgs"]],
            [("测试局机关党委", "0.00"), ("第一党支部", "1800.50"), ("第二党支部", "50.00")],
        )

    def test_attachments(self) -> None:
        url = f"{API}{self.expense.pk}/attachments"
        self.expect_personas(url, READ)
        for persona, status in {
            "anonymous": 401,
            "member": 404,
            "secretary": 201,
            "other_secretary": 404,
            "org_admin": 201,
            "viewer": 403,
        }.items():
            # A fresh file each time: an upload is read once.
            got = self.client_for(persona).post(url, {"kind": "decision", "file": pdf()})
            self.assertEqual(got.status_code, status, persona)
        client = self.client_for("secretary")
        bad = client.post(url, {"kind": "selfie", "file": pdf()})
        self.assertEqual((bad.status_code, error_fields(bad)), (422, {"kind"}))
        listed = client.get(url).json()
        self.assertEqual([a["kind"] for a in listed], ["decision", "decision"])
        first = listed[0]["id"]
        self.assertEqual(client.get(f"{url}/{first}").content, b"%PDF-1.4\n% an invoice\n")
        self.assertEqual(self.client_for("viewer").delete(f"{url}/{first}").status_code, 403)
        self.assertEqual(client.delete(f"{url}/{first}").status_code, 204)
        self.assertEqual(len(client.get(url).json()), 1)

"""API v1 compliance: an org's summary with its children and one member's results, every figure
from the ledger (hand-computed here from the entries recorded, and equal to the selectors').

Statuses: anonymous 401; an org or member out of scope 404 (a plain member reads their own
results, not their branch's summary); a bad year or as_of 422.
"""

import datetime as dt
import json
from decimal import Decimal
from typing import Any, ClassVar

from django.test import Client

from peixun.hours import selectors as compliance
from peixun.hours.services import entry_record, requirement_create, requirements_seed_defaults
from peixun.members.models import Member
from peixun.testing import PASSWORD, PersonaTestCase, make_member

ORGS = "/api/v1/compliance/orgs/"
MEMBERS = "/api/v1/compliance/members/"
YEAR = 2025
DAY = dt.date(YEAR, 3, 12)
RULE_32 = "党员每年集中学习培训不少于32学时"


class ComplianceApiTests(PersonaTestCase):
    exempt_member: ClassVar[Member]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        requirements_seed_defaults(actor=w.platform_admin, tenant=w.root, from_year=2019)
        cls.exempt_member = make_member(w.far_branch, "钱老", exempt_reason="elderly")

        def record(members: list[Any], hours: str, **fields: Any) -> None:
            values: dict[str, Any] = {
                "kind": "concentrated_training",
                "title": "集中轮训",
                "concentrated": True,
            }
            values.update(fields)
            entry_record(actor=w.platform_admin, members=members, on=DAY, hours=hours, **values)

        record([w.member], "32")  # 李明 meets the 32-hour rule
        record([w.other_member], "10")  # 赵强 is behind at the year's end
        # Not concentrated: counts toward the total, not the coverage or the 32-hour rule.
        record([w.far_member], "6", kind="theme_day", title="主题党日", concentrated=False)

    def get(self, persona: str, url: str) -> Any:
        response = self.client_for(persona).get(url)
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()

    def rule_counts(self, summary: dict[str, Any], name: str = RULE_32) -> dict[str, int]:
        return next(r["counts"] for r in summary["per_rule"] if r["name"] == name)

    def test_org_personas(self) -> None:
        self.expect_personas(
            f"{ORGS}{self.world.branch.pk}?year={YEAR}",
            {
                "anonymous": 401,
                "member": 404,  # a plain member has their own results, not the branch's
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_member_personas(self) -> None:
        self.expect_personas(
            f"{MEMBERS}{self.world.member.pk}?year={YEAR}",
            {
                "anonymous": 401,
                "member": 200,  # their own
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_root_summary_from_the_ledger(self) -> None:
        w = self.world
        data = self.get("viewer", f"{ORGS}{w.root.pk}?year={YEAR}")
        self.assertEqual(data["org"], {"id": w.root.pk, "name": w.root.name})
        self.assertEqual((data["year"], data["as_of"]), (YEAR, f"{YEAR}-12-31"))
        # 李明, 王芳, 赵强, 孙丽 and the exempt 钱老.
        self.assertEqual((data["members"], data["exempt"]), (5, 1))
        # Concentrated training for 李明 and 赵强 of the four who are not exempt.
        self.assertEqual(Decimal(data["coverage"]), Decimal("0.5"))
        self.assertEqual(Decimal(data["average_hours"]), Decimal(32 + 10 + 6) / 4)
        self.assertEqual(
            self.rule_counts(data),
            {"met": 1, "on_track": 0, "at_risk": 0, "behind": 3, "exempt": 1},
        )
        children = {c["org"]["name"]: c for c in data["children"]}
        self.assertEqual(data["children_count"], 2)
        unit, far = children[w.unit.name], children[w.far_unit.name]
        self.assertEqual((unit["members"], unit["exempt"]), (3, 0))
        self.assertEqual(Decimal(unit["coverage"]), Decimal("0.6667"))
        self.assertEqual(Decimal(unit["average_hours"]), Decimal(14))
        self.assertEqual((far["members"], far["exempt"]), (2, 1))
        self.assertEqual(Decimal(far["coverage"]), Decimal(0))
        self.assertEqual(Decimal(far["average_hours"]), Decimal(6))
        self.assertEqual(self.rule_counts(far)["exempt"], 1)

    def test_summary_equals_the_selector(self) -> None:
        w = self.world
        data = self.get("org_admin", f"{ORGS}{w.unit.pk}?year={YEAR}")
        expected = compliance.org_compliance(actor=self.user("org_admin"), org=w.unit, year=YEAR)
        self.assertEqual(data["members"], expected.summary.members)
        self.assertEqual(
            {r["requirement_id"]: r["counts"] for r in data["per_rule"]},
            {pk: dict(counts) for pk, counts in expected.summary.per_rule.items()},
        )
        self.assertEqual(
            [c["org"]["id"] for c in data["children"]], [c.org_id for c in expected.children]
        )

    def test_children_are_paged(self) -> None:
        url = f"{ORGS}{self.world.root.pk}?year={YEAR}&children_limit=1&children_offset=1"
        data = self.get("org_admin", url)
        self.assertEqual((data["children_count"], len(data["children"])), (2, 1))
        self.assertEqual(data["children"][0]["org"]["id"], self.world.far_unit.pk)

    def test_as_of_mid_year(self) -> None:
        w = self.world
        data = self.get("secretary", f"{MEMBERS}{w.member.pk}?year={YEAR}&as_of={YEAR}-06-30")
        self.assertEqual(data["as_of"], f"{YEAR}-06-30")
        rule = next(r for r in data["results"] if r["name"] == RULE_32)
        self.assertLess(Decimal(rule["due_by_now"]), Decimal(32))
        self.assertGreater(Decimal(rule["due_by_now"]), Decimal(0))
        self.assertEqual(rule["status"], "met")
        org = self.get("secretary", f"{ORGS}{w.branch.pk}?year={YEAR}&as_of={YEAR}-06-30")
        self.assertEqual(org["as_of"], f"{YEAR}-06-30")

    def test_member_results_from_the_ledger(self) -> None:
        w = self.world
        data = self.get("member", f"{MEMBERS}{w.member.pk}?year={YEAR}")
        self.assertEqual(data["member"], {"id": w.member.pk, "name": "李明"})
        self.assertEqual(data["org"], {"id": w.branch.pk, "name": w.branch.name})
        self.assertEqual((data["exempt"], data["worst_status"]), (False, "met"))
        totals = data["totals"]
        self.assertEqual(
            (
                Decimal(totals["total"]),
                Decimal(totals["concentrated"]),
                totals["concentrated_count"],
            ),
            (Decimal(32), Decimal(32), 1),
        )
        self.assertEqual(
            totals["by_kind"], {"concentrated_training": {"hours": "32.00", "entries": 1}}
        )
        self.assertEqual(totals["by_topic"], {"other": "32.00"})
        rule = next(r for r in data["results"] if r["name"] == RULE_32)
        self.assertEqual(
            [Decimal(rule[k]) for k in ("required", "achieved", "gap", "due_by_now")],
            [Decimal(32), Decimal(32), Decimal(0), Decimal(32)],
        )
        behind = self.get("org_admin", f"{MEMBERS}{w.other_member.pk}?year={YEAR}")
        rule = next(r for r in behind["results"] if r["name"] == RULE_32)
        self.assertEqual((Decimal(rule["gap"]), rule["status"]), (Decimal(22), "behind"))

    def test_record_then_reverse_returns_the_earlier_figures(self) -> None:
        w = self.world
        url = f"{MEMBERS}{w.other_member.pk}?year={YEAR}"
        before = self.get("other_secretary", url)
        recorded = self.client_for("other_secretary").post(
            "/api/v1/hours/entries",
            data=json.dumps(
                {
                    "members": [w.other_member.pk],
                    "on": DAY.isoformat(),
                    "hours": "22",
                    "kind": "concentrated_training",
                    "title": "补课",
                    "concentrated": True,
                }
            ),
            content_type="application/json",
        )
        self.assertEqual(recorded.status_code, 201, recorded.content)
        during = self.get("other_secretary", url)
        rule = next(r for r in during["results"] if r["name"] == RULE_32)
        self.assertEqual((Decimal(rule["achieved"]), rule["status"]), (Decimal(32), "met"))
        reversed_ = self.client_for("other_secretary").post(
            f"/api/v1/hours/entries/{recorded.json()[0]['id']}/reverse",
            data=json.dumps({"reason": "录错了人"}),
            content_type="application/json",
        )
        self.assertEqual(reversed_.status_code, 201, reversed_.content)
        self.assertEqual(self.get("other_secretary", url), before)

    def test_exempt_member_is_never_behind(self) -> None:
        data = self.get("org_admin", f"{MEMBERS}{self.exempt_member.pk}?year={YEAR}")
        self.assertTrue(data["exempt"])
        self.assertEqual(data["worst_status"], "exempt")
        self.assertTrue(data["results"])
        self.assertEqual({r["status"] for r in data["results"]}, {"exempt"})

    def test_a_new_local_rule_shows_in_the_results(self) -> None:
        w = self.world
        rule = requirement_create(
            actor=self.user("org_admin"),
            org=w.unit,
            data={
                "name": "局机关党员年均50学时",
                "metric": "total_hours",
                "threshold": "50",
                "valid_from_year": YEAR,
            },
        )
        data = self.get("secretary", f"{MEMBERS}{w.member.pk}?year={YEAR}")
        result = next(r for r in data["results"] if r["requirement_id"] == rule.pk)
        self.assertEqual(
            (Decimal(result["required"]), Decimal(result["gap"]), result["status"]),
            (Decimal(50), Decimal(18), "behind"),
        )
        # Not the year before: the rule holds from YEAR on.
        earlier = self.get("secretary", f"{MEMBERS}{w.member.pk}?year={YEAR - 1}")
        self.assertNotIn(rule.pk, [r["requirement_id"] for r in earlier["results"]])

    def test_bad_queries(self) -> None:
        client = self.client_for("org_admin")
        w = self.world
        for url in (
            f"{ORGS}{w.root.pk}?year=1",
            f"{ORGS}{w.root.pk}?year=abc",
            f"{ORGS}{w.root.pk}?year={YEAR}&as_of={YEAR + 1}-01-01",
            f"{ORGS}{w.root.pk}?year={YEAR}&as_of=not-a-date",
            f"{ORGS}{w.root.pk}?year={YEAR}&children_offset=-1",
            f"{MEMBERS}{w.member.pk}?year=99999",
            f"{MEMBERS}{w.member.pk}?year={YEAR}&as_of={YEAR - 1}-12-31",
        ):
            self.assertEqual(client.get(url).status_code, 422, url)
        self.assertEqual(client.get(f"{ORGS}999999?year={YEAR}").status_code, 404)
        self.assertEqual(client.get(f"{MEMBERS}999999?year={YEAR}").status_code, 404)

    def test_bearer_token(self) -> None:
        issued = Client().post(
            "/api/v1/auth/token",
            data=json.dumps({"username": "secretary", "password": PASSWORD}),
            content_type="application/json",
        )
        bearer = Client(HTTP_AUTHORIZATION=f"Bearer {issued.json()['token']}")
        summary = bearer.get(f"{ORGS}{self.world.branch.pk}?year={YEAR}")
        self.assertEqual(summary.status_code, 200, summary.content)
        self.assertEqual(summary.json()["members"], 2)  # 李明 and 王芳
        self.assertEqual(bearer.get(f"{ORGS}{self.world.far_branch.pk}").status_code, 404)
        self.assertEqual(bearer.get(f"{MEMBERS}{self.world.far_member.pk}").status_code, 404)

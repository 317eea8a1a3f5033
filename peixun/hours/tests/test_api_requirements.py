"""API v1 for requirement rules: who reads which rules, who adds local ones, bad input.

Statuses: anonymous 401; an org in a query filter out of scope 404; the org named in the body out
of scope 422 (a field error); a visible org the actor does not administer 403.
"""

import json
from decimal import Decimal
from typing import Any, ClassVar

from peixun.core.models import AuditEvent
from peixun.hours.models import Requirement
from peixun.hours.services import DEFAULT_RULES, requirements_seed_defaults
from peixun.testing import PersonaTestCase

URL = "/api/v1/hours/requirements"


def json_kwargs(body: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(body), "content_type": "application/json"}


def error_fields(response: Any) -> set[str]:
    wrappers = {"body", "query", "payload"}
    return {
        next(str(part) for part in item["loc"] if str(part) not in wrappers)
        for item in response.json()["detail"]
    }


class RequirementApiTests(PersonaTestCase):
    branch_rule: ClassVar[Requirement]
    far_rule: ClassVar[Requirement]
    old_rule: ClassVar[Requirement]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        requirements_seed_defaults(actor=w.platform_admin, tenant=w.root, from_year=2019)

        def rule(org: Any, name: str, **fields: Any) -> Requirement:
            values: dict[str, Any] = {
                "metric": "total_hours",
                "threshold": Decimal(50),
                "valid_from_year": 2024,
            }
            values.update(fields)
            return Requirement.objects.create(org=org, name=name, **values)

        cls.branch_rule = rule(w.branch, "第一支部党员年均50学时")
        cls.far_rule = rule(w.far_branch, "第三支部党员年均60学时", threshold=Decimal(60))
        cls.old_rule = rule(
            w.unit, "局党委2020至2022年规则", valid_from_year=2020, valid_to_year=2022
        )

    def setUp(self) -> None:
        self.counts_before = (Requirement.objects.count(), AuditEvent.objects.count())

    def names(self, persona: str, query: str = "") -> set[str]:
        response = self.client_for(persona).get(f"{URL}{query}")
        self.assertEqual(response.status_code, 200, response.content)
        return {item["name"] for item in response.json()["items"]}

    def new_rule(self, **fields: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "org": self.world.unit.pk,
            "name": "局机关党员每年学习不少于50学时",
            "source": "局党委〔2025〕1号",
            "statuses": ["full", "probationary"],
            "metric": "total_hours",
            "threshold": "50",
            "valid_from_year": 2025,
        }
        body.update(fields)
        return body

    def test_list_personas(self) -> None:
        self.expect_personas(
            URL,
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_create_personas(self) -> None:
        self.expect_personas(
            URL,
            {
                "anonymous": 401,
                "member": 403,  # sees their own branch, administers nothing
                "secretary": 403,
                "other_secretary": 422,  # the branch is out of their scope: a field error
                "viewer": 403,
                "org_admin": 201,
            },
            method="post",
            **json_kwargs(self.new_rule(org=self.world.branch.pk)),
        )
        self.assertEqual(Requirement.objects.count(), self.counts_before[0] + 1)

    def test_each_reads_their_rules_and_those_above(self) -> None:
        defaults = {r["name"] for r in DEFAULT_RULES}
        branch, far, old = self.branch_rule.name, self.far_rule.name, self.old_rule.name
        self.assertEqual(self.names("member"), defaults | {branch, old})
        self.assertEqual(self.names("secretary"), defaults | {branch, old})
        self.assertEqual(self.names("other_secretary"), defaults | {old})
        self.assertEqual(self.names("viewer"), defaults | {branch, far, old})

    def test_filters(self) -> None:
        w = self.world
        defaults = {r["name"] for r in DEFAULT_RULES}
        self.assertEqual(
            self.names("org_admin", "?year=2025"),
            defaults | {self.branch_rule.name, self.far_rule.name},
        )
        self.assertEqual(
            self.names("org_admin", f"?org={w.far_branch.pk}"), defaults | {self.far_rule.name}
        )
        # In 2021 only the defaults whose documents held then (the cadre rules start in 2023).
        in_2021 = {
            r["name"]
            for r in DEFAULT_RULES
            if r["valid_from_year"] <= 2021 <= r.get("valid_to_year", 9999)
        }
        self.assertEqual(
            self.names("org_admin", f"?org={w.unit.pk}&year=2021"), in_2021 | {self.old_rule.name}
        )
        self.assertEqual(
            self.client_for("secretary").get(f"{URL}?org={w.far_branch.pk}").status_code, 404
        )
        self.assertEqual(self.client_for("org_admin").get(f"{URL}?year=1").status_code, 422)

    def test_rule_figures(self) -> None:
        items = self.client_for("member").get(f"{URL}?org={self.world.branch.pk}").json()["items"]
        rule = next(i for i in items if i["id"] == self.branch_rule.pk)
        self.assertEqual(
            (rule["org_name"], rule["metric"], Decimal(rule["threshold"]), rule["valid_to_year"]),
            ("第一党支部", "total_hours", Decimal(50), None),
        )
        self.assertIn("第一党支部", rule["applies_to"])

    def test_create_stores_the_rule_and_audits(self) -> None:
        response = self.client_for("org_admin").post(URL, **json_kwargs(self.new_rule()))
        self.assertEqual(response.status_code, 201, response.content)
        created = Requirement.objects.get(pk=response.json()["id"])
        self.assertEqual(
            (created.org, created.threshold, created.statuses, created.valid_from_year),
            (self.world.unit, Decimal(50), ["full", "probationary"], 2025),
        )
        self.assertEqual(created.created_by, self.user("org_admin"))
        self.assertTrue(AuditEvent.objects.filter(verb="requirement.create").exists())
        # The secretary below sees the unit's new rule.
        self.assertIn(created.name, self.names("secretary", "?year=2025"))

    def test_bad_input_stores_nothing(self) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"threshold": "-5"}, "threshold"),
            ({"threshold": "0"}, "threshold"),
            ({"threshold": "abc"}, "threshold"),
            ({"metric": "nonsense"}, "metric"),
            ({"metric": "topic_hours"}, "topic"),
            ({"metric": "topic_share", "topic": "party_history", "threshold": "150"}, "threshold"),
            ({"metric": "kind_count", "kind": "nonsense"}, "kind"),
            ({"statuses": ["nonsense"]}, "statuses"),
            ({"period_years": 0}, "period_years"),
            ({"period_years": 5}, "cycle_start_year"),
            ({"online_cap": "-1"}, "online_cap"),
            ({"valid_from_year": None}, "valid_from_year"),
            ({"valid_to_year": 2020}, "valid_to_year"),
            ({"name": "  "}, "name"),
            ({"org": 999999}, "org"),
        ]
        for fields, field in cases:
            with self.subTest(fields=fields):
                response = self.client_for("org_admin").post(
                    URL, **json_kwargs(self.new_rule(**fields))
                )
                self.assertEqual(response.status_code, 422, response.content)
                self.assertEqual(error_fields(response), {field})
        self.assertEqual(
            (Requirement.objects.count(), AuditEvent.objects.count()), self.counts_before
        )

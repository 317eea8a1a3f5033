"""The rules pages: the rules in force for one's scope, a local rule with its live audience, retiring.

Access: anonymous → 302; anyone with a grant or a member record reads the rules above and inside
their scope; new rule, live audience and retire are 404 for everyone but an org admin of the org.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.utils import timezone

from peixun.core.models import AuditEvent
from peixun.hours.models import Requirement
from peixun.hours.services import requirement_create
from peixun.testing import PersonaTestCase, make_member

YEAR = timezone.localdate().year
ADMIN_ONLY = {
    "anonymous": 302,
    "member": 404,
    "secretary": 404,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 404,
}


class RulePageTests(PersonaTestCase):
    root_rule: ClassVar[Requirement]
    far_rule: ClassVar[Requirement]
    old_rule: ClassVar[Requirement]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        admin = w.users["org_admin"]
        cls.root_rule = requirement_create(
            actor=admin,
            org=w.root,
            data={
                "name": "党员年度学时",
                "source": "县直机关工委 2025 年党员教育培训计划",
                "statuses": ["full", "probationary"],
                "metric": "total_hours",
                "threshold": "50",
                "valid_from_year": YEAR - 1,
            },
        )
        cls.far_rule = requirement_create(
            actor=admin,
            org=w.far_unit,
            data={
                "name": "委党委理论学习",
                "metric": "topic_share",
                "topic": "innovation_theory",
                "threshold": "50",
                "valid_from_year": YEAR,
            },
        )
        cls.old_rule = requirement_create(
            actor=admin,
            org=w.root,
            data={
                "name": "旧规则",
                "metric": "concentrated_hours",
                "threshold": "24",
                "valid_from_year": YEAR - 5,
                "valid_to_year": YEAR - 2,
            },
        )
        make_member(w.branch, "钱预备", status="probationary", confirmed_on=None)
        make_member(w.branch, "周积极", status="activist", joined_on=None, confirmed_on=None)

    def rule_data(self, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "org": self.world.unit.pk,
            "name": "局机关党员学时",
            "statuses": ["full"],
            "metric": "total_hours",
            "threshold": "40",
            "period_years": "1",
            "valid_from_year": str(YEAR),
        }
        data.update(overrides)
        return data

    def test_list_personas_and_scope(self) -> None:
        self.expect_personas(
            "/hours/rules/",
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        names = {
            persona: [
                r.name for r in self.client_for(persona).get("/hours/rules/").context["rules"]
            ]
            for persona in ("member", "secretary", "org_admin")
        }
        self.assertEqual(
            names["member"], ["党员年度学时"]
        )  # the rule above them, not the far unit's
        self.assertEqual(names["secretary"], ["党员年度学时"])
        self.assertEqual(names["org_admin"], ["党员年度学时", "委党委理论学习"])
        old = self.client_for("org_admin").get(f"/hours/rules/?year={YEAR - 3}").context["rules"]
        self.assertEqual([r.name for r in old], ["旧规则"])
        page = self.client_for("secretary").get("/hours/rules/?year=abc")
        self.assertEqual(page.context["year"], YEAR)
        self.assertContains(page, "县直机关工委 2025 年党员教育培训计划")
        self.assertNotContains(page, f"/hours/rules/{self.root_rule.pk}/retire/")
        self.assertContains(
            self.client_for("org_admin").get("/hours/rules/"),
            f"/hours/rules/{self.root_rule.pk}/retire/",
        )

    def test_new_rule_personas(self) -> None:
        url = f"/hours/rules/new/?org={self.world.unit.pk}"
        self.expect_personas(url, ADMIN_ONLY)
        self.expect_personas("/hours/rules/new/", ADMIN_ONLY)
        self.expect_personas(url, ADMIN_ONLY, method="post", data={"org": self.world.unit.pk})
        self.expect_personas(f"/hours/rules/audience/?org={self.world.unit.pk}", ADMIN_ONLY)
        self.assertEqual(Requirement.objects.count(), 3)

    def test_audience_is_counted_live_and_on_submit(self) -> None:
        client = self.client_for("org_admin")
        page = client.get(f"/hours/rules/new/?org={self.world.unit.pk}")
        # Nothing ticked: the Party members of the unit's subtree (李明, 王芳, 赵强, 钱预备; not
        # the activist 周积极, whom only a rule naming that status covers, as the compliance
        # engine judges since issue 14: this once read 5).
        self.assertEqual(page.context["audience_count"], 4)
        live = client.get(
            "/hours/rules/audience/",
            {"org": self.world.unit.pk, "statuses": ["full", "probationary"]},
            headers={"HX-Request": "true"},
        )
        self.assertTemplateUsed(live, "hours/_audience.html")
        self.assertEqual(live.context["audience_count"], 4)
        self.assertIn(self.world.unit.name, live.context["audience_text"])
        secretaries = client.get(
            "/hours/rules/audience/", {"org": self.world.unit.pk, "positions": ["secretary"]}
        )
        self.assertEqual(secretaries.context["audience_count"], 1)
        bogus = client.get(
            "/hours/rules/audience/", {"org": self.world.unit.pk, "statuses": ["bogus"]}
        )
        self.assertEqual(bogus.context["audience_count"], 4)  # an unknown value is no filter
        # A bad submit re-renders with the count of what was chosen.
        bad = client.post("/hours/rules/new/", self.rule_data(threshold="-1"))
        self.assertEqual(bad.status_code, 200)
        self.assertEqual(bad.context["audience_count"], 3)

    def test_create_rule(self) -> None:
        response = self.client_for("org_admin").post("/hours/rules/new/", self.rule_data())
        self.assertEqual(response.status_code, 302)
        rule = Requirement.objects.get(name="局机关党员学时")
        self.assertEqual(
            (rule.org, rule.statuses, rule.threshold, rule.valid_from_year, rule.is_default),
            (self.world.unit, ["full"], Decimal(40), YEAR, False),
        )
        self.assertTrue(AuditEvent.objects.filter(verb="requirement.create").exists())

    def test_bad_rules_store_nothing(self) -> None:
        cases: list[tuple[dict[str, Any], str]] = [
            ({"threshold": "-1"}, "threshold"),
            ({"threshold": "abc"}, "threshold"),
            ({"metric": ""}, "metric"),
            ({"metric": "topic_share", "threshold": "150", "topic": "party_history"}, "threshold"),
            ({"metric": "topic_hours"}, "topic"),
            ({"metric": "kind_count"}, "kind"),
            ({"period_years": "5"}, "cycle_start_year"),
            ({"period_years": "50", "cycle_start_year": "2023"}, "period_years"),
            ({"valid_to_year": str(YEAR - 1)}, "valid_to_year"),
            ({"statuses": ["bogus"]}, "statuses"),
            ({"name": ""}, "name"),
            ({"online_cap": "-3"}, "online_cap"),
        ]
        client = self.client_for("org_admin")
        for overrides, field in cases:
            with self.subTest(overrides=overrides):
                response = client.post("/hours/rules/new/", self.rule_data(**overrides))
                self.assertEqual(response.status_code, 200)
                self.assertIn(field, response.context["form"].errors)
        self.assertEqual(Requirement.objects.count(), 3)

    def test_retire(self) -> None:
        url = f"/hours/rules/{self.root_rule.pk}/retire/"
        self.expect_personas(url, ADMIN_ONLY)
        self.expect_personas(url, ADMIN_ONLY, method="post", data={"last_year": "1999"})
        self.root_rule.refresh_from_db()
        self.assertIsNone(self.root_rule.valid_to_year)  # before its first year: refused
        response = self.client_for("org_admin").post(url, {"last_year": str(YEAR)})
        self.assertEqual(response.status_code, 302)
        self.root_rule.refresh_from_db()
        self.assertEqual(self.root_rule.valid_to_year, YEAR)
        names = [
            r.name
            for r in self.client_for("member")
            .get(f"/hours/rules/?year={YEAR + 1}")
            .context["rules"]
        ]
        self.assertNotIn("党员年度学时", names)
        # The years it held for keep it.
        names = [r.name for r in self.client_for("member").get("/hours/rules/").context["rules"]]
        self.assertIn("党员年度学时", names)
        self.assertEqual(
            self.client_for("org_admin").get("/hours/rules/999999/retire/").status_code, 404
        )

"""Kept compliance summaries (`ComplianceSnapshot`): a large org's summary is kept when judged and
read from the copy while it is young; small orgs are always judged live; the refresh job judges
the roots and the kept ones again; access is checked before any copy is read.

"Large" is `COMPLIANCE_KEEP_MEMBERS`, set low here so that the World's tenant (five members
below the root) counts as large and its branches (two or fewer) do not."""

import datetime as dt
from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.http import Http404
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from peixun.hours.models import ComplianceSnapshot, Requirement
from peixun.hours.selectors import org_compliance
from peixun.hours.selectors.compliance.summary import OrgCompliance
from peixun.hours.services import (
    compliance_snapshots_refresh,
    entry_record,
    org_compliance_read,
    requirements_seed_defaults,
    workbench_summaries,
)
from peixun.testing import PersonaTestCase, make_member

YEAR = 2025
AS_OF = dt.date(YEAR, 12, 31)
KEEP = override_settings(COMPLIANCE_KEEP_MEMBERS=4, COMPLIANCE_MAX_AGE_SECONDS=1800)


def figures(report: OrgCompliance) -> tuple[Any, ...]:
    """What a reader sees of a summary, without when it was computed."""
    plain = replace(report, computed_at=None)
    return (plain.summary, plain.children, [r.pk for r in plain.rules], plain.year, plain.as_of)


@KEEP
class KeptComplianceTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        requirements_seed_defaults(actor=w.platform_admin, tenant=w.root, from_year=2019)
        make_member(w.far_branch, "钱老", exempt_reason="elderly")
        cls.record(w.member, "32")
        cls.record(w.other_member, "10")

    @classmethod
    def record(cls, member: Any, hours: str) -> None:
        entry_record(
            actor=cls.world.platform_admin,
            members=[member],
            on=dt.date(YEAR, 3, 12),
            hours=hours,
            kind="concentrated_training",
            title="集中轮训",
            concentrated=True,
        )

    def read(self, persona: str = "org_admin", **kw: Any) -> OrgCompliance:
        args: dict[str, Any] = {"org": self.world.root, "year": YEAR, "as_of": AS_OF}
        args.update(kw)
        return org_compliance_read(actor=self.user(persona), **args)

    def test_a_large_org_is_kept_and_read_from_its_copy(self) -> None:
        first = self.read()
        self.assertIsNone(first.computed_at)  # judged for this request
        kept = ComplianceSnapshot.objects.get(org=self.world.root, year=YEAR, as_of=AS_OF)
        self.assertEqual(kept.members, 5)  # 李明, 王芳, 赵强, 孙丽, the exempt 钱老
        again = self.read()
        self.assertEqual(again.computed_at, kept.computed_at)
        self.assertEqual(figures(again), figures(first))
        live = org_compliance(actor=self.user("org_admin"), org=self.world.root, year=YEAR)
        self.assertEqual(figures(again), figures(live))
        # The decoded figures are the engine's, to the decimal.
        self.assertEqual(again.summary.coverage, Decimal("0.5"))
        self.assertEqual(again.summary.average_hours, Decimal("10.50"))

    def test_a_kept_copy_lags_until_fresh_figures_are_asked_for(self) -> None:
        self.read()
        self.record(self.world.far_member, "32")
        stale = self.read()
        self.assertIsNotNone(stale.computed_at)
        self.assertEqual(stale.summary.average_hours, Decimal("10.50"))
        fresh = self.read(fresh=True)
        self.assertIsNone(fresh.computed_at)
        self.assertEqual(fresh.summary.average_hours, Decimal("18.50"))
        # …and the copy now holds the fresh figures.
        self.assertEqual(self.read().summary.average_hours, Decimal("18.50"))
        self.assertEqual(ComplianceSnapshot.objects.count(), 1)

    def test_an_old_copy_is_not_read(self) -> None:
        self.read()
        ComplianceSnapshot.objects.update(computed_at=timezone.now() - dt.timedelta(hours=1))
        self.assertIsNone(self.read().computed_at)

    def test_a_copy_naming_a_deleted_rule_is_not_read(self) -> None:
        w = self.world
        rule = Requirement.objects.create(
            org=w.root,
            name="临时规则",
            metric="total_hours",
            threshold=Decimal(1),
            valid_from_year=2019,
        )
        self.read()
        Requirement.objects.filter(pk=rule.pk).delete()
        self.assertIsNone(self.read().computed_at)

    def test_small_orgs_are_always_judged_live(self) -> None:
        report = self.read(org=self.world.branch)
        self.assertIsNone(report.computed_at)
        self.assertFalse(ComplianceSnapshot.objects.exists())
        with override_settings(COMPLIANCE_MAX_AGE_SECONDS=0):
            self.read()
        self.assertFalse(ComplianceSnapshot.objects.exists())

    def test_another_tenant_or_branch_cannot_read_a_copy(self) -> None:
        self.read()
        for persona in ("member", "secretary", "other_secretary"):
            with self.assertRaises(Http404, msg=persona):
                self.read(persona)
        self.assertIsNotNone(self.read("viewer").computed_at)

    def test_the_job_judges_roots_and_kept_orgs_again_and_drops_old_copies(self) -> None:
        today = timezone.localdate()
        w = self.world
        old = ComplianceSnapshot.objects.create(
            org=w.unit,
            year=YEAR,
            as_of=AS_OF,
            computed_at=timezone.now() - dt.timedelta(days=8),
            seconds=1.0,
            members=9,
            figures={},
        )
        message = compliance_snapshots_refresh()
        self.assertFalse(ComplianceSnapshot.objects.filter(pk=old.pk).exists())
        kept = ComplianceSnapshot.objects.get(org=w.root)
        self.assertEqual((kept.year, kept.as_of), (today.year, today))
        live = org_compliance(actor=self.user("org_admin"), org=w.root, year=today.year)
        self.assertEqual(kept.members, live.summary.members)
        self.assertIn("1 kept", message)
        # A kept org of this year is judged again: below the size now, it is not kept afresh.
        ComplianceSnapshot.objects.create(
            org=w.unit,
            year=today.year,
            as_of=today,
            computed_at=timezone.now() - dt.timedelta(minutes=20),
            seconds=1.0,
            members=9,
            figures={},
        )
        self.assertIn("2 summaries judged", compliance_snapshots_refresh())

    def test_the_job_leaves_small_tenants_to_their_pages(self) -> None:
        with override_settings(COMPLIANCE_KEEP_MEMBERS=100):
            self.assertIn("0 summaries judged", compliance_snapshots_refresh())
        with override_settings(COMPLIANCE_MAX_AGE_SECONDS=0):
            self.assertIn("0 summaries judged", compliance_snapshots_refresh())
        self.assertFalse(ComplianceSnapshot.objects.exists())

    def test_the_workbench_reads_the_copy(self) -> None:
        today = timezone.localdate()
        self.read(year=today.year, as_of=None)
        kept = ComplianceSnapshot.objects.get(org=self.world.root)
        kept.figures["summary"]["behind"] = 4321  # only the copy says so
        kept.save()
        (summary,) = workbench_summaries(actor=self.user("org_admin"), year=today.year)
        self.assertEqual(summary.behind, 4321)

    def test_the_page_says_when_the_figures_were_computed(self) -> None:
        w = self.world
        url = reverse("compliance:org", args=[w.root.pk]) + f"?year={YEAR}"
        first = self.client_for("org_admin").get(url)
        self.assertNotContains(first, "data-kept")
        expected = {
            "anonymous": 302,
            "member": 404,
            "secretary": 404,
            "other_secretary": 404,
            "org_admin": 200,
            "viewer": 200,
        }
        self.expect_personas(url, expected)
        page = self.client_for("viewer").get(url)
        self.assertContains(page, "data-kept")
        self.assertContains(page, "fresh=1")
        self.record(w.far_member, "32")
        self.assertContains(self.client_for("viewer").get(url), "10.50")
        fresh = self.client_for("viewer").get(url + "&fresh=1")
        self.assertNotContains(fresh, "data-kept")
        self.assertContains(fresh, "18.50")

    def test_the_api_says_when_the_figures_were_computed(self) -> None:
        url = f"/api/v1/compliance/orgs/{self.world.root.pk}?year={YEAR}"
        self.assertIsNone(self.client_for("org_admin").get(url).json()["computed_at"])
        kept = ComplianceSnapshot.objects.get()
        data = self.client_for("viewer").get(url).json()
        # The API gives datetimes to the millisecond.
        said = dt.datetime.fromisoformat(data["computed_at"])
        self.assertLess(abs(said - kept.computed_at), dt.timedelta(milliseconds=1))
        self.assertEqual(data["members"], 5)
        self.assertEqual(self.client_for("other_secretary").get(url).status_code, 404)

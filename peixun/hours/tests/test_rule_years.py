"""The national default rules carry their documents' years, not the tenant's creation year: a
tenant created in 2026 with ledger entries for 2020 is checked in 2020 against the 2019–2023
plan, and in 2025 against the 2024–2028 plan. Existing tenants are moved over by migration 0005."""

import datetime as dt
import importlib
from decimal import Decimal
from typing import Any, ClassVar
from unittest import mock

from django.apps import apps
from django.test import TestCase

from peixun.accounts.models import User
from peixun.hours import selectors
from peixun.hours.logic import RuleResult
from peixun.hours.models import Requirement
from peixun.hours.services import entry_record
from peixun.hours.services.rules import CADRE_REGULATION_2023, PLAN_2019, PLAN_2024
from peixun.members.models import Member
from peixun.orgs.models import Organization, Position
from peixun.orgs.services import org_create
from peixun.testing import make_member, make_user

CREATED = dt.date(2026, 3, 1)
RULE_32 = "党员每年集中学习培训不少于32学时"
RULE_56 = "基层党组织书记和班子成员每年培训不少于56学时"


class TenantCreatedNowTests(TestCase):
    admin: ClassVar[User]
    root: ClassVar[Organization]
    branch: ClassVar[Organization]
    secretary: ClassVar[Member]

    @classmethod
    def setUpTestData(cls) -> None:
        admin = make_user("platform", role="platform_admin")
        cls.admin = admin
        K = Organization.Kind
        # Created in 2026: the hook is told the tenant's first year is 2026.
        with mock.patch("peixun.orgs.services.timezone.localdate", return_value=CREATED):
            cls.root = org_create(
                actor=admin, parent=None, code="Y01", name="新建工委", kind=K.WORKING_COMMITTEE
            )
        cls.branch = org_create(
            actor=admin, parent=cls.root, code="Y0101", name="新建支部", kind=K.BRANCH
        )
        cls.secretary = make_member(cls.branch, "吴书记")
        Position.objects.create(
            member=cls.secretary,
            org=cls.branch,
            role="secretary",
            kind="part_time",
            since=dt.date(2018, 1, 1),
        )
        for on, hours in ((dt.date(2020, 6, 1), "40"), (dt.date(2025, 6, 1), "20")):
            entry_record(
                actor=admin,
                members=[cls.secretary],
                on=on,
                hours=hours,
                kind="concentrated_training",
                title="集中轮训",
                concentrated=True,
            )

    def results(self, year: int) -> dict[int, RuleResult]:
        mc = selectors.member_compliance(actor=self.admin, member=self.secretary, year=year)
        return {r.requirement_id: r for r in mc.results}

    def test_2020_is_checked_against_the_2019_2023_plan(self) -> None:
        rule_2019 = Requirement.objects.get(org=self.root, name=RULE_56, source=PLAN_2019)
        self.assertEqual((rule_2019.valid_from_year, rule_2019.valid_to_year), (2019, 2023))
        results = self.results(2020)
        self.assertEqual(results[rule_2019.pk].achieved, Decimal(40))
        self.assertEqual(results[rule_2019.pk].status, "behind")  # 40 < 56 at the year's end
        rule_32 = Requirement.objects.get(org=self.root, name=RULE_32)
        self.assertEqual(results[rule_32.pk].status, "met")  # 40 ≥ 32
        # The later plan and the 2023 cadre rules do not hold in 2020.
        held = set(Requirement.objects.filter(pk__in=results).values_list("source", flat=True))
        self.assertNotIn(PLAN_2024, held)
        self.assertNotIn(CADRE_REGULATION_2023, held)

    def test_2025_is_checked_against_the_2024_2028_plan(self) -> None:
        rule_2024 = Requirement.objects.get(org=self.root, name=RULE_56, source=PLAN_2024)
        results = self.results(2025)
        self.assertEqual(results[rule_2024.pk].achieved, Decimal(20))
        self.assertEqual(
            [r.pk for r in Requirement.objects.filter(name=RULE_56) if r.pk in results],
            [rule_2024.pk],
        )


class MigrationMovesExistingTenantsTests(TestCase):
    def test_old_rows_get_their_documents_years(self) -> None:
        admin = make_user("platform", role="platform_admin")
        root = org_create(
            actor=admin,
            parent=None,
            code="Z01",
            name="老工委",
            kind=Organization.Kind.WORKING_COMMITTEE,
        )
        # The rows as the old seeding wrote them for a tenant created in 2025.
        Requirement.objects.filter(org=root).delete()
        common: dict[str, Any] = {"org": root, "is_default": True, "valid_from_year": 2025}
        leaders = Requirement.objects.create(
            name=RULE_56,
            source="全国党员教育培训工作规划",
            metric="total_hours",
            threshold=56,
            **common,
        )
        cadre = Requirement.objects.create(
            name="乡科级及以下干部每年参加集中培训不少于90学时",
            source="《干部教育培训工作条例》第十四条",
            metric="concentrated_hours",
            threshold=90,
            **common,
        )
        member = Requirement.objects.create(
            name=RULE_32,
            source="《中国共产党党员教育管理工作条例》第二十条",
            metric="concentrated_hours",
            threshold=32,
            **common,
        )
        module = importlib.import_module(
            "peixun.hours.migrations.0005_default_rules_document_years"
        )
        module.document_years(apps, None)
        leaders.refresh_from_db()
        cadre.refresh_from_db()
        member.refresh_from_db()
        self.assertEqual(
            (leaders.source, leaders.valid_from_year, leaders.valid_to_year),
            (PLAN_2024, 2024, 2028),
        )
        earlier = Requirement.objects.get(org=root, name=RULE_56, source=PLAN_2019)
        self.assertEqual((earlier.valid_from_year, earlier.valid_to_year), (2019, 2023))
        self.assertEqual(earlier.threshold, 56)
        self.assertEqual((cadre.source, cadre.valid_from_year), (CADRE_REGULATION_2023, 2023))
        self.assertEqual((member.valid_from_year, member.valid_to_year), (2019, None))

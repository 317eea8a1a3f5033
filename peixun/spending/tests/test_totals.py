"""spending_totals, computed by hand: the subtree of the org, the period, voided rows left out,
every fund present; and the database's own checks on an expense."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from peixun.orgs.models import Organization
from peixun.spending.models import Expense, Fund
from peixun.spending.selectors import SpendingTotals, spending_totals
from peixun.testing import PersonaTestCase

D = Decimal


def expense(
    org: Organization, on: dt.date, amount: str, fund: str = Fund.TRAINING_FUNDS, **fields: Any
) -> Expense:
    if fund == Fund.PARTY_DUES:
        fields.setdefault("decision_body", "支委会")
        fields.setdefault("decision_on", on)
    return Expense.objects.create(
        org=org, spent_on=on, amount=D(amount), fund=fund, purpose="教材", **fields
    )


class TotalsTest(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        expense(w.branch, dt.date(2026, 3, 1), "1200.50", Fund.PARTY_DUES)
        expense(w.branch, dt.date(2026, 12, 31), "300", Fund.TRAINING_FUNDS)
        expense(w.other_branch, dt.date(2026, 1, 1), "99.50", Fund.OTHER)
        expense(w.unit, dt.date(2026, 6, 1), "1000", Fund.TRAINING_FUNDS)
        expense(w.far_branch, dt.date(2026, 6, 1), "5000", Fund.PARTY_DUES)
        expense(w.branch, dt.date(2025, 12, 31), "7", Fund.OTHER)  # the year before
        expense(w.branch, dt.date(2027, 1, 1), "8", Fund.OTHER)  # the year after
        expense(
            w.branch,
            dt.date(2026, 5, 5),
            "4444",
            Fund.TRAINING_FUNDS,
            voided_at=timezone.now(),
            void_reason="重复录入",
        )

    def totals(self, persona: str, org: Organization) -> SpendingTotals:
        return spending_totals(
            actor=self.user(persona), org=org, start=dt.date(2026, 1, 1), end=dt.date(2026, 12, 31)
        )

    def test_unit_subtree_by_hand(self) -> None:
        # 局党委 and its branches in 2026: 1200.50 + 300 + 99.50 + 1000; the voided 4444, the far
        # branch and the rows outside the year are left out.
        t = self.totals("org_admin", self.world.unit)
        self.assertEqual(t.total, D("2600.00"))
        self.assertEqual(t.count, 4)
        self.assertEqual(
            t.by_fund,
            {"party_dues": D("1200.50"), "training_funds": D("1300.00"), "other": D("99.50")},
        )

    def test_root_counts_the_far_branch(self) -> None:
        t = self.totals("viewer", self.world.root)
        self.assertEqual(t.total, D("7600.00"))
        self.assertEqual(t.by_fund["party_dues"], D("6200.50"))

    def test_branch_with_every_fund_present(self) -> None:
        t = self.totals("other_secretary", self.world.other_branch)
        self.assertEqual(t.total, D("99.50"))
        self.assertEqual(
            t.by_fund, {"party_dues": D(0), "training_funds": D(0), "other": D("99.50")}
        )

    def test_secretary_sees_only_their_branch(self) -> None:
        # Asked for the unit, the branch secretary gets their own branch's figures only.
        t = self.totals("secretary", self.world.unit)
        self.assertEqual(t.total, D("1500.50"))
        self.assertEqual(t.count, 2)

    def test_member_sees_nothing(self) -> None:
        t = self.totals("member", self.world.branch)
        self.assertEqual((t.total, t.count), (D(0), 0))

    def test_database_checks(self) -> None:
        w = self.world
        for bad in (
            {"amount": D(0)},
            {"amount": D("-1")},
            {"fund": "gold"},
            {"fund": Fund.PARTY_DUES},  # no decision
            {"voided_at": timezone.now()},  # no reason
        ):
            fields = {
                "org": w.branch,
                "spent_on": dt.date(2026, 1, 1),
                "amount": D(1),
                "fund": Fund.OTHER,
                "purpose": "x",
                **bad,
            }
            with self.subTest(bad=bad), self.assertRaises(IntegrityError), transaction.atomic():
                Expense.objects.create(**fields)

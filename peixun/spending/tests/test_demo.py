"""The demo tenant's spending: recorded through the services, every 党费 expense decided, one
voided duplicate, and loading again adds nothing."""

from __future__ import annotations

import io
from decimal import Decimal

from django.core.management import call_command
from django.test import TestCase
from django.utils import timezone

from peixun.accounts.models import User
from peixun.core.models import AuditEvent
from peixun.demo.management.commands.load_demo import DEMO_CODE
from peixun.demo.spending import load_demo_spending
from peixun.orgs.models import Organization
from peixun.spending.models import Expense, Fund
from peixun.spending.selectors import spending_totals


class DemoSpendingTests(TestCase):
    def test_demo_spending(self) -> None:
        out = io.StringIO()
        call_command("load_demo", members=200, branches=15, stdout=out)
        self.assertIn("Spending: expenses", out.getvalue())
        root = Organization.objects.get(code=DEMO_CODE)
        expenses = Expense.objects.filter(org__path__startswith=root.path)
        self.assertGreaterEqual(expenses.count(), 10)
        self.assertEqual(expenses.filter(voided_at__isnull=False).count(), 1)
        self.assertEqual(AuditEvent.objects.filter(verb="expense.record").count(), expenses.count())
        today = timezone.localdate()
        self.assertFalse(expenses.filter(spent_on__gt=today).exists())
        for expense in expenses.filter(fund=Fund.PARTY_DUES):
            self.assertTrue(expense.decision_body and expense.decision_on)
            self.assertLessEqual(expense.decision_on, expense.spent_on)
        self.assertTrue(expenses.filter(training_class__isnull=False).exists())
        self.assertTrue(expenses.filter(plan_item__isnull=False).exists())
        viewer = User.objects.get(username="viewer")
        totals = spending_totals(
            actor=viewer, org=root, start=today.replace(month=1, day=1), end=today
        )
        standing = sum((e.amount for e in expenses.filter(voided_at__isnull=True)), Decimal(0))
        self.assertEqual(totals.total, standing)
        self.assertEqual(load_demo_spending(root), {})

"""The filing workflow: draft → submitted → approved, or returned and resubmitted as a new
version; the wrong org cannot decide; bad input stores nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from peixun.core.models import AuditEvent, Notification
from peixun.testing import PersonaTestCase

from ..models import PlanItem, PlanVersion, TrainingPlan
from ..services import (
    attachment_add,
    item_add,
    item_update,
    plan_approve,
    plan_create,
    plan_remind,
    plan_return,
    plan_submit,
)
from .fixtures import YEAR, branch_plan, item_fields


class FilingTests(PersonaTestCase):
    def test_submit_return_resubmit_approve_keeps_every_version(self) -> None:
        w = self.world
        plan, _ = branch_plan(w)
        secretary, admin = w.users["secretary"], w.users["org_admin"]
        plan = plan_submit(actor=secretary, plan=plan)
        self.assertEqual((plan.state, plan.version), ("submitted", 1))
        with self.assertRaises(ValidationError) as twice:
            plan_submit(actor=secretary, plan=plan)
        self.assertIn("plan", twice.exception.message_dict)
        self.assertEqual(PlanVersion.objects.filter(plan=plan).count(), 1)
        with self.assertRaises(ValidationError):
            item_add(actor=secretary, plan=plan, **item_fields(w))
        with self.assertRaises(ValidationError):
            plan_return(actor=admin, plan=plan, reason="  ")
        plan = plan_return(actor=admin, plan=plan, reason="请补充预算明细")
        self.assertEqual((plan.state, plan.return_reason), ("returned", "请补充预算明细"))
        item = plan.items.get()
        item_update(actor=secretary, item=item, budget="4500")
        plan = plan_submit(actor=secretary, plan=plan)
        plan = plan_approve(actor=admin, plan=plan)
        self.assertEqual((plan.state, plan.version), ("approved", 2))
        first, second = PlanVersion.objects.filter(plan=plan).order_by("number")
        self.assertEqual((first.decision, first.reason), ("returned", "请补充预算明细"))
        self.assertEqual(first.snapshot["items"][0]["budget"], "3000.00")
        self.assertEqual(
            (second.decision, second.snapshot["items"][0]["budget"]), ("approved", "4500.00")
        )
        verbs = list(
            AuditEvent.objects.filter(object_id=str(plan.pk), verb__startswith="plan.").values_list(
                "verb", flat=True
            )
        )
        for verb in ("plan.create", "plan.submit", "plan.return", "plan.approve"):
            self.assertIn(verb, verbs)
        # The branch's managers were told of the decisions, the unit's of the filing.
        self.assertTrue(
            Notification.objects.filter(recipient=secretary, title__contains="退回").exists()
        )

    def test_only_the_superior_org_decides(self) -> None:
        w = self.world
        plan, _ = branch_plan(w)
        plan_submit(actor=w.users["secretary"], plan=plan)
        for persona in ("secretary", "other_secretary", "viewer", "member"):
            with self.subTest(persona), self.assertRaises(PermissionDenied):
                plan_approve(actor=w.users[persona], plan=plan)
        plan.refresh_from_db()
        self.assertEqual(plan.state, "submitted")
        self.assertEqual(PlanVersion.objects.get(plan=plan).decision, "pending")

    def test_a_plan_without_items_cannot_be_submitted(self) -> None:
        plan = plan_create(
            actor=self.world.users["secretary"], org=self.world.branch, year=YEAR, title="空计划"
        )
        with self.assertRaises(ValidationError):
            plan_submit(actor=self.world.users["secretary"], plan=plan)
        plan.refresh_from_db()
        self.assertEqual((plan.state, plan.version), ("draft", 0))
        self.assertFalse(PlanVersion.objects.exists())

    def test_bad_items_report_every_field_and_store_nothing(self) -> None:
        w = self.world
        plan, _ = branch_plan(w, items=0)
        with self.assertRaises(ValidationError) as caught:
            item_add(
                actor=w.users["secretary"],
                plan=plan,
                **item_fields(
                    w,
                    content="",
                    responsible_org=w.other_branch,
                    deadline=dt.date(YEAR + 1, 1, 5),
                    planned_hours="-2",
                    planned_classes="两个",
                ),
            )
        self.assertEqual(
            set(caught.exception.message_dict),
            {"content", "responsible_org", "deadline", "planned_hours", "planned_classes"},
        )
        self.assertFalse(PlanItem.objects.exists())

    def test_one_plan_per_org_and_year_and_rights(self) -> None:
        w = self.world
        branch_plan(w, items=0)
        with self.assertRaises(ValidationError):
            plan_create(actor=w.users["secretary"], org=w.branch, year=YEAR, title="重复")
        with self.assertRaises(PermissionDenied):
            plan_create(actor=w.users["other_secretary"], org=w.branch, year=YEAR + 1, title="越权")
        with self.assertRaises(ValidationError):
            plan_create(actor=w.users["secretary"], org=w.branch, year="二〇二六", title="年份")
        self.assertEqual(TrainingPlan.objects.count(), 1)

    def test_attachments_are_checked(self) -> None:
        w = self.world
        plan, _ = branch_plan(w)
        secretary = w.users["secretary"]
        with self.assertRaises(ValidationError):
            attachment_add(actor=secretary, plan=plan, file=SimpleUploadedFile("x.exe", b"MZ"))
        with self.assertRaises(ValidationError):
            attachment_add(actor=secretary, plan=plan, file=SimpleUploadedFile("x.pdf", b""))
        kept = attachment_add(
            actor=secretary, plan=plan, file=SimpleUploadedFile("计划.pdf", b"%PDF-1.4")
        )
        self.assertEqual(list(plan.attachments.all()), [kept])

    def test_remind_tells_only_those_not_filed(self) -> None:
        w = self.world
        plan, _ = branch_plan(w)
        plan_submit(actor=w.users["secretary"], plan=plan)
        reminded = plan_remind(actor=w.users["org_admin"], parent_org=w.unit, year=YEAR)
        self.assertEqual(reminded, 1)  # 第二党支部 has not filed; 第一党支部 has
        self.assertTrue(
            Notification.objects.filter(
                recipient=w.users["other_secretary"], title__contains="培训计划"
            ).exists()
        )
        self.assertFalse(
            Notification.objects.filter(
                recipient=w.users["secretary"], title__contains="报送"
            ).exists()
        )
        with self.assertRaises(PermissionDenied):
            plan_remind(actor=w.users["secretary"], parent_org=w.unit, year=YEAR)
        self.assertEqual(Decimal(plan.items.get().planned_hours), Decimal("8"))

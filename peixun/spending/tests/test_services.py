"""The write path of spending: who may record, correct, void and attach; every field checked
with nothing stored on bad input; 党费 needs its decision; everything audited."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from peixun.core.models import AuditEvent
from peixun.events.tests.fixtures import make_class
from peixun.plans.tests.fixtures import branch_plan
from peixun.spending.models import Expense, ExpenseAttachment, Fund
from peixun.spending.services import (
    expense_attachment_add,
    expense_attachment_remove,
    expense_record,
    expense_update,
    expense_void,
)
from peixun.testing import OtherTenant, PersonaTestCase

from .fixtures import YEAR, dues, pdf, spend


class RecordTest(PersonaTestCase):
    def test_secretary_records_for_their_branch_audited(self) -> None:
        expense = spend(self.user("secretary"), self.world)
        self.assertEqual(expense.amount, Decimal("1200.50"))
        self.assertEqual(expense.recorded_by, self.user("secretary"))
        event = AuditEvent.objects.get(verb="expense.record")
        self.assertEqual(event.object_id, str(expense.pk))
        self.assertEqual(event.org_id, self.world.branch.pk)
        self.assertEqual((event.after or {})["amount"], "1200.50")

    def test_org_admin_records_anywhere_below(self) -> None:
        expense = spend(self.user("org_admin"), self.world, org=self.world.far_branch)
        self.assertEqual(expense.org, self.world.far_branch)

    def test_who_may_not(self) -> None:
        for persona in ("anonymous", "member", "viewer"):
            with self.subTest(persona), self.assertRaises(PermissionDenied):
                spend(self.actor(persona), self.world)
        # Another branch's secretary: the branch is unknown to them, as if it did not exist.
        with self.assertRaises(ValidationError) as caught:
            spend(self.actor("other_secretary"), self.world)
        self.assertEqual(set(caught.exception.message_dict), {"org"})
        other = OtherTenant()
        with self.assertRaises((PermissionDenied, ValidationError)):
            spend(other.users["org_admin"], self.world)
        self.assertFalse(Expense.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(verb="expense.record").exists())

    def test_every_bad_field_reported_nothing_stored(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            expense_record(
                actor=self.user("secretary"),
                org=self.world.branch,
                spent_on=dt.date(2099, 1, 1),
                amount="-3",
                fund="gold",
                purpose="   ",
                payee="x" * 201,
            )
        self.assertEqual(
            set(caught.exception.message_dict),
            {"spent_on", "amount", "fund", "purpose", "payee"},
        )
        self.assertFalse(Expense.objects.exists())

    def test_amounts(self) -> None:
        for bad in ("0", "abc", "1.234", "1e12", "NaN", None):
            with self.subTest(bad), self.assertRaises(ValidationError) as caught:
                spend(self.user("secretary"), self.world, amount=bad)
            self.assertIn("amount", caught.exception.message_dict)
        self.assertEqual(spend(self.user("secretary"), self.world, amount="1,000").amount, 1000)

    def test_party_dues_need_the_decision(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            spend(self.user("secretary"), self.world, fund=Fund.PARTY_DUES)
        self.assertEqual(set(caught.exception.message_dict), {"decision_body", "decision_on"})
        with self.assertRaises(ValidationError) as caught:
            expense_record(
                actor=self.user("secretary"),
                **dues(self.world, decision_on=dt.date(YEAR, 3, 20)),  # after the spending
            )
        self.assertEqual(set(caught.exception.message_dict), {"decision_on"})
        expense = expense_record(actor=self.user("secretary"), **dues(self.world))
        self.assertEqual(expense.decision_body, "支委会")
        self.assertFalse(expense.decision_meeting)

    def test_against_at_most_one_visible_thing(self) -> None:
        _plan, (item,) = branch_plan(self.world)
        far_class = make_class(self.world.far_unit, title="远方的班")
        near_class = make_class(self.world.branch, title="支部的班")
        with self.assertRaises(ValidationError) as caught:
            spend(self.user("secretary"), self.world, plan_item=item, training_class=near_class)
        self.assertEqual(set(caught.exception.message_dict), {"plan_item"})
        with self.assertRaises(ValidationError) as caught:
            spend(self.user("secretary"), self.world, training_class=far_class)
        self.assertEqual(set(caught.exception.message_dict), {"training_class"})
        with self.assertRaises(ValidationError) as caught:
            spend(self.user("secretary"), self.world, meeting=999999)
        self.assertEqual(set(caught.exception.message_dict), {"meeting"})
        expense = spend(self.user("secretary"), self.world, plan_item=item.pk)
        self.assertEqual(expense.plan_item, item)
        self.assertEqual(expense.against, item)


class ChangeTest(PersonaTestCase):
    def setUp(self) -> None:
        self.expense = spend(self.user("secretary"), self.world)

    def test_update_audits_what_changed(self) -> None:
        expense_update(actor=self.user("org_admin"), expense=self.expense, amount="1300")
        self.expense.refresh_from_db()
        self.assertEqual(self.expense.amount, Decimal("1300.00"))
        event = AuditEvent.objects.get(verb="expense.update")
        self.assertEqual(event.before, {"amount": "1200.50"})
        self.assertEqual(event.after, {"amount": "1300.00"})

    def test_update_bad_input_keeps_the_row(self) -> None:
        with self.assertRaises(ValidationError):
            expense_update(actor=self.user("secretary"), expense=self.expense, amount="0")
        with self.assertRaises(ValidationError) as caught:
            # moving it to a branch the secretary does not see
            expense_update(
                actor=self.user("secretary"), expense=self.expense, org=self.world.other_branch
            )
        self.assertEqual(set(caught.exception.message_dict), {"org"})
        self.expense.refresh_from_db()
        self.assertEqual(
            (self.expense.amount, self.expense.org), (Decimal("1200.50"), self.world.branch)
        )
        for persona in ("other_secretary", "viewer", "member"):
            with self.subTest(persona), self.assertRaises(PermissionDenied):
                expense_update(actor=self.user(persona), expense=self.expense, amount="1")

    def test_void_needs_a_reason_and_is_final(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            expense_void(actor=self.user("secretary"), expense=self.expense, reason="  ")
        self.assertEqual(set(caught.exception.message_dict), {"reason"})
        with self.assertRaises(PermissionDenied):
            expense_void(actor=self.user("viewer"), expense=self.expense, reason="错")
        expense_void(actor=self.user("secretary"), expense=self.expense, reason="重复录入")
        self.expense.refresh_from_db()
        self.assertTrue(self.expense.voided)
        self.assertEqual(self.expense.void_reason, "重复录入")
        event = AuditEvent.objects.get(verb="expense.void")
        self.assertEqual(event.after, {"reason": "重复录入"})
        for change in (
            lambda: expense_void(actor=self.user("secretary"), expense=self.expense, reason="再"),
            lambda: expense_update(actor=self.user("secretary"), expense=self.expense, amount="1"),
            lambda: expense_attachment_add(
                actor=self.user("secretary"), expense=self.expense, file=pdf()
            ),
        ):
            with self.assertRaises(ValidationError):
                change()
        self.assertTrue(Expense.objects.filter(pk=self.expense.pk).exists())

    def test_attachments(self) -> None:
        attachment = expense_attachment_add(
            actor=self.user("secretary"), expense=self.expense, file=pdf(), kind="invoice"
        )
        self.assertEqual(attachment.name, "发票.pdf")
        for bad, field in (
            (None, "file"),
            (SimpleUploadedFile("a.exe", b"MZ"), "file"),
            (SimpleUploadedFile("a.pdf", b""), "file"),
        ):
            with self.subTest(field=field), self.assertRaises(ValidationError) as caught:
                expense_attachment_add(actor=self.user("secretary"), expense=self.expense, file=bad)
            self.assertIn(field, caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            expense_attachment_add(
                actor=self.user("secretary"), expense=self.expense, file=pdf(), kind="selfie"
            )
        self.assertIn("kind", caught.exception.message_dict)
        with self.assertRaises(PermissionDenied):
            expense_attachment_add(actor=self.user("viewer"), expense=self.expense, file=pdf())
        with self.assertRaises(PermissionDenied):
            expense_attachment_remove(actor=self.user("other_secretary"), attachment=attachment)
        expense_attachment_remove(actor=self.user("org_admin"), attachment=attachment)
        self.assertFalse(ExpenseAttachment.objects.exists())
        self.assertEqual(
            list(
                AuditEvent.objects.filter(verb__startswith="expense.")
                .order_by("id")
                .values_list("verb", flat=True)
            ),
            ["expense.record", "expense.attach", "expense.detach"],
        )

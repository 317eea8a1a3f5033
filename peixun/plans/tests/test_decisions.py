"""Who decides, what a version freezes, whom the workflow tells, and the states that refuse a
step; every refusal leaves the plan, its versions and the audit log as they were."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from peixun.core.models import AuditEvent, Notification
from peixun.events.tests.fixtures import make_class
from peixun.testing import PersonaTestCase, make_member, make_org, make_user

from ..models import PlanAttachment, PlanItem, PlanVersion, TrainingPlan
from ..selectors import item_progress
from ..services import (
    attachment_add,
    attachment_remove,
    item_add,
    item_mark_done,
    item_remove,
    item_update,
    plan_approve,
    plan_create,
    plan_remind,
    plan_return,
    plan_submit,
    plan_update,
)
from .fixtures import YEAR, branch_plan, item_fields


def decisions(plan: TrainingPlan) -> int:
    return AuditEvent.objects.filter(
        object_id=str(plan.pk), verb__in=["plan.approve", "plan.return"]
    ).count()


class WrongDeciderTests(PersonaTestCase):
    def test_the_plans_own_org_never_approves_it(self) -> None:
        w = self.world
        unit_admin = make_user("unit_admin", role="org_admin", org=w.unit)
        plan = plan_create(actor=unit_admin, org=w.unit, year=YEAR, title="局机关党委培训计划")
        item_add(actor=unit_admin, plan=plan, **item_fields(w, responsible_org=w.unit))
        plan_submit(actor=unit_admin, plan=plan)
        with self.assertRaises(PermissionDenied) as refused:
            plan_approve(actor=unit_admin, plan=plan)
        self.assertIn(w.root.name, str(refused.exception))
        with self.assertRaises(PermissionDenied):
            plan_return(actor=unit_admin, plan=plan, reason="自己退回")
        plan.refresh_from_db()
        self.assertEqual(plan.state, "submitted")
        self.assertEqual(decisions(plan), 0)
        # The root's admin manages the parent org (测试县直机关工委) and decides.
        self.assertEqual(plan_approve(actor=w.users["org_admin"], plan=plan).state, "approved")

    def test_a_tenant_roots_plan_is_decided_only_by_a_platform_admin(self) -> None:
        w = self.world
        admin = w.users["org_admin"]
        plan = plan_create(actor=admin, org=w.root, year=YEAR, title="工委培训计划")
        item_add(actor=admin, plan=plan, **item_fields(w, responsible_org=w.unit))
        plan_submit(actor=admin, plan=plan)
        with self.assertRaises(PermissionDenied):
            plan_approve(actor=admin, plan=plan)
        self.assertEqual(decisions(plan), 0)
        self.assertEqual(plan_approve(actor=w.platform_admin, plan=plan).state, "approved")

    def test_an_admin_of_another_unit_cannot_decide(self) -> None:
        w = self.world
        far_admin = make_user("far_admin", role="org_admin", org=w.far_unit)
        plan, _ = branch_plan(w)
        plan_submit(actor=w.users["secretary"], plan=plan)
        with self.assertRaises(PermissionDenied):
            plan_approve(actor=far_admin, plan=plan)
        with self.assertRaises(PermissionDenied):
            plan_return(actor=far_admin, plan=plan, reason="越级")
        plan.refresh_from_db()
        self.assertEqual((plan.state, plan.return_reason), ("submitted", ""))
        self.assertEqual(PlanVersion.objects.get(plan=plan).decision, "pending")


class StateRuleTests(PersonaTestCase):
    def test_steps_out_of_order_are_refused_and_change_nothing(self) -> None:
        w = self.world
        secretary, admin = w.users["secretary"], w.users["org_admin"]
        plan, (item,) = branch_plan(w)
        with self.assertRaises(ValidationError):
            plan_approve(actor=admin, plan=plan)  # a draft
        plan_submit(actor=secretary, plan=plan)
        with self.assertRaises(ValidationError) as twice:
            plan_submit(actor=secretary, plan=plan)
        self.assertIn("不能重复报备", twice.exception.message_dict["plan"][0])
        for change in (
            lambda: plan_update(actor=secretary, plan=plan, title="改名"),
            lambda: item_update(actor=secretary, item=item, budget="1"),
            lambda: item_remove(actor=secretary, item=item),
        ):
            with self.assertRaises(ValidationError):
                change()
        plan_approve(actor=admin, plan=plan)
        with self.assertRaises(ValidationError):
            plan_submit(actor=secretary, plan=plan)
        with self.assertRaises(ValidationError):
            plan_return(actor=admin, plan=plan, reason="再退回")
        plan.refresh_from_db()
        item.refresh_from_db()
        self.assertEqual(
            (plan.state, plan.version, plan.title),
            ("approved", 1, "第一党支部2026年党员教育培训计划"),
        )
        self.assertEqual(item.budget, Decimal("3000"))
        self.assertEqual(PlanVersion.objects.filter(plan=plan).count(), 1)

    def test_a_returned_plan_is_edited_and_filed_again_as_version_2(self) -> None:
        w = self.world
        secretary, admin = w.users["secretary"], w.users["org_admin"]
        plan, (item,) = branch_plan(w)
        plan_update(actor=secretary, plan=plan, summary="围绕学习贯彻党的创新理论")
        attachment_add(
            actor=secretary, plan=plan, file=SimpleUploadedFile("培训方案.docx", b"PK\x03\x04x")
        )
        plan_submit(actor=secretary, plan=plan)
        plan_return(actor=admin, plan=plan, reason="请增加党课安排")
        plan_update(actor=secretary, plan=plan, title="第一党支部2026年培训计划（修订）")
        item_update(actor=secretary, item=item, planned_hours="12")
        item_add(
            actor=secretary,
            plan=plan,
            **item_fields(
                w, content="专题党课", planned_meetings=4, deadline=dt.date(YEAR, 12, 31)
            ),
        )
        plan = plan_submit(actor=secretary, plan=plan)
        self.assertEqual(
            (plan.state, plan.version, plan.return_reason), ("submitted", 2, "请增加党课安排")
        )
        first, second = PlanVersion.objects.filter(plan=plan).order_by("number")
        self.assertEqual(
            first.snapshot,
            {
                "org": "第一党支部",
                "year": YEAR,
                "title": "第一党支部2026年党员教育培训计划",
                "summary": "围绕学习贯彻党的创新理论",
                "attachments": ["培训方案.docx"],
                "items": [
                    {
                        "content": "学习贯彻党的二十届四中全会精神专题轮训",
                        "audience": "全体党员",
                        "standard": "党员参训率达到95%以上",
                        "responsible_org": "第一党支部",
                        "deadline": f"{YEAR}-06-30",
                        "planned_classes": 1,
                        "planned_meetings": 2,
                        "planned_hours": "8.00",
                        "planned_people": 2,
                        "budget": "3000.00",
                    }
                ],
            },
        )
        self.assertEqual((first.decision, first.reason), ("returned", "请增加党课安排"))
        self.assertEqual(second.decision, "pending")
        self.assertEqual(second.snapshot["title"], "第一党支部2026年培训计划（修订）")
        self.assertEqual(
            [(i["content"], i["planned_hours"]) for i in second.snapshot["items"]],
            [("学习贯彻党的二十届四中全会精神专题轮训", "12.00"), ("专题党课", "8.00")],
        )


class NotificationTests(PersonaTestCase):
    def test_a_filing_reaches_the_nearest_managers_above(self) -> None:
        w = self.world
        plan, _ = branch_plan(w)
        plan_submit(actor=w.users["secretary"], plan=plan)
        # Nobody is granted on 测试局机关党委; the root's admin runs it and is told.
        told = Notification.objects.filter(title__contains="第一党支部")
        self.assertEqual(list(told.values_list("recipient__username", flat=True)), ["org_admin"])
        unit_admin = make_user("unit_admin", role="org_admin", org=w.unit)
        plan_return(actor=w.users["org_admin"], plan=plan, reason="补充")
        plan_submit(actor=w.users["secretary"], plan=plan)
        self.assertEqual(
            sorted(told.values_list("recipient__username", flat=True)), ["org_admin", "unit_admin"]
        )
        self.assertEqual(Notification.objects.filter(recipient=unit_admin).count(), 1)

    def test_a_reminder_goes_only_to_those_not_filed_and_only_once_a_day(self) -> None:
        w = self.world
        plan, _ = branch_plan(w)
        plan_submit(actor=w.users["secretary"], plan=plan)
        before = Notification.objects.count()
        self.assertEqual(plan_remind(actor=w.users["org_admin"], parent_org=w.unit, year=YEAR), 1)
        sent = Notification.objects.order_by("id")[before:]
        self.assertEqual([n.recipient.username for n in sent], ["other_secretary"])
        self.assertNotIn("第一党支部", sent[0].title + sent[0].body)
        plan_remind(actor=w.users["org_admin"], parent_org=w.unit, year=YEAR)
        self.assertEqual(Notification.objects.count(), before + 1)
        for persona in ("viewer", "other_secretary", "member"):
            with self.subTest(persona), self.assertRaises(PermissionDenied):
                plan_remind(actor=w.users[persona], parent_org=w.unit, year=YEAR)
        with self.assertRaises(ValidationError):
            plan_remind(actor=w.users["org_admin"], parent_org=w.unit, year="明年")

    def test_reminding_more_children_takes_no_more_queries(self) -> None:
        w = self.world
        admin = w.users["org_admin"]

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                plan_remind(actor=admin, parent_org=w.unit, year=YEAR + 1)
            Notification.objects.all().delete()
            return len(captured)

        queries()  # the actor's scope is looked up once and kept
        few = queries()
        for n in range(3):
            branch = make_org(w.unit, f"T01010{n + 3}", f"第{n + 3}支部", "branch")
            secretary = make_member(branch, f"书记{n}")
            make_user(f"s{n}", member=secretary, role="secretary", org=branch)
        self.assertEqual(queries(), few)


class ItemRuleTests(PersonaTestCase):
    def test_item_rules(self) -> None:
        w = self.world
        secretary = w.users["secretary"]
        plan, (item,) = branch_plan(w)
        with self.assertRaises(PermissionDenied):
            item_add(actor=w.users["other_secretary"], plan=plan, **item_fields(w))
        with self.assertRaises(PermissionDenied):
            item_add(actor=w.users["viewer"], plan=plan, **item_fields(w))
        with self.assertRaises(ValidationError) as bad:
            item_update(actor=secretary, item=item, budget="-1", deadline=dt.date(YEAR - 1, 12, 1))
        self.assertEqual(set(bad.exception.message_dict), {"budget", "deadline"})
        item.refresh_from_db()
        self.assertEqual((item.budget, item.deadline), (Decimal("3000"), dt.date(YEAR, 6, 30)))
        # The group below the branch may be responsible; the unit above may not.
        item_update(actor=secretary, item=item, responsible_org=w.group)
        with self.assertRaises(ValidationError):
            item_update(actor=secretary, item=item, responsible_org=w.unit)
        make_class(w.branch, title="关联班", plan_item=item)
        with self.assertRaises(ValidationError):
            item_remove(actor=secretary, item=item)
        self.assertTrue(PlanItem.objects.filter(pk=item.pk).exists())

    def test_marking_an_item_done_makes_it_complete_and_not_overdue(self) -> None:
        w = self.world
        plan, (item,) = branch_plan(w)
        late = dt.date(YEAR, 12, 1)
        self.assertEqual([(r.percent, r.overdue) for r in item_progress(plan, late)], [(0, True)])
        with self.assertRaises(PermissionDenied):
            item_mark_done(actor=w.users["viewer"], item=item)
        item_mark_done(actor=w.users["secretary"], item=item)
        self.assertEqual(
            [(r.percent, r.overdue) for r in item_progress(plan, late)], [(100, False)]
        )
        item_mark_done(actor=w.users["secretary"], item=item, done=False)
        self.assertEqual([(r.percent, r.overdue) for r in item_progress(plan, late)], [(0, True)])
        self.assertEqual(
            AuditEvent.objects.filter(verb__startswith="plan_item.done").count()
            + AuditEvent.objects.filter(verb="plan_item.undone").count(),
            2,
        )


class AttachmentRuleTests(PersonaTestCase):
    def test_size_type_and_removal(self) -> None:
        w = self.world
        secretary = w.users["secretary"]
        plan, _ = branch_plan(w)
        huge = SimpleUploadedFile("大文件.pdf", b"%" * (20 * 1024 * 1024 + 1))
        with self.assertRaises(ValidationError) as too_big:
            attachment_add(actor=secretary, plan=plan, file=huge)
        self.assertIn("20 MB", too_big.exception.message_dict["file"][0])
        with self.assertRaises(ValidationError):
            attachment_add(actor=secretary, plan=plan, file=None)
        with self.assertRaises(PermissionDenied):
            attachment_add(
                actor=w.users["viewer"], plan=plan, file=SimpleUploadedFile("a.pdf", b"%PDF")
            )
        self.assertFalse(PlanAttachment.objects.exists())
        kept = attachment_add(actor=secretary, plan=plan, file=SimpleUploadedFile("a.xlsx", b"PK"))
        plan_submit(actor=secretary, plan=plan)
        with self.assertRaises(ValidationError):
            attachment_remove(actor=secretary, attachment=kept)
        plan_return(actor=w.users["org_admin"], plan=plan, reason="补充附件")
        attachment_remove(actor=secretary, attachment=kept)
        self.assertFalse(PlanAttachment.objects.exists())

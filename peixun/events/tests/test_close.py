"""Closing credits exactly the attended hours (late/early by the tenant's rules); reopening
reverses them; closing twice is refused."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase
from django.utils import timezone

from peixun.events.models import Attendance, CreditRule, Event, EventSettings
from peixun.events.services import event_close, event_reopen
from peixun.hours.models import CreditEntry, MemberYearTotal
from peixun.members.models import Member
from peixun.testing import World, make_member

from .fixtures import SessionFixture, class_session


class CloseTests(TestCase):
    world: ClassVar[World]
    fx: ClassVar[SessionFixture]
    admin: ClassVar[Any]
    late: ClassVar[Member]
    early: ClassVar[Member]
    absent: ClassVar[Member]
    leave: ClassVar[Member]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()
        w = cls.world
        cls.late = make_member(w.branch, "迟到者")
        cls.early = make_member(w.branch, "早退者")
        cls.absent = make_member(w.branch, "缺席者")
        cls.leave = make_member(w.branch, "请假者")
        cls.fx = class_session(
            w,
            members=[w.member, cls.late, cls.early, cls.absent, cls.leave],
            starts_in=-240,
            minutes=180,
            hours="3",
        )
        S, M = Attendance.Status, Attendance.Method
        for member, status in [
            (w.member, S.PRESENT),
            (cls.late, S.LATE),
            (cls.early, S.LEFT_EARLY),
            (cls.absent, S.ABSENT),
            (cls.leave, S.LEAVE),
        ]:
            Attendance.objects.create(
                event=cls.fx.event, member=member, status=status, method=M.MANUAL
            )
        cls.admin = w.users["org_admin"]

    def credited(self) -> dict[int, Decimal]:
        out: dict[int, Decimal] = {}
        for e in CreditEntry.objects.filter(reference=self.fx.event.ledger_reference):
            out[e.member_id] = out.get(e.member_id, Decimal(0)) + e.hours
        return out

    def test_close_credits_by_the_default_rules(self) -> None:
        event = event_close(actor=self.admin, event=self.fx.event, by_owner=True)
        self.assertEqual(event.state, Event.State.CLOSED)
        # Default: late earns full hours, leaving early half; absent and leave nothing.
        self.assertEqual(
            self.credited(),
            {
                self.world.member.pk: Decimal("3"),
                self.late.pk: Decimal("3"),
                self.early.pk: Decimal("1.5"),
            },
        )
        entry = CreditEntry.objects.get(member=self.world.member)
        self.assertTrue(entry.concentrated)
        self.assertEqual(entry.on, timezone.localtime(self.fx.event.starts_at).date())
        total = MemberYearTotal.objects.get(member=self.world.member, year=entry.year)
        self.assertEqual(total.hours, Decimal("3"))
        self.assertEqual(total.concentrated_entries, 1)
        self.assertFalse(MemberYearTotal.objects.filter(member=self.absent).exists())

    def test_tenant_rules_change_late_and_early_credit(self) -> None:
        EventSettings.objects.update_or_create(
            tenant=self.world.root,
            defaults={"late_credit": CreditRule.HALF, "left_early_credit": CreditRule.NONE},
        )
        event_close(actor=self.admin, event=self.fx.event, by_owner=True)
        self.assertEqual(
            self.credited(), {self.world.member.pk: Decimal("3"), self.late.pk: Decimal("1.5")}
        )

    def test_closing_twice_is_refused_and_reopen_reverses(self) -> None:
        event = event_close(actor=self.admin, event=self.fx.event, by_owner=True)
        with self.assertRaises(ValidationError):
            event_close(actor=self.admin, event=event, by_owner=True)
        self.assertEqual(CreditEntry.objects.filter(reversed_by__isnull=True).count(), 3)
        with self.assertRaises(ValidationError) as caught:
            event_reopen(actor=self.admin, event=event, reason="  ", by_owner=True)
        self.assertIn("reason", caught.exception.message_dict)
        event = event_reopen(actor=self.admin, event=event, reason="考勤登记有误", by_owner=True)
        self.assertEqual(event.state, Event.State.OPEN)
        self.assertEqual(self.credited(), {m: Decimal(0) for m in self.credited()})
        self.assertEqual(CreditEntry.objects.filter(reverses__isnull=False).count(), 3)
        year = CreditEntry.objects.first().year  # type: ignore[union-attr]
        self.assertEqual(
            MemberYearTotal.objects.get(member=self.world.member, year=year).hours, Decimal(0)
        )
        # Closing again after a correction credits the attendance as it now stands.
        Attendance.objects.filter(member=self.absent).update(status=Attendance.Status.PRESENT)
        event_close(actor=self.admin, event=event, by_owner=True)
        self.assertEqual(self.credited()[self.absent.pk], Decimal("3"))
        self.assertEqual(self.credited()[self.world.member.pk], Decimal("3"))

    def test_a_member_no_longer_expected_is_not_credited(self) -> None:
        from peixun.training.models import Enrolment

        # The trainee who left early is withdrawn (退训) before the close: their row stays.
        Enrolment.objects.filter(training_class=self.fx.training_class, member=self.early).update(
            state=Enrolment.State.WITHDRAWN
        )
        event_close(actor=self.admin, event=self.fx.event, by_owner=True)
        credited = self.credited()
        self.assertNotIn(self.early.pk, credited)
        self.assertEqual(credited[self.world.member.pk], Decimal("3"))
        self.assertTrue(Attendance.objects.filter(event=self.fx.event, member=self.early).exists())

    def test_a_class_session_closes_only_with_its_class(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            event_close(actor=self.admin, event=self.fx.event)
        self.assertIn("event", caught.exception.message_dict)
        self.assertFalse(CreditEntry.objects.exists())
        self.fx.event.refresh_from_db()
        self.assertEqual(self.fx.event.state, Event.State.OPEN)
        event_close(actor=self.admin, event=self.fx.event, by_owner=True)
        with self.assertRaises(ValidationError):
            event_reopen(actor=self.admin, event=self.fx.event, reason="考勤登记有误")
        self.assertEqual(CreditEntry.objects.filter(reverses__isnull=False).count(), 0)

    def test_cannot_close_before_the_end_or_without_rights(self) -> None:
        running = class_session(self.world, members=[self.world.member]).event
        with self.assertRaises(ValidationError):
            event_close(actor=self.admin, event=running, by_owner=True)
        with self.assertRaises(PermissionDenied):
            event_close(actor=self.world.users["viewer"], event=self.fx.event, by_owner=True)
        with self.assertRaises(PermissionDenied):
            event_close(actor=self.world.users["secretary"], event=self.fx.event, by_owner=True)
        self.assertFalse(CreditEntry.objects.exists())

    def test_missing_signout_counts_as_leaving_early(self) -> None:
        fx = class_session(
            self.world,
            members=[self.world.member, self.late],
            starts_in=-240,
            minutes=180,
            signout_required=True,
        )
        S, M = Attendance.Status, Attendance.Method
        start = fx.event.starts_at
        Attendance.objects.create(
            event=fx.event, member=self.world.member, status=S.PRESENT, method=M.QR,
            signed_in_at=start,
        )  # fmt: skip
        Attendance.objects.create(
            event=fx.event, member=self.late, status=S.PRESENT, method=M.QR,
            signed_in_at=start, signed_out_at=fx.event.ends_at,
        )  # fmt: skip
        event_close(actor=self.admin, event=fx.event, by_owner=True)
        hours = dict(
            CreditEntry.objects.filter(reference=fx.event.ledger_reference).values_list(
                "member_id", "hours"
            )
        )
        self.assertEqual(hours, {self.world.member.pk: Decimal("1.5"), self.late.pk: Decimal("3")})

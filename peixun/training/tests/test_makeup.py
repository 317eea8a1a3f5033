"""Make-up (补训): absentees and members on leave at sessions that have ended are listed; the
organiser assigns a later session (which makes the member expected there) or waives it; attending
the make-up session credits the member when that class is closed, and the make-up is done."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import PermissionDenied, ValidationError

from peixun.core.models import AuditEvent, Notification
from peixun.events.models import Attendance, Event
from peixun.events.tests.fixtures import add_session, enrol, make_class
from peixun.hours.models import CreditEntry, MemberYearTotal
from peixun.testing import PersonaTestCase
from peixun.training.models import MakeUp, Session, TrainingClass
from peixun.training.selectors import makeup_rows, session_expected_member_ids
from peixun.training.services.closing import class_close, class_reopen
from peixun.training.services.makeup import makeup_assign, makeup_waive, makeups_settle

from .test_closing_fixtures import DAY, Closable, closable_class, complete, mark_all


class MakeUpTests(PersonaTestCase):
    c: ClassVar[Closable]
    later: ClassVar[TrainingClass]
    catch_up: ClassVar[Session]  # a session of the later class, held yesterday, still open
    future: ClassVar[Session]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.c = closable_class(cls.world, ended_days_ago=2)
        mark_all(cls.c)  # 陈静 absent at 第二讲, on leave at 第三讲; 周强 on leave at 第四讲
        cls.later = make_class(cls.world.root, title="第二期轮训班", audience_org=cls.world.unit)
        cls.catch_up = add_session(cls.later, starts_in=-DAY, hours="4", title="第二期第二讲")
        cls.future = add_session(cls.later, starts_in=DAY, hours="4", title="第二期第三讲")
        enrol(cls.later, cls.world.secretary_member)

    @property
    def admin(self):  # type: ignore[no-untyped-def]
        return self.user("org_admin")

    def event(self, index: int) -> Event:
        return self.c.sessions[index].event

    def test_the_list_holds_absentees_and_members_on_leave(self) -> None:
        rows = makeup_rows(self.c.training_class)
        self.assertEqual(
            [(r.member.name, r.session.event.title, r.status, r.state) for r in rows],
            [
                ("陈静", "第二讲", "absent", "open"),
                ("陈静", "第三讲", "leave", "open"),
                ("周强", "第四讲", "leave", "open"),
            ],
        )
        Attendance.objects.filter(member=self.c.zhou, event=self.event(3)).delete()
        rows = makeup_rows(self.c.training_class)
        self.assertEqual(rows[-1].status, None)  # nothing recorded counts as absent

    def test_assign_makes_the_member_expected_and_attending_credits_them(self) -> None:
        makeup = makeup_assign(
            actor=self.admin,
            member=self.c.chen,
            missed_event=self.event(1),
            assigned_event=self.catch_up.event,
        )
        self.assertEqual(makeup.state, MakeUp.State.ASSIGNED)
        self.assertIn(self.c.chen.pk, set(session_expected_member_ids(self.catch_up.event)))
        self.assertTrue(AuditEvent.objects.filter(verb="makeup.assign").exists())
        rows = {
            (r.member.name, r.session.event.title): r for r in makeup_rows(self.c.training_class)
        }
        self.assertEqual(rows[("陈静", "第二讲")].state, MakeUp.State.ASSIGNED)
        # She attends the make-up session; its class closes; she is credited and it is done.
        for member in (self.c.chen, self.world.secretary_member):
            Attendance.objects.create(
                event=self.catch_up.event,
                member=member,
                status=Attendance.Status.PRESENT,
                method=Attendance.Method.MANUAL,
            )
        # The later class's other session is dropped so that every session has ended.
        Session.objects.filter(pk=self.future.pk).delete()
        Event.objects.filter(pk=self.future.event_id).delete()
        later = Closable(
            self.later, [self.catch_up], self.world.secretary_member, self.c.chen, self.c.zhou
        )
        complete(later, self.admin)
        before = MemberYearTotal.objects.filter(member=self.c.chen).count()
        self.assertEqual(before, 0)
        class_close(actor=self.admin, training_class=self.later)
        entry = CreditEntry.objects.get(
            member=self.c.chen, reference=self.catch_up.event.ledger_reference
        )
        self.assertEqual(entry.hours, Decimal(4))
        self.assertEqual(MakeUp.objects.get(pk=makeup.pk).state, MakeUp.State.DONE)
        # On the later class's closing page she is credited, without a certificate link (she
        # is not its trainee; the link would be a 404); its own trainee has one.
        page = self.client_for("org_admin").get(f"/training/{self.later.pk}/closing/")
        self.assertContains(page, "在本班补训：不发证书")
        self.assertNotContains(page, f"/certificate/{self.c.chen.pk}/")
        self.assertContains(page, f"/certificate/{self.world.secretary_member.pk}/")
        # Reopening reverses the credit and the make-up is assigned again.
        class_reopen(actor=self.admin, training_class=self.later, reason="考勤有误")
        self.assertEqual(MakeUp.objects.get(pk=makeup.pk).state, MakeUp.State.ASSIGNED)
        year = entry.on.year
        self.assertEqual(MemberYearTotal.objects.get(member=self.c.chen, year=year).hours, 0)

    def test_an_assigned_member_who_does_not_attend_is_not_done(self) -> None:
        makeup = makeup_assign(
            actor=self.admin,
            member=self.c.zhou,
            missed_event=self.event(3),
            assigned_event=self.catch_up.event,
        )
        Attendance.objects.create(
            event=self.catch_up.event,
            member=self.c.zhou,
            status=Attendance.Status.ABSENT,
            method=Attendance.Method.MANUAL,
        )
        self.assertEqual(makeups_settle([self.catch_up.event_id]), 0)
        self.assertEqual(MakeUp.objects.get(pk=makeup.pk).state, MakeUp.State.ASSIGNED)

    def test_bad_assignments_are_refused(self) -> None:
        cases = [
            # (member, missed index, assigned event, field)
            (self.c.li, 0, self.catch_up.event, "member"),  # 李明 attended 第一讲
            (self.c.chen, 1, self.event(0), "assigned_event"),  # earlier session
            (self.c.chen, 1, self.event(1), "assigned_event"),  # the missed one itself
            (self.world.other_member, 1, self.catch_up.event, "member"),  # not a trainee
            (self.c.chen, 1, self.event(3), "assigned_event"),  # her own class: expected anyway
        ]
        for member, index, target, field in cases:
            with self.subTest(member=member.name, field=field):
                with self.assertRaises(ValidationError) as caught:
                    makeup_assign(
                        actor=self.admin,
                        member=member,
                        missed_event=self.event(index),
                        assigned_event=target,
                    )
                self.assertIn(field, caught.exception.message_dict)
        draft = make_class(self.world.root, title="草稿班", state=TrainingClass.State.DRAFT)
        draft_session = add_session(draft, starts_in=DAY)
        with self.assertRaises(ValidationError) as caught:
            makeup_assign(
                actor=self.admin,
                member=self.c.chen,
                missed_event=self.event(1),
                assigned_event=draft_session.event,
            )
        self.assertIn("未处于已发布状态", caught.exception.message_dict["assigned_event"][0])
        Event.objects.filter(pk=self.future.event_id).update(state=Event.State.CLOSED)
        with self.assertRaises(ValidationError):
            makeup_assign(
                actor=self.admin,
                member=self.c.chen,
                missed_event=self.event(1),
                assigned_event=self.future.event,
            )
        with self.assertRaises(PermissionDenied):
            makeup_assign(
                actor=self.user("viewer"),
                member=self.c.chen,
                missed_event=self.event(1),
                assigned_event=self.catch_up.event,
            )
        self.assertFalse(MakeUp.objects.exists())

    def test_one_session_makes_up_one_miss(self) -> None:
        makeup_assign(
            actor=self.admin,
            member=self.c.chen,
            missed_event=self.event(1),
            assigned_event=self.future.event,
        )
        with self.assertRaises(ValidationError) as caught:
            makeup_assign(
                actor=self.admin,
                member=self.c.chen,
                missed_event=self.event(2),
                assigned_event=self.future.event,
            )
        self.assertIn("assigned_event", caught.exception.message_dict)

    def test_cancelling_the_make_up_class_opens_the_make_up_again(self) -> None:
        from peixun.training.services.classes import class_cancel

        makeup = makeup_assign(
            actor=self.admin,
            member=self.c.zhou,
            missed_event=self.event(3),
            assigned_event=self.future.event,
        )
        class_cancel(actor=self.admin, training_class=self.later, reason="场地改造")
        makeup.refresh_from_db()
        self.assertEqual((makeup.state, makeup.assigned_event), (MakeUp.State.OPEN, None))
        self.assertIn("场地改造", makeup.note)
        row = next(r for r in makeup_rows(self.c.training_class) if r.member == self.c.zhou)
        self.assertEqual(row.state, "open")
        event = AuditEvent.objects.get(verb="training_class.cancel")
        self.assertEqual((event.after or {}).get("makeups_reopened"), [makeup.pk])

    def test_member_is_notified_of_the_assignment(self) -> None:
        # 李明 was late at 第二讲; the mark is corrected to absent.
        Attendance.objects.filter(member=self.c.li, event=self.event(1)).update(
            status=Attendance.Status.ABSENT
        )
        makeup_assign(
            actor=self.admin,
            member=self.c.li,
            missed_event=self.event(1),
            assigned_event=self.future.event,
        )
        (note,) = Notification.objects.filter(recipient=self.user("member"))
        self.assertIn("第二期第三讲", note.title)
        self.assertEqual(note.url, "/training/mine/")

    def test_waive_needs_a_reason(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            makeup_waive(
                actor=self.admin, member=self.c.zhou, missed_event=self.event(3), reason=""
            )
        self.assertIn("reason", caught.exception.message_dict)
        self.assertFalse(MakeUp.objects.exists())
        makeup = makeup_waive(
            actor=self.admin,
            member=self.c.zhou,
            missed_event=self.event(3),
            reason="已参加同内容专题学习",
        )
        self.assertEqual((makeup.state, makeup.note), (MakeUp.State.WAIVED, "已参加同内容专题学习"))
        rows = {
            (r.member.name, r.session.event.title): r for r in makeup_rows(self.c.training_class)
        }
        self.assertEqual(rows[("周强", "第四讲")].state, MakeUp.State.WAIVED)
        # A waived make-up no longer makes the member expected anywhere.
        assigned = makeup_assign(
            actor=self.admin,
            member=self.c.zhou,
            missed_event=self.event(3),
            assigned_event=self.future.event,
        )
        self.assertIn(self.c.zhou.pk, set(session_expected_member_ids(self.future.event)))
        makeup_waive(
            actor=self.admin, member=self.c.zhou, missed_event=self.event(3), reason="免训"
        )
        self.assertNotIn(self.c.zhou.pk, set(session_expected_member_ids(self.future.event)))
        self.assertEqual(MakeUp.objects.get(pk=assigned.pk).state, MakeUp.State.WAIVED)

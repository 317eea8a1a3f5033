"""Closing (结班): the checklist gates the credits, closing credits exactly the attended sessions
(late arrival and early leave as the tenant says), reopening reverses them, a late close needs a
note; the final confirmations and the plan upload refuse bad input."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from peixun.core.models import AuditEvent
from peixun.events.models import Attendance, CreditRule, Event, EventSettings
from peixun.events.tests.fixtures import add_session, make_class
from peixun.hours.models import CreditEntry, MemberYearTotal
from peixun.testing import PersonaTestCase
from peixun.training.models import Enrolment, TrainingClass
from peixun.training.selectors import closing_checklist
from peixun.training.services.closing import (
    class_close,
    class_plan_attach,
    class_reopen,
    class_roster_confirm,
    class_timetable_confirm,
)

from .test_closing_fixtures import Closable, closable_class, complete, mark_all, plan_file


def credited(c: Closable) -> dict[str, Decimal]:
    refs = [s.event.ledger_reference for s in c.sessions]
    out: dict[str, Decimal] = {}
    for entry in CreditEntry.objects.filter(reference__in=refs).select_related("member"):
        out[entry.member.name] = out.get(entry.member.name, Decimal(0)) + entry.hours
    return out


class ClosingTests(PersonaTestCase):
    c: ClassVar[Closable]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.c = closable_class(cls.world)

    @property
    def admin(self):  # type: ignore[no-untyped-def]
        return self.user("org_admin")

    def checklist(self) -> dict[str, bool]:
        return {i.key: i.ok for i in closing_checklist(self.c.training_class)}

    def test_nothing_done_lists_every_missing_item_and_credits_nothing(self) -> None:
        self.assertEqual(
            self.checklist(),
            {
                "roster": False,
                "attendance": False,
                "timetable": False,
                "plan": False,
                "sessions_ended": True,
            },
        )
        with self.assertRaises(ValidationError) as caught:
            class_close(actor=self.admin, training_class=self.c.training_class)
        message = caught.exception.message_dict["checklist"][0]
        for label in ("名单", "考勤", "课表", "培训方案"):
            self.assertIn(label, message)
        self.assertFalse(CreditEntry.objects.exists())
        self.c.training_class.refresh_from_db()
        self.assertEqual(self.c.training_class.state, TrainingClass.State.PUBLISHED)
        self.assertEqual(Event.objects.filter(state=Event.State.CLOSED).count(), 0)

    def test_one_unmarked_member_blocks_closing(self) -> None:
        mark_all(self.c, skip=("周强", 3))
        complete(self.c, self.admin)
        items = {i.key: i for i in closing_checklist(self.c.training_class)}
        self.assertFalse(items["attendance"].ok)
        self.assertIn("第四讲", items["attendance"].detail)
        self.assertIn("1", items["attendance"].detail)
        with self.assertRaises(ValidationError) as caught:
            class_close(actor=self.admin, training_class=self.c.training_class)
        self.assertIn("第四讲", caught.exception.message_dict["checklist"][0])
        self.assertFalse(CreditEntry.objects.exists())

    def test_a_session_not_yet_ended_blocks_closing(self) -> None:
        mark_all(self.c)
        complete(self.c, self.admin)
        add_session(self.c.training_class, starts_in=60, title="第五讲")
        self.assertFalse(self.checklist()["sessions_ended"])
        with self.assertRaises(ValidationError):
            class_close(actor=self.admin, training_class=self.c.training_class)
        self.assertFalse(CreditEntry.objects.exists())

    def test_close_credits_exactly_the_attended_sessions(self) -> None:
        mark_all(self.c)
        complete(self.c, self.admin)
        self.assertTrue(all(self.checklist().values()))
        class_close(actor=self.admin, training_class=self.c.training_class)
        # Present full; late full and early half (the defaults); absent and leave nothing.
        self.assertEqual(
            credited(self.c),
            {"李明": Decimal(12), "陈静": Decimal(6), "周强": Decimal(12)},
        )
        third = CreditEntry.objects.get(
            member=self.c.li, reference=self.c.sessions[2].event.ledger_reference
        )
        self.assertEqual(third.hours, Decimal(2))
        self.assertTrue(third.concentrated)
        self.assertEqual(third.title, "党员集中轮训班 · 第三讲")
        self.assertFalse(
            CreditEntry.objects.filter(
                member=self.c.chen, reference=self.c.sessions[1].event.ledger_reference
            ).exists()
        )
        total = MemberYearTotal.objects.get(member=self.c.li, year=self.c.year)
        self.assertEqual(total.hours, Decimal(12))
        self.assertEqual(total.concentrated_hours, Decimal(12))
        tc = TrainingClass.objects.get(pk=self.c.training_class.pk)
        self.assertEqual(tc.state, TrainingClass.State.CLOSED)
        self.assertEqual(tc.closed_by, self.admin)
        self.assertEqual(tc.late_close_note, "")
        self.assertEqual(Event.objects.filter(state=Event.State.CLOSED).count(), 4)
        after = AuditEvent.objects.get(verb="training_class.close").after or {}
        self.assertEqual(after["members_credited"], 3)
        self.assertEqual(Decimal(after["hours_credited"]), Decimal(30))
        with self.assertRaises(ValidationError):
            class_close(actor=self.admin, training_class=tc)  # already closed

    def test_the_grid_estimate_is_what_the_close_credits(self) -> None:
        from peixun.training.selectors import attendance_grid

        mark_all(self.c)
        # The first session requires sign-out; 李明 signed in by QR and never signed out: the
        # close counts him as leaving early, and so must the grid's estimate.
        first = self.c.sessions[0].event
        Event.objects.filter(pk=first.pk).update(signout_required=True)
        Attendance.objects.filter(event=first, member=self.c.li).update(method=Attendance.Method.QR)
        estimate = {
            row.member.name: row.earned for row in attendance_grid(self.c.training_class).rows
        }
        complete(self.c, self.admin)
        class_close(actor=self.admin, training_class=self.c.training_class)
        self.assertEqual(estimate, credited(self.c))
        self.assertEqual(estimate["李明"], Decimal(10))

    def test_late_and_early_count_as_the_tenant_says(self) -> None:
        EventSettings.objects.create(
            tenant=self.world.root,
            late_credit=CreditRule.NONE,
            left_early_credit=CreditRule.FULL,
        )
        mark_all(self.c)
        complete(self.c, self.admin)
        class_close(actor=self.admin, training_class=self.c.training_class)
        self.assertEqual(credited(self.c)["李明"], Decimal(4 + 0 + 4 + 2))

    def test_reopen_reverses_every_credit(self) -> None:
        mark_all(self.c)
        complete(self.c, self.admin)
        class_close(actor=self.admin, training_class=self.c.training_class)
        with self.assertRaises(ValidationError) as caught:
            class_reopen(actor=self.admin, training_class=self.c.training_class, reason=" ")
        self.assertIn("reason", caught.exception.message_dict)
        class_reopen(
            actor=self.admin, training_class=self.c.training_class, reason="补录一名学员考勤"
        )
        self.assertEqual(
            credited(self.c), {"李明": Decimal(0), "陈静": Decimal(0), "周强": Decimal(0)}
        )
        reversals = CreditEntry.objects.filter(reverses__isnull=False)
        self.assertEqual(reversals.count(), 4 + 2 + 3)  # every credit: member × session
        self.assertTrue(all(r.reason == "补录一名学员考勤" for r in reversals))
        total = MemberYearTotal.objects.get(member=self.c.li, year=self.c.year)
        self.assertEqual((total.hours, total.concentrated_hours), (Decimal(0), Decimal(0)))
        tc = TrainingClass.objects.get(pk=self.c.training_class.pk)
        self.assertEqual(tc.state, TrainingClass.State.PUBLISHED)
        self.assertIsNone(tc.closed_at)
        self.assertEqual(Event.objects.filter(state=Event.State.CLOSED).count(), 0)
        # Closing again credits the attendance as it then stands.
        Attendance.objects.filter(member=self.c.chen, event=self.c.sessions[1].event).update(
            status=Attendance.Status.PRESENT
        )
        class_close(actor=self.admin, training_class=tc)
        self.assertEqual(credited(self.c)["陈静"], Decimal(10))
        with self.assertRaises(ValidationError):
            class_reopen(actor=self.admin, training_class=self.c.training_class, reason="")

    def test_only_the_organisers_managers_close(self) -> None:
        mark_all(self.c)
        complete(self.c, self.admin)
        for persona in ("viewer", "secretary", "member"):
            with self.assertRaises(PermissionDenied):
                class_close(actor=self.user(persona), training_class=self.c.training_class)
        self.assertFalse(CreditEntry.objects.exists())


class LateCloseTests(PersonaTestCase):
    c: ClassVar[Closable]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.c = closable_class(cls.world, ended_days_ago=10)  # due within 7 days: late

    def test_late_close_needs_a_note(self) -> None:
        admin = self.user("org_admin")
        mark_all(self.c)
        complete(self.c, admin)
        with self.assertRaises(ValidationError) as caught:
            class_close(actor=admin, training_class=self.c.training_class, late_note="  ")
        self.assertIn("late_note", caught.exception.message_dict)
        self.assertFalse(CreditEntry.objects.exists())
        class_close(actor=admin, training_class=self.c.training_class, late_note="等待补训学员考勤")
        tc = TrainingClass.objects.get(pk=self.c.training_class.pk)
        self.assertEqual(tc.state, TrainingClass.State.CLOSED)
        self.assertEqual(tc.late_close_note, "等待补训学员考勤")
        self.assertEqual(credited(self.c)["周强"], Decimal(12))


class ConfirmationTests(PersonaTestCase):
    c: ClassVar[Closable]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.c = closable_class(cls.world)

    def test_roster_waits_for_every_nomination(self) -> None:
        admin = self.user("org_admin")
        Enrolment.objects.create(
            training_class=self.c.training_class,
            member=self.world.secretary_member,
            route=Enrolment.Route.NOMINATED,
            state=Enrolment.State.NOMINATED,
        )
        with self.assertRaises(ValidationError) as caught:
            class_roster_confirm(actor=admin, training_class=self.c.training_class)
        self.assertIn("1", caught.exception.message_dict["roster"][0])
        self.c.training_class.refresh_from_db()
        self.assertIsNone(self.c.training_class.roster_confirmed_at)
        Enrolment.objects.filter(state=Enrolment.State.NOMINATED).update(
            state=Enrolment.State.RETURNED
        )
        class_roster_confirm(actor=admin, training_class=self.c.training_class)
        self.c.training_class.refresh_from_db()
        self.assertIsNotNone(self.c.training_class.roster_confirmed_at)
        self.assertTrue(AuditEvent.objects.filter(verb="training_class.roster_confirm").exists())

    def test_roster_needs_a_trainee_and_timetable_a_session(self) -> None:
        admin = self.user("org_admin")
        today = timezone.localdate()
        empty = make_class(self.world.root, starts_on=today, ends_on=today)
        with self.assertRaises(ValidationError) as caught:
            class_roster_confirm(actor=admin, training_class=empty)
        self.assertIn("roster", caught.exception.message_dict)
        with self.assertRaises(ValidationError) as caught:
            class_timetable_confirm(actor=admin, training_class=empty)
        self.assertIn("timetable", caught.exception.message_dict)
        draft = make_class(self.world.root, state=TrainingClass.State.DRAFT)
        with self.assertRaises(ValidationError) as caught:
            class_timetable_confirm(actor=admin, training_class=draft)
        self.assertIn("state", caught.exception.message_dict)

    def test_plan_must_be_a_real_pdf_or_word_file(self) -> None:
        admin = self.user("org_admin")
        tc = self.c.training_class
        bad = [
            None,
            SimpleUploadedFile("plan.exe", b"MZ\x90\x00"),
            plan_file("方案.pdf", b"MZ\x90\x00 not a pdf"),
            plan_file("方案.pdf", b""),
        ]
        for upload in bad:
            with self.assertRaises(ValidationError) as caught:
                class_plan_attach(actor=admin, training_class=tc, file=upload)
            self.assertIn("plan", caught.exception.message_dict)
        tc.refresh_from_db()
        self.assertFalse(tc.plan_document)
        class_plan_attach(
            actor=admin, training_class=tc, file=plan_file("方案.docx", b"PK\x03\x04x")
        )
        tc.refresh_from_db()
        self.assertTrue(str(tc.plan_document.name).endswith(".docx"))
        with self.assertRaises(PermissionDenied):
            class_plan_attach(actor=self.user("viewer"), training_class=tc, file=plan_file())

    def test_closed_class_cannot_be_confirmed_again(self) -> None:
        admin = self.user("org_admin")
        mark_all(self.c)
        complete(self.c, admin)
        class_close(actor=admin, training_class=self.c.training_class)
        with self.assertRaises(ValidationError) as caught:
            class_roster_confirm(actor=admin, training_class=self.c.training_class)
        self.assertIn("state", caught.exception.message_dict)

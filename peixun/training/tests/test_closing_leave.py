"""The leave limit of a full-time class (干部教育培训工作条例 Art. 15): leave above 1/7 of the
class's hours flags the trainee for withdrawal (exactly 1/7 does not), the organiser is told,
and the flag clears when the leave drops; a class that is not full-time flags nobody."""

from __future__ import annotations

from typing import ClassVar

from peixun.core.models import AuditEvent, Notification
from peixun.events.models import Attendance
from peixun.events.services import attendance_mark, leave_decide, leave_request
from peixun.events.tests.fixtures import add_session
from peixun.testing import PersonaTestCase
from peixun.training.models import Enrolment, TrainingSettings
from peixun.training.services.closing import class_leave_flags_refresh

from .test_closing_fixtures import DAY, Closable, closable_class


class LeaveLimitTests(PersonaTestCase):
    c: ClassVar[Closable]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.c = closable_class(cls.world)  # 14 hours: the limit is 2 hours

    def enrolment(self, name: str) -> Enrolment:
        return Enrolment.objects.get(training_class=self.c.training_class, member__name=name)

    def mark(self, index: int, name: str, status: str) -> None:
        attendance_mark(
            actor=self.user("org_admin"),
            event=self.c.sessions[index].event,
            member=self.c.by_name(name),
            status=status,
        )

    def test_leave_above_a_seventh_flags_and_dropping_it_clears(self) -> None:
        self.mark(3, "周强", Attendance.Status.LEAVE)  # 2 of 14 hours: exactly 1/7, allowed
        self.assertFalse(self.enrolment("周强").flagged_for_withdrawal)
        self.mark(0, "周强", Attendance.Status.LEAVE)  # 6 of 14
        self.assertTrue(self.enrolment("周强").flagged_for_withdrawal)
        self.assertFalse(self.enrolment("李明").flagged_for_withdrawal)
        (note,) = Notification.objects.filter(recipient=self.user("org_admin"))
        self.assertIn("周强", note.title)
        self.assertIn("1/7", note.title)
        self.assertIn("退训", note.body)
        self.assertEqual(note.url, f"/training/{self.c.training_class.pk}/attendance/")
        self.assertFalse(Notification.objects.filter(recipient=self.user("member")).exists())
        self.assertTrue(AuditEvent.objects.filter(verb="enrolment.leave_flag").exists())
        self.mark(0, "周强", Attendance.Status.PRESENT)
        self.assertFalse(self.enrolment("周强").flagged_for_withdrawal)
        self.assertTrue(AuditEvent.objects.filter(verb="enrolment.leave_unflag").exists())

    def test_an_approved_leave_request_counts(self) -> None:
        later = add_session(self.c.training_class, starts_in=DAY, hours="4", title="第五讲")
        # 18 hours now; 4 hours of leave: 28 > 18.
        leave = leave_request(actor=self.user("member"), event=later.event, reason="出差")
        leave_decide(actor=self.user("org_admin"), leave=leave, approve=True)
        self.assertTrue(self.enrolment("李明").flagged_for_withdrawal)

    def test_the_tenant_sets_the_limit(self) -> None:
        TrainingSettings.objects.create(tenant=self.world.root, leave_limit_denominator=3)
        self.mark(0, "周强", Attendance.Status.LEAVE)  # 4 × 3 = 12 ≤ 14
        self.assertFalse(self.enrolment("周强").flagged_for_withdrawal)
        self.mark(3, "周强", Attendance.Status.LEAVE)  # 6 × 3 = 18 > 14
        self.assertTrue(self.enrolment("周强").flagged_for_withdrawal)

    def test_a_class_that_is_not_full_time_flags_nobody(self) -> None:
        part_time = closable_class(
            self.world, title="业余培训班", full_time=False, chen=self.c.chen, zhou=self.c.zhou
        )
        for session in part_time.sessions:
            Attendance.objects.create(
                event=session.event,
                member=self.c.zhou,
                status=Attendance.Status.LEAVE,
                method=Attendance.Method.MANUAL,
            )
        self.assertEqual(class_leave_flags_refresh(part_time.training_class), [])
        self.assertFalse(
            Enrolment.objects.filter(
                training_class=part_time.training_class, flagged_for_withdrawal=True
            ).exists()
        )

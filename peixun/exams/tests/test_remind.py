"""A secretary reminds the branch's non-takers; an org admin the subtree's; once a day."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peixun.core.models import Notification
from peixun.testing import PersonaTestCase

from ..models import Exam
from ..services import attempt_start, attempt_submit, exam_remind
from .fixtures import add_questions, make_exam, rules_paper


class RemindTests(PersonaTestCase):
    exam: ClassVar[Exam]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        add_questions(cls.world, per_kind=2)
        cls.exam = make_exam(cls.world, rules_paper(cls.world, per_kind=1))

    def told(self, persona: str) -> bool:
        return Notification.objects.filter(
            recipient=self.user(persona), title__contains="提醒"
        ).exists()

    def test_a_secretary_reminds_only_the_branch_and_only_once_a_day(self) -> None:
        # Nobody has taken it: 李明 and 王芳 (the secretary herself) are in the branch, 赵强 is
        # in another. The secretary is not told about her own reminder.
        self.assertEqual(exam_remind(actor=self.user("secretary"), exam=self.exam), 1)
        self.assertTrue(self.told("member"))
        self.assertFalse(self.told("secretary"))
        self.assertFalse(self.told("other_secretary"))
        note = Notification.objects.get(recipient=self.user("member"), title__contains="提醒")
        self.assertEqual(note.event_date, timezone.localdate(self.exam.closes_at))
        self.assertEqual(exam_remind(actor=self.user("secretary"), exam=self.exam), 0)
        # The org admin's reminder reaches the secretary and the other branch; 李明 had today's.
        self.assertEqual(exam_remind(actor=self.user("org_admin"), exam=self.exam), 2)
        self.assertTrue(self.told("secretary"))
        self.assertTrue(self.told("other_secretary"))

    def test_who_has_taken_it_is_not_reminded(self) -> None:
        member = self.user("member")
        attempt = attempt_start(actor=member, exam=self.exam)
        attempt_submit(actor=member, attempt_id=attempt.pk)
        self.assertEqual(exam_remind(actor=self.user("org_admin"), exam=self.exam), 2)
        self.assertFalse(self.told("member"))

    def test_readers_may_not_and_a_closed_exam_is_refused(self) -> None:
        with self.assertRaises(PermissionDenied):
            exam_remind(actor=self.user("viewer"), exam=self.exam)
        Exam.objects.filter(pk=self.exam.pk).update(
            opens_at=timezone.now() - dt.timedelta(days=2),
            closes_at=timezone.now() - dt.timedelta(minutes=1),
        )
        self.exam.refresh_from_db()
        with self.assertRaises(ValidationError):
            exam_remind(actor=self.user("org_admin"), exam=self.exam)
        self.assertFalse(Notification.objects.filter(title__contains="提醒").exists())

    def test_page_and_api_personas(self) -> None:
        self.expect_personas(f"/exams/{self.exam.pk}/remind/", {
            "anonymous": 302, "member": 404, "secretary": 302, "other_secretary": 302,
            "org_admin": 302, "viewer": 403,
        }, method="post")  # fmt: skip
        self.expect_personas(f"/api/v1/exams/{self.exam.pk}/remind", {
            "anonymous": 401, "member": 404, "secretary": 200, "other_secretary": 200,
            "org_admin": 200, "viewer": 403,
        }, method="post")  # fmt: skip
        page = self.client_for("secretary").get(f"/exams/{self.exam.pk}/?tab=absent")
        self.assertContains(page, f"/exams/{self.exam.pk}/remind/")
        viewer = self.client_for("viewer").get(f"/exams/{self.exam.pk}/?tab=absent")
        self.assertNotContains(viewer, f"/exams/{self.exam.pk}/remind/")

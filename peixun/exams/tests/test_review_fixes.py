"""Found in review: the key of an attempt must not serve the next one; credit hours the ledger
can take; a member's open tests do not depend on other members' passes."""

from __future__ import annotations

from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.utils import timezone

from peixun.testing import PersonaTestCase

from ..models import Exam, Question
from ..selectors import open_exams_for_member
from ..services import attempt_answer_save, attempt_start, attempt_submit
from .fixtures import add_questions, fixed_paper, make_exam


class ReviewFixTests(PersonaTestCase):
    questions: ClassVar[list[Question]]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.questions = add_questions(cls.world, per_kind=1)

    def judge_exam(self, **settings: Any) -> Exam:
        judges = [q for q in self.questions if q.kind == "judge"]
        return make_exam(self.world, fixed_paper(self.world, judges), **settings)

    def take(self, persona: str, exam: Exam, right: bool) -> dict[str, Any]:
        actor = self.user(persona)
        attempt = attempt_start(actor=actor, exam=exam)
        for item in attempt.items:
            attempt_answer_save(actor=actor, attempt_id=attempt.pk, question_id=item["q"],
                                response=item["key"] if right else not item["key"])  # fmt: skip
        attempt_submit(actor=actor, attempt_id=attempt.pk)
        return dict(self.client_for(persona).get(f"/api/v1/exams/attempts/{attempt.pk}").json())

    def test_after_submit_waits_for_the_last_attempt(self) -> None:
        exam = self.judge_exam(show_answers="after_submit", attempts_allowed=2, seed="k")
        first = self.take("member", exam, right=False)
        self.assertIsNone(first["review"])
        second = self.take("member", exam, right=True)
        self.assertIsNotNone(second["review"])

    def test_credit_hours_in_quarter_steps(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.judge_exam(credit_hours="0.3", publish=False)
        self.assertIn("credit_hours", caught.exception.message_dict)
        self.assertEqual(self.judge_exam(credit_hours="0.75", publish=False).credit_hours, 0.75)

    def test_another_members_pass_does_not_hide_my_open_test(self) -> None:
        exam = self.judge_exam(attempts_allowed=2, seed="o")
        self.take("member", exam, right=False)
        self.take("other_secretary", exam, right=True)
        today = timezone.localdate()
        self.assertEqual([e.pk for e in open_exams_for_member(self.world.member.pk, today)],
                         [exam.pk])  # fmt: skip
        self.assertEqual(open_exams_for_member(self.world.other_member.pk, today), [])


class ClosingTimeTests(PersonaTestCase):
    def test_moving_the_close_later_gives_running_attempts_their_time(self) -> None:
        import datetime as dt

        from ..services import exam_update

        judges = [q for q in add_questions(self.world, per_kind=1) if q.kind == "judge"]
        now = timezone.now()
        exam = make_exam(
            self.world, fixed_paper(self.world, judges), time_limit_minutes=60,
            closes_at=now + dt.timedelta(minutes=20), seed="c",
        )  # fmt: skip
        attempt = attempt_start(actor=self.user("member"), exam=exam)
        self.assertEqual(attempt.deadline_at, exam.closes_at)  # cut at the close
        admin = self.user("org_admin")
        exam_update(actor=admin, exam=exam, data={"closes_at": now + dt.timedelta(days=1)})
        attempt.refresh_from_db()
        self.assertEqual(attempt.deadline_at, attempt.started_at + dt.timedelta(minutes=60))
        Exam.objects.filter(pk=exam.pk).update(
            opens_at=now - dt.timedelta(days=2), closes_at=now - dt.timedelta(minutes=1)
        )
        exam.refresh_from_db()
        with self.assertRaises(ValidationError):
            exam_update(actor=admin, exam=exam, data={"closes_at": now + dt.timedelta(days=2)})


class PartyGroupTests(PersonaTestCase):
    def test_a_party_group_member_counts_with_the_branch_above(self) -> None:
        from peixun.testing import make_member

        from ..models import Candidate

        w = self.world
        grouped = make_member(w.group, "吴组员", mobile="13600000001")
        judges = [q for q in add_questions(w, per_kind=1) if q.kind == "judge"]
        exam = make_exam(w, fixed_paper(w, judges), seed="g")
        self.assertEqual(Candidate.objects.get(exam=exam, member=grouped).org_id, w.branch.pk)
        # A sample of one per branch: the group is not a branch of its own.
        spot = make_exam(
            w, fixed_paper(w, judges, title="抽测卷"), audience="sample", sample_count=1,
            seed="h", title="抽测",
        )  # fmt: skip
        orgs = list(Candidate.objects.filter(exam=spot).values_list("org_id", flat=True))
        self.assertEqual(sorted(orgs), sorted({w.branch.pk, w.other_branch.pk, w.far_branch.pk}))

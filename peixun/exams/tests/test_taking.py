"""Taking an exam through the services: start, resume, save, submit, the timer, the draw."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar
from unittest import mock

from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import TestCase
from django.utils import timezone

from peixun.core.models import AuditEvent
from peixun.hours.models import CreditEntry
from peixun.testing import World

from ..models import Answer, Attempt, Candidate, Exam, Paper, Question
from ..services import (
    GRACE,
    attempt_answer_save,
    attempt_start,
    attempt_submit,
    attempts_expire,
    exam_finalise,
)
from .fixtures import add_questions, fixed_paper, make_exam, rules_paper


def right_answer(item: dict[str, Any]) -> object:
    key = item["key"]
    if item["kind"] == "single":
        return key[0]
    if item["kind"] == "multiple":
        return key
    if item["kind"] == "judge":
        return key
    return key[0]


class TakingTests(TestCase):
    world: ClassVar[World]
    questions: ClassVar[list[Question]]
    rules: ClassVar[Paper]
    exam: ClassVar[Exam]
    member: ClassVar[Any]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.world = World()
        cls.questions = add_questions(cls.world, per_kind=3)
        cls.rules = rules_paper(cls.world, per_kind=2)
        cls.exam = make_exam(cls.world, cls.rules)
        cls.member = cls.world.users["member"]

    def test_candidates_are_the_subtree_party_members(self) -> None:
        names = set(Candidate.objects.filter(exam=self.exam).values_list("member__name", flat=True))
        self.assertEqual(names, {"李明", "王芳", "赵强", "孙丽"})

    def test_start_draws_eight_and_resume_returns_the_same_attempt(self) -> None:
        attempt = attempt_start(actor=self.member, exam=self.exam)
        self.assertEqual(len(attempt.items), 8)
        self.assertEqual(sorted(i["kind"] for i in attempt.items).count("blank"), 2)
        again = attempt_start(actor=self.member, exam=self.exam)
        self.assertEqual(again.pk, attempt.pk)
        self.assertEqual(Attempt.objects.filter(exam=self.exam).count(), 1)

    def test_draw_is_reproducible_per_member_and_differs_between_members(self) -> None:
        first = attempt_start(actor=self.member, exam=self.exam)
        ids = [i["q"] for i in first.items]
        Attempt.objects.filter(pk=first.pk).delete()
        again = attempt_start(actor=self.member, exam=self.exam)
        self.assertEqual([i["q"] for i in again.items], ids)
        self.assertEqual([i["options"] for i in again.items], [i["options"] for i in first.items])

    def test_all_right_passes_with_full_marks(self) -> None:
        attempt = attempt_start(actor=self.member, exam=self.exam)
        for n, item in enumerate(attempt.items, start=1):
            attempt_answer_save(
                actor=self.member, attempt_id=attempt.pk, question_id=item["q"],
                response=right_answer(item), seq=n,
            )  # fmt: skip
        done = attempt_submit(actor=self.member, attempt_id=attempt.pk)
        self.assertEqual(done.score, done.max_score)
        self.assertEqual(done.percent, Decimal("100.0"))
        self.assertTrue(done.passed)
        self.assertFalse(done.auto_submitted)
        # A second submit is harmless and returns the same result.
        twice = attempt_submit(actor=self.member, attempt_id=attempt.pk)
        self.assertEqual(
            (twice.pk, twice.score, twice.submitted_at), (done.pk, done.score, done.submitted_at)
        )
        self.assertEqual(AuditEvent.objects.filter(verb="exams.attempt.submit").count(), 1)

    def test_blank_answers_fold_width_spaces_and_punctuation(self) -> None:
        attempt = attempt_start(actor=self.member, exam=self.exam)
        blank = next(i for i in attempt.items if i["kind"] == "blank")
        attempt_answer_save(actor=self.member, attempt_id=attempt.pk, question_id=blank["q"],
                            response=" 人民　群众。")  # fmt: skip
        attempt_submit(actor=self.member, attempt_id=attempt.pk)
        self.assertTrue(Answer.objects.get(attempt=attempt, question_id=blank["q"]).correct)

    def test_older_seq_never_overwrites_a_newer_answer(self) -> None:
        attempt = attempt_start(actor=self.member, exam=self.exam)
        judge = next(i for i in attempt.items if i["kind"] == "judge")
        attempt_answer_save(actor=self.member, attempt_id=attempt.pk, question_id=judge["q"],
                            response=True, seq=5)  # fmt: skip
        attempt_answer_save(actor=self.member, attempt_id=attempt.pk, question_id=judge["q"],
                            response=False, seq=4)  # fmt: skip
        self.assertIs(Answer.objects.get(attempt=attempt).response, True)

    def test_bad_answers_are_refused_and_nothing_is_stored(self) -> None:
        attempt = attempt_start(actor=self.member, exam=self.exam)
        single = next(i for i in attempt.items if i["kind"] == "single")
        not_in_attempt = next(
            q for q in self.questions if q.pk not in {i["q"] for i in attempt.items}
        )
        cases = [
            (not_in_attempt.pk, 0, "question"),
            (single["q"], 9, "response"),
            (single["q"], "A", "response"),
            (single["q"], True, "response"),
        ]
        for qid, response, field in cases:
            with self.assertRaises(ValidationError) as caught:
                attempt_answer_save(actor=self.member, attempt_id=attempt.pk, question_id=qid,
                                    response=response)  # fmt: skip
            self.assertIn(field, caught.exception.message_dict)
        self.assertFalse(Answer.objects.filter(attempt=attempt).exists())

    def test_someone_elses_attempt_is_not_found(self) -> None:
        attempt = attempt_start(actor=self.member, exam=self.exam)
        for persona in ("secretary", "org_admin", "other_secretary"):
            with self.assertRaises(Http404):
                attempt_answer_save(actor=self.world.users[persona], attempt_id=attempt.pk,
                                    question_id=attempt.items[0]["q"], response=True)  # fmt: skip
            with self.assertRaises(Http404):
                attempt_submit(actor=self.world.users[persona], attempt_id=attempt.pk)

    def test_a_non_candidate_can_not_start(self) -> None:
        with self.assertRaises(Http404):
            attempt_start(actor=self.world.users["org_admin"], exam=self.exam)

    def test_after_the_time_limit_saves_are_refused_and_the_attempt_submitted(self) -> None:
        attempt = attempt_start(actor=self.member, exam=self.exam)
        item = next(i for i in attempt.items if i["kind"] == "judge")
        attempt_answer_save(actor=self.member, attempt_id=attempt.pk, question_id=item["q"],
                            response=item["key"])  # fmt: skip
        later = attempt.deadline_at + GRACE + dt.timedelta(seconds=1)
        with (
            mock.patch("django.utils.timezone.now", return_value=later),
            self.assertRaises(ValidationError),
        ):
            attempt_answer_save(actor=self.member, attempt_id=attempt.pk,
                                    question_id=attempt.items[0]["q"], response=True)  # fmt: skip
        attempt.refresh_from_db()
        self.assertTrue(attempt.auto_submitted)
        self.assertIsNotNone(attempt.submitted_at)
        self.assertGreater(attempt.score or 0, 0)
        # The one answer given, and a graded empty row for each question left unanswered.
        self.assertEqual(Answer.objects.filter(attempt=attempt, response__isnull=False).count(), 1)
        self.assertEqual(Answer.objects.filter(attempt=attempt).count(), len(attempt.items))
        self.assertEqual(Answer.objects.filter(attempt=attempt, correct=False).count(),
                         len(attempt.items) - 1)  # fmt: skip

    def test_expire_sweep_submits_only_what_is_past_its_deadline(self) -> None:
        attempt = attempt_start(actor=self.member, exam=self.exam)
        self.assertEqual(attempts_expire(), 0)
        later = attempt.deadline_at + GRACE + dt.timedelta(seconds=1)
        self.assertEqual(attempts_expire(now=later), 1)
        attempt.refresh_from_db()
        self.assertTrue(attempt.auto_submitted)

    def test_attempts_allowed_is_enforced(self) -> None:
        attempt = attempt_start(actor=self.member, exam=self.exam)
        attempt_submit(actor=self.member, attempt_id=attempt.pk)
        with self.assertRaises(ValidationError):
            attempt_start(actor=self.member, exam=self.exam)

    def test_finalise_credits_passers_once(self) -> None:
        paper = fixed_paper(self.world, [q for q in self.questions if q.kind == "judge"])
        exam = make_exam(self.world, paper, title="判断题测", seed="s2")
        attempt = attempt_start(actor=self.member, exam=exam)
        for item in attempt.items:
            attempt_answer_save(actor=self.member, attempt_id=attempt.pk, question_id=item["q"],
                                response=item["key"])  # fmt: skip
        attempt_submit(actor=self.member, attempt_id=attempt.pk)
        with self.assertRaises(ValidationError):
            exam_finalise(actor=self.world.users["org_admin"], exam=exam)
        Exam.objects.filter(pk=exam.pk).update(
            opens_at=timezone.now() - dt.timedelta(days=2),
            closes_at=timezone.now() - dt.timedelta(minutes=1),
        )
        result = exam_finalise(actor=self.world.users["org_admin"], exam=exam)
        self.assertEqual(result["credited"], 1)
        entry = CreditEntry.objects.get(reference=f"exam:{exam.pk}")
        self.assertEqual((entry.member_id, entry.hours), (self.world.member.pk, Decimal("0.50")))
        with self.assertRaises(ValidationError):
            exam_finalise(actor=self.world.users["org_admin"], exam=exam)


class AutosubmitCommandTests(TestCase):
    def test_the_command_submits_attempts_past_their_time(self) -> None:
        import io

        from django.core.management import call_command

        world = World()
        add_questions(world, per_kind=2)
        exam = make_exam(world, rules_paper(world, per_kind=1), time_limit_minutes=1)
        attempt = attempt_start(actor=world.users["member"], exam=exam)
        Attempt.objects.filter(pk=attempt.pk).update(
            deadline_at=timezone.now() - GRACE - dt.timedelta(seconds=5)
        )
        out = io.StringIO()
        call_command("exams_autosubmit", stdout=out)
        self.assertIn("1 attempt", out.getvalue())
        attempt.refresh_from_db()
        self.assertTrue(attempt.auto_submitted)


class CancelledExamTests(TestCase):
    def test_a_cancelled_exam_takes_no_more_answers(self) -> None:
        from ..services import exam_cancel

        world = World()
        add_questions(world, per_kind=2)
        exam = make_exam(world, rules_paper(world, per_kind=1))
        member = world.users["member"]
        attempt = attempt_start(actor=member, exam=exam)
        exam_cancel(actor=world.users["org_admin"], exam=exam)
        exam.refresh_from_db()
        with self.assertRaises(ValidationError):
            attempt_start(actor=member, exam=exam)
        with self.assertRaises(ValidationError) as caught:
            attempt_answer_save(actor=member, attempt_id=attempt.pk,
                                question_id=attempt.items[0]["q"], response=None)  # fmt: skip
        self.assertIn("attempt", caught.exception.message_dict)
        self.assertFalse(Answer.objects.filter(attempt=attempt).exists())

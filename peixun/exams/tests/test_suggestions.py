"""A member behind on study hours is pointed to the open tests that credit hours."""

from __future__ import annotations

import datetime as dt

from django.test import TestCase
from django.utils import timezone

from peixun.hours.selectors import upcoming_activities_for
from peixun.testing import World

from ..services import attempt_answer_save, attempt_start, attempt_submit, exam_cancel
from .fixtures import add_questions, fixed_paper, make_exam, rules_paper


class SuggestionTests(TestCase):
    def test_open_tests_that_credit_hours_are_suggested_until_passed(self) -> None:
        world = World()
        questions = add_questions(world, per_kind=2)
        paper = rules_paper(world, per_kind=1)
        today = timezone.localdate()
        make_exam(world, paper, title="可参加的季度测", seed="a")
        make_exam(world, paper, title="不计学时的练习", seed="b", credit_hours="0")
        make_exam(world, paper, title="草稿", publish=False)
        exam_cancel(
            actor=world.users["org_admin"], exam=make_exam(world, paper, title="已取消", seed="c")
        )
        judge_paper = fixed_paper(world, [q for q in questions if q.kind == "judge"], title="判断")
        passed = make_exam(world, judge_paper, title="已合格", seed="d")
        member = world.users["member"]
        attempt = attempt_start(actor=member, exam=passed)
        for item in attempt.items:
            attempt_answer_save(actor=member, attempt_id=attempt.pk, question_id=item["q"],
                                response=item["key"])  # fmt: skip
        attempt_submit(actor=member, attempt_id=attempt.pk)
        suggestions = upcoming_activities_for(world.member.pk, today)
        self.assertEqual(len(suggestions), 1)
        title, url = suggestions[0]
        self.assertIn("可参加的季度测", title)
        self.assertTrue(url.startswith("/exams/") and url.endswith("/take/"))
        # A day after it closes, nothing is suggested.
        later = today + dt.timedelta(days=9)
        self.assertEqual(upcoming_activities_for(world.member.pk, later), [])

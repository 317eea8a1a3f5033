"""Item analysis and branch figures from known answers: every number checked by hand."""

from __future__ import annotations

from decimal import Decimal

from django.test import TestCase

from peixun.testing import World, make_member

from ..models import Question
from ..selectors import branch_results, item_analysis, non_takers
from .fixtures import add_questions, fixed_paper, make_exam
from .test_query_counts import Taker


class AnalysisTests(TestCase):
    def test_difficulty_discrimination_and_branch_rates(self) -> None:
        world = World()
        questions = add_questions(world, per_kind=1)
        judges = [q for q in questions if q.kind == "judge"]
        extra = [
            make_member(world.branch, f"甲{n}", mobile=f"1370000000{n}") for n in range(4)
        ]  # fmt: skip
        # Two true/false questions, shown in a fixed order, 1 point each; pass mark 50 %.
        q1 = judges[0]
        q2 = Question.objects.create(
            org=world.root, kind="judge", stem="第二道判断题。", answer=[True], fingerprint="x"
        )
        paper = fixed_paper(world, [q1, q2])
        exam = make_exam(world, paper, shuffle_questions=False, pass_percent=50)
        from ..services import attempt_answer_save, attempt_start, attempt_submit

        # Eight candidates in all; six take it. q1 right for the top three, q2 right for all but
        # the bottom one: scores 2, 2, 2, 1, 1, 0 → percents 100, 100, 100, 50, 50, 0.
        plan = [
            (world.member, True, True), (extra[0], True, True), (extra[1], True, True),
            (extra[2], False, True), (world.other_member, False, True), (extra[3], False, False),
        ]  # fmt: skip
        for member, first, second in plan:
            taker = Taker(member.pk)
            attempt = attempt_start(actor=taker, exam=exam)
            for item, right in zip(attempt.items, (first, second), strict=True):
                attempt_answer_save(actor=taker, attempt_id=attempt.pk, question_id=item["q"],
                                    response=right)  # fmt: skip
            attempt_submit(actor=taker, attempt_id=attempt.pk)
        items = {i.question_id: i for i in item_analysis(exam)}
        self.assertEqual((items[q1.pk].shown, items[q1.pk].correct), (6, 3))
        self.assertEqual(items[q1.pk].difficulty, Decimal("0.50"))
        self.assertEqual(items[q2.pk].difficulty, Decimal("0.83"))
        # Groups of int(6 × 0.27) = 1: the top taker got both right, the bottom one neither.
        self.assertEqual(items[q1.pk].discrimination, Decimal("1.00"))
        self.assertEqual(items[q2.pk].discrimination, Decimal("1.00"))

        rows, total = branch_results(world.users["org_admin"], exam)
        by_name = {r.org.name: r for r in rows}
        branch = by_name["第一党支部"]
        self.assertEqual(branch.parent, "测试局机关党委")  # branches are told apart by it
        # 第一党支部: 李明, 王芳 and 甲0–甲3 = 6 candidates; 5 took it (not 王芳).
        self.assertEqual((branch.expected, branch.took, branch.passed), (6, 5, 4))
        self.assertEqual(branch.participation, Decimal("83.3"))
        self.assertEqual(branch.average, Decimal("70.0"))  # (100+100+100+50+0) / 5
        self.assertEqual(branch.pass_rate, Decimal("80.0"))
        self.assertEqual((total.expected, total.took, total.passed), (8, 6, 5))
        absent = [c.member.name for c in non_takers(world.users["secretary"], exam)]
        self.assertEqual(absent, ["王芳"])

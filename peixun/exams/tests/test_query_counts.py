"""The exam pages make the same number of queries for 5 candidates as for 41."""

from __future__ import annotations

from django.db import connection
from django.test import Client, TestCase
from django.test.utils import CaptureQueriesContext

from peixun.testing import World, make_member

from ..models import Candidate, Exam
from ..services import attempt_answer_save, attempt_start, attempt_submit
from .fixtures import add_questions, make_exam, rules_paper
from .test_taking import right_answer

PAGES = ["", "?tab=absent", "?tab=items"]


class Taker:
    def __init__(self, member_id: int) -> None:
        self.member_id = member_id
        self.pk = None
        self.is_authenticated = True
        self.is_superuser = False


def take(exam: Exam, member_id: int, right: bool) -> None:
    taker = Taker(member_id)
    attempt = attempt_start(actor=taker, exam=exam)
    for item in attempt.items:
        if right or item["kind"] == "judge":
            attempt_answer_save(actor=taker, attempt_id=attempt.pk, question_id=item["q"],
                                response=right_answer(item))  # fmt: skip
    attempt_submit(actor=taker, attempt_id=attempt.pk)


class ExamQueryCountTests(TestCase):
    def counts(self, client: Client, exam: Exam) -> list[int]:
        out = []
        for suffix in PAGES:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(f"/exams/{exam.pk}/{suffix}")
            self.assertEqual(response.status_code, 200)
            out.append(len(queries))
        return out

    def test_detail_tabs_do_not_grow_with_the_audience(self) -> None:
        world = World()
        add_questions(world, per_kind=3)
        paper = rules_paper(world, per_kind=2)
        make_member(world.branch, "未参测者", mobile="13900009999")  # one non-taker in each
        small = make_exam(world, paper, seed="small")
        # Four takers: item analysis compares the top and bottom groups from four on.
        take(small, world.member.pk, right=True)
        take(small, world.other_member.pk, right=False)
        take(small, world.secretary_member.pk, right=True)
        take(small, world.far_member.pk, right=False)
        for n in range(36):
            make_member(world.branch if n % 2 else world.other_branch, f"党员{n:02d}",
                        mobile=f"1390000{n:04d}")  # fmt: skip
        large = make_exam(world, paper, seed="large", title="大范围")
        self.assertEqual(Candidate.objects.filter(exam=large).count(), 41)
        for index, member_id in enumerate(
            Candidate.objects.filter(exam=large).values_list("member_id", flat=True)[:30]
        ):
            take(large, member_id, right=index % 3 != 0)
        client = Client()
        admin = world.users["org_admin"]
        assert admin is not None
        client.force_login(admin)
        self.counts(client, small)  # warm caches (scope, session)
        self.assertEqual(self.counts(client, small), self.counts(client, large))

"""Fixtures of the 必读书目: the unit's list with a required book that has a quiz (a published
exam of the root's bank), a required book credited by 心得 with hours, and an optional book of no
hours; a branch list the other branch never sees."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone

from peixun.exams.models import Attempt, Exam
from peixun.exams.services import attempt_answer_save, attempt_start, attempt_submit
from peixun.exams.tests.fixtures import add_questions, make_exam, rules_paper
from peixun.testing import World

from ..models import Book, ReadingList
from ..services.reading import book_add, reading_list_create

LONG_TEXT = "读了这本书，我深刻认识到坚持党的全面领导的重要意义。" * 6


@dataclass
class ReadingStory:
    reading_list: ReadingList
    branch_list: ReadingList
    quiz_book: Book
    hours_book: Book
    free_book: Book
    exam: Exam


def reading_story(world: World) -> ReadingStory:
    admin = world.users["org_admin"]
    year = timezone.localdate().year
    add_questions(world, per_kind=3)
    exam = make_exam(world, rules_paper(world, per_kind=1), org=world.root)
    reading_list = reading_list_create(
        actor=admin, org=world.unit, data={"title": f"{year}年度必读书目", "year": year}
    )
    quiz_book = book_add(
        actor=admin,
        reading_list=reading_list,
        data={"title": "习近平新时代中国特色社会主义思想学习纲要", "author": "中共中央宣传部",
              "exam": exam, "required": True},
    )  # fmt: skip
    hours_book = book_add(
        actor=admin,
        reading_list=reading_list,
        data={"title": "中国共产党简史", "hours": Decimal("2"), "required": True,
              "topic": "party_history"},
    )  # fmt: skip
    free_book = book_add(
        actor=admin,
        reading_list=reading_list,
        data={"title": "习近平谈治国理政（第四卷）", "required": False},
    )
    branch_list = reading_list_create(
        actor=world.users["secretary"],
        org=world.branch,
        data={"title": "第一支部读书班书目", "year": year},
    )
    return ReadingStory(reading_list, branch_list, quiz_book, hours_book, free_book, exam)


def right_answer(item: dict[str, Any]) -> object:
    key = item["key"]
    return key[0] if item["kind"] in ("single", "blank") else key


def pass_exam(actor: Any, exam: Exam, *, right: bool = True) -> Attempt:
    attempt = attempt_start(actor=actor, exam=exam)
    # A wrong run leaves every question unanswered: it scores nothing.
    for n, item in enumerate(attempt.items if right else [], start=1):
        attempt_answer_save(
            actor=actor, attempt_id=attempt.pk, question_id=item["q"],
            response=right_answer(item), seq=n,
        )  # fmt: skip
    return attempt_submit(actor=actor, attempt_id=attempt.pk)

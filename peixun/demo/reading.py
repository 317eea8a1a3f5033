"""The demo's 必读书目, written through the learning services.

- this year's county list of the tenant root, five real 必读书目: four required, one optional;
  《习近平新时代中国特色社会主义思想学习纲要》 takes the quarter's 应知应会 test as its quiz, so
  every member who passed that test (`demo.exams`) is credited with it at once;
- 心得 on 《中国共产党简史》 from about a sixth of the members (a self-study filing of two hours
  each): most approved by the org admin, a few returned with a reason, a few left waiting, two
  of them in the demo secretary's branch so the queue has something to decide;
- one 心得 on the optional 《中国共产党纪律处分条例》 (no hours), approved.

The demo member and secretary are left to read, so 我的书目 has something to do. Members act
through the same services as a phone would. Idempotent: nothing is written when the root already
has a reading list; nothing at all before the demo tests exist (`demo.exams`). The lead wires
`fill_reading(root)` into `load_demo` after `load_demo_learning`.
"""

from __future__ import annotations

import random
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.exams.models import Exam, ExamKind
from peixun.hours.models import Topic
from peixun.learning.models import ReadingList
from peixun.learning.services.reading import (
    book_add,
    reading_list_create,
    reflection_approve,
    reflection_file,
    reflection_return,
)
from peixun.members.models import Member
from peixun.orgs.models import Organization

BOOKS: list[dict[str, Any]] = [
    {"title": "习近平新时代中国特色社会主义思想学习纲要（2023年版）",
     "author": "中共中央宣传部", "publisher": "学习出版社、人民出版社", "required": True,
     "hours": Decimal("2"), "topic": Topic.INNOVATION_THEORY},
    {"title": "中国共产党简史", "author": "本书编写组",
     "publisher": "人民出版社、中共党史出版社", "required": True, "hours": Decimal("2"),
     "topic": Topic.PARTY_HISTORY},
    {"title": "习近平谈治国理政（第四卷）", "author": "习近平", "publisher": "外文出版社",
     "required": True, "hours": Decimal("2"), "topic": Topic.INNOVATION_THEORY},
    {"title": "中国共产党章程", "author": "", "publisher": "人民出版社", "required": True,
     "hours": Decimal("1"), "topic": Topic.CONSTITUTION_RULES},
    {"title": "中国共产党纪律处分条例", "author": "", "publisher": "人民出版社",
     "required": False, "hours": Decimal(0), "topic": Topic.INTEGRITY},
]  # fmt: skip

HISTORY_NOTE = (
    "通读《中国共产党简史》，我对党团结带领人民进行革命、建设、改革的伟大历程有了更系统的认识。"
    "百年党史告诉我们，坚持党的全面领导、坚持以人民为中心，是我们党从胜利走向胜利的根本保证。"
    "作为一名机关党员，我要把学习党史同做好本职工作结合起来，学史明理、学史增信、学史崇德、学史力行，"
    "在为群众办实事中践行初心使命。"
)
DISCIPLINE_NOTE = (
    "学习《中国共产党纪律处分条例》，我进一步明确了政治纪律、组织纪律、廉洁纪律、群众纪律、工作纪律和"
    "生活纪律的具体要求。纪律是管党治党的戒尺，我要把纪律规矩转化为日常习惯和自觉遵循，"
    "知敬畏、存戒惧、守底线，在工作和生活中严格要求自己。"
)
RETURN_REASON = "请结合本职工作谈谈具体体会，不少于三百字。"


def _member_actor(member_id: int) -> Any:
    return SimpleNamespace(member_id=member_id, pk=None, is_authenticated=True, is_superuser=False)


def fill_reading(root: Organization, seed: int = 2024) -> dict[str, int]:
    if ReadingList.objects.filter(org=root).exists():
        return {}
    admin = (
        User.objects.filter(grants__role=Grant.Role.ORG_ADMIN, grants__org=root)
        .order_by("pk")
        .first()
    )
    quiz = (
        Exam.objects.filter(org=root, kind=ExamKind.QUARTERLY, state=Exam.State.PUBLISHED)
        .order_by("-opens_at")
        .first()
    )
    if admin is None or quiz is None:
        return {}
    demo_users = {
        u.username: u
        for u in User.objects.filter(username__in=["member", "secretary"], member__isnull=False)
    }
    keep_out = {u.member_id for u in demo_users.values()}
    secretary = demo_users.get("secretary")
    secretary_branch = secretary.member.org_id if secretary and secretary.member else None
    rng = random.Random(seed)
    year = timezone.localdate().year
    with transaction.atomic():
        reading_list = reading_list_create(
            actor=admin, org=root, data={
                "title": f"{year}年度党员必读书目", "year": year,
                "note": "各党支部组织党员按季度推进阅读，必读书目通过应知应会测试或撰写读书心得计入。",
            },
        )  # fmt: skip
        books = [
            book_add(
                actor=admin,
                reading_list=reading_list,
                data={**spec, "exam": quiz if n == 0 else None},
            )
            for n, spec in enumerate(BOOKS)
        ]
    history, discipline = books[1], books[4]
    readers = list(
        Member.objects.filter(
            org__path__startswith=root.path,
            status__in=[Member.Status.FULL, Member.Status.PROBATIONARY],
            exempt_reason="",
        )
        .exclude(pk__in=keep_out)
        .order_by("pk")
        .values_list("pk", "org_id")
    )
    filed = approved = returned = 0
    waiting_in_branch = 0
    for member_id, org_id in readers:
        in_secretary_branch = org_id == secretary_branch and waiting_in_branch < 2
        if not in_secretary_branch and rng.random() >= 1 / 6:
            continue
        with transaction.atomic():
            reflection = reflection_file(
                actor=_member_actor(member_id), book=history, text=HISTORY_NOTE
            )
            filed += 1
            if in_secretary_branch:
                waiting_in_branch += 1  # left for the demo secretary to decide
                continue
            roll = rng.random()
            if roll < 0.75:
                reflection_approve(actor=admin, reflection=reflection)
                approved += 1
            elif roll < 0.85:
                reflection_return(actor=admin, reflection=reflection, reason=RETURN_REASON)
                returned += 1
    if readers:
        with transaction.atomic():
            reflection = reflection_file(
                actor=_member_actor(readers[0][0]), book=discipline, text=DISCIPLINE_NOTE
            )
            reflection_approve(actor=admin, reflection=reflection)
            filed += 1
            approved += 1
    return {
        "reading lists": 1,
        "books": len(books),
        "quiz credits": books[0].credits.count(),
        "reflections": filed,
        "approved": approved,
        "returned": returned,
    }

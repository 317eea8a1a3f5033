"""The demo's online learning, written through the learning services.

- three courses of the tenant root: a 党章 study handout (a PDF rendered by `core.printable`),
  a quiz on 党内法规 and 党章 from the demo question bank, and a 党史 handout;
- this year's 网络专题班 for the tenant's full and probationary members, open all year: the 党章
  handout and the quiz required, the 党史 handout elective;
- progress: about half of the members have opened the 党章 handout, and a third of those passed
  the quiz as well (which completes the class and credits online hours on the ledger), so each
  branch shows members not started, in progress and completed. The demo member and secretary
  are left to start, so the member's page and the reminder have something to show.

Members act through the same services as a phone would (`document_open`, `quiz_submit`).
Idempotent: nothing is written when the root already owns courses; nothing at all before the
demo question bank exists (`demo.exams`).
"""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.core.printable import Heading, Para, Printable, render_pdf
from peixun.exams.models import Question
from peixun.hours.models import Topic
from peixun.learning.models import Course, ItemKind, MoveOn
from peixun.learning.selectors.classes import audience_members
from peixun.learning.services import (
    course_create,
    course_item_add,
    course_publish,
    document_open,
    quiz_items,
    quiz_submit,
)
from peixun.learning.services.classes import (
    online_class_create,
    online_class_publish,
    online_class_set_courses,
)
from peixun.members.models import Member
from peixun.orgs.models import Organization

HANDOUTS: dict[str, list[tuple[str, str]]] = {
    "党章": [
        (
            "党的性质和宗旨",
            "中国共产党是中国工人阶级的先锋队，同时是中国人民和中华民族的先锋队。党的根本宗旨是全心全意为人民服务。",
        ),
        (
            "党员的义务和权利",
            "党员必须履行党章规定的八项义务，享有党章规定的八项权利。预备党员的权利，除了没有表决权、选举权和被选举权以外，同正式党员一样。",
        ),
        (
            "党的组织制度",
            "党是根据自己的纲领和章程，按照民主集中制组织起来的统一整体。党支部党员大会一般每季度召开一次。",
        ),
    ],
    "党史": [
        ("开天辟地", "1921年7月，中国共产党第一次全国代表大会召开，宣告了中国共产党的正式成立。"),
        ("伟大转折", "1935年1月召开的遵义会议，在最危急关头挽救了党、挽救了红军、挽救了中国革命。"),
    ],
}


def _handout(title: str, sections: list[tuple[str, str]]) -> SimpleUploadedFile:
    doc = Printable(title=title, blocks=[])
    for heading, text in sections:
        doc.blocks.append(Heading(heading))
        doc.blocks.append(Para(text))
    return SimpleUploadedFile(f"{title}.pdf", render_pdf(doc), "application/pdf")


def _right(entry: dict[str, Any]) -> Any:
    """The right response to a quiz entry, in the shape a phone sends it."""
    if entry["kind"] == "blank":
        return entry["key"][0]
    return entry["key"]


def load_demo_learning(root: Organization, seed: int = 2024) -> dict[str, int]:
    if Course.objects.filter(org=root).exists():
        return {}
    admin = (
        User.objects.filter(grants__role=Grant.Role.ORG_ADMIN, grants__org=root)
        .order_by("pk")
        .first()
    )
    questions = list(
        Question.objects.filter(org=root, retired=False, topics__in=["党内法规", "党章"])
        .exclude(kind="blank")
        .order_by("id")[:5]
    )
    if admin is None or not questions:
        return {}
    keep_out = set(
        User.objects.filter(username__in=["member", "secretary"])
        .filter(member__isnull=False)
        .values_list("member_id", flat=True)
    )
    rng = random.Random(seed)
    today = timezone.localdate()
    with transaction.atomic():
        charter = course_create(
            actor=admin, org=root, title="《中国共产党章程》学习辅导", topic=Topic.CONSTITUTION_RULES,
            description="学习党章总纲和党员的义务、权利，读完讲义即完成。", move_on=MoveOn.WATCHED,
            hours="1",
        )  # fmt: skip
        course_item_add(
            actor=admin, course=charter, kind=ItemKind.DOCUMENT, title="党章学习讲义",
            file=_handout("党章学习讲义", HANDOUTS["党章"]),
        )  # fmt: skip
        quiz = course_create(
            actor=admin, org=root, title="党内法规应知应会小测验", topic=Topic.CONSTITUTION_RULES,
            description="五道题，答对六成即通过。", move_on=MoveOn.PASSED,
        )  # fmt: skip
        course_item_add(
            actor=admin, course=quiz, kind=ItemKind.QUIZ, title="小测验", questions=questions,
            pass_percent=60,
        )  # fmt: skip
        history = course_create(
            actor=admin, org=root, title="党史学习教育微课", topic=Topic.PARTY_HISTORY,
            description="选学：党史上的重要会议。", move_on=MoveOn.WATCHED,
        )  # fmt: skip
        course_item_add(
            actor=admin, course=history, kind=ItemKind.DOCUMENT, title="党史讲义",
            file=_handout("党史讲义", HANDOUTS["党史"]),
        )  # fmt: skip
        for course in (charter, quiz, history):
            course_publish(actor=admin, course=course)
        online_class = online_class_create(
            actor=admin, org=root, data={
                "title": f"{today.year}年党员网络专题培训班", "year": today.year,
                "starts_on": dt.date(today.year, 1, 1), "ends_on": dt.date(today.year, 12, 31),
                "description": "学习党章党规党纪和党史，必修两门，选修一门。",
                "audience_statuses": [Member.Status.FULL, Member.Status.PROBATIONARY],
            },
        )  # fmt: skip
        online_class_set_courses(
            actor=admin, online_class=online_class, required=[charter, quiz], electives=[history]
        )
        online_class_publish(actor=admin, online_class=online_class)
        audience = list(
            audience_members(admin, online_class)
            .exclude(pk__in=keep_out)
            .values_list("pk", flat=True)
        )
    handout = charter.items.get()
    quiz_item = quiz.items.get()
    right = {str(entry["q"]): _right(entry) for entry in quiz_items(quiz_item)}
    opened = passed = 0
    for member_id in audience:
        if rng.random() >= 0.5:
            continue
        learner = SimpleNamespace(
            member_id=member_id, pk=None, is_authenticated=True, is_superuser=False
        )
        with transaction.atomic():
            document_open(actor=learner, item=handout)
            opened += 1
            if rng.random() < 0.35:
                quiz_submit(actor=learner, item=quiz_item, answers=right)
                passed += 1
    return {"courses": 3, "online classes": 1, "opened": opened, "completed": passed}

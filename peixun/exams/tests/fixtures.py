"""Test data for knowledge tests, made through the services (so it is valid by their rules)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from peixun.testing import World

from ..models import Exam, ExamKind, Paper, Question
from ..services import exam_create, exam_publish, paper_create, paper_questions_add, question_create


def add_questions(
    world: World, org: Any = None, per_kind: int = 3, topic: str = "党章"
) -> list[Question]:
    """per_kind questions of each type in `org`'s bank (the tenant root's by default)."""
    actor = world.users["org_admin"]
    org = org or world.root
    made = []
    for n in range(per_kind):
        made.append(
            question_create(
                actor=actor,
                org=org,
                data={
                    "kind": "single",
                    "stem": f"{topic}单选题{n}：党的最高理想是什么？",
                    "options": ["实现共产主义", "发展经济", "改善民生", f"其他{n}"],
                    "answer": "A",
                    "topics": topic,
                    "difficulty": 1 + n % 3,
                    "explanation": "见党章总纲。",
                },
            )
        )
        made.append(
            question_create(
                actor=actor,
                org=org,
                data={
                    "kind": "multiple",
                    "stem": f"{topic}多选题{n}：“四个意识”包括哪些？",
                    "options": ["政治意识", "大局意识", "核心意识", "看齐意识", f"干扰项{n}"],
                    "answer": "ABCD",
                    "topics": topic,
                    "difficulty": 2,
                },
            )
        )
        made.append(
            question_create(
                actor=actor,
                org=org,
                data={
                    "kind": "judge",
                    "stem": f"{topic}判断题{n}：党员应按期交纳党费。",
                    "answer": "对",
                    "topics": topic,
                    "difficulty": 1,
                },
            )
        )
        made.append(
            question_create(
                actor=actor,
                org=org,
                data={
                    "kind": "blank",
                    "stem": f"{topic}填空题{n}：党的根本宗旨是全心全意为____服务。",
                    "answer": "人民|人民群众",
                    "topics": topic,
                    "difficulty": 3,
                },
            )
        )
    return made  # fmt: skip


def fixed_paper(world: World, questions: list[Question], title: str = "固定试卷") -> Paper:
    actor = world.users["org_admin"]
    paper = paper_create(actor=actor, org=world.root, title=title, mode=Paper.Mode.FIXED)
    paper_questions_add(actor=actor, paper=paper, question_ids=[q.pk for q in questions])
    return paper


def rules_paper(world: World, per_kind: int = 2, title: str = "抽题试卷") -> Paper:
    return paper_create(
        actor=world.users["org_admin"],
        org=world.root,
        title=title,
        mode=Paper.Mode.RULES,
        rules=[
            {"topic": "党章", "kind": kind, "difficulty": 0, "count": per_kind}
            for kind in ("single", "multiple", "judge", "blank")
        ],
    )


def make_exam(
    world: World,
    paper: Paper,
    *,
    publish: bool = True,
    org: Any = None,
    seed: str = "test-seed",
    **settings: Any,
) -> Exam:
    now = timezone.now()
    data: dict[str, Any] = {
        "title": "第四季度应知应会测试",
        "kind": ExamKind.QUARTERLY,
        "paper": paper,
        "opens_at": now - dt.timedelta(hours=1),
        "closes_at": now + dt.timedelta(days=7),
        "time_limit_minutes": 30,
        "pass_percent": 60,
    }
    data.update(settings)
    exam = exam_create(actor=world.users["org_admin"], org=org or world.root, data=data)
    if publish:
        exam_publish(actor=world.users["org_admin"], exam=exam, seed=seed)
        exam.refresh_from_db()
    return exam

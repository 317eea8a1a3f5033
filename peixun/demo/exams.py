"""The demo's knowledge tests, written through the exam services.

- a question bank of the tenant root: 党章, 党内法规 and 党史 questions of the four types;
- a rules paper drawing 14 of them per taker;
- this quarter's 应知应会 test for the whole tenant, open now, taken so far by about a fifth of
  the members (not by the demo member, who can take it; a few of the demo branch);
- the half-year exam, closed and finalised in July: passers carry 0.5 学时 on the ledger;
- a 随机抽测 of two members per branch, open now.

Simulated takers answer through the same services as a phone would (start, save each answer,
submit); their answers are drawn from a seeded generator that is right about 75 % of the time.
Idempotent: nothing is written when the root already owns questions.
"""

from __future__ import annotations

import datetime as dt
import random
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.exams.logic import clean_response
from peixun.exams.models import Answer, Attempt, Candidate, Exam, ExamKind, Paper, Question
from peixun.exams.services import (
    attempt_start,
    attempt_submit,
    exam_create,
    exam_finalise,
    exam_publish,
    paper_create,
    question_create,
)
from peixun.orgs.models import Organization

# kind, stem, options, answer, topics, difficulty, explanation, source
BANK: list[tuple[str, str, list[str], str, str, int, str, str]] = [
    ("single", "中国共产党的最高理想和最终目标是什么？", ["实现共产主义", "全面建成小康社会", "实现社会主义现代化", "实现中华民族伟大复兴"], "A", "党章", 1, "党章总纲：党的最高理想和最终目标是实现共产主义。", "《中国共产党章程》"),
    ("single", "党的根本组织原则是：", ["民主集中制", "集体领导", "少数服从多数", "个人分工负责"], "A", "党章", 1, "民主集中制是党的根本组织原则。", "《中国共产党章程》"),
    ("single", "预备党员的预备期为：", ["半年", "一年", "两年", "三年"], "B", "党章", 1, "党章第七条：预备党员的预备期为一年。", "《中国共产党章程》"),
    ("single", "党员的党龄从什么时候算起？", ["递交入党申请书之日", "支部大会通过为预备党员之日", "预备期满转为正式党员之日", "上级党组织批准之日"], "C", "党章", 2, "党章第七条：党员的党龄，从预备期满转为正式党员之日算起。", "《中国共产党章程》"),
    ("single", "遵义会议召开于哪一年？", ["1927年", "1935年", "1937年", "1945年"], "B", "党史", 2, "1935年1月，遵义会议召开。", "《中国共产党简史》"),
    ("single", "中国共产党第一次全国代表大会召开于：", ["1919年", "1921年", "1927年", "1949年"], "B", "党史", 1, "", "《中国共产党简史》"),
    ("single", "党支部党员大会一般每季度召开几次？", ["1次", "2次", "3次", "每月1次"], "A", "党内法规", 2, "党支部党员大会一般每季度召开1次。", "《中国共产党支部工作条例（试行）》"),
    ("multiple", "“三会一课”指的是：", ["支部党员大会", "支部委员会", "党小组会", "党课", "中心组学习"], "ABCD", "党内法规", 1, "", "《中国共产党支部工作条例（试行）》"),
    ("multiple", "“四个意识”包括：", ["政治意识", "大局意识", "核心意识", "看齐意识", "责任意识"], "ABCD", "党章", 1, "", ""),
    ("multiple", "“四个自信”包括：", ["道路自信", "理论自信", "制度自信", "文化自信", "历史自信"], "ABCD", "党章", 2, "", ""),
    ("multiple", "党的纪律处分条例规定的“六项纪律”包括：", ["政治纪律", "组织纪律", "廉洁纪律", "群众纪律", "工作纪律", "生活纪律"], "ABCDEF", "党内法规", 3, "", "《中国共产党纪律处分条例》"),
    ("multiple", "党员的义务包括：", ["认真学习马克思列宁主义、毛泽东思想", "贯彻执行党的基本路线和各项方针、政策", "坚持党和人民的利益高于一切", "在党的会议上参加关于党的政策问题的讨论"], "ABC", "党章", 3, "在党的会议上参加讨论是党员的权利，不是义务。", "《中国共产党章程》"),
    ("judge", "党员应当按月交纳党费。", [], "对", "党章", 1, "", "《中国共产党章程》"),
    ("judge", "党小组会一般每月召开1次。", [], "对", "党内法规", 2, "", "《中国共产党支部工作条例（试行）》"),
    ("judge", "民主评议党员一般每两年开展一次。", [], "错", "党内法规", 2, "民主评议党员一般每年开展一次。", "《中国共产党支部工作条例（试行）》"),
    ("judge", "预备党员享有表决权、选举权和被选举权。", [], "错", "党章", 2, "预备党员的权利，除了没有表决权、选举权和被选举权以外，同正式党员一样。", "《中国共产党章程》"),
    ("judge", "党支部一般每月相对固定1天开展主题党日。", [], "对", "党内法规", 1, "", "《中国共产党支部工作条例（试行）》"),
    ("judge", "党的思想路线是一切从实际出发，理论联系实际，实事求是，在实践中检验真理和发展真理。", [], "对", "党章", 2, "", "《中国共产党章程》"),
    ("blank", "党的根本宗旨是全心全意为____服务。", [], "人民", "党章", 1, "", "《中国共产党章程》"),
    ("blank", "党员如果没有正当理由，连续____不参加党的组织生活，或不交纳党费，或不做党所分配的工作，就被认为是自行脱党。", [], "六个月|6个月", "党章", 3, "", "《中国共产党章程》"),
    ("blank", "中国共产党于____年7月成立。", [], "1921|1921年", "党史", 1, "", ""),
    ("blank", "党的思想路线的核心是____。", [], "实事求是", "党章", 2, "", ""),
    ("blank", "党的最高领导机关，是党的全国代表大会和它所产生的____。", [], "中央委员会|中央委员会。", "党章", 3, "", "《中国共产党章程》"),
]  # fmt: skip
RULES = [
    {"topic": "", "kind": "single", "difficulty": 0, "count": 4},
    {"topic": "", "kind": "multiple", "difficulty": 0, "count": 3},
    {"topic": "", "kind": "judge", "difficulty": 0, "count": 4},
    {"topic": "", "kind": "blank", "difficulty": 0, "count": 3},
]
QUARTER_TAKERS = 0.2
HALF_YEAR_TAKERS = 0.4
RIGHT = 0.75


def _guess(item: dict[str, Any], rng: random.Random) -> Any:
    """A simulated taker's answer: right three times in four."""
    right = rng.random() < RIGHT
    kind, key = item["kind"], item["key"]
    if kind == "judge":
        return key if right else not key
    if kind == "blank":
        return key[0] if right else rng.choice(["群众", "不知道", "一年"])
    options = range(len(item["options"]))
    if kind == "single":
        return key[0] if right else rng.choice([i for i in options if i not in key] or [0])
    if right:
        return list(key)
    return sorted(rng.sample(list(options), 2))


def _take(exam: Exam, member_ids: list[int], rng: random.Random) -> int:
    """Each taker starts and submits through the services; their answers are seeded in bulk
    (as the phone's saves would have left them) so that the demo loads in seconds."""
    for member_id in member_ids:
        taker = SimpleNamespace(member_id=member_id, pk=None, is_authenticated=True)
        attempt = attempt_start(actor=taker, exam=exam)
        saved_at = timezone.now()
        Answer.objects.bulk_create(
            Answer(attempt=attempt, question_id=item["q"], response=clean_response(
                item["kind"], len(item["options"]), _guess(item, rng)), saved_at=saved_at, seq=n)
            for n, item in enumerate(attempt.items, start=1)
            if rng.random() < 0.97  # now and then a question is left blank
        )  # fmt: skip
        attempt_submit(actor=taker, attempt_id=attempt.pk)
    return len(member_ids)


def load_demo_exams(root: Organization, seed: int = 2024) -> dict[str, int]:
    if Question.objects.filter(org=root).exists():
        return {}
    admin = (
        User.objects.filter(grants__role=Grant.Role.ORG_ADMIN, grants__org=root)
        .order_by("pk")
        .first()
    )
    if admin is None:
        return {}
    member_user = User.objects.filter(username="member").first()
    secretary_user = User.objects.filter(username="secretary").first()
    keep_out = {u.member_id for u in (member_user, secretary_user) if u and u.member_id}
    rng = random.Random(seed)
    now = timezone.now()
    with transaction.atomic():
        for kind, stem, options, answer, topics, difficulty, explanation, source in BANK:
            question_create(actor=admin, org=root, data={
                "kind": kind, "stem": stem, "options": options, "answer": answer,
                "topics": topics, "difficulty": difficulty, "explanation": explanation,
                "source": source,
            })  # fmt: skip
        paper = paper_create(
            actor=admin, org=root, title="党章党规党史综合卷（随机抽题）", mode=Paper.Mode.RULES,
            rules=RULES,
        )  # fmt: skip
        # The half-year exam: taken, then closed and finalised in July.
        year = timezone.localdate().year
        half = exam_create(actor=admin, org=root, data={
            "title": f"{year}年上半年党员应知应会考试", "kind": ExamKind.HALF_YEAR,
            "paper": paper, "opens_at": now - dt.timedelta(hours=2),
            "closes_at": now + dt.timedelta(hours=1), "time_limit_minutes": 30,
            "pass_percent": 60, "show_answers": Exam.ShowAnswers.AFTER_CLOSE,
        })  # fmt: skip
        exam_publish(actor=admin, exam=half, seed=f"demo-half-{seed}")
        half.refresh_from_db()
        candidates = list(
            Candidate.objects.filter(exam=half)
            .order_by("member_id")
            .values_list("member_id", flat=True)
        )
        takers = [m for m in candidates if rng.random() < HALF_YEAR_TAKERS and m not in keep_out]
        half_taken = _take(half, takers, rng)
        closed = dt.datetime(year, 7, 10, 18, 0, tzinfo=timezone.get_current_timezone())
        shift = now - (closed - dt.timedelta(hours=3))
        Exam.objects.filter(pk=half.pk).update(
            opens_at=closed - dt.timedelta(days=10), closes_at=closed
        )
        for attempt in Attempt.objects.filter(exam=half):
            Attempt.objects.filter(pk=attempt.pk).update(
                started_at=attempt.started_at - shift,
                deadline_at=attempt.deadline_at - shift,
                submitted_at=attempt.submitted_at - shift if attempt.submitted_at else None,
            )
        Answer.objects.filter(attempt__exam=half).update(saved_at=closed - dt.timedelta(hours=3))
        half.refresh_from_db()
        finalised = exam_finalise(actor=admin, exam=half)

        quarter = (timezone.localdate().month - 1) // 3 + 1
        quarterly = exam_create(actor=admin, org=root, data={
            "title": f"{year}年第{'一二三四'[quarter - 1]}季度党章党规应知应会测试",
            "kind": ExamKind.QUARTERLY, "paper": paper,
            "opens_at": now - dt.timedelta(days=5), "closes_at": now + dt.timedelta(days=10),
            "time_limit_minutes": 30, "pass_percent": 60,
            "show_answers": Exam.ShowAnswers.AFTER_SUBMIT,
        })  # fmt: skip
        exam_publish(actor=admin, exam=quarterly, seed=f"demo-quarter-{seed}")
        quarterly.refresh_from_db()
        candidates = list(
            Candidate.objects.filter(exam=quarterly)
            .order_by("member_id")
            .values_list("member_id", flat=True)
        )
        takers = [m for m in candidates if rng.random() < QUARTER_TAKERS and m not in keep_out]
        quarter_taken = _take(quarterly, takers, rng)

        spot = exam_create(actor=admin, org=root, data={
            "title": "随机抽测：党章党规", "kind": ExamKind.SPOT, "paper": paper,
            "opens_at": now - dt.timedelta(hours=1), "closes_at": now + dt.timedelta(days=3),
            "time_limit_minutes": 15, "pass_percent": 60, "audience": Exam.Audience.SAMPLE,
            "sample_count": 2, "show_answers": Exam.ShowAnswers.AFTER_SUBMIT,
        })  # fmt: skip
        sampled = exam_publish(actor=admin, exam=spot, seed=f"demo-spot-{seed}")
    return {
        "questions": len(BANK),
        "half-year takers": half_taken,
        "credited": finalised["credited"],
        "quarterly takers": quarter_taken,
        "sampled": sampled,
    }

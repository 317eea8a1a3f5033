"""A needs survey with answers, shared by the needs tests: nine respondents (six in 第一党支部,
three in 第二党支部), answered through the core's `response_submit` as the members themselves."""

from __future__ import annotations

import datetime as dt
from typing import Any

from peixun.accounts.models import User
from peixun.members.models import Member
from peixun.plans.models import PlanItem, TrainingPlan
from peixun.surveys.models import Form, Option, Question, Survey
from peixun.surveys.services.forms import form_create
from peixun.surveys.services.needs import needs_survey_create, needs_survey_open
from peixun.surveys.services.responses import response_submit
from peixun.testing import World, make_member, make_user

YEAR = 2026

SPEC: list[dict[str, Any]] = [
    {
        "kind": "multiple",
        "text": "希望学习哪些内容",
        "options": [
            {"text": "党史", "topic": "party_history"},
            {"text": "红色故事", "topic": "party_history"},
            {"text": "法治", "topic": "rule_of_law"},
            {"text": "廉洁", "topic": "integrity"},
        ],
    },
    {
        "kind": "choice",
        "text": "喜欢的方式",
        "options": [{"text": "集中", "topic": ""}, {"text": "网络", "topic": ""}],
    },
    {"kind": "rating", "text": "去年培训的作用", "scale_max": 5},
    {"kind": "text", "text": "其他建议", "required": False},
]

# What each respondent ticks in the first question, by branch (option texts).
BRANCH_CHOICES = [
    ["党史"],
    ["党史", "红色故事"],  # two options of one topic: one respondent for the topic
    ["法治"],
    ["党史", "法治"],
    ["红色故事"],
    ["廉洁"],
]
OTHER_CHOICES = [["法治"], ["党史"], ["法治"]]


def needs_form(world: World) -> Form:
    return form_create(
        actor=world.users["org_admin"], org=world.root, purpose="needs", title="需求问卷", spec=SPEC
    )


def answers_for(form: Form, texts: list[str], rating: int = 4) -> dict[int, Any]:
    questions = list(Question.objects.filter(form=form).order_by("position"))
    options = {o.text: o.pk for o in Option.objects.filter(question__form=form)}
    return {
        questions[0].pk: [options[t] for t in texts],
        questions[1].pk: options["集中"],
        questions[2].pk: rating,
        questions[3].pk: "多讲案例",
    }


def respondents(world: World) -> tuple[list[User], list[User]]:
    """Five more members in 第一党支部 (with 李明 six) and two in 第二党支部 (with 赵强 three),
    each with a login."""
    branch = [world.users["member"]]
    for i in range(5):
        member = make_member(world.branch, f"甲{i}", birth_date=dt.date(1981, 1, i + 1))
        branch.append(make_user(f"a{i}", member=member))
    other = [world.users["other_secretary"]]
    for i in range(2):
        member = make_member(world.other_branch, f"乙{i}", birth_date=dt.date(1982, 2, i + 1))
        other.append(make_user(f"b{i}", member=member))
    return branch, other


def answered_survey(world: World, *, answer_other: bool = True) -> Survey:
    """The county's 2026 needs survey, asking 测试局机关党委's subtree, opened and answered."""
    form = needs_form(world)
    branch, other = respondents(world)
    admin = world.users["org_admin"]
    survey = needs_survey_create(
        actor=admin,
        org=world.root,
        form=form,
        title="2026年培训需求调研",
        year=YEAR,
        audience={"audience_org": world.unit},
    )
    needs_survey_open(actor=admin, survey=survey)
    for user, texts in zip(branch, BRANCH_CHOICES, strict=True):
        response_submit(actor=user, survey=survey, answers=answers_for(form, texts))
    if answer_other:
        for user, texts in zip(other, OTHER_CHOICES, strict=True):
            response_submit(actor=user, survey=survey, answers=answers_for(form, texts, 2))
    return survey


def plan_item(world: World, org: Any = None, year: int = YEAR) -> PlanItem:
    plan = TrainingPlan.objects.create(org=org or world.root, year=year, title=f"{year}年培训计划")
    return PlanItem.objects.create(
        plan=plan,
        content="党史专题培训班",
        responsible_org=org or world.root,
        deadline=dt.date(year, 6, 30),
    )


def member_count(world: World) -> int:
    return Member.objects.filter(org__path__startswith=world.unit.path).count()

"""The demo's needs survey (培训需求调研), written through the surveys services.

- the county's survey of this year on the built-in questionnaire, asking the members of the
  first unit under the root; about two thirds of them answer (as a phone would, through
  `response_submit`, anonymously), most asking for the Party's innovative theory and Party
  history; then the survey is closed, so every page has results to show;
- the county plan's first item cites the most asked-for topic, with the share at that moment.

Deterministic for a seed. Idempotent: nothing is written when the root already runs a needs
survey, nor before the demo plans exist (`demo.plans`).
"""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

from django.db import transaction
from django.utils import timezone

from peixun.accounts.models import Grant, User
from peixun.orgs.models import Organization
from peixun.plans.models import PlanItem
from peixun.surveys.models import Option, Question, QuestionKind, Survey
from peixun.surveys.models.forms import Purpose
from peixun.surveys.selectors.needs import audience_members, needs_topic_demand
from peixun.surveys.services.citations import plan_item_cite
from peixun.surveys.services.forms import form_from_template
from peixun.surveys.services.needs import (
    needs_survey_close,
    needs_survey_create,
    needs_survey_open,
)
from peixun.surveys.services.responses import response_submit

# How likely a respondent ticks each plan topic (the rest are left unticked).
WEIGHTS = {
    "innovation_theory": 0.7,
    "party_history": 0.55,
    "constitution_rules": 0.3,
    "integrity": 0.25,
    "rule_of_law": 0.35,
    "professional": 0.45,
}
COMMENTS = [
    "希望多安排现场教学，到红色教育基地实地学习",
    "建议网络课程时长短一些，方便利用碎片时间",
    "希望增加业务知识和数字化办公方面的培训",
    "希望多请先进典型讲身边的故事",
    "集中培训尽量避开年底工作繁忙的时候",
]


def _answers(
    rng: random.Random, questions: list[Question], options: dict[int, list[Option]]
) -> dict[int, Any]:
    answers: dict[int, Any] = {}
    for question in questions:
        choices = options.get(question.pk, [])
        if question.kind == QuestionKind.MULTIPLE:
            ticked = [o.pk for o in choices if rng.random() < WEIGHTS.get(o.topic, 0.2)]
            answers[question.pk] = ticked or [choices[0].pk]
        elif question.kind == QuestionKind.CHOICE:
            answers[question.pk] = rng.choice(choices).pk
        elif question.kind == QuestionKind.RATING:
            answers[question.pk] = rng.choice([3, 4, 4, 5, 5])
        elif question.kind == QuestionKind.TEXT and rng.random() < 0.3:
            answers[question.pk] = rng.choice(COMMENTS)
    return answers


def fill_needs(root: Organization, seed: int = 2024) -> dict[str, int]:
    """The demo tenant's needs survey and the plan item citing it (the tenant's root org)."""
    year = timezone.localdate().year
    if Survey.objects.filter(org=root, purpose=Purpose.NEEDS).exists():
        return {}
    admin = (
        User.objects.filter(grants__role=Grant.Role.ORG_ADMIN, grants__org=root)
        .order_by("pk")
        .first()
    )
    item = (
        PlanItem.objects.filter(plan__org=root, plan__year=year).order_by("position", "id").first()
    )
    unit = (
        Organization.objects.get_children(root)
        .filter(closed_on__isnull=True)
        .order_by("path")
        .first()
    )
    if admin is None or item is None or unit is None:
        return {}
    rng = random.Random(seed)
    with transaction.atomic():
        form = form_from_template(actor=admin, org=root, template="needs")
        survey = needs_survey_create(
            actor=admin,
            org=root,
            form=form,
            title=f"{year}年度党员教育培训需求调研",
            year=year,
            audience={"audience_org": unit},
        )
        needs_survey_open(actor=admin, survey=survey)
    questions = [q for q in Question.objects.filter(form=form).order_by("position", "id")]
    options: dict[int, list[Option]] = {}
    for option in Option.objects.filter(question__form=form).order_by("position", "id"):
        options.setdefault(option.question_id, []).append(option)
    answered = 0
    for member_id in audience_members(survey).order_by("pk").values_list("pk", flat=True):
        if rng.random() >= 0.65:
            continue
        respondent = SimpleNamespace(
            member_id=member_id, pk=None, is_authenticated=True, is_superuser=False
        )
        response_submit(actor=respondent, survey=survey, answers=_answers(rng, questions, options))
        answered += 1
    with transaction.atomic():
        needs_survey_close(actor=admin, survey=survey)
        demand = needs_topic_demand(survey)
        cited = 0
        if demand.shown and demand.rows:
            plan_item_cite(
                actor=admin,
                plan_item=item,
                survey=survey,
                topic=demand.rows[0].topic,
                note="调研中选择该主题的党员最多，列为年度重点培训内容",
            )
            cited = 1
    return {"needs surveys": 1, "answered": answered, "citations": cited}

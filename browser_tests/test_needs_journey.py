"""Needs surveys in the browser: the org admin at a desk creates the county's needs survey on
the built-in questionnaire and opens it; members answer (through the service, as their phones
would); the results per branch and the topic demand at a desk and on a phone; a topic cited in
the county plan's item, and the citation on the plan page."""

from __future__ import annotations

from typing import Any

import pytest

from browser_tests.conftest import log_in, screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.surveys.models import Option, Question, QuestionKind, Survey
from peixun.surveys.services.responses import response_submit
from peixun.surveys.tests.needs_fixtures import YEAR, plan_item, respondents
from peixun.testing import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The topics each respondent asks for: 第一党支部's six, then 第二党支部's three.
CHOICES = [
    ["party_history"],
    ["party_history", "innovation_theory"],
    ["rule_of_law"],
    ["party_history", "rule_of_law"],
    ["innovation_theory"],
    ["integrity", "party_history"],
    ["rule_of_law"],
    ["party_history"],
    ["professional"],
]


def _answers(survey: Survey, topics: list[str]) -> dict[int, Any]:
    answers: dict[int, Any] = {}
    for question in Question.objects.filter(form=survey.form).exclude(kind=QuestionKind.SECTION):
        options = list(Option.objects.filter(question=question).order_by("position"))
        if question.kind == QuestionKind.MULTIPLE:
            answers[question.pk] = [o.pk for o in options if o.topic in topics]
        elif question.kind == QuestionKind.CHOICE:
            answers[question.pk] = options[0].pk
        elif question.kind == QuestionKind.RATING:
            answers[question.pk] = 4
    return answers


def test_create_open_results_and_cite(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    base = live_server.url
    branch, other = respondents(world)
    item = plan_item(world)

    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(desk, base, "org_admin")
    desk.goto(f"{base}/surveys/needs/")
    screenshot(desk, "needs-list-empty-desktop")
    desk.click("a[href='/surveys/needs/new/']")
    desk.wait_for_load_state()
    desk.fill("input[name=title]", "2026年度党员教育培训需求调研")
    desk.fill("input[name=year]", str(YEAR))
    desk.select_option("select[name=form]", "template")
    screenshot(desk, "needs-new-desktop")
    desk.click("main button[type=submit]")
    desk.wait_for_load_state()
    survey = Survey.objects.get(purpose="needs")
    assert desk.url.endswith(f"/surveys/needs/{survey.pk}/")
    desk.click(f"form[action='/surveys/needs/{survey.pk}/open/'] button")
    desk.wait_for_load_state()
    survey.refresh_from_db()
    assert survey.state == "open"
    # Every member of the county: World's four, five more in 第一党支部 and two in 第二党支部.
    assert desk.locator("#invited").inner_text() == "11"
    screenshot(desk, "needs-detail-open-desktop")

    for user, topics in zip([*branch, *other], CHOICES, strict=True):
        response_submit(actor=user, survey=survey, answers=_answers(survey, topics))

    desk.goto(f"{base}/surveys/needs/{survey.pk}/results/")
    demand = desk.locator("#topic-demand").inner_text()
    # 党史: rows 1, 2, 4, 6 and 8 = 5 of 9.
    assert "5 份答卷 · 55.6%" in demand
    branches = desk.locator("#branches").inner_text()
    assert "第一党支部" in branches and "第二党支部" in branches
    assert desk.locator(f"#branches a[href='?branch={world.other_branch.pk}']").count() == 0
    screenshot(desk, "needs-results-desktop")
    desk.click(f"#branches a[href='?branch={world.branch.pk}']")
    desk.wait_for_load_state()
    # 第一党支部: 党史 4 of 6.
    assert "4 份答卷 · 66.7%" in desk.locator("#topic-demand").inner_text()
    screenshot(desk, "needs-results-branch-desktop")

    desk.goto(f"{base}/surveys/needs/{survey.pk}/results/")
    first = desk.locator("#topic-demand > li").first
    first.locator("summary").click()
    first.locator("select[name=plan_item]").select_option(str(item.pk))
    first.locator("input[name=note]").fill("过半数党员希望学习党史")
    screenshot(desk, "needs-cite-desktop")
    first.locator("button[type=submit]").click()
    desk.wait_for_load_state()
    assert "党史专题培训班" in desk.locator("#citations").inner_text()
    desk.goto(f"{base}/plans/{item.plan_id}/")
    cited = desk.locator(f"#item-{item.pk} .plan-citations").inner_text()
    assert "2026年度党员教育培训需求调研" in cited and "55.6%" in cited
    screenshot(desk, "needs-plan-citation-desktop")

    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(phone, base, "org_admin")
    phone.goto(f"{base}/surveys/needs/")
    assert "2026年度党员教育培训需求调研" in phone.locator("main").inner_text()
    screenshot(phone, "needs-list-phone")
    phone.goto(f"{base}/surveys/needs/{survey.pk}/results/")
    assert "55.6%" in phone.locator("#topic-demand").inner_text()
    screenshot(phone, "needs-results-phone")
    phone.goto(f"{base}/surveys/needs/{survey.pk}/results/?branch={world.branch.pk}")
    screenshot(phone, "needs-results-branch-phone")
    phone.goto(f"{base}/plans/{item.plan_id}/")
    screenshot(phone, "needs-plan-citation-phone")

"""A 随机抽测 on a phone: a sampled member starts, answers, loses the connection (an answer is
kept on the phone), the page reloads, the member resumes with every answer and the clock still
running, submits; the branch secretary sees the branch's results."""

from __future__ import annotations

import pytest

from browser_tests.conftest import log_in, screenshot, wait_until
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.exams.models import Answer, Attempt, Candidate
from peixun.exams.tests.fixtures import add_questions, make_exam, rules_paper
from peixun.testing import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer(item) -> None:  # type: ignore[no-untyped-def]
    kind = item.get_attribute("data-kind")
    if kind == "blank":
        item.locator("input").fill("人民")
        item.locator("input").blur()
    elif kind == "multiple":
        item.locator("label").nth(0).click()
        item.locator("label").nth(1).click()
    else:
        item.locator("label").first.click()


def test_spot_test_survives_a_lost_connection_and_the_secretary_sees_the_branch(  # type: ignore[no-untyped-def]
    live_server, browser
) -> None:
    world = World()
    base = live_server.url
    add_questions(world, per_kind=3)
    exam = make_exam(
        world, rules_paper(world, per_kind=2), title="十一月随机抽测", kind="spot",
        audience="sample", sample_count=2, time_limit_minutes=20, show_answers="after_submit",
    )  # fmt: skip
    assert Candidate.objects.filter(exam=exam, member=world.member).exists()

    context = browser.new_context(viewport=PHONE, locale="zh-CN", has_touch=True, is_mobile=True)
    phone = context.new_page()
    phone.set_default_timeout(15_000)
    log_in(phone, base, "member")
    phone.goto(f"{base}/exams/mine/")
    phone.get_by_text("十一月随机抽测").click()
    phone.locator("button[type=submit]", has_text="开始").click()
    phone.wait_for_selector("#exam-timer")
    items = phone.locator(".exam-item")
    assert items.count() == 8
    for index in range(3):
        answer(items.nth(index))
    wait_until(
        phone,
        "document.querySelectorAll('.exam-status').length && "
        "[...document.querySelectorAll('.exam-item')].slice(0, 3)"
        ".every(i => i.querySelector('.exam-status').textContent.includes('已保存'))",
    )
    attempt = Attempt.objects.get(exam=exam, member=world.member)
    assert Answer.objects.filter(attempt=attempt).count() == 3

    # The connection drops: the fourth answer stays on the phone, and the page says so.
    context.set_offline(True)
    answer(items.nth(3))
    phone.wait_for_selector("#exam-offline:not(.d-none)")
    screenshot(phone, "exams-offline")
    assert Answer.objects.filter(attempt=attempt).count() == 3
    clock_before = phone.locator("#exam-timer").inner_text()

    # Back online, the page reloads: the fourth answer is sent, the first three come from the
    # server, and the clock continues from the server's deadline.
    context.set_offline(False)
    phone.reload()
    phone.wait_for_selector("#exam-timer")
    wait_until(
        phone,
        "[...document.querySelectorAll('.exam-item')].slice(0, 4)"
        ".every(i => i.querySelector('.exam-status').textContent.includes('已保存'))",
    )
    assert Answer.objects.filter(attempt=attempt).count() == 4
    assert Attempt.objects.filter(exam=exam, member=world.member).count() == 1
    assert phone.locator("#exam-timer").inner_text() <= clock_before
    screenshot(phone, "exams-resumed")

    items = phone.locator(".exam-item")
    # "Next unanswered" lands on the fifth question, the first without an answer.
    phone.evaluate("window.scrollTo(0, 0)")
    phone.get_by_role("button", name="下一道未答").click()
    focused = phone.evaluate("document.activeElement.closest('.exam-item').dataset.q")
    assert focused == items.nth(4).get_attribute("data-q")
    for index in range(4, 8):
        answer(items.nth(index))
    wait_until(
        phone,
        "[...document.querySelectorAll('.exam-status')].every(s => s.textContent.includes('已保存'))",
    )
    phone.locator("#exam-submit").click()
    phone.wait_for_url(f"**/exams/attempts/{attempt.pk}/")
    assert "正确答案" in phone.content()
    screenshot(phone, "exams-result")
    attempt.refresh_from_db()
    assert attempt.submitted_at is not None and not attempt.auto_submitted
    assert Answer.objects.filter(attempt=attempt).count() == 8

    secretary = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(secretary, base, "secretary")
    secretary.goto(f"{base}/exams/{exam.pk}/")
    row = secretary.locator("tbody tr", has_text="第一党支部")
    cells = row.locator("td")
    assert cells.nth(1).inner_text() == "2"  # sampled
    assert cells.nth(2).inner_text() == "1"  # took it
    assert "第二党支部" not in secretary.content()
    screenshot(secretary, "exams-branch-results")
    secretary.goto(f"{base}/exams/{exam.pk}/?tab=absent")
    assert "王芳" in secretary.locator("main").inner_text()
    secretary.get_by_role("button", name="提醒我负责范围内未参测的党员").click()
    secretary.wait_for_selector(".alert-success")
    # The only non-taker is 王芳, the secretary herself: nobody is told about their own act.
    assert "已提醒 0 名" in secretary.locator(".alert-success").inner_text()
    screenshot(secretary, "exams-absent-reminded")


def test_a_save_landing_after_the_page_was_rendered_still_shows(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    """A save in flight across a reload can reach the server after the new page was rendered:
    the page asks the server once more, and shows the answer as saved."""
    from peixun.exams.services import attempt_answer_save, attempt_start

    world = World()
    base = live_server.url
    add_questions(world, per_kind=1)
    exam = make_exam(world, rules_paper(world, per_kind=1), title="竞态测试", seed="race")
    member = world.users["member"]
    attempt = attempt_start(actor=member, exam=exam)
    judge = next(i for i in attempt.items if i["kind"] == "judge")
    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    phone.set_default_timeout(15_000)
    log_in(phone, base, "member")

    def land_then_continue(route) -> None:  # type: ignore[no-untyped-def]
        # The late save lands now: after the page was rendered, before its JS asks again.
        attempt_answer_save(actor=member, attempt_id=attempt.pk, question_id=judge["q"],
                            response=judge["key"], seq=1)  # fmt: skip
        route.continue_()

    phone.route(f"**/api/v1/exams/attempts/{attempt.pk}", land_then_continue)
    phone.goto(f"{base}/exams/{exam.pk}/take/")
    item = phone.locator(f'.exam-item[data-q="{judge["q"]}"]')
    item.locator(".exam-status", has_text="已保存").wait_for()
    value = "true" if judge["key"] else "false"
    assert item.locator(f'input[value="{value}"]').is_checked()

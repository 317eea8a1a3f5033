"""Evaluation in the browser: a teacher from the 师资库 teaches a session; the org admin at a desk
starts an evaluation of it from the class's curriculum; five trainees answer on their phones (one
first forgetting a question); the results page and the teacher's page in the 师资库 show nothing
at four responses and the averages at five. The form builder and the settings page are looked at
on the way."""

from __future__ import annotations

from decimal import Decimal

import pytest

from browser_tests.conftest import log_in, screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.events.models import Attendance
from peixun.resources.models import Teacher
from peixun.surveys.models import Response, Survey
from peixun.testing import World, make_member, make_user
from peixun.training.models import TrainingClass
from peixun.training.tests.test_closing_fixtures import closable_class, mark_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_all(page, score: int) -> None:  # type: ignore[no-untyped-def]
    """Press `score` on every rating of the answer page."""
    for question in page.locator("fieldset.survey-question").all():
        if question.locator(".btn-check").count():
            question.locator("label.btn", has_text=str(score)).first.click()


def test_session_evaluation_answered_on_phones(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    base = live_server.url
    c = closable_class(world)
    mark_all(c)
    TrainingClass.objects.filter(pk=c.training_class.pk).update(state="published")
    session = c.sessions[0]
    # The session's teacher is taken from the 师资库 (kept by the county, open to all of it).
    teacher = Teacher.objects.create(
        org=world.root, open_to=world.root, name="王建国", unit="县委党校", title="senior"
    )
    session.pool_teacher = teacher
    session.teacher = teacher.name
    session.save(update_fields=["pool_teacher", "teacher"])
    # Five trainees with logins at the first session: 李明, 陈静, 周强 and two more.
    make_user("chen", member=c.chen)
    make_user("zhou", member=c.zhou)
    for i, name in enumerate(["吴敏", "郑伟"]):
        member = make_member(world.branch, name, mobile=f"1350000000{i}")
        make_user(f"extra{i}", member=member)
        Attendance.objects.create(
            event=session.event, member=member, status="present", method="manual"
        )

    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(desk, base, "org_admin")
    desk.goto(f"{base}/training/{c.training_class.pk}/")
    desk.locator(f"#session-{session.pk} a[href*='/surveys/evaluations/new/']").click()
    desk.wait_for_load_state()
    desk.fill("input[name=title]", "第一讲教学评估")
    screenshot(desk, "evaluation-new-desk")
    desk.locator("main form button[type=submit]").click()
    desk.wait_for_load_state()
    survey = Survey.objects.get(title="第一讲教学评估")
    assert survey.state == Survey.State.OPEN
    assert "0 / 5" in desk.locator("#progress").inner_text()

    trainees = ["member", "chen", "zhou", "extra0", "extra1"]
    scores = [5, 4, 5, 4, 3]
    for n, (username, score) in enumerate(zip(trainees, scores, strict=True), start=1):
        phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
        log_in(phone, base, username)
        phone.goto(f"{base}/surveys/mine/")
        phone.get_by_text("第一讲教学评估").click()
        phone.wait_for_load_state()
        assert phone.locator("#anonymity.alert-success").count() == 1
        if n == 1:
            # Forgetting the first rating: refused beside it, the rest kept.
            answer_all(phone, score)
            phone.locator("fieldset.survey-question").first.locator(".btn-check").first.evaluate(
                "el => { document.querySelectorAll(`input[name='${el.name}']`).forEach(i => i.checked = false) }"
            )
            phone.locator("main form button[type=submit]").click()
            phone.wait_for_load_state()
            assert phone.locator(".alert-danger").count() >= 1
            assert not Response.objects.filter(survey=survey).exists()
            screenshot(phone, "evaluation-answer-error-phone")
        elif n == 2:
            screenshot(phone, "evaluation-answer-phone")
        answer_all(phone, score)
        phone.fill("textarea", f"第{n}位学员的意见")
        phone.locator("main form button[type=submit]").click()
        phone.wait_for_load_state()
        assert "/thanks/" in phone.url
        if n == 1:
            screenshot(phone, "evaluation-thanks-phone")
        phone.context.close()
        if n == 4:
            desk.reload()
            assert desk.locator("#withheld").count() == 1
            assert "第1位学员的意见" not in desk.content()
            screenshot(desk, "evaluation-withheld-desk")
            # The teacher's page in the 师资库 says how many have answered, and nothing more.
            desk.goto(f"{base}/resources/teachers/{teacher.pk}/")
            rating = desk.locator("#rating").inner_text()
            assert "4" in rating and "/ 5" not in rating
            screenshot(desk, "evaluation-teacher-withheld-desk")
            desk.goto(f"{base}/surveys/evaluations/{survey.pk}/")

    desk.reload()
    assert desk.locator("#withheld").count() == 0
    # 5, 4, 5, 4, 3 on every item: 4.20.
    assert desk.locator("#overall").inner_text().strip() == str(Decimal("4.20"))
    assert "第5位学员的意见" in desk.content()
    screenshot(desk, "evaluation-results-desk")
    # At the fifth response the teacher's page shows the same average.
    desk.goto(f"{base}/resources/teachers/{teacher.pk}/")
    rating = desk.locator("#rating").inner_text()
    assert "4.20" in rating and "/ 5" in rating
    screenshot(desk, "evaluation-teacher-rated-desk")
    desk.goto(f"{base}/surveys/evaluations/")
    screenshot(desk, "evaluation-list-desk")
    desk.goto(f"{base}/surveys/forms/{survey.form_id}/")
    screenshot(desk, "evaluation-form-detail-desk")
    desk.goto(f"{base}/surveys/forms/new/?template=needs")
    screenshot(desk, "evaluation-form-edit-desk")
    desk.goto(f"{base}/surveys/settings/")
    screenshot(desk, "evaluation-settings-desk")
    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(phone, base, "org_admin")
    phone.goto(f"{base}/surveys/forms/new/?template=teaching")
    screenshot(phone, "evaluation-form-edit-phone")
    phone.goto(f"{base}/surveys/evaluations/{survey.pk}/")
    screenshot(phone, "evaluation-results-phone")

"""The 师资库 in the browser: a branch secretary searches the pool by name and by subject on a
phone and opens a teacher shared by the unit; at a desk the secretary names that teacher for a
session of the branch's class with the pool picker (the name fills in by itself), and the org
admin reads the pool and the teacher's page with the session in its teaching history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from browser_tests.conftest import log_in, pick, screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.events.models import Attendance
from peixun.resources.tests.teacher_fixtures import add_teacher, build, make_class
from peixun.testing import PASSWORD, World
from peixun.training.models import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pool_search_teacher_page_and_session_link(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    base = live_server.url
    made = build(world)
    county = made["county_teacher"]
    admin = world.users["org_admin"]
    for name, unit, subjects in [
        ("郭晓红", "县委党史研究室", ["party_history"]),
        ("林志强", "县科技局", ["science", "economy"]),
        ("何丽娟", "县人民医院", ["social_governance"]),
    ]:
        add_teacher(admin, world.root, name, unit=unit, subjects=subjects, open_to=world.root)
    tc = make_class(
        world.users["secretary"], world.branch, "支部书记轮训班",
        timezone.localdate() + dt.timedelta(days=7),
    )  # fmt: skip

    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(phone, base, "secretary")
    phone.goto(f"{base}/resources/teachers/")
    rows = phone.locator("#teachers").inner_text()
    assert "吴教授" in rows and "周老师" in rows and "林志强" in rows
    screenshot(phone, "teachers-pool-phone")
    phone.fill("input[name=q]", "吴")
    phone.locator("form[role=search] button[type=submit]").click()
    phone.wait_for_load_state()
    assert phone.locator("#teachers tbody tr").count() == 1
    phone.goto(f"{base}/resources/teachers/?subject=economy")
    rows = phone.locator("#teachers").inner_text()
    assert "吴教授" in rows and "林志强" in rows and "周老师" not in rows
    screenshot(phone, "teachers-pool-subject-phone")
    phone.locator("#teachers a", has_text="吴教授").click()
    phone.wait_for_load_state()
    assert "县委党校" in phone.locator("main").inner_text()
    screenshot(phone, "teacher-detail-phone")

    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(desk, base, "secretary")
    desk.goto(f"{base}/training/{tc.pk}/sessions/new/")
    desk.fill("input[name=new-title]", "经济形势专题报告")
    desk.fill("input[name=new-day]", tc.starts_on.isoformat())
    desk.fill("input[name=new-start]", "09:00")
    desk.fill("input[name=new-end]", "12:00")
    desk.fill("input[name=new-hours]", "3")
    desk.select_option("select[name=new-type]", "lecture")
    desk.select_option("select[name=new-topic]", "party_history")
    pick(desk, "select[name=new-pool_teacher]", "吴教授", shot="teachers-session-picker-desktop")
    desk.locator("main form button[type=submit]").last.click()
    desk.wait_for_load_state()
    session = Session.objects.get(training_class=tc)
    assert (session.pool_teacher_id, session.teacher) == (county.pk, "吴教授")
    curriculum = desk.locator("main").inner_text()
    assert "吴教授" in curriculum
    screenshot(desk, "teachers-session-linked-desktop")

    admin_page = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(admin_page, base, "org_admin")
    admin_page.goto(f"{base}/resources/teachers/")
    assert admin_page.locator("#teachers tbody tr").count() == 5
    screenshot(admin_page, "teachers-pool-desktop")
    admin_page.goto(f"{base}/resources/teachers/{county.pk}/")
    history = admin_page.locator("#history").inner_text()
    assert "经济形势专题报告" in history and "支部书记轮训班" in history
    screenshot(admin_page, "teacher-detail-desktop")

    # A login for the outside expert, who then sees his teaching on his phone.
    admin_page.locator("form[action$='/login/'] button").click()
    admin_page.wait_for_load_state()
    code = admin_page.locator("#code").inner_text()
    assert len(code) == 11
    screenshot(admin_page, "teacher-login-desktop")
    county.refresh_from_db()
    assert county.user is not None
    county.user.set_password(PASSWORD)
    county.user.save()
    Attendance.objects.create(
        event=session.event, member=world.member, status="present", method="manual"
    )
    mine = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(mine, base, county.user.username)
    assert "/resources/teaching/" in mine.locator("main").inner_html()
    mine.goto(f"{base}/resources/teaching/")
    mine.locator("details summary").first.click()
    text = mine.locator("main").inner_text()
    assert "经济形势专题报告" in text and "李明" in text
    screenshot(mine, "teacher-my-teaching-phone")

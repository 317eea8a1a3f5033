"""Online learning for staff in the browser: the org admin at a desk creates a 网络专题班 for the
unit's full and probationary members, assigns required and elective courses, publishes it and
reads each branch's progress; the branch secretary on a phone sees the branch alone, reminds the
member who has not started, and reads the strikes log and the catalogue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from browser_tests.conftest import log_in, screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.core.models import Notification
from peixun.learning.models import Completion, OnlineClass, Strike
from peixun.learning.tests.classes_fixtures import complete, make_course, start
from peixun.members.models import Member, Membership
from peixun.testing import World, make_member, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_create_assign_publish_then_progress_and_remind(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    base = live_server.url
    courses = {
        "A": make_course(world.root, "习近平新时代中国特色社会主义思想专题"),
        "B": make_course(world.root, "党章党规党纪学习"),
        "C": make_course(world.root, "党史学习教育微党课"),
    }
    zhou = make_member(world.branch, "周涛", mobile="13800000011")
    make_user("zhou", member=zhou)
    make_member(world.branch, "吴敏", exempt_reason=Member.ExemptReason.ELDERLY)
    today = timezone.localdate()

    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(desk, base, "org_admin")
    desk.goto(f"{base}/learning/classes/")
    assert "还没有网络专题班" in desk.locator("main").inner_text()
    screenshot(desk, "learning-classes-empty-desk")
    desk.get_by_role("link", name="新建网络专题班").click()
    desk.wait_for_load_state()
    desk.fill("input[name=title]", "学习贯彻党的二十届三中全会精神网络专题班")
    desk.fill("input[name=year]", str(today.year))
    desk.fill("input[name=starts_on]", today.isoformat())
    desk.fill("input[name=ends_on]", today.replace(month=12, day=31).isoformat())
    desk.fill("input[name=elective_minimum]", "1")
    desk.check("input[name=audience_statuses][value=full]")
    desk.check("input[name=audience_statuses][value=probationary]")
    desk.get_by_role("button", name="保存").click()
    desk.wait_for_load_state()
    online_class = OnlineClass.objects.get()
    assert desk.url.endswith(f"/learning/classes/{online_class.pk}/courses/")
    desk.locator("input[name=required]").nth(0).check()
    desk.locator("input[name=required]").nth(1).check()
    desk.locator("input[name=electives]").nth(2).check()
    screenshot(desk, "learning-class-courses-desk")
    desk.get_by_role("button", name="保存").click()
    desk.wait_for_load_state()
    desk.get_by_role("button", name="发布").click()
    desk.wait_for_load_state()
    online_class.refresh_from_db()
    assert online_class.state == OnlineClass.State.PUBLISHED

    # Progress: 李明 completed the two required courses and an elective, 王芳 is part way.
    for key in courses:
        complete(world.member, courses[key])
    start(world.secretary_member, courses["A"])
    Strike.objects.create(
        member=world.member, item=courses["A"].items.get(), org=world.branch,
        at=timezone.now(), reason=Strike.Reason.SPEED, detail={},
    )  # fmt: skip
    desk.goto(f"{base}/learning/classes/{online_class.pk}/")
    table = desk.locator("table").inner_text()
    assert "第一党支部" in table and "第二党支部" in table
    # The audience is the whole tenant (the organiser is the root): 李明 of five members.
    assert "第三党支部" in table and "20.0%" in table
    screenshot(desk, "learning-class-progress-desk")

    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(phone, base, "secretary")
    phone.goto(f"{base}/learning/classes/{online_class.pk}/")
    text = phone.locator("main").inner_text()
    assert "第二党支部" not in text and "第一党支部" in text
    screenshot(phone, "learning-class-progress-phone")
    phone.get_by_role("link", name="未开始学习").click()
    phone.wait_for_load_state()
    assert "周涛" in phone.locator("table").inner_text()
    phone.get_by_role("button", name="提醒我负责范围内未开始学习的人员").click()
    phone.wait_for_load_state()
    assert "已提醒1名未开始学习的人员" in phone.locator("main").inner_text()
    # Told once when the class was published, and once now.
    told = Notification.objects.filter(recipient__member=zhou)
    assert told.filter(dedupe_key__startswith="learning-class-remind").count() == 1
    assert told.filter(dedupe_key__startswith="learning-class-published").count() == 1
    screenshot(phone, "learning-class-absent-phone")
    # A newcomer registered in the branch only from today finished a course last week: the
    # completion credited nothing, and the strikes page says so.
    newcomer = make_member(world.branch, "刘新")
    Membership.objects.filter(member=newcomer).update(since=today)
    Completion.objects.create(
        member=newcomer, course=courses["B"], org=world.branch,
        completed_at=timezone.now() - dt.timedelta(days=7), hours=Decimal("0.5"),
    )  # fmt: skip
    phone.goto(f"{base}/learning/strikes/")
    text = phone.locator("main").inner_text()
    assert "倍速播放" in text
    assert "未入账的完成记录" in text and "刘新" in text and "未登记在任何支部" in text
    screenshot(phone, "learning-strikes-phone")
    phone.goto(f"{base}/learning/catalogue/")
    assert "党章党规党纪学习" in phone.locator("main").inner_text()
    screenshot(phone, "learning-catalogue-phone")
    desk.goto(f"{base}/learning/catalogue/{courses['A'].pk}/")
    screenshot(desk, "learning-course-desk")
    # Each page at the other width too.
    desk.goto(f"{base}/learning/strikes/")
    assert "未入账的完成记录" in desk.locator("main").inner_text()
    screenshot(desk, "learning-strikes-desk")
    desk.goto(f"{base}/learning/catalogue/")
    screenshot(desk, "learning-catalogue-desk")
    phone.goto(f"{base}/learning/classes/")
    assert online_class.title in phone.locator("main").inner_text()
    screenshot(phone, "learning-classes-phone")
    phone.goto(f"{base}/learning/classes/{online_class.pk}/?tab=courses")
    screenshot(phone, "learning-class-courses-phone")
    phone.goto(f"{base}/learning/catalogue/{courses['A'].pk}/")
    screenshot(phone, "learning-course-phone")

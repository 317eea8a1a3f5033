"""我的会议 in the browser: a secretary schedules a 主题党日 (desk, 1280 px); the member, on a
phone (390 px), finds the notice with the meeting's date and place, opens the meeting from it and
sees it in 我的会议; after the meeting the secretary ticks two members and marks them present in
one step."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from browser_tests.conftest import log_in, screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.events.models import Attendance, Event
from peixun.orglife.models import Meeting
from peixun.testing import World, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_member_sees_scheduled_meeting_and_secretary_marks_present_in_bulk(  # type: ignore[no-untyped-def]
    live_server, browser
) -> None:
    world = World()
    chen = make_member(world.branch, "陈静")
    base = live_server.url
    day = timezone.localdate() + dt.timedelta(days=2)

    secretary = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(secretary, base, "secretary")
    secretary.goto(f"{base}/orglife/new/")
    secretary.select_option("select[name=kind]", "theme_day")
    secretary.select_option("select[name=org]", str(world.branch.pk))
    secretary.fill("input[name=title]", "学习二十届三中全会精神主题党日")
    secretary.fill("input[name=day]", day.isoformat())
    secretary.fill("input[name=start]", "14:30")
    secretary.fill("input[name=end]", "16:30")
    secretary.fill("input[name=place]", "三楼党员活动室")
    secretary.fill("input[name=host]", "王芳")
    secretary.check("input[name=scheduled]")
    secretary.locator("main form button[type=submit]").last.click()
    secretary.wait_for_load_state()
    meeting = Meeting.objects.select_related("event").get(event__title__startswith="学习二十届")

    # The member's phone: the notice names the day and the place, and opens the meeting.
    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(phone, base, "member")
    phone.goto(f"{base}/notifications/")
    notice = phone.locator("main").get_by_text("会议通知：学习二十届三中全会精神主题党日")
    notice.wait_for()
    text = phone.locator("main").inner_text()
    assert f"{day:%Y-%m-%d} 14:30" in text
    screenshot(phone, "member-meetings-notice-phone")
    assert no_sideways_scroll(phone)
    notice.click()
    phone.wait_for_load_state()
    if f"/orglife/mine/{meeting.pk}/" not in phone.url:
        # A notice page with the link to follow (the notification centre's own design).
        phone.locator(
            f"main a[href='/orglife/mine/{meeting.pk}/'], main form:has(input[name=go]) button"
        ).first.click()
        phone.wait_for_load_state()
    assert f"/orglife/mine/{meeting.pk}/" in phone.url
    main = phone.locator("main").inner_text()
    assert "三楼党员活动室" in main and "扫码签到" in main
    screenshot(phone, "member-meetings-detail-phone")
    assert no_sideways_scroll(phone)

    # 我的会议 from the menu.
    phone.goto(f"{base}/")
    phone.locator(".navbar-toggler").click()
    phone.get_by_role("link", name="我的会议").click()
    phone.wait_for_load_state()
    assert phone.url.endswith("/orglife/mine/")
    upcoming = phone.locator("#my-upcoming").inner_text()
    assert "学习二十届三中全会精神主题党日" in upcoming and "尚未签到" in upcoming
    screenshot(phone, "member-meetings-list-phone")
    assert no_sideways_scroll(phone)

    # The meeting has been held: the secretary ticks 李明 and 陈静 and marks them present.
    starts = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(hours=3)
    Event.objects.filter(pk=meeting.event_id).update(
        starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )
    secretary.goto(f"{base}/events/{meeting.event_id}/attendance/")
    secretary.check(f"input[name=member][value='{world.member.pk}']")
    secretary.check(f"input[name=member][value='{chen.pk}']")
    assert secretary.locator("[data-bulk-count]").inner_text() == "2"
    screenshot(secretary, "member-meetings-bulk-ticked")
    secretary.get_by_role("button", name="将所选人员记为出席").click()
    secretary.wait_for_load_state()
    secretary.wait_for_selector("text=2 人更新")
    screenshot(secretary, "member-meetings-bulk-marked")
    marked = dict(
        Attendance.objects.filter(event_id=meeting.event_id).values_list("member_id", "status")
    )
    assert marked == {world.member.pk: "present", chen.pk: "present"}
    # Select all ticks every row of the page.
    secretary.check("[data-bulk-all]")
    assert secretary.locator("[data-bulk-count]").inner_text() == str(
        secretary.locator("input[data-bulk]").count()
    )

    # The member's list now shows the attendance.
    phone.goto(f"{base}/orglife/mine/")
    past = phone.locator("#my-past").inner_text()
    assert "学习二十届三中全会精神主题党日" in past and "出席" in past
    screenshot(phone, "member-meetings-attended-phone")

"""The workbench (工作台) as each persona's home: the org admin's and the secretary's to-dos with
counts and links, the member's progress bars, next steps and big buttons; at 390 and 1280 px."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from browser_tests.conftest import log_in, screenshot
from peixun.core.tests.test_workbench import (
    ended_class,
    leave,
    pending_entry,
    submitted_plan,
)
from peixun.events.models import Event
from peixun.events.tests.fixtures import add_session, enrol, make_class
from peixun.exams.tests.fixtures import add_questions, fixed_paper, make_exam
from peixun.hours.models import Kind
from peixun.hours.services import entry_record, requirements_seed_defaults
from peixun.members.models import Member
from peixun.orglife.models import Meeting
from peixun.testing import World, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"phone": {"width": 390, "height": 844}, "desk": {"width": 1280, "height": 900}}


def build() -> World:
    world = World()
    today = timezone.localdate()
    requirements_seed_defaults(actor=None, tenant=world.root)
    for i in range(6):
        make_member(world.branch, f"党员{i:02d}")
    submitted_plan(world.branch, today.year)
    submitted_plan(world.group, today.year)
    branch_class = ended_class(world.branch, [world.member])
    ended_class(world.root, [world.far_member])
    session = add_session(branch_class, starts_in=60 * 24)
    leave(session.event, world.member)
    pending_entry(world.member)
    Member.objects.filter(pk=world.member.pk).update(joined_on=dt.date(1996, today.month, 1))
    entry_record(
        actor=world.users["org_admin"],
        members=[world.member],
        on=today,
        hours="12",
        kind=Kind.CONCENTRATED_TRAINING,
        title="集中轮训",
        concentrated=True,
    )
    # What the member has next: a session of a running class, a branch meeting and a test.
    running = make_class(world.root, title="学习贯彻党的二十届四中全会精神专题班")
    add_session(running, starts_in=60 * 26, title="全会精神专题辅导")
    enrol(running, world.member)
    start = timezone.now().replace(microsecond=0) + dt.timedelta(days=4)
    event = Event.objects.create(
        category=Event.Category.MEETING,
        org=world.branch,
        title="十二月主题党日",
        starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
        place="党员活动室",
        hours=Decimal("2"),
    )
    Meeting.objects.create(event=event, kind="theme_day", host="王芳")
    make_exam(world, fixed_paper(world, add_questions(world, per_kind=1)), title="党章知识测试")
    return world


def test_each_home_at_phone_and_desk(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    build()
    base = live_server.url
    for size, viewport in SIZES.items():
        for persona in ("org_admin", "secretary", "member"):
            context = browser.new_context(viewport=viewport, locale="zh-CN")
            page = context.new_page()
            page.set_default_timeout(15_000)
            log_in(page, base, persona)
            assert page.url.rstrip("/") == base, page.url  # the workbench is home
            main = page.locator("main").inner_text()
            assert "工作台" in main
            if persona != "member":
                assert page.locator(".wb-todos a").count() >= 4
                assert "待审批的培训计划" in main and "本月政治生日" in main
            if persona in ("secretary", "member"):
                assert page.locator(".wb-button").count() == 2
                assert "扫码签到" in main and "申报自学" in main
                assert page.locator(".progress-bar").count() >= 1
                assert "十二月主题党日" in main and "党章知识测试" in main
            if persona == "member":
                assert "全会精神专题辅导" in main
            # No horizontal scrolling on a phone.
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], (persona, size, width)
            screenshot(page, f"workbench-{persona}-{size}")
            if persona == "member" and size == "phone":
                page.click("a[data-key='events.scan']")
                page.wait_for_load_state()
                assert "扫码签到" in page.locator("main").inner_text()
                screenshot(page, "workbench-scan-help-phone")
            context.close()

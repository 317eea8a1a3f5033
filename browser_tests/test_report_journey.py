"""The yearly report in the browser: the org admin at a desk writes the unit's report for a range
of years, edits the prose around the computed figures, saves, sees a later record change a
figure while the text stays, and downloads the .docx and the PDF; the same editor on a phone."""

from __future__ import annotations

import datetime as dt

import pytest

from browser_tests.conftest import ARTIFACTS, log_in, pick, screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.events.models import Attendance
from peixun.orglife.models import MeetingKind
from peixun.orglife.tests.test_regularity import meeting
from peixun.reports.models import ReportDraft
from peixun.testing import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_writes_edits_and_downloads_the_report(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    base = live_server.url
    for day in (dt.date(2023, 3, 1), dt.date(2024, 3, 1)):
        meeting(world.unit, MeetingKind.CENTRAL_GROUP, day)
    lecture = meeting(world.branch, MeetingKind.EXPERT_LECTURE, dt.date(2024, 4, 1))
    Attendance.objects.create(event=lecture.event, member=world.member, status="present")

    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN", accept_downloads=True).new_page()
    log_in(desk, base, "org_admin")
    desk.goto(f"{base}/")
    desk.get_by_role("link", name="报告", exact=True).click()
    desk.wait_for_load_state()
    screenshot(desk, "report-list-empty-desktop")
    pick(desk, "select[name=org]", "测试局机关党委")
    desk.select_option("select[name=kind]", "plan_implementation")
    desk.fill("input[name=first_year]", "2023")
    desk.fill("input[name=last_year]", "2024")
    desk.get_by_role("button", name="生成报告").click()
    desk.wait_for_load_state()
    draft = ReportDraft.objects.get()
    figure = desk.locator('[data-figure="central_group_sessions"]')
    assert figure.inner_text() == "2"
    assert "专题讲座1次" in desk.locator('[data-testid="computed-practice"]').inner_text()
    desk.fill(
        "textarea[name=practice_before]", "（一）强化组织领导，凝聚推动党员教育培训工作合力。"
    )
    desk.fill("textarea[name=plans_after]", "三是进一步建立长效机制。")
    desk.fill("input[name=dated]", "2025-01-10")  # 成文日期
    desk.get_by_role("button", name="保存").click()
    desk.wait_for_load_state()
    draft.refresh_from_db()
    assert draft.practice_before.startswith("（一）强化组织领导")
    assert draft.dated == dt.date(2025, 1, 10)
    # A meeting recorded later: the figure changes, the text stays.
    meeting(world.unit, MeetingKind.CENTRAL_GROUP, dt.date(2024, 9, 1))
    desk.reload()
    assert desk.locator('[data-figure="central_group_sessions"]').inner_text() == "3"
    assert "强化组织领导" in desk.locator("textarea[name=practice_before]").input_value()
    screenshot(desk, "report-editor-desktop")
    ARTIFACTS.mkdir(exist_ok=True)
    with desk.expect_download() as docx:
        desk.get_by_test_id("download-docx").click()
    docx.value.save_as(str(ARTIFACTS / "report.docx"))
    with desk.expect_download() as pdf:
        desk.get_by_test_id("download-pdf").click()
    pdf.value.save_as(str(ARTIFACTS / "report.pdf"))
    assert (ARTIFACTS / "report.pdf").read_bytes().startswith(b"%PDF")

    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(phone, base, "org_admin")
    phone.goto(f"{base}/reports/drafts/")
    screenshot(phone, "report-list-phone")
    phone.get_by_role("link", name=draft.title).click()
    phone.wait_for_load_state()
    assert phone.locator('[data-figure="central_group_sessions"]').inner_text() == "3"
    screenshot(phone, "report-editor-phone")
    phone.fill("textarea[name=opening]", "现将有关情况报告如下。")
    phone.get_by_role("button", name="保存").click()
    phone.wait_for_load_state()
    draft.refresh_from_db()
    assert draft.opening == "现将有关情况报告如下。"

"""A branch's yearly plan in the browser: the secretary files it from a phone, the org admin
returns it with a reason, the secretary corrects and resubmits it, the org admin approves it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from browser_tests.conftest import log_in, pick, screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.plans.models import PlanVersion, TrainingPlan
from peixun.testing import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_file_return_resubmit_approve(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    base = live_server.url
    year = timezone.localdate().year

    secretary = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(secretary, base, "secretary")
    secretary.goto(f"{base}/plans/?year={year}")
    pick(secretary, "select[name=org]", "第一党支部")
    secretary.select_option("select[name=year]", str(year))
    secretary.fill("input[name=title]", f"第一党支部{year}年度党员教育培训计划")
    secretary.get_by_role("button", name="新建计划").click()
    secretary.wait_for_load_state()
    plan = TrainingPlan.objects.get(org=world.branch, year=year)
    secretary.fill("input[name=content]", "主题党日专题学习")
    secretary.fill("input[name=standard]", "每月一次，参学率90%以上")
    pick(secretary, "select[name=responsible_org]", "第一党支部")
    secretary.fill("input[name=deadline]", f"{year}-12-31")
    secretary.fill("input[name=planned_meetings]", "12")
    secretary.fill("input[name=planned_hours]", "24")
    secretary.get_by_role("button", name="添加项目").click()
    secretary.wait_for_load_state()
    assert plan.items.count() == 1
    screenshot(secretary, "plans-draft-phone")
    secretary.get_by_role("button", name="报送上级").click()
    secretary.wait_for_load_state()
    plan.refresh_from_db()
    assert (plan.state, plan.version) == ("submitted", 1)

    admin = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(admin, base, "org_admin")
    admin.goto(f"{base}/plans/filings/?org={world.unit.pk}&year={year}")
    screenshot(admin, "plans-filings")
    admin.get_by_role("link", name="审批").click()
    admin.wait_for_load_state()
    admin.fill("input[name=reason]", "请补充党课安排")
    admin.get_by_role("button", name="退回").click()
    admin.wait_for_load_state()
    plan.refresh_from_db()
    assert (plan.state, plan.return_reason) == ("returned", "请补充党课安排")

    secretary.goto(f"{base}/plans/{plan.pk}/")
    assert "请补充党课安排" in secretary.locator("main").inner_text()
    secretary.fill("input[name=content]", "书记讲党课")
    pick(secretary, "select[name=responsible_org]", "第一党支部")
    secretary.fill("input[name=deadline]", f"{year}-12-31")
    secretary.fill("input[name=planned_meetings]", "4")
    secretary.fill("input[name=planned_hours]", "8")
    secretary.get_by_role("button", name="添加项目").click()
    secretary.wait_for_load_state()
    secretary.get_by_role("button", name="重新报备").click()
    secretary.wait_for_load_state()
    plan.refresh_from_db()
    assert (plan.state, plan.version) == ("submitted", 2)

    admin.goto(f"{base}/plans/{plan.pk}/")
    admin.get_by_role("button", name="审批通过").click()
    admin.wait_for_load_state()
    plan.refresh_from_db()
    assert plan.state == "approved"
    decisions = list(
        PlanVersion.objects.filter(plan=plan).order_by("number").values_list("decision", flat=True)
    )
    assert decisions == ["returned", "approved"]
    screenshot(admin, "plans-approved")

    # The 报备文件 beside the plan, as .docx and PDF, named in Chinese, at both widths.
    for page, width in ((admin, "desk"), (secretary, "phone")):
        page.goto(f"{base}/plans/{plan.pk}/")
        buttons = page.get_by_role("group", name="报备文件")
        assert buttons.is_visible()
        screenshot(page, f"plans-document-buttons-{width}")
        with page.expect_download() as download_info:
            buttons.get_by_role("link", name="PDF").click()
        download = download_info.value
        assert download.suggested_filename == f"第一党支部-{year}年度党员教育培训计划报备文件.pdf"
        pdf = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
        text = "".join(p.extract_text().replace("\x00", "") for p in pdf.pages)
        assert "关于报送" in text.replace(" ", "")
        with page.expect_download() as download_info:
            buttons.get_by_role("link", name="报备文件（.docx）").click()
        assert download_info.value.suggested_filename.endswith("报备文件.docx")

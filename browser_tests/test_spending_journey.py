"""Spending in the browser: a branch secretary records a 党费 expense with its decision from a
phone (first forgetting the decision), attaches the minutes, and finds it in the ledger; the org
admin at a desk sees it in the ledger, downloads the .xlsx and reads plan versus actual."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from browser_tests.conftest import ARTIFACTS, log_in, pick, screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.plans.tests.fixtures import branch_plan
from peixun.spending.models import Expense, Fund
from peixun.spending.services import expense_void
from peixun.spending.tests.fixtures import spend
from peixun.testing import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_record_with_decision_then_ledger_and_plan_actual(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    base = live_server.url
    plan, (item,) = branch_plan(world)
    today = timezone.localdate()
    spent = min(today, dt.date(plan.year, 6, 28))
    # Something already on record: a unit expense and a voided duplicate.
    admin_user = world.users["org_admin"]
    spend(admin_user, world, org=world.unit, amount="1500", purpose="党员学习资料印制")
    wrong = spend(admin_user, world, org=world.unit, amount="1500", purpose="党员学习资料印制")
    expense_void(actor=admin_user, expense=wrong, reason="重复录入")

    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(phone, base, "secretary")
    phone.goto(f"{base}/spending/")
    phone.get_by_role("link", name="登记支出").click()
    phone.wait_for_load_state()
    phone.fill("input[name=spent_on]", spent.isoformat())
    phone.fill("input[name=amount]", "860")
    phone.select_option("select[name=fund]", Fund.PARTY_DUES)
    phone.fill("input[name=purpose]", "主题党日赴革命纪念馆参观学习门票及讲解费")
    phone.fill("input[name=payee]", "县革命纪念馆")
    pick(phone, "select[name=plan_item]", "专题轮训")
    phone.get_by_role("button", name="登记", exact=True).click()
    phone.wait_for_load_state()
    # Party dues without the decision: refused, nothing stored, the fields named.
    assert not Expense.objects.filter(org=world.branch).exists()
    text = phone.locator("main").inner_text()
    assert "党费支出须经集体研究决定" in text
    screenshot(phone, "spending-form-error-phone")
    phone.fill("input[name=decision_body]", "支委会")
    phone.fill("input[name=decision_on]", (spent - dt.timedelta(days=7)).isoformat())
    phone.fill("input[name=decision_ref]", "第一党支部支委会会议记录第6次")
    phone.get_by_role("button", name="登记", exact=True).click()
    phone.wait_for_load_state()
    expense = Expense.objects.get(org=world.branch)
    assert (expense.fund, expense.decision_body, expense.plan_item) == (
        "party_dues",
        "支委会",
        item,
    )
    phone.select_option("select[name=kind]", "decision")
    phone.set_input_files(
        "input[name=file]",
        files=[
            {"name": "支委会会议记录.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}
        ],
    )
    phone.get_by_role("button", name="上传").click()
    phone.wait_for_load_state()
    assert "支委会会议记录.pdf" in phone.locator("#attachments").inner_text()
    screenshot(phone, "spending-detail-phone")
    phone.goto(f"{base}/spending/?year={spent.year}")
    assert "主题党日赴革命纪念馆" in phone.locator("#expenses").inner_text()
    screenshot(phone, "spending-list-phone")

    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(desk, base, "org_admin")
    desk.goto(f"{base}/")
    desk.get_by_role("link", name="经费", exact=True).click()
    desk.wait_for_load_state()
    desk.goto(f"{base}/spending/?year={spent.year}")
    rows = desk.locator("#expenses").inner_text()
    assert "主题党日赴革命纪念馆" in rows and "党员学习资料印制" in rows
    assert desk.locator("tr.text-decoration-line-through").count() == 1
    totals = desk.locator("#spending-totals").inner_text()
    assert "2,360.00" in totals  # 1500 + 860; the voided 1500 left out
    screenshot(desk, "spending-list-desktop")
    with desk.expect_download() as download:
        desk.get_by_role("link", name="台账（.xlsx）").click()
    ARTIFACTS.mkdir(exist_ok=True)
    download.value.save_as(str(ARTIFACTS / "spending-ledger.xlsx"))
    desk.goto(f"{base}/spending/plan-actual/?year={plan.year}&org={world.unit.pk}")
    by_item = desk.locator("#by-item").inner_text()
    assert "专题轮训" in by_item and "860.00" in by_item and "3,000.00" in by_item
    by_org = desk.locator("#by-org").inner_text()
    assert "第一党支部" in by_org
    screenshot(desk, "spending-plan-actual-desktop")
    phone.goto(f"{base}/spending/plan-actual/?year={plan.year}")
    screenshot(phone, "spending-plan-actual-phone")

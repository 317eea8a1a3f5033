"""The compliance drill-down and bulk approval: an org admin opens the county's compliance page,
clicks the 滞后 figure, narrows the list to one branch name and downloads it; a secretary
approves two self-study filings at once. Screenshots at phone (390 px) and desk (1280 px) widths."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pytest
from django.utils import timezone

from browser_tests.conftest import log_in, screenshot
from peixun.hours.models import CreditEntry
from peixun.hours.services import entry_record, requirements_seed_defaults, self_study_file
from peixun.orgs.models import Organization
from peixun.testing import World, ledger_rows, make_member, make_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow


@pytest.mark.parametrize(("width", "height", "label"), [(390, 844, "phone"), (1280, 900, "desk")])
def test_org_admin_drills_into_the_members_behind(  # type: ignore[no-untyped-def]
    live_server, browser, width: int, height: int, label: str
) -> None:
    world = World()
    year = timezone.localdate().year - 1  # a closed year: whoever has not met a rule is behind
    requirements_seed_defaults(actor=None, tenant=world.root, from_year=year)
    twin = make_org(world.far_unit, "T010202", "第一党支部", Organization.Kind.BRANCH)
    qian = make_member(twin, "钱多")
    for i in range(6):
        make_member(world.branch if i % 2 else twin, f"党员{i:02d}")
    entry_record(
        actor=world.users["org_admin"],
        members=[world.member, qian],
        on=dt.date(year, 3, 12),
        hours="32",
        kind="concentrated_training",
        title="专题培训班",
        concentrated=True,
    )
    base = live_server.url
    page = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN"
    ).new_page()
    page.set_default_timeout(15_000)
    log_in(page, base, "org_admin")
    page.goto(f"{base}/compliance/orgs/{world.root.pk}/?year={year}")
    figure = page.locator('a[data-drill="behind"]').first
    shown = int(figure.inner_text())
    screenshot(page, f"hours-compliance-figures-{label}")
    figure.click()
    page.wait_for_load_state()
    assert "/members/" in page.url
    members = page.locator("main tbody a[href*='/compliance/members/']")
    assert members.count() == shown
    no_sideways_scroll(page)
    page.fill("#branch", "第一")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    text = page.locator("main").inner_text()
    # 王芳 and three new members in the first branch, three in its namesake; 李明 and 钱多 met.
    assert "测试局机关党委 › 第一党支部" in text and "测试委党委 › 第一党支部" in text
    assert "钱多" not in text and "孙丽" not in text
    screenshot(page, f"hours-drilldown-{label}")
    link = page.get_by_role("link", name="导出名单（.xlsx）")
    with page.expect_download() as download:
        link.click()
    # The download's temporary file has no extension, which openpyxl insists on: read the bytes.
    with open(download.value.path(), "rb") as handle:
        sheet = openpyxl.load_workbook(io.BytesIO(handle.read())).active
    body = ledger_rows(sheet)[1:]
    assert {row[1] for row in body} == {"测试局机关党委 › 第一党支部", "测试委党委 › 第一党支部"}
    assert len(body) == members.count()


def test_secretary_approves_two_filings_at_once(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    today = timezone.localdate()
    filed = [
        self_study_file(actor=world.users["member"], on=today, hours=h, title=t)
        for h, t in (("1.5", "自学《中国共产党章程》"), ("2", "观看党史专题片"))
    ]
    base = live_server.url
    for width, height, label in ((390, 844, "phone"), (1280, 900, "desk")):
        page = browser.new_context(
            viewport={"width": width, "height": height}, locale="zh-CN"
        ).new_page()
        page.set_default_timeout(15_000)
        log_in(page, base, "secretary")
        page.goto(f"{base}/hours/pending/")
        if label == "desk":
            page.get_by_label("全选本页").check()
            assert page.locator("input[name=ids]:checked").count() == 2
            screenshot(page, f"hours-bulk-approve-{label}")
            page.get_by_role("button", name="批量通过").click()
            page.wait_for_load_state()
            assert "已审核通过 2 条申报" in page.locator("main").inner_text()
            screenshot(page, f"hours-bulk-approved-{label}")
        else:
            page.locator("input[name=ids]").first.check()
            assert page.get_by_role("button", name="批量通过").is_enabled()
            no_sideways_scroll(page)
            screenshot(page, f"hours-bulk-approve-{label}")
        page.context.close()
    assert [CreditEntry.objects.get(pk=e.pk).state for e in filed] == ["confirmed", "confirmed"]

"""The external records import as an org admin does it, at 390 and 1280 px: a source with its
column mapping, a 学习强国-style export naming one 王伟 ambiguously, the dry run's report, the
review (pick the member), apply, and the same file again changing nothing."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest

from browser_tests.conftest import screenshot
from peixun.hours.models import CreditEntry
from peixun.learning.models import ExternalRecord, ImportBatch
from peixun.testing import PASSWORD, World, make_member

BATCH = re.compile(r"/learning/imports/\d+/$")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def export(tmp_path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["学习强国 学习情况统计（2025年）"])
    sheet.append(["姓名", "公民身份号码", "手机号", "单位", "日期", "学时", "积分", "课程名称"])
    for row in rows:
        sheet.append(row)
    path = tmp_path / "学习强国2025.xlsx"
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


@pytest.mark.parametrize("width", [390, 1280])
def test_import_review_apply_and_again(live_server, browser, tmp_path, width) -> None:  # type: ignore[no-untyped-def]
    world = World()
    wang = make_member(world.branch, "王伟", mobile="13800000011")
    make_member(world.other_branch, "王伟", mobile="13800000012")
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    tag = "phone" if width < 500 else "desktop"

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "org_admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    page.goto(f"{live_server.url}/learning/imports/sources/new/")
    page.select_option("#id_org", str(world.root.pk))
    page.fill("#id_name", "学习强国")
    page.select_option("#id_platform", "xuexi")
    assert page.input_value("#id_map_hours") == "学时"  # a new source starts with the usual headers
    screenshot(page, f"learning-import-source-{tag}")
    page.locator("main button[type=submit]").click()
    page.wait_for_url("**/learning/imports/")

    rows = [
        ["李明", world.member.reveal_id_number(), "", "第一党支部", "2025-03-01", 1.5, 20, "党史"],
        ["李明", world.member.reveal_id_number(), "", "第一党支部", "2025-03-08", 1, 15, "党章"],
        ["王伟", "", "", "", "2025-03-02", 2, 30, "党纪"],
    ]
    path = export(tmp_path, rows)
    page.fill("#id_period", "2025")
    page.set_input_files("#id_file", str(path))
    screenshot(page, f"learning-import-upload-{tag}")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(BATCH, timeout=60_000)
    body = page.locator("main").inner_text()
    assert "已检查，未导入" in body and "核对 1 条明细" in body
    assert "按公民身份号码" in body
    screenshot(page, f"learning-import-report-{tag}")

    page.get_by_role("link", name="核对 1 条明细").click()
    page.wait_for_url("**/review/")
    screenshot(page, f"learning-import-review-{tag}")
    page.locator("main form button", has_text="第一党支部").first.click()
    page.wait_for_url(BATCH)
    page.get_by_role("button", name="确认导入：记入学时台账").click()
    page.wait_for_url(BATCH)
    assert "已于" in page.locator("main").inner_text()
    screenshot(page, f"learning-import-applied-{tag}")
    assert ExternalRecord.objects.get(member=wang).hours == 2
    entries = list(CreditEntry.objects.order_by("pk").values_list("pk", "member_id", "hours"))
    assert len(entries) == 2

    # The same file again: the report finds everything as stored and offers nothing to apply.
    page.goto(f"{live_server.url}/learning/imports/")
    page.fill("#id_period", "2025")
    page.set_input_files("#id_file", str(path))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(BATCH, timeout=60_000)
    if page.get_by_role("link", name="核对 1 条明细").count():
        page.get_by_role("link", name="核对 1 条明细").click()
        page.locator("main form button", has_text="第一党支部").first.click()
        page.wait_for_url(BATCH)
    body = page.locator("main").inner_text()
    assert "无需变更" in body, body
    screenshot(page, f"learning-import-again-{tag}")
    assert (
        list(CreditEntry.objects.order_by("pk").values_list("pk", "member_id", "hours")) == entries
    )
    assert ImportBatch.objects.filter(status=ImportBatch.Status.APPLIED).count() == 1
    context.close()

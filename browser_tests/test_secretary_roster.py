"""The secretary's main journey: log in, see only the own branch, preview an import with
errors, fix the file, import it, and find the new member in the list."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import openpyxl
import pytest

from browser_tests.conftest import roster_header_row, screenshot
from peixun.core.idcard import make_id_number
from peixun.members.models import Member
from peixun.testing import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def roster_file(tmp_path: Path, name: str, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(roster_header_row())
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / name
    path.write_bytes(buffer.getvalue())
    return path


def row(name: str, id_number: str, org: str) -> list[object]:
    # name, gender, ethnicity, birth date, ID, mobile, education, joined, confirmed, status, rank, employment, exempt, org
    return [
        name,
        "",
        "汉族",
        "",
        id_number,
        "13912345678",
        "大学本科",
        "2015-7-1",
        "2016年7月1日",
        "正式党员",
        "",
        "在岗",
        "",
        org,
    ]


def test_secretary_previews_errors_fixes_and_imports(live_server, desktop_page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    world = World()
    page = desktop_page
    good_id = make_id_number("110101", dt.date(1990, 5, 4), 123)
    bad_id = good_id[:-1] + ("0" if good_id[-1] != "0" else "1")

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "secretary")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/members/")
    body = page.locator("main").inner_text()
    assert "李明" in body and "王芳" in body
    assert "赵强" not in body and "孙丽" not in body  # other branches stay invisible
    screenshot(page, "secretary-member-list")

    page.goto(f"{live_server.url}/members/roster/import/")
    broken = roster_file(
        tmp_path, "broken.xlsx", [row("周新", bad_id, "T010101"), row("吴敏", good_id, "T010201")]
    )
    page.set_input_files("input[type=file]", str(broken))
    page.locator("main button[type=submit]").last.click()
    problems = page.locator("main table").inner_text()
    assert "校验码不符" in problems  # the bad checksum, named on its row
    assert "未找到该党组织" in problems  # another branch's code is outside the secretary's reach
    screenshot(page, "secretary-import-errors")
    assert not Member.objects.filter(name__in=["周新", "吴敏"]).exists()

    fixed = roster_file(tmp_path, "fixed.xlsx", [row("吴敏", good_id, "T010101")])
    page.set_input_files("input[type=file]", str(fixed))
    page.locator("main button[type=submit]").last.click()
    page.get_by_role("button", name="确认导入").click()
    page.wait_for_selector("text=导入完成")
    screenshot(page, "secretary-import-done")
    created = Member.objects.get(name="吴敏")
    assert created.org_id == world.branch.pk

    page.goto(f"{live_server.url}/members/?q=吴敏")
    assert "吴敏" in page.locator("main").inner_text()


def test_member_list_on_a_phone(live_server, phone_page) -> None:  # type: ignore[no-untyped-def]
    World()
    page = phone_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "org_admin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/members/")
    assert (
        page.evaluate("document.documentElement.scrollWidth") <= 380
    )  # nothing wider than the phone
    screenshot(page, "org-admin-members-phone")
    page.goto(f"{live_server.url}/orgs/")
    page.locator(".tree .toggle").first.click()
    page.wait_for_selector("text=测试局机关党委")
    screenshot(page, "org-admin-tree-phone")

"""Onboarding a county from an empty database, in the browser, through the pages and the API only.

The platform admin creates a tenant and its first org admin; the admin activates, adds a branch,
imports its roster, opens the branch's logins, prints the slips and grants a secretary and a
viewer; the secretary activates on a desk; a member activates on a phone from the slip and stays
signed in; the secretary schedules a meeting through the API; the member's scan of the QR code
signs them in at once; and every persona lands on a workbench with its to-dos.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import time
from pathlib import Path

import openpyxl
import pytest
from django.utils import timezone
from pypdf import PdfReader

from browser_tests.conftest import log_in, roster_header_row, screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.accounts.models import Grant, User
from peixun.core.idcard import make_id_number
from peixun.events.models import Attendance
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.testing import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}")
PASSWORDS = {
    "county_admin": "Spring-rain-on-hills-7",
    "王书记": "Branch-secretary-26",
    "李党员": "Lanterns-on-river-9",
    "赵观察": "Viewer-reads-all-26",
}


def roster_row(name: str, serial: int, mobile: str, org_code: str) -> list[object]:
    # name, gender, ethnicity, birth date, ID, mobile, education, joined, confirmed, status, rank,
    # employment, exempt, org — spelled the way a county's own roster spells them.
    id_number = make_id_number("110101", dt.date(1975 + serial, 3, 9), 100 + serial)
    return [name, "", "汉族", "", id_number, mobile, "大学本科", "2005-7-1", "2006年7月1日",
            "中共党员", "", "在岗", "", org_code]  # fmt: skip


def roster_file(tmp_path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(roster_header_row())
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / "roster.xlsx"
    path.write_bytes(buffer.getvalue())
    return path


def activate(page, base: str, code: str, password: str, *, remember: bool) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/accounts/activate/?code={code}")
    assert page.input_value("#id_code") == code  # the slip's QR code fills it in
    page.fill("#id_new_password1", password)
    page.fill("#id_new_password2", password)
    page.set_checked("#id_remember", remember)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    errors = page.locator(".invalid-feedback, .alert-danger").all_inner_texts()
    assert page.url.rstrip("/") == base, errors  # signed in, on the workbench


def slip_codes(data: bytes) -> dict[str, str]:
    """Each member's code on the branch's PDF slips (one page each): the code on their page."""
    pages = PdfReader(io.BytesIO(data)).pages
    # pypdf reads fpdf2's text with a NUL before each character.
    texts = [page.extract_text().replace("\x00", "") for page in pages]
    assert len(texts) == 3
    codes = {}
    for name in ("王书记", "李党员", "赵观察"):
        page = next(text for text in texts if name in text)
        found = CODE.search(page)
        assert found is not None, name
        codes[name] = found.group(0)
    return codes


def grant(page, base: str, org: Organization, name: str, role: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/accounts/grants/new/?org={org.pk}")
    page.fill("#id_q", name)
    option = page.locator("#user-options label", has_text=name)
    option.wait_for()
    option.locator("input[type=radio]").check()
    page.select_option("select[name=role]", role)
    page.locator("main form[method=post] button[type=submit]").click()
    page.wait_for_selector(".alert-success")


def test_a_county_from_an_empty_database(live_server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    base = live_server.url
    make_user("platform", role=Grant.Role.PLATFORM_ADMIN)  # the operator's own login

    # 1. The platform admin creates the tenant and its first org admin.
    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(desk, base, "platform")
    desk.goto(f"{base}/accounts/tenants/new/")
    desk.fill("#id_name", "示范县委组织部")
    desk.fill("#id_code", "SF01")
    desk.fill("#id_admin_username", "county_admin")
    desk.locator("main form button[type=submit]").click()
    admin_code = desk.locator("[data-testid=activation-code]").inner_text().strip()
    screenshot(desk, "onboarding-1-tenant-done")
    root = Organization.objects.get(code="SF01")
    with desk.expect_navigation():
        desk.click("nav button[type=submit]")  # 退出

    # 2. The org admin activates, adds a branch and imports its roster.
    activate(desk, base, admin_code, PASSWORDS["county_admin"], remember=False)
    screenshot(desk, "onboarding-2-admin-first-home")
    desk.goto(f"{base}/orgs/{root.pk}/add/")
    desk.select_option("select[name=kind]", Organization.Kind.BRANCH)
    desk.fill("input[name=name]", "办公室党支部")
    desk.fill("input[name=code]", "SF0101")
    with desk.expect_navigation():
        desk.locator("main form button[type=submit]").click()
    branch = Organization.objects.get(code="SF0101")
    assert branch.path.startswith(root.path) and branch.depth == root.depth + 1

    desk.goto(f"{base}/members/roster/import/")
    rows = [
        roster_row("王书记", 1, "13700000001", "SF0101"),
        roster_row("李党员", 2, "13700000002", "SF0101"),
        roster_row("赵观察", 3, "13700000003", "SF0101"),
    ]
    desk.set_input_files("input[type=file]", str(roster_file(tmp_path, rows)))
    desk.locator("main button[type=submit]").last.click()
    desk.wait_for_load_state()
    assert "确认导入" in desk.locator("main").inner_text(), desk.locator("main").inner_text()[:1500]
    desk.get_by_role("button", name="确认导入").click()
    desk.wait_for_selector("text=导入完成")
    screenshot(desk, "onboarding-3-roster-imported")
    assert Member.objects.filter(org=branch).count() == 3

    # 3. The branch's logins, one slip each.
    desk.goto(f"{base}/accounts/orgs/{branch.pk}/")
    desk.click("button[name=mode][value=subtree]")
    desk.wait_for_selector(".alert-success")
    assert User.objects.filter(member__org=branch).count() == 3
    with desk.expect_download() as download:
        desk.click("#slips-button")
    codes = slip_codes(Path(download.value.path()).read_bytes())
    screenshot(desk, "onboarding-4-branch-accounts")

    # 4. Grants: 王书记 the branch's secretary, 赵观察 a viewer of the whole county.
    grant(desk, base, branch, "王书记", Grant.Role.SECRETARY)
    grant(desk, base, root, "赵观察", Grant.Role.VIEWER)
    screenshot(desk, "onboarding-5-grants")
    held = set(
        Grant.objects.filter(org__in=[root, branch]).values_list("role", "user__member__name")
    )
    assert {(Grant.Role.SECRETARY, "王书记"), (Grant.Role.VIEWER, "赵观察")} <= held

    # 5. The secretary activates on a desk and lands on the workbench with the branch's to-dos.
    secretary_context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
    secretary = secretary_context.new_page()
    activate(secretary, base, codes["王书记"], PASSWORDS["王书记"], remember=True)
    assert secretary.locator("[data-section=staff]").is_visible()
    session = next(c for c in secretary_context.cookies() if c["name"] == "sessionid")
    assert session["expires"] == -1  # staff are signed out when the browser closes

    # 6. A member activates on a phone from the slip, and the phone stays signed in.
    phone_context = browser.new_context(viewport=PHONE, locale="zh-CN", device_scale_factor=1)
    phone = phone_context.new_page()
    activate(phone, base, codes["李党员"], PASSWORDS["李党员"], remember=True)
    screenshot(phone, "onboarding-6-member-home-phone")
    session = next(c for c in phone_context.cookies() if c["name"] == "sessionid")
    assert (session["expires"] - time.time()) / 86400 > 29  # the tenant's 30 days

    # 7. The secretary schedules a meeting through the API; the member's scan is one scan.
    token = secretary.request.post(
        f"{base}/api/v1/auth/token",
        data={"username": "13700000001", "password": PASSWORDS["王书记"]},
    ).json()["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    starts = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
    created = secretary.request.post(
        f"{base}/api/v1/orglife/meetings",
        headers=bearer,
        data={
            "org": branch.pk,
            "kind": "theme_day",
            "title": "新任支部第一次主题党日",
            "starts_at": starts.isoformat(),
            "ends_at": (starts + dt.timedelta(hours=2)).isoformat(),
            "host": "王书记",
            "place": "党员活动室",
            "scheduled": True,
        },
    )
    assert created.status == 201, created.text()
    event_id = created.json()["event_id"]
    qr = secretary.request.get(f"{base}/api/v1/events/{event_id}/qr", headers=bearer).json()
    phone.goto(qr["url"])  # the camera opens the code's address on the signed-in phone
    phone.wait_for_selector("text=签到成功")
    screenshot(phone, "onboarding-7-member-signed-in-phone")
    member = Member.objects.get(name="李党员")
    assert Attendance.objects.filter(event_id=event_id, member=member).count() == 1

    # 8. Every persona's home shows its to-dos (or its figures, for the read-only viewer).
    secretary.goto(base)
    assert secretary.locator(".wb-todos a, [data-section=staff] .alert-success").count() >= 1
    screenshot(secretary, "onboarding-8-secretary-home")
    desk.goto(base)
    assert desk.locator("[data-section=staff] .wb-figure").count() >= 1
    screenshot(desk, "onboarding-8-admin-home")
    viewer = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    activate(viewer, base, codes["赵观察"], PASSWORDS["赵观察"], remember=False)
    screenshot(viewer, "onboarding-8-viewer-home")
    phone.goto(base)
    assert phone.locator("main").inner_text().count("签到") >= 1  # the big 扫码签到 button
    screenshot(phone, "onboarding-8-member-home-phone")
    for context in (secretary_context, phone_context):
        context.close()

"""Grants: a platform admin creates a tenant with its first org admin; an org admin grants a
secretary and a viewer (with an expiry) by searching members on the server; the list shows them
with their org paths. At a desk (1280) and on a phone (390)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from browser_tests.conftest import pick, screenshot
from peixun.accounts.models import Grant, User
from peixun.orgs.models import Organization
from peixun.testing import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def pick_member(page, text: str, name: str) -> None:  # type: ignore[no-untyped-def]
    page.fill("#id_q", text)  # htmx asks the server as one types
    option = page.locator("#user-options label", has_text=name)
    option.wait_for()
    option.locator("input[type=radio]").check()


@pytest.mark.parametrize("width", [1280, 390])
def test_tenant_then_grants(live_server, browser, width: int) -> None:  # type: ignore[no-untyped-def]
    world = World()
    base = live_server.url
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    size = "desk" if width > 600 else "phone"
    try:
        # The platform admin starts a tenant and its first org admin, without a shell.
        log_in(page, base, "platform")
        page.goto(f"{base}/accounts/tenants/new/")
        page.fill("#id_name", "新城县委组织部")
        page.fill("#id_code", f"NC{width}")
        page.select_option("#id_kind", "committee")
        page.fill("#id_admin_username", f"xincheng{width}")
        page.fill("#id_admin_mobile", "13900001390" if width == 390 else "13900001280")
        screenshot(page, f"grants-tenant-form-{size}")
        page.click("main button[type=submit]")
        page.wait_for_selector("text=激活码")
        screenshot(page, f"grants-tenant-done-{size}")
        root = Organization.objects.get(code=f"NC{width}")
        admin = User.objects.get(username=f"xincheng{width}")
        assert not admin.has_usable_password()
        assert Grant.objects.filter(user=admin, role="org_admin", org=root).exists()
        context.clear_cookies()

        # The test tenant's org admin grants a secretary and a viewer with an expiry.
        log_in(page, base, "org_admin")
        page.goto(f"{base}/accounts/grants/new/?org={world.root.pk}")
        pick_member(page, "李", "李明")
        page.select_option("#id_role", "secretary")
        pick(page, "#id_org", "第一党支部")
        screenshot(page, f"grants-form-{size}")
        page.click("main form[method=post] button[type=submit]")
        page.wait_for_selector(".alert-success")

        page.goto(f"{base}/accounts/grants/new/?org={world.root.pk}")
        pick_member(page, "赵", "赵强")
        page.select_option("#id_role", "viewer")
        pick(page, "#id_org", "测试局机关党委")
        expiry = timezone.localdate() + dt.timedelta(days=60)
        page.fill("#id_expires_on", expiry.isoformat())
        page.click("main form[method=post] button[type=submit]")
        page.wait_for_selector(".alert-success")

        body = page.locator("main").inner_text()
        assert "测试县直机关工委 › 测试局机关党委 › 第一党支部" in body
        assert expiry.isoformat() in body
        assert "李明" in body and "赵强" in body
        screenshot(page, f"grants-list-{size}")
        assert Grant.objects.get(user=world.users["member"]).role == "secretary"
        assert (
            Grant.objects.get(user=world.users["other_secretary"], role="viewer").expires_on
            == expiry
        )
    finally:
        context.close()


def test_appointment_offers_the_secretary_grant(live_server, desktop_page) -> None:  # type: ignore[no-untyped-def]
    world = World()
    page = desktop_page
    log_in(page, live_server.url, "org_admin")
    page.goto(f"{live_server.url}/members/{world.member.pk}/positions/new/")
    page.select_option("#id_role", "organization")
    page.fill("#id_since", "2025-03-01")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=授予党支部书记权限")
    screenshot(page, "grants-secretary-offer-desk")
    page.click("text=授予党支部书记权限")
    page.wait_for_selector(".alert-success")
    assert Grant.objects.filter(
        user=world.users["member"], role="secretary", org=world.branch
    ).exists()

"""Phones stay signed in: a member ticks "keep me signed in" on a phone and gets a cookie that
outlives the browser; the org admin sets the days; logging out on a desk ends the phone too."""

from __future__ import annotations

import time

import pytest

from browser_tests.conftest import screenshot
from peixun.testing import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_phone_stays_signed_in_until_a_logout_anywhere(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    member = world.users["member"]
    member.mobile = "13800000001"
    member.save(update_fields=["mobile"])
    base = live_server.url

    admin = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    admin.goto(f"{base}/accounts/login/")
    admin.fill("#id_username", "org_admin")
    admin.fill("#id_password", PASSWORD)
    admin.click("button[type=submit]")
    admin.wait_for_load_state()
    admin.goto(f"{base}/accounts/settings/")
    admin.fill("#id_member_session_days", "14")
    admin.click("main button[type=submit]")
    admin.wait_for_load_state()
    assert admin.locator(".alert-success").is_visible()
    screenshot(admin, "sessions-login-settings")

    phone_context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=1
    )
    phone = phone_context.new_page()
    phone.goto(f"{base}/accounts/login/")
    phone.fill("#id_username", "13800000001")  # the member logs in with their mobile number
    phone.fill("#id_password", PASSWORD)
    phone.check("#id_remember")
    screenshot(phone, "sessions-login-phone")
    phone.click("button[type=submit]")
    phone.wait_for_load_state()
    session = next(c for c in phone_context.cookies() if c["name"] == "sessionid")
    days = (session["expires"] - time.time()) / 86400
    assert 13.9 < days <= 14, days  # a persistent cookie, not one that ends with the browser

    desk_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk = desk_context.new_page()
    desk.goto(f"{base}/accounts/login/")
    desk.fill("#id_username", "member")
    desk.fill("#id_password", PASSWORD)
    desk.click("button[type=submit]")
    desk.wait_for_load_state()
    desk.click("nav button[type=submit]")  # 退出
    desk.wait_for_load_state()

    phone.goto(f"{base}/members/mine/")
    assert "/accounts/login/" in phone.url
    for context in (phone_context, desk_context):
        context.close()

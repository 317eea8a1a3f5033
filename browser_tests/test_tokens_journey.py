"""API 令牌: a member opens the page from the menu under their name on a phone, creates a token
(the secret shown once), uses it, revokes it; an org admin at a desk finds a member's live
token from the accounts list and revokes it."""

from __future__ import annotations

import pytest
from django.test import Client

from browser_tests.conftest import screenshot
from peixun.accounts.services import token_issue
from peixun.testing import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def test_tokens_created_used_and_revoked(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    base = live_server.url

    phone_context = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=1
    )
    phone = phone_context.new_page()
    phone.set_default_timeout(15_000)
    log_in(phone, base, "secretary")
    phone.click(".navbar-toggler")
    # Bootstrap's collapse animates: a click on the toggle mid-animation opens nothing.
    phone.wait_for_selector("#nav.collapse.show")
    phone.click("#user-menu .dropdown-toggle")
    phone.wait_for_selector("#user-menu .dropdown-menu.show")
    screenshot(phone, "tokens-user-menu-phone")
    phone.click("#user-menu >> text=API 令牌")
    phone.wait_for_load_state()
    phone.fill("#id_name", "报表脚本")
    phone.fill("#id_expires_in_days", "7")
    phone.click("#token-form button[type=submit]")
    phone.wait_for_load_state()
    secret = phone.locator("#new-token").inner_text().strip()
    assert secret.startswith("px_")
    screenshot(phone, "tokens-created-phone")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/orgs/").status_code == 200

    # Too long an expiry is refused on the form, with the limit named.
    phone.fill("#id_name", "太长")
    phone.fill("#id_expires_in_days", "365")
    phone.evaluate("document.querySelector('#id_expires_in_days').removeAttribute('max')")
    phone.click("#token-form button[type=submit]")
    phone.wait_for_load_state()
    assert phone.locator(".invalid-feedback").first.is_visible()
    assert "90" in phone.locator(".invalid-feedback").first.inner_text()

    phone.on("dialog", lambda dialog: dialog.accept())
    phone.click("#token-list button[type=submit]")
    phone.wait_for_load_state()
    assert phone.locator("#token-list .badge", has_text="已撤销").count() == 1
    screenshot(phone, "tokens-revoked-phone")
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/orgs/").status_code == 401
    phone_context.close()

    token_issue(actor=world.users["member"], name="手机应用")
    desk_context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    desk = desk_context.new_page()
    desk.set_default_timeout(15_000)
    log_in(desk, base, "org_admin")
    desk.goto(f"{base}/accounts/orgs/{world.branch.pk}/")
    desk.click("text=1 个 API 令牌")
    desk.wait_for_load_state()
    assert "手机应用" in desk.locator("#token-list").inner_text()
    assert desk.locator("#token-form").count() == 0
    screenshot(desk, "tokens-admin-view-desk")
    desk.on("dialog", lambda dialog: dialog.accept())
    desk.click("#token-list button[type=submit]")
    desk.wait_for_load_state()
    assert desk.locator(".alert-success").is_visible()
    screenshot(desk, "tokens-admin-revoked-desk")
    desk_context.close()

"""三员分立 in the browser: an auditor lands on the audit trail and sees nothing else in the menu;
a security administrator lands on the grants page; a business page answers 404 to both. At a
phone and a desk width, with screenshots."""

from __future__ import annotations

import pytest

from browser_tests.conftest import log_in, screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.accounts.models import Grant
from peixun.accounts.services import login_audit
from peixun.testing import World, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_auditor_and_the_security_admin_each_land_on_their_own_pages(  # type: ignore[no-untyped-def]
    live_server, browser
) -> None:
    world = World()
    make_user("auditor", role=Grant.Role.AUDITOR, org=world.root)
    make_user("security", role=Grant.Role.SECURITY_ADMIN, org=world.root)
    login_audit(user=world.users["secretary"], verb="account.login")  # something to read
    base = live_server.url

    for viewport, width in ((PHONE, "phone"), (DESKTOP, "desk")):
        auditor = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
        log_in(auditor, base, "auditor")
        auditor.goto(base)
        assert auditor.url.startswith(f"{base}/audit/"), auditor.url
        assert "登录了系统" in auditor.locator("main").inner_text()
        links = auditor.locator("nav .nav-link").all_inner_texts()
        for business in ("党员", "学时达标", "培训班", "会议"):
            assert business not in links, (business, links)
        screenshot(auditor, f"roles-auditor-{width}")
        assert auditor.goto(f"{base}/members/").status == 404
        assert auditor.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

        security = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
        log_in(security, base, "security")
        security.goto(base)
        assert "/accounts/grants/" in security.url, security.url
        screenshot(security, f"roles-security-{width}")
        assert security.goto(f"{base}/training/").status == 404
        assert security.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

"""A member leaves: the branch secretary opens the member's record on a phone (390 px), records
the departure, sees the member shown as left; the member's login no longer signs in. The org
admin's view of the form at 1280 px too."""

from __future__ import annotations

import pytest

from browser_tests.conftest import screenshot
from peixun.accounts.models import User
from peixun.members.models import Membership
from peixun.testing import PASSWORD, World, make_member, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, url: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")


def no_sideways_scroll(page) -> bool:  # type: ignore[no-untyped-def]
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_secretary_records_a_departure_on_a_phone(live_server, browser, desktop_page) -> None:  # type: ignore[no-untyped-def]
    world = World()
    leaving = make_member(world.branch, "吴德", mobile="13700000088")
    make_user("wude", member=leaving)

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=1
    )
    try:
        page = phone.new_page()
        page.set_default_timeout(15_000)
        log_in(page, live_server.url, "secretary")
        page.goto(f"{live_server.url}/members/{leaving.pk}/")
        page.click("#depart-button")
        page.wait_for_selector("#depart-form")
        assert no_sideways_scroll(page)
        # Without the confirmation nothing happens.
        page.select_option("#id_reason", "transfer_out")
        page.fill("#id_note", "组织关系转至邻县")
        page.click("#depart-form button[type=submit]")
        page.wait_for_selector(".invalid-feedback")
        screenshot(page, "members-depart-unconfirmed-phone")
        assert Membership.objects.get(member=leaving).until is None
        page.check("#id_confirm")
        screenshot(page, "members-depart-phone")
        page.click("#depart-form button[type=submit]")
        page.wait_for_selector("#departed")
        assert no_sideways_scroll(page)
        screenshot(page, "members-departed-phone")
        assert page.locator("#depart-button").count() == 0
    finally:
        phone.close()
    assert not User.objects.get(username="wude").is_active

    # The departed member cannot sign in any more.
    page = desktop_page
    log_in(page, live_server.url, "wude")
    assert "/accounts/login/" in page.url

    # The org admin at 1280 px: the form for another member, and the list marks the one who left.
    log_in(page, live_server.url, "org_admin")
    page.goto(f"{live_server.url}/members/{world.other_member.pk}/depart/")
    page.wait_for_selector("#depart-form")
    screenshot(page, "members-depart-desk")
    page.goto(f"{live_server.url}/members/?q=吴德")
    assert page.locator("main .badge", has_text="已离开").count() == 1
    screenshot(page, "members-list-departed-desk")

"""Org pickers in the browser, at phone and desktop widths: an org admin transfers a member to
one of two branches both named 办公室党支部, told apart by their paths, found by typing."""

from __future__ import annotations

import pytest

from browser_tests.conftest import log_in, pick, screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.testing import World, make_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["390", "1280"])
def test_pick_the_second_office_branch_and_transfer(live_server, browser, viewport) -> None:  # type: ignore[no-untyped-def]
    world = World()
    K = Organization.Kind
    make_org(world.unit, "T010111", "办公室党支部", K.BRANCH)
    far_office = make_org(world.far_unit, "T010211", "办公室党支部", K.BRANCH)
    base = live_server.url

    page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
    page.set_default_timeout(15_000)
    log_in(page, base, "org_admin")
    page.goto(f"{base}/members/{world.member.pk}/transfer/")
    width = viewport["width"]
    shot = f"pickers-office-branches-{width}"
    label = pick(page, "#id_to_org", "办公室", 1, keyboard=True, shot=shot)
    assert label == "测试县直机关工委 › 测试委党委 › 办公室党支部"
    screenshot(page, f"pickers-office-branch-picked-{width}")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator("#id_to_org").input_value() == str(far_office.pk)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    page.wait_for_selector(".alert-success")
    screenshot(page, f"pickers-transferred-{width}")
    assert Member.objects.get(pk=world.member.pk).org_id == far_office.pk

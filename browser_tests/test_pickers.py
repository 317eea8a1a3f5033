"""Org pickers in the browser, at phone and desktop widths: an org admin transfers a member to
one of two branches both named 办公室党支部, told apart by their paths, found by typing."""

from __future__ import annotations

import pytest

from browser_tests.conftest import screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE, log_in
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.testing import World, make_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def pick(page, field: str, text: str, nth: int) -> str:  # type: ignore[no-untyped-def]
    """Type `text` into the picker of `field`, choose the `nth` match (from 0) by keyboard, and
    return its label."""
    page.click(f"#id_{field} + .ts-wrapper .ts-control")
    # The search box is in the dropdown: type once it has the focus.
    page.wait_for_function("document.activeElement.classList.contains('dropdown-input')")
    page.keyboard.type(text)
    options = page.locator(f"#id_{field}-ts-dropdown .option")
    options.nth(nth).wait_for()
    page.wait_for_function(
        "([id, text]) => [...document.querySelectorAll(`#${id}-ts-dropdown .option`)]"
        ".every(o => o.textContent.includes(text))",
        arg=[f"id_{field}", text],
    )
    label = options.nth(nth).inner_text()
    for _ in range(nth):
        page.keyboard.press("ArrowDown")
    return label


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
    label = pick(page, "to_org", "办公室", 1)
    width = viewport["width"]
    screenshot(page, f"pickers-office-branches-{width}")
    assert label == "测试县直机关工委 › 测试委党委 › 办公室党支部"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.keyboard.press("Enter")
    assert page.locator("#id_to_org").input_value() == str(far_office.pk)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").last.click()
    page.wait_for_selector(".alert-success")
    screenshot(page, f"pickers-transferred-{width}")
    assert Member.objects.get(pk=world.member.pk).org_id == far_office.pk

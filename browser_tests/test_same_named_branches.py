"""Two branches called 办公室党支部: the member list, a member's record and the accounts page
show the orgs above each, at a phone (390 px) and a desk (1280 px) width, without sideways
scrolling."""

from __future__ import annotations

import pytest

from browser_tests.conftest import screenshot
from peixun.orgs.models import Organization
from peixun.testing import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": 390, "desk": 1280}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_same_named_branches_told_apart(live_server, browser, width) -> None:  # type: ignore[no-untyped-def]
    world = World()
    Organization.objects.filter(pk__in=[world.branch.pk, world.far_branch.pk]).update(
        name="办公室党支部"
    )
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "org_admin")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    pages = {
        "members": "/members/",
        "member": f"/members/{world.far_member.pk}/",
        "accounts": f"/accounts/orgs/{world.root.pk}/",
    }
    for name, path in pages.items():
        response = page.goto(live_server.url + path)
        assert response is not None and response.status == 200, path
        text = page.inner_text("main")
        assert "测试委党委 › 办公室党支部" in text, (path, text[:300])
        if name != "member":
            assert "测试局机关党委 › 办公室党支部" in text, (path, text[:300])
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)
        screenshot(page, f"same-named-{name}-{width}")
    context.close()

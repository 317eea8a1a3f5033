"""The pages new with the accounts, grants, sessions and workbench work, each at a phone (390 px)
and a desk (1280 px) width: where a journey shows only one width, this shows the other."""

from __future__ import annotations

import pytest

from browser_tests.conftest import screenshot
from peixun.testing import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": 390, "desk": 1280}
PAGES = [
    # (persona or "" for anonymous, path, screenshot name)
    ("", "/accounts/login/", "login"),
    ("", "/accounts/activate/?code=ABCDE-FGHJK", "activate"),
    ("member", "/accounts/password/", "password"),
    ("member", "/events/scan/", "scan-help"),
    ("org_admin", "/accounts/orgs/", "accounts-home"),
    ("org_admin", "/accounts/orgs/{branch}/", "accounts-org"),
    ("org_admin", "/accounts/settings/", "login-settings"),
    ("org_admin", "/accounts/grants/", "grants-list"),
]


@pytest.mark.parametrize("width", list(WIDTHS))
def test_pages_fit_the_width(live_server, browser, width) -> None:  # type: ignore[no-untyped-def]
    world = World()
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 900}, locale="zh-CN")
    page = context.new_page()
    signed_in = ""
    for persona, path, name in PAGES:
        if persona != signed_in:
            context.clear_cookies()
            if persona:
                page.goto(f"{live_server.url}/accounts/login/")
                page.fill("#id_username", persona)
                page.fill("#id_password", PASSWORD)
                page.click("main button[type=submit]")
                page.wait_for_load_state()
            signed_in = persona
        response = page.goto(live_server.url + path.format(branch=world.branch.pk))
        assert response is not None and response.status == 200, (path, response)
        # Nothing wider than the screen: a page that scrolls sideways is broken on a phone.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)
        screenshot(page, f"widths-{name}-{width}")
    context.close()

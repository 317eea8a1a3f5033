import pytest

from browser_tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_login_page_renders_chinese(live_server, phone_page) -> None:  # type: ignore[no-untyped-def]
    phone_page.goto(f"{live_server.url}/accounts/login/")
    assert phone_page.locator("button[type=submit]").is_visible()
    screenshot(phone_page, "login-phone")

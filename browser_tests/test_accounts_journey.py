"""Accounts at scale: an org admin creates the logins of a branch and prints its activation slips;
a member scans the slip on a phone (390 px), chooses a password and lands signed in."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from browser_tests.conftest import screenshot
from peixun.accounts.models import User
from peixun.testing import PASSWORD, World, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Lanterns-on-the-river-9"


def test_admin_creates_a_branch_and_a_member_activates_on_a_phone(  # type: ignore[no-untyped-def]
    live_server, browser, desktop_page
) -> None:
    world = World()
    for i, name in enumerate(("陈一", "陈二", "陈三")):
        make_member(world.other_branch, name, mobile=f"1390000010{i}")
    page = desktop_page
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "org_admin")
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")

    page.goto(f"{live_server.url}/accounts/orgs/")
    assert "第二党支部" in page.locator("main").inner_text()
    screenshot(page, "accounts-org-desk")
    page.locator("main a", has_text="第二党支部").first.click()
    page.click("button[name=mode][value=subtree]")
    page.wait_for_selector(".alert-success")
    assert User.objects.filter(member__org=world.other_branch).count() == 4
    screenshot(page, "accounts-branch-created-desk")

    with page.expect_download() as download_info:
        page.click("#slips-docx-button")
    data = Path(download_info.value.path()).read_bytes()
    document = Document(io.BytesIO(data))
    assert "\n".join(p.text for p in document.paragraphs).count("陈") == 3
    # The PDF beside it issues fresh codes again: the codes on the .docx stop working.
    with page.expect_download() as download_info:
        page.click("#slips-button")
    pdf = PdfReader(io.BytesIO(Path(download_info.value.path()).read_bytes()))
    assert len(pdf.pages) == 3
    # pypdf reads fpdf2's text with a NUL before each character.
    text = "\n".join(p.extract_text().replace("\x00", "") for p in pdf.pages)
    assert text.count("陈") == 3
    code = re.search(r"([2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5})", text.split("陈一", 1)[1])
    assert code is not None

    # A new code for one member (a lost slip): shown once, on its own page.
    page.locator("tr", has_text="陈二").locator("button").click()
    assert page.locator("#activation-code").inner_text() != code.group(1)
    screenshot(page, "accounts-new-code-desk")

    phone = browser.new_context(
        viewport={"width": 390, "height": 844}, locale="zh-CN", device_scale_factor=1
    )
    try:
        mobile = phone.new_page()
        mobile.set_default_timeout(15_000)
        # What the slip's QR code opens: the activation page with the code filled in.
        mobile.goto(f"{live_server.url}/accounts/activate/?code={code.group(1)}")
        assert mobile.input_value("#id_code") == code.group(1)
        mobile.fill("#id_new_password1", NEW_PASSWORD)
        mobile.fill("#id_new_password2", NEW_PASSWORD)
        screenshot(mobile, "accounts-activate-phone")
        mobile.click("main button[type=submit]")
        mobile.wait_for_selector(".alert-success")
        assert "/accounts/" not in mobile.url
        screenshot(mobile, "accounts-activated-phone")
        mobile.goto(f"{live_server.url}/accounts/password/")
        assert "/login/" not in mobile.url  # signed in
        screenshot(mobile, "accounts-password-phone")
    finally:
        phone.close()
    user = User.objects.get(member__name="陈一")
    assert user.check_password(NEW_PASSWORD)

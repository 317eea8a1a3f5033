"""Browser tests: Playwright (Python) driving Debian's Chromium against pytest-django's live server."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from peixun.members.documents import header_for
from peixun.testing import PASSWORD

CHROMIUM = os.environ.get("PEIXUN_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

# Playwright's sync API runs an event loop in this thread; the live server's database work
# happens in its own thread, and test set-up is plain synchronous ORM code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        # CI installs chromium in .ci/run; a developer without it gets a clear failure, not a skip.
        pytest.fail(
            f"Chromium not found at {CHROMIUM}; install Debian's chromium package (see docs/development.md)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def phone_page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport={"width": 375, "height": 812}, locale="zh-CN", device_scale_factor=1
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def wait_until(page, expression: str, timeout: float = 15.0) -> None:  # type: ignore[no-untyped-def]
    """Poll a JavaScript expression until it is true. Playwright's wait_for_function compiles
    its predicate with eval inside the page, which the Content-Security-Policy refuses; an
    evaluate from outside the page is not subject to it."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)


def log_in(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    """Sign in on the login page as one of the test personas (peixun.testing's password)."""
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def pick(  # type: ignore[no-untyped-def]
    page, select: str, text: str, nth: int = 0, *, keyboard: bool = False, shot: str = ""
) -> str:
    """Type `text` into the server-side picker over `select` (core.pickers), wait for the
    server's answer, choose the `nth` (from 0) option showing `text` and return its label. With
    `keyboard`, arrow down to it and press Enter (the select must have no value yet). `shot`
    names a screenshot of the open list."""
    page.click(f"{select} + .ts-wrapper .ts-control")
    # The search box is in the dropdown: type once it has the focus.
    wait_until(page, "document.activeElement.classList.contains('dropdown-input')")
    with page.expect_response(lambda r: "pick_q=" + quote(text) in r.url):
        page.keyboard.type(text)
    option = page.locator(f"{select} + .ts-wrapper .option", has_text=text).nth(nth)
    option.wait_for()
    label: str = option.inner_text()
    if shot:
        screenshot(page, shot)
    if keyboard:
        for _ in range(nth):
            page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
    else:
        option.click()
    return label


# The roster columns the journeys' rows fill, in their order; the import finds each by its header.
ROSTER_ROW_FIELDS = (
    "name", "gender", "ethnicity", "birth_date", "id_number", "mobile", "education", "joined_on",
    "confirmed_on", "status", "cadre_rank", "employment", "exempt_reason", "org",
)  # fmt: skip


def roster_header_row() -> list[str]:
    """The header row above rows of ROSTER_ROW_FIELDS, as the template spells each column."""
    return [header_for(field) for field in ROSTER_ROW_FIELDS]

"""必读书目 in the browser: a member on a phone finds this year's books, sees the one credited by
the quiz, writes a 心得 (first too short: refused, nothing stored), and sees it waiting; the
branch secretary on a phone approves it from the queue; the org admin at a desk reads the list's
books and its progress per branch. Selectors avoid button texts: the pages are read in Chinese."""

from __future__ import annotations

import pytest

from browser_tests.conftest import log_in, screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.learning.models import ReadingCredit, Reflection
from peixun.learning.tests.reading_fixtures import LONG_TEXT, pass_exam, reading_story
from peixun.testing import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_member_files_secretary_approves_staff_reads_progress(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    story = reading_story(world)
    pass_exam(world.users["member"], story.exam)
    base = live_server.url

    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(phone, base, "member")
    phone.goto(f"{base}/learning/reading/mine/")
    assert phone.locator('[data-state="credited"]').count() == 1
    screenshot(phone, "reading-mine-phone")
    phone.locator("a", has_text="中国共产党简史").click()
    phone.wait_for_load_state()
    phone.fill("textarea[name=text]", "读后很有收获。")
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_load_state()
    assert not Reflection.objects.exists()
    assert phone.locator(".invalid-feedback").count() == 1
    screenshot(phone, "reading-book-error-phone")
    phone.fill("textarea[name=text]", LONG_TEXT)
    phone.locator("main form button[type=submit]").click()
    phone.wait_for_load_state()
    assert Reflection.objects.get().state == "pending"
    assert phone.locator('[data-state="pending"]').count() == 1
    screenshot(phone, "reading-mine-pending-phone")

    secretary = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(secretary, base, "secretary")
    secretary.goto(f"{base}/learning/reading/queue/")
    assert "李明" in secretary.locator(".reading-reflection").inner_text()
    screenshot(secretary, "reading-queue-phone")
    secretary.locator(".reading-reflection button.btn-success").click()
    secretary.wait_for_load_state()
    assert ReadingCredit.objects.filter(book=story.hours_book, how="reflection").count() == 1
    assert secretary.locator(".reading-reflection").count() == 0

    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(desk, base, "org_admin")
    desk.goto(f"{base}/learning/reading/")
    screenshot(desk, "reading-lists-desk")
    desk.goto(f"{base}/learning/reading/{story.reading_list.pk}/")
    screenshot(desk, "reading-list-books-desk")
    desk.goto(f"{base}/learning/reading/{story.reading_list.pk}/?tab=progress")
    cells = desk.locator("#reading-progress tbody tr").first.locator("td").all_inner_texts()
    assert cells[1:] == ["2", "1", "1", "1"], cells  # 李明: quiz and 心得; 王芳: none yet
    screenshot(desk, "reading-progress-desk")
    desk.set_viewport_size(PHONE)
    screenshot(desk, "reading-progress-phone")

"""The org admin filters the meetings by topic across the branches (an expert lecture among
them), on a desktop and on a phone; the topic shows in the list."""

from __future__ import annotations

import pytest

from browser_tests.conftest import log_in, screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.hours.models import Topic
from peixun.orglife.models import MeetingKind
from peixun.orglife.tests.test_meetings_fixtures import record
from peixun.testing import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_meetings_on_the_innovative_theory_across_the_branches(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    admin = world.users["org_admin"]
    theory = Topic.INNOVATION_THEORY
    record(admin, world.branch, MeetingKind.LECTURE, "学习党的创新理论党课", topic=theory)
    record(admin, world.other_branch, MeetingKind.EXPERT_LECTURE, "创新理论专家讲座", topic=theory)
    record(admin, world.branch, MeetingKind.LECTURE, "党史学习党课", topic=Topic.PARTY_HISTORY)
    for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page = browser.new_context(viewport=viewport, locale="zh-CN").new_page()
        log_in(page, live_server.url, "org_admin")
        page.goto(f"{live_server.url}/orglife/")
        page.select_option("select[name=topic]", theory)
        page.locator("form[role=search] button[type=submit]").click()
        page.wait_for_load_state()
        text = page.locator("main").inner_text()
        assert "学习党的创新理论党课" in text and "创新理论专家讲座" in text
        assert "党史学习党课" not in text
        assert "专家讲座" in text
        assert "党的创新理论" in text
        screenshot(page, f"orglife-topic-filter-{name}")
        page.context.close()

"""A large org's kept compliance summary: the org admin opens the county's compliance page (judged
and kept), hours are recorded meanwhile, the page still shows the kept figures and says when they
were computed, and 立即重新计算 brings the new ones. "Large" is set low so that the test tenant
counts. Screenshots at phone (390 px) and desk (1280 px) widths."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from browser_tests.conftest import log_in, screenshot
from peixun.hours.services import entry_record, requirements_seed_defaults
from peixun.testing import World, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(("width", "height", "label"), [(390, 844, "phone"), (1280, 900, "desk")])
def test_org_admin_reads_the_kept_summary_and_recomputes(  # type: ignore[no-untyped-def]
    live_server, browser, settings, width: int, height: int, label: str
) -> None:
    settings.COMPLIANCE_KEEP_MEMBERS = 4
    settings.COMPLIANCE_MAX_AGE_SECONDS = 1800
    world = World()
    year = timezone.localdate().year - 1
    requirements_seed_defaults(actor=None, tenant=world.root, from_year=year)
    for i in range(4):
        make_member(world.branch if i % 2 else world.far_branch, f"党员{i:02d}")

    def record(member, hours: str) -> None:  # type: ignore[no-untyped-def]
        entry_record(
            actor=world.users["org_admin"], members=[member], on=dt.date(year, 3, 12),
            hours=hours, kind="concentrated_training", title="专题培训班", concentrated=True,
        )  # fmt: skip

    record(world.member, "32")
    page = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN"
    ).new_page()
    page.set_default_timeout(15_000)
    base = live_server.url
    log_in(page, base, "org_admin")
    url = f"{base}/compliance/orgs/{world.root.pk}/?year={year}"
    page.goto(url)
    assert page.locator("[data-kept]").count() == 0  # judged for this view, and kept
    record(world.other_member, "32")
    page.goto(url)
    kept = page.locator("[data-kept]")
    assert "计算于" in kept.inner_text()
    met_before = page.locator("body").inner_text()
    screenshot(page, f"compliance-kept-{label}")
    page.click("[data-kept] a")
    page.wait_for_load_state()
    assert page.locator("[data-kept]").count() == 0
    assert "fresh=1" in page.url
    assert page.locator("body").inner_text() != met_before  # 赵强's 32 hours now counted
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow
    screenshot(page, f"compliance-recomputed-{label}")

"""The 数据驾驶舱: the org admin opens the dashboard, changes the year, drills from the 滞后 tile
down to a unit, then a branch, then the member rows behind the number; the secretary sees their
branch's view; a plain member has no entry. At phone (390 px) and desk (1280 px) widths, with
screenshots in test-artifacts/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from browser_tests.conftest import log_in, screenshot, wait_until
from peixun.events.models import Event
from peixun.hours.services import entry_record, requirements_seed_defaults
from peixun.orglife.models import Meeting
from peixun.testing import World, make_member
from peixun.training.models import ClassKind, Enrolment, TrainingClass

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def no_sideways_scroll(page) -> None:  # type: ignore[no-untyped-def]
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, overflow


def charts_drawn(page) -> None:  # type: ignore[no-untyped-def]
    """Every chart box drawn by static/reports/dashboard.js (an svg), or hidden as empty."""
    wait_until(
        page,
        "document.querySelectorAll('[data-chart]').length > 0 && "
        "[...document.querySelectorAll('[data-chart]')].every(b => "
        "b.getAttribute('data-drawn') === 'empty' || b.querySelector('svg'))",
    )


def build(year: int) -> World:
    world = World()
    requirements_seed_defaults(actor=None, tenant=world.root, from_year=year)
    for i in range(4):
        make_member(world.branch if i % 2 else world.other_branch, f"党员{i:02d}")
    entry_record(
        actor=world.users["org_admin"], members=[world.member, world.secretary_member],
        on=dt.date(year, 3, 12), hours="60", kind="concentrated_training", title="专题培训班",
        topic="innovation_theory", concentrated=True,
    )  # fmt: skip
    tz = timezone.get_current_timezone()
    for month in (1, 2, 3):
        starts = dt.datetime(year, month, 10, 14, tzinfo=tz)
        event = Event.objects.create(
            category=Event.Category.MEETING, org=world.branch, title="支委会", starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2), hours=Decimal(1),
        )  # fmt: skip
        Meeting.objects.create(event=event, kind="committee", host="王芳")
    training_class = TrainingClass.objects.create(
        org=world.root, title="党性教育专题培训班", kind=ClassKind.PARTY_SPIRIT,
        starts_on=dt.date(year, 4, 1), ends_on=dt.date(year, 4, 3), topic="innovation_theory",
        audience_org=world.root, capacity=50, state=TrainingClass.State.CLOSED,
    )  # fmt: skip
    for member in (world.member, world.secretary_member, world.other_member):
        Enrolment.objects.create(
            training_class=training_class, member=member, route=Enrolment.Route.NAMED,
            state=Enrolment.State.ACCEPTED,
        )  # fmt: skip
    return world


@pytest.mark.parametrize(("width", "height", "label"), [(390, 844, "phone"), (1280, 900, "desk")])
def test_org_admin_drills_from_a_tile_to_the_member_rows(  # type: ignore[no-untyped-def]
    live_server, browser, width: int, height: int, label: str
) -> None:
    year = timezone.localdate().year - 1  # a closed year: whoever has not met a rule is behind
    world = build(year)
    base = live_server.url
    page = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN"
    ).new_page()
    page.set_default_timeout(15_000)
    log_in(page, base, "org_admin")
    page.goto(f"{base}/")
    if label == "phone":
        page.locator(".navbar-toggler").click()
    page.locator("#nav").get_by_role("link", name="数据驾驶舱").click()
    page.wait_for_load_state()
    assert "/reports/dashboard/" in page.url
    charts_drawn(page)
    no_sideways_scroll(page)
    screenshot(page, f"dashboard-this-year-{label}")
    # Change the year: the selector submits itself.
    with page.expect_navigation():
        page.select_option("#year", str(year))
    page.wait_for_load_state()
    assert f"year={year}" in page.url
    charts_drawn(page)
    assert page.locator("#as_of").input_value() == f"{year}-12-31"
    tile = page.locator('[data-tile="compliance"]')
    behind = tile.locator('[data-figure="behind"] a')
    assert behind.inner_text() == "6"  # everyone but 李明 and 王芳
    screenshot(page, f"dashboard-{label}")
    # Tenant → unit: the unit's name in the tile's table opens the unit's dashboard.
    tile.locator(f'a[data-drill-org="{world.unit.pk}"]').click()
    page.wait_for_load_state()
    assert f"org={world.unit.pk}" in page.url
    tile = page.locator('[data-tile="compliance"]')
    # Unit → branch.
    tile.locator(f'a[data-drill-org="{world.other_branch.pk}"]').click()
    page.wait_for_load_state()
    assert f"org={world.other_branch.pk}" in page.url
    tile = page.locator('[data-tile="compliance"]')
    shown = int(tile.locator('[data-figure="behind"] a').inner_text())
    assert shown == 3  # 赵强 and two new members of 第二党支部
    charts_drawn(page)
    no_sideways_scroll(page)
    screenshot(page, f"dashboard-branch-{label}")
    # Branch → the member rows behind the number.
    tile.locator('[data-figure="behind"] a').click()
    page.wait_for_load_state()
    assert f"/compliance/orgs/{world.other_branch.pk}/members/" in page.url
    rows = page.locator("main tbody a[href*='/compliance/members/']")
    assert rows.count() == shown
    assert "赵强" in page.locator("main").inner_text()
    screenshot(page, f"dashboard-drilled-members-{label}")
    page.context.close()


@pytest.mark.parametrize(("width", "height", "label"), [(390, 844, "phone"), (1280, 900, "desk")])
def test_secretary_sees_the_branch_view(  # type: ignore[no-untyped-def]
    live_server, browser, width: int, height: int, label: str
) -> None:
    year = timezone.localdate().year - 1
    world = build(year)
    base = live_server.url
    page = browser.new_context(
        viewport={"width": width, "height": height}, locale="zh-CN"
    ).new_page()
    page.set_default_timeout(15_000)
    log_in(page, base, "secretary")
    page.goto(f"{base}/reports/dashboard/?year={year}")
    charts_drawn(page)
    assert world.branch.name in page.locator("h1").inner_text()
    training = page.locator('[data-tile="training"] [data-figure="person_times"]')
    assert "2" in training.inner_text()  # 李明 and 王芳 of this branch
    no_sideways_scroll(page)
    screenshot(page, f"dashboard-secretary-{label}")
    # Another branch is not theirs.
    answer = page.goto(f"{base}/reports/dashboard/?org={world.other_branch.pk}")
    assert answer is not None and answer.status == 404
    page.context.close()
    # A plain member has no entry and no page.
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    log_in(page, base, "member")
    assert page.locator('a[href="/reports/dashboard/"]').count() == 0
    answer = page.goto(f"{base}/reports/dashboard/")
    assert answer is not None and answer.status == 404
    page.context.close()

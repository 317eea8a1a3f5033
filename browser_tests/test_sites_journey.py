"""Sites in the browser: a branch secretary, on a phone, books another unit's 党建阵地 for the
branch's meeting; the other branch's secretary, at a desk, asks for the same slot and is
refused; the owner (the county's org admin) confirms the request from the queue, and the site's
month calendar shows it at both widths."""

from __future__ import annotations

import pytest

from browser_tests.conftest import log_in, screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.resources.models import Booking, BookingState
from peixun.resources.tests.fixtures import at, county_venue, make_meeting, make_site
from peixun.testing import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_book_another_units_venue_refuse_the_double_then_confirm(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    base = live_server.url
    venue = county_venue(world)
    make_site(
        world.root, world.root, kind="red", name="县革命纪念馆", address="红军路8号", capacity=120
    )
    meeting = make_meeting(world.branch, 7, 9)
    month = at(7, 9).strftime("%Y-%m")

    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(phone, base, "secretary")
    phone.goto(f"{base}/resources/sites/")
    assert "委机关党建活动室" in phone.locator("#sites").inner_text()
    screenshot(phone, "sites-list-phone")
    phone.get_by_role("link", name="委机关党建活动室").click()
    phone.wait_for_load_state()
    phone.click("#book")
    phone.wait_for_load_state()
    phone.select_option("select[name=event]", str(meeting.pk))
    phone.fill("input[name=people]", "18")
    screenshot(phone, "sites-booking-form-phone")
    phone.click("#booking-form button[type=submit]")
    phone.wait_for_load_state()
    booking = Booking.objects.get()
    assert (booking.org, booking.event, booking.state) == (world.branch, meeting, "requested")
    assert "委机关党建活动室" in phone.locator("#bookings").inner_text()
    screenshot(phone, "sites-my-bookings-phone")

    other = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(other, base, "other_secretary")
    other.goto(f"{base}/resources/sites/{venue.pk}/book/")
    other.fill("input[name=day]", at(7, 9).date().isoformat())
    other.fill("input[name=start]", "10:00")
    other.fill("input[name=end]", "11:30")
    other.fill("input[name=people]", "8")
    other.fill("input[name=purpose]", "党课")
    other.click("#booking-form button[type=submit]")
    other.wait_for_load_state()
    assert Booking.objects.count() == 1
    assert (
        "委机关党建活动室"
        not in other.locator("#booking-form .invalid-feedback").first.inner_text()
    )
    assert other.locator("#booking-form .invalid-feedback").count() == 1
    screenshot(other, "sites-booking-refused-desktop")

    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(desk, base, "org_admin")
    desk.goto(f"{base}/resources/bookings/requests/")
    assert "第一党支部" in desk.locator("#requests").inner_text()
    screenshot(desk, "sites-requests-desktop")
    desk.locator("#requests button[type=submit]").first.click()
    desk.wait_for_load_state()
    booking.refresh_from_db()
    meeting.refresh_from_db()
    assert booking.state == BookingState.CONFIRMED
    assert "委机关党建活动室" in meeting.place
    desk.goto(f"{base}/resources/sites/{venue.pk}/?month={month}")
    assert "第一党支部" in desk.locator("#calendar").inner_text()
    screenshot(desk, "sites-detail-desktop")
    phone.goto(f"{base}/resources/sites/{venue.pk}/?month={month}")
    assert "第一党支部" in phone.locator("#calendar-list").inner_text()
    screenshot(phone, "sites-detail-phone")
    phone.goto(f"{base}/resources/bookings/requests/")
    screenshot(phone, "sites-requests-phone")

"""A branch's 主题党日 in the browser: the secretary records the coming meeting, members sign in
on their phones through the QR URL, the secretary closes it after it ends, and the members' hours
are on the ledger and in their 培训档案."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from browser_tests.conftest import log_in, pick, screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.events.models import Attendance, Event
from peixun.hours.models import CreditEntry
from peixun.orglife.models import Meeting, MeetingKind
from peixun.orglife.tests.test_regularity import meeting
from peixun.testing import PASSWORD, World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_theme_day_with_qr_sign_in_credits_the_members(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    base = live_server.url
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    secretary = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(secretary, base, "secretary")
    secretary.goto(f"{base}/orglife/new/")
    secretary.select_option("select[name=kind]", "theme_day")
    pick(secretary, "select[name=org]", "第一党支部")
    secretary.fill("input[name=title]", "重温入党誓词主题党日")
    secretary.fill("input[name=day]", tomorrow.isoformat())
    secretary.fill("input[name=start]", "09:00")
    secretary.fill("input[name=end]", "11:00")
    secretary.fill("input[name=place]", "党员活动室")
    secretary.fill("input[name=host]", "王芳")
    secretary.check("input[name=scheduled]")
    secretary.fill(
        "textarea[name=minutes]", "重温入党誓词。<script>alert(1)</script>交流学习体会。"
    )
    secretary.locator("main form button[type=submit]").last.click()
    secretary.wait_for_load_state()
    meeting = Meeting.objects.select_related("event").get(event__title="重温入党誓词主题党日")
    assert "<script>" not in meeting.minutes
    screenshot(secretary, "orglife-meeting-recorded")

    # The day comes: the meeting begins and the projector shows the code.
    starts = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
    Event.objects.filter(pk=meeting.event_id).update(
        starts_at=starts, ends_at=starts + dt.timedelta(hours=2)
    )
    secretary.goto(f"{base}/events/{meeting.event_id}/projector/")
    secretary.wait_for_selector(".qr svg")
    qr = secretary.request.get(f"{base}/api/v1/events/{meeting.event_id}/qr").json()
    assert qr["expected"] == 2  # 李明 and 王芳, the branch's members

    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    phone.goto(qr["url"])
    phone.fill("#id_username", "member")
    phone.fill("#id_password", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_selector("text=签到成功")
    screenshot(phone, "orglife-signed-in-phone")
    assert Attendance.objects.filter(event_id=meeting.event_id, member=world.member).exists()

    # Time passes; the secretary marks the rest absent and closes the meeting.
    Event.objects.filter(pk=meeting.event_id).update(
        starts_at=starts - dt.timedelta(hours=3), ends_at=starts - dt.timedelta(hours=1)
    )
    secretary.goto(f"{base}/events/{meeting.event_id}/attendance/")
    secretary.locator("form[action$='/attendance/absent/'] button").click()
    secretary.wait_for_load_state()
    secretary.goto(f"{base}/orglife/{meeting.pk}/")
    secretary.get_by_role("button", name="结束并记学时").click()
    secretary.wait_for_load_state()
    screenshot(secretary, "orglife-meeting-closed")
    meeting.event.refresh_from_db()
    assert meeting.event.state == Event.State.CLOSED
    credited = CreditEntry.objects.filter(reference=meeting.event.ledger_reference)
    assert [(e.member_id, e.hours) for e in credited] == [(world.member.pk, meeting.event.hours)]
    assert meeting.event.hours > Decimal(0)

    # The branch's regularity calendar shows this month's 主题党日 as held.
    secretary.goto(f"{base}/orglife/regularity/")
    screenshot(secretary, "orglife-regularity")
    held_on = timezone.localtime(meeting.event.starts_at).date()
    calendar = secretary.request.get(
        f"{base}/api/v1/orglife/regularity/{world.branch.pk}?year={held_on.year}"
    ).json()
    month = calendar["kinds"]["theme_day"][held_on.month - 1]
    assert (month["state"], month["held"]) == ("held", 1)

    year = credited.get().year
    phone.goto(f"{base}/compliance/members/{world.member.pk}/?year={year}")
    assert "重温入党誓词主题党日" in phone.locator("main").inner_text()
    screenshot(phone, "orglife-member-archive-phone")


def test_record_books_download_at_both_widths(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    """The branch's 记录本 from its calendar on a phone (PDF), and every branch's of the unit from
    the overview at a desk (.zip), each named in Chinese."""
    world = World()
    base = live_server.url
    year = timezone.localdate().year
    held = meeting(world.branch, MeetingKind.THEME_DAY, dt.date(year, 1, 5))
    Event.objects.filter(pk=held.event_id).update(title="主题党日：重温入党誓词")

    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(phone, base, "secretary")
    phone.goto(f"{base}/orglife/regularity/?year={year}")
    buttons = phone.get_by_role("group", name="三会一课记录本")
    assert buttons.is_visible()
    screenshot(phone, "orglife-record-book-buttons-phone")
    with phone.expect_download() as download_info:
        buttons.get_by_role("link", name="PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"三会一课记录本-第一党支部-{year}年.pdf"
    pdf = PdfReader(io.BytesIO(Path(download.path()).read_bytes()))
    text = "".join(p.extract_text() for p in pdf.pages).replace("\x00", "").replace(" ", "")
    assert text.count("主题党日：重温入党誓词") == 2  # the contents and the heading

    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(desk, base, "org_admin")
    desk.goto(f"{base}/orglife/regularity/overview/?org={world.unit.pk}&year={year}")
    batch = desk.get_by_role("group", name="所有支部的三会一课记录本")
    assert batch.is_visible()
    screenshot(desk, "orglife-record-books-desk")
    with desk.expect_download() as download_info:
        batch.get_by_role("link", name="全部记录本（.zip）").click()
    download = download_info.value
    assert download.suggested_filename == f"三会一课记录本-测试局机关党委-{year}年.zip"
    with zipfile.ZipFile(Path(download.path())) as archive:
        assert archive.namelist() == [
            f"三会一课记录本-第一党支部-{year}年.docx",
            f"三会一课记录本-第二党支部-{year}年.docx",
        ]

"""The smaller habits in the browser: the org admin at a desk sets up a youth study group with
members from two branches and schedules its meeting with the meeting form; a member sees the
group's meeting among their own on a phone; the branch secretary on a phone opens a round of
study-note checks, records one check with a photo of the notes, and reads the summary; the
pairs list at a desk."""

from __future__ import annotations

import datetime as dt
import io
import tempfile

import pytest
from django.test import override_settings
from django.utils import timezone
from PIL import Image

from browser_tests.conftest import log_in, pick, screenshot
from browser_tests.test_training_journey import DESKTOP, PHONE
from peixun.orglife.models import Meeting, NoteCheck, NoteCheckRound, StudyGroup
from peixun.orglife.services.pairs import pair_create, pair_visit_record
from peixun.testing import World, make_member

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MEDIA = tempfile.mkdtemp(prefix="peixun-browser-habits-")


def notes_photo() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (245, 242, 230)).save(buffer, "JPEG")
    return buffer.getvalue()


@override_settings(MEDIA_ROOT=MEDIA)
def test_group_meeting_and_a_note_check_with_a_photo(live_server, browser) -> None:  # type: ignore[no-untyped-def]
    world = World()
    base = live_server.url
    for i in range(3):
        make_member(world.branch, f"青年党员{i}")
    retired = make_member(world.branch, "周老", employment="retired")
    today = timezone.localdate()
    pair = pair_create(
        actor=world.users["secretary"], helper=world.member, retired=retired, since=today
    )
    pair_visit_record(
        actor=world.users["secretary"], pair=pair, visited_on=today, content="送学上门：学党章"
    )

    desk = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(desk, base, "org_admin")
    desk.goto(f"{base}/orglife/")
    desk.click("a[href='/orglife/groups/']")
    desk.wait_for_load_state()
    desk.click("a[href='/orglife/groups/new/']")
    desk.wait_for_load_state()
    pick(desk, "select[name=org]", "测试局机关党委")
    desk.fill("input[name=name]", "机关青年理论学习小组")
    desk.click("main form[method=post] button[type=submit]")
    desk.wait_for_load_state()
    group = StudyGroup.objects.get()
    for name in ("李明", "赵强"):
        pick(desk, "select[name=join-member]", name)
        desk.click("main form[action$='/members/'] button[type=submit]")
        desk.wait_for_load_state()
    assert group.memberships.count() == 2
    screenshot(desk, "habits-group-desk")
    desk.click(f"a[href='/orglife/groups/{group.pk}/meetings/new/']")
    desk.wait_for_load_state()
    soon = today + dt.timedelta(days=3)
    desk.fill("input[name=title]", "青年干部读书班：学习新思想")
    desk.fill("input[name=day]", soon.isoformat())
    desk.fill("input[name=start]", "19:00")
    desk.fill("input[name=end]", "21:00")
    desk.fill("input[name=place]", "青年之家")
    desk.fill("input[name=host]", "李明")
    screenshot(desk, "habits-group-meeting-form-desk")
    desk.click("main form[method=post] button[type=submit]")
    desk.wait_for_load_state()
    meeting = Meeting.objects.get()
    assert meeting.study_group == group
    assert "机关青年理论学习小组" in desk.locator("main").inner_text()

    member = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(member, base, "other_secretary")  # 赵强 of the second branch, a group member
    member.goto(f"{base}/orglife/mine/")
    text = member.locator("main").inner_text()
    assert "青年干部读书班" in text and "机关青年理论学习小组" in text
    screenshot(member, "habits-my-meetings-phone")

    phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(phone, base, "secretary")
    phone.goto(f"{base}/orglife/notechecks/new/")
    phone.fill("input[name=title]", "第一党支部学习笔记抽查")
    phone.fill("input[name=sample_percent]", "")
    phone.fill("input[name=sample_count]", "2")
    phone.click("main form[method=post] button[type=submit]")
    phone.wait_for_load_state()
    check_round = NoteCheckRound.objects.get()
    assert check_round.checks.count() == 2
    check = check_round.checks.order_by("member__name").first()
    assert check is not None
    phone.click(f"a[href='/orglife/notechecks/{check_round.pk}/checks/{check.pk}/']")
    phone.wait_for_load_state()
    assert phone.locator("input[type=file]").get_attribute("capture") == "environment"
    phone.set_input_files(
        "input[name=photo]",
        files=[{"name": "笔记.jpg", "mimeType": "image/jpeg", "buffer": notes_photo()}],
    )
    phone.click("label[for=id_result_0]")
    phone.fill("input[name=checker]", "王芳")
    screenshot(phone, "habits-check-form-phone")
    phone.click("main form[method=post] button[type=submit]")
    phone.wait_for_load_state()
    check = NoteCheck.objects.get(pk=check.pk)
    assert check.result == "excellent" and check.photo
    assert phone.locator("#round-summary").is_visible()
    screenshot(phone, "habits-round-phone")

    desk.goto(f"{base}/orglife/notechecks/{check_round.pk}/")
    screenshot(desk, "habits-round-desk")
    desk.goto(f"{base}/orglife/pairs/")
    assert "周老" in desk.locator("main").inner_text()
    screenshot(desk, "habits-pairs-desk")
    phone.goto(f"{base}/orglife/pairs/")
    screenshot(phone, "habits-pairs-phone")
    phone.goto(f"{base}/orglife/groups/")
    screenshot(phone, "habits-groups-phone")

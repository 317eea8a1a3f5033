"""A training class from start to finish in the browser: the org admin builds and publishes the
class and gives a branch places, the branch secretary nominates, the organiser accepts, members
sign in on their phones through the QR URL, one asks for leave and is assigned a make-up in
another class, the organiser completes the checklist and closes the class, and the member's
培训档案 shows the hours."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from browser_tests.conftest import log_in, pick, screenshot
from peixun.events.models import Attendance, Event
from peixun.events.tests.fixtures import add_session, make_class
from peixun.hours.models import CreditEntry
from peixun.members.models import Member
from peixun.testing import PASSWORD, World, make_member, make_user
from peixun.training.models import Enrolment, MakeUp, Session, TrainingClass

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def shift_events(training_class: TrainingClass, by: dt.timedelta) -> None:
    """Time passes: the class's sessions (and its dates) move by `by`."""
    for session in Session.objects.filter(training_class=training_class).select_related("event"):
        Event.objects.filter(pk=session.event_id).update(
            starts_at=session.event.starts_at + by, ends_at=session.event.ends_at + by
        )
    TrainingClass.objects.filter(pk=training_class.pk).update(
        starts_on=training_class.starts_on + dt.timedelta(days=by.days),
        ends_on=training_class.ends_on + dt.timedelta(days=by.days),
    )


def test_build_dispatch_sign_in_leave_make_up_close(live_server, browser, tmp_path) -> None:  # type: ignore[no-untyped-def]
    world = World()
    zhou = make_member(world.branch, "周敏")
    base = live_server.url
    today = timezone.localdate()
    first_day, second_day = today + dt.timedelta(days=1), today + dt.timedelta(days=2)
    # Another class of the unit, later on, where a missed session can be made up.
    later = make_class(
        world.unit,
        title="第二期党员轮训班",
        starts_on=today + dt.timedelta(days=5),
        ends_on=today + dt.timedelta(days=5),
    )
    add_session(later, starts_in=60 * 24 * 5, minutes=180, title="第二期：党章党规专题")

    # 1. The org admin builds the class for the unit and its curriculum.
    admin = browser.new_context(viewport=DESKTOP, locale="zh-CN").new_page()
    log_in(admin, base, "org_admin")
    admin.goto(f"{base}/training/new/")
    pick(admin, "select[name=org]", "测试局机关党委")
    pick(admin, "select[name=audience_org]", "测试局机关党委")
    admin.fill("input[name=title]", "学习贯彻党的二十届四中全会精神专题培训班")
    admin.select_option("select[name=kind]", "special")
    admin.select_option("select[name=topic]", "innovation_theory")
    admin.fill("input[name=starts_on]", first_day.isoformat())
    admin.fill("input[name=ends_on]", second_day.isoformat())
    admin.fill("input[name=capacity]", "30")
    admin.fill("input[name=venue]", "县委党校报告厅")
    admin.locator("main form button[type=submit]").last.click()
    admin.wait_for_load_state()
    tc = TrainingClass.objects.get(title="学习贯彻党的二十届四中全会精神专题培训班")
    assert tc.state == TrainingClass.State.DRAFT and tc.org == world.unit

    for day, title, topic in [
        (first_day, "全会精神专题辅导", "innovation_theory"),
        (second_day, "党的创新理论研讨", "innovation_theory"),
    ]:
        admin.goto(f"{base}/training/{tc.pk}/sessions/new/")
        admin.fill("input[name=new-title]", title)
        admin.fill("input[name=new-day]", day.isoformat())
        admin.fill("input[name=new-start]", "09:00")
        admin.fill("input[name=new-end]", "12:00")
        admin.fill("input[name=new-hours]", "3")
        admin.select_option("select[name=new-type]", "lecture")
        admin.select_option("select[name=new-topic]", topic)
        admin.fill("input[name=new-teacher]", "县委党校 张教授")
        admin.locator("main form button[type=submit]").last.click()
        admin.wait_for_load_state()
    assert Session.objects.filter(training_class=tc).count() == 2
    admin.goto(f"{base}/training/{tc.pk}/")
    screenshot(admin, "training-class-built")
    admin.get_by_role("button", name="发布培训班").click()
    admin.wait_for_load_state()
    tc.refresh_from_db()
    assert tc.state == TrainingClass.State.PUBLISHED

    # Places for the first branch.
    admin.goto(f"{base}/training/{tc.pk}/quotas/")
    pick(admin, "select[name=org]", "第一党支部")
    admin.fill("input[name=places]", "2")
    admin.get_by_role("button", name="分配", exact=True).click()
    admin.wait_for_load_state()
    quota = tc.quotas.get(org=world.branch)
    assert quota.places == 2
    screenshot(admin, "training-quotas")

    # 2. The branch secretary nominates two members from the phone.
    secretary = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
    log_in(secretary, base, "secretary")
    secretary.goto(f"{base}/training/places/")
    screenshot(secretary, "training-places-phone")
    secretary.goto(f"{base}/training/{tc.pk}/nominate/{quota.pk}/")
    for member in (world.member, zhou):
        secretary.locator(f"input[name=members][value='{member.pk}']").first.check()
    screenshot(secretary, "training-nominate-phone")
    secretary.get_by_role("button", name="推荐所选党员").click()
    secretary.wait_for_load_state()
    nominated = Enrolment.objects.filter(training_class=tc, state=Enrolment.State.NOMINATED)
    assert {e.member_id for e in nominated} == {world.member.pk, zhou.pk}

    # 3. The organiser accepts both.
    admin.goto(f"{base}/training/{tc.pk}/roster/")
    for enrolment in nominated:
        row = admin.locator(f"#enrolment-{enrolment.pk}")
        row.get_by_role("button", name="录取", exact=True).click()
        expect(row.get_by_role("button", name="录取", exact=True)).to_have_count(0)
    assert Enrolment.objects.filter(training_class=tc, state=Enrolment.State.ACCEPTED).count() == 2
    screenshot(admin, "training-roster-accepted")

    # 4. The first day begins: members sign in with their phones through the QR URL.
    first = Session.objects.filter(training_class=tc).order_by("event__starts_at").first()
    assert first is not None
    starts = timezone.now().replace(second=0, microsecond=0) - dt.timedelta(minutes=5)
    Event.objects.filter(pk=first.event_id).update(
        starts_at=starts, ends_at=starts + dt.timedelta(hours=3)
    )
    admin.goto(f"{base}/events/{first.event_id}/projector/")
    admin.wait_for_selector(".qr svg")
    screenshot(admin, "training-projector")
    qr = admin.request.get(f"{base}/api/v1/events/{first.event_id}/qr").json()
    assert qr["expected"] == 2

    make_user("wangfang", member=zhou)
    members = {}
    for username in ("member", "wangfang"):
        phone = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
        phone.goto(qr["url"])  # not logged in yet: the page says so and brings them back
        if "/accounts/login/" not in phone.url:
            phone.get_by_role("link", name="登录").first.click()
        phone.fill("#id_username", username)
        phone.fill("#id_password", PASSWORD)
        phone.click("button[type=submit]")
        phone.wait_for_selector("text=签到成功")
        members[username] = phone
    screenshot(members["member"], "training-signed-in-phone")
    assert Attendance.objects.filter(event_id=first.event_id).count() == 2
    # Scanning again changes nothing.
    members["member"].goto(qr["url"])
    members["member"].wait_for_load_state()
    assert Attendance.objects.filter(event_id=first.event_id).count() == 2
    admin.goto(f"{base}/events/{first.event_id}/projector/")
    assert "已签到 2 / 应到 2" in admin.locator("main").inner_text()

    # 5. 周敏 asks for leave from the second day; the organiser approves.
    second = Session.objects.filter(training_class=tc).order_by("event__starts_at").last()
    assert second is not None
    phone = members["wangfang"]
    phone.goto(f"{base}/training/mine/")
    screenshot(phone, "training-mine-phone")
    phone.goto(f"{base}/events/{second.event_id}/leave/new/")
    phone.fill("textarea[name=reason]", "参加县里防汛值班")
    phone.get_by_role("button", name="请假").last.click()
    phone.wait_for_load_state()
    admin.goto(f"{base}/events/leave/pending/")
    screenshot(admin, "training-leave-pending")
    approve = admin.get_by_role("button", name="批准", exact=True)
    approve.first.click()
    expect(approve).to_have_count(0)
    assert Attendance.objects.get(event_id=second.event_id, member=zhou).status == "leave"

    # 6. Time passes: both days are over. The organiser marks 李明 present on the second day.
    shift_events(tc, -dt.timedelta(days=3))
    admin.goto(f"{base}/events/{second.event_id}/attendance/")
    admin.select_option(f"#att-{world.member.pk} select[name=status]", "present")
    admin.wait_for_selector(f"#att-{world.member.pk} >> text=已保存")

    # 周敏's missed session is on the make-up list; she is assigned the later class's session.
    admin.goto(f"{base}/training/{tc.pk}/makeups/")
    row = admin.locator("form", has=admin.locator(f"input[name=member][value='{zhou.pk}']"))
    row.locator("select[name=assigned]").select_option(
        str(Session.objects.get(training_class=later).event_id)
    )
    row.get_by_role("button", name="安排补训").click()
    admin.wait_for_load_state()
    makeup = MakeUp.objects.get(member=zhou, missed_event_id=second.event_id)
    assert makeup.state == MakeUp.State.ASSIGNED
    assert makeup.assigned_event.session.training_class == later  # type: ignore[union-attr]
    screenshot(admin, "training-makeups")

    # 7. The checklist, then the close.
    admin.goto(f"{base}/training/{tc.pk}/closing/")
    admin.get_by_role("button", name="确认最终学员名单").click()
    admin.wait_for_load_state()
    admin.get_by_role("button", name="确认最终课表").click()
    admin.wait_for_load_state()
    plan = tmp_path / "培训方案.pdf"
    plan.write_bytes(b"%PDF-1.4\n% class plan\n%%EOF\n")
    admin.set_input_files("input[name=plan]", str(plan))
    admin.get_by_role("button", name="上传").click()
    admin.wait_for_load_state()
    screenshot(admin, "training-closing-checklist")
    admin.get_by_role("button", name="结班并记入学时").click()
    admin.wait_for_load_state()
    tc.refresh_from_db()
    assert tc.state == TrainingClass.State.CLOSED
    assert "已结班" in admin.locator("main").inner_text()
    screenshot(admin, "training-closed")

    # Credits only for attended sessions: 李明 both days (6 学时), 周敏 the first (3).
    def credited(member: Member) -> Decimal:
        rows = CreditEntry.objects.filter(member=member, source="event", state="confirmed")
        return sum(rows.values_list("hours", flat=True), Decimal(0))

    assert (credited(world.member), credited(zhou)) == (Decimal(6), Decimal(3))
    year = CreditEntry.objects.filter(member=world.member, source="event").first().year  # type: ignore[union-attr]

    # 8. The member's 培训档案 shows the class's hours.
    phone = members["member"]
    phone.goto(f"{base}/compliance/members/{world.member.pk}/?year={year}")
    archive = phone.locator("main").inner_text()
    assert "学习贯彻党的二十届四中全会精神专题培训班" in archive
    screenshot(phone, "training-member-archive-phone")

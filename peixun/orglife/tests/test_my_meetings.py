"""我的会议: a member sees the meetings of their own branch and the orgs above it, with their own
attendance, year by year; a meeting of another branch is a 404; and members expected at an
upcoming meeting are told when it is scheduled and again when it moves, the scheduler never.

The world: 李明 (member) and 王芳 (the secretary, also a member, holding the 书记 position) in
第一党支部; 赵强 (the other secretary) in 第二党支部; org_admin and viewer have no member.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peixun.core.models import Notification
from peixun.events.models import Attendance, LeaveRequest
from peixun.orglife.models import Meeting
from peixun.orglife.services.meetings import meeting_update
from peixun.testing import PersonaTestCase, make_member, make_user

from .test_meetings_fixtures import past, record, soon

MINE = "/orglife/mine/"
S = Attendance.Status


def slot(days: int, hour: int = 9) -> dict[str, dt.datetime]:
    starts, ends = past(days, hour)
    return {"starts_at": starts, "ends_at": ends}


def detail(meeting: Meeting) -> str:
    return f"{MINE}{meeting.pk}/"


class MyMeetingsTests(PersonaTestCase):
    held: ClassVar[Meeting]
    late: ClassVar[Meeting]
    absent: ClassVar[Meeting]
    leave: ClassVar[Meeting]
    upcoming: ClassVar[Meeting]
    unit_lecture: ClassVar[Meeting]
    committee: ClassVar[Meeting]
    other_branch: ClassVar[Meeting]
    far: ClassVar[Meeting]
    last_year: ClassVar[Meeting]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        secretary, admin = w.users["secretary"], w.users["org_admin"]
        cls.held = record(
            secretary, w.branch, "theme_day", title="五月主题党日", minutes="张三发言"
        )
        cls.late = record(secretary, w.branch, "group", title="党小组会", **slot(3))
        cls.absent = record(secretary, w.branch, "branch_assembly", title="支部党员大会", **slot(4))
        cls.leave = record(secretary, w.branch, "lecture", title="书记讲党课", **slot(5))
        starts, ends = soon()
        cls.upcoming = record(
            secretary,
            w.branch,
            "theme_day",
            title="下月主题党日",
            starts_at=starts,
            ends_at=ends,
            scheduled=True,
        )
        cls.unit_lecture = record(admin, w.unit, "lecture", title="机关党委党课")
        cls.committee = record(secretary, w.branch, "committee", title="支委会")
        cls.other_branch = record(
            w.users["other_secretary"], w.other_branch, "theme_day", title="第二支部主题党日"
        )
        cls.far = record(admin, w.far_branch, "theme_day", title="第三支部主题党日")
        year = timezone.localdate().year - 1
        tz = timezone.get_current_timezone()
        start = dt.datetime(year, 6, 1, 9, tzinfo=tz)
        cls.last_year = record(
            secretary,
            w.branch,
            "theme_day",
            title="去年主题党日",
            starts_at=start,
            ends_at=start + dt.timedelta(hours=2),
        )
        for meeting, status in (
            (cls.held, S.PRESENT),
            (cls.late, S.LATE),
            (cls.absent, S.ABSENT),
            (cls.leave, S.LEAVE),
        ):
            Attendance.objects.create(
                event=meeting.event, member=w.member, status=status, method="manual"
            )
        Attendance.objects.create(
            event=cls.held.event, member=w.secretary_member, status=S.PRESENT, method="manual"
        )

    def test_personas(self) -> None:
        self.expect_personas(
            MINE,
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 200,  # also a member
                "other_secretary": 200,
                "org_admin": 404,  # no member behind the account
                "viewer": 404,
            },
        )
        self.expect_personas(
            detail(self.held),
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 200,
                "other_secretary": 404,  # another branch's meeting does not exist for them
                "org_admin": 404,
                "viewer": 404,
            },
        )

    def test_member_sees_own_branch_and_above_with_own_attendance(self) -> None:
        page = self.client_for("member").get(MINE)
        text = page.content.decode()
        for meeting in (self.held, self.late, self.absent, self.leave, self.unit_lecture):
            self.assertIn(f'data-meeting="{meeting.pk}"', text)
        self.assertIn("下月主题党日", text)
        for meeting in (self.other_branch, self.far, self.committee, self.last_year):
            self.assertNotIn(f'data-meeting="{meeting.pk}"', text)
        for status in ("present", "late", "absent", "leave", "not-yet", "unmarked"):
            self.assertIn(f'data-my-status="{status}"', text)
        self.assertContains(page, "即将召开的会议")

    def test_secretary_sees_the_committee_meeting_she_sits_on(self) -> None:
        page = self.client_for("secretary").get(MINE)
        self.assertContains(page, f'data-meeting="{self.committee.pk}"')
        self.assertEqual(self.client_for("member").get(detail(self.committee)).status_code, 404)
        self.assertEqual(self.client_for("secretary").get(detail(self.committee)).status_code, 200)

    def test_other_branch_member_gets_404_on_this_branch_meeting(self) -> None:
        client = self.client_for("other_secretary")
        self.assertEqual(client.get(detail(self.held)).status_code, 404)
        self.assertEqual(client.get(detail(self.upcoming)).status_code, 404)
        self.assertEqual(client.get(f"{MINE}999999/").status_code, 404)
        page = client.get(MINE)
        self.assertContains(page, f'data-meeting="{self.other_branch.pk}"')
        self.assertNotContains(page, f'data-meeting="{self.held.pk}"')

    def test_a_meeting_attended_elsewhere_stays_visible(self) -> None:
        Attendance.objects.create(
            event=self.far.event, member=self.world.member, status=S.PRESENT, method="manual"
        )
        self.assertEqual(self.client_for("member").get(detail(self.far)).status_code, 200)

    def test_year_is_selectable(self) -> None:
        last = timezone.localdate().year - 1
        page = self.client_for("member").get(f"{MINE}?year={last}")
        self.assertContains(page, f'data-meeting="{self.last_year.pk}"')
        self.assertNotContains(page, f'data-meeting="{self.held.pk}"')
        self.assertNotContains(page, "即将召开的会议")
        self.assertContains(page, f'<option value="{last}" selected>')
        # A year out of range (or nonsense) falls back to this year.
        for raw in ("1900", "abc"):
            page = self.client_for("member").get(f"{MINE}?year={raw}")
            self.assertContains(page, f'data-meeting="{self.held.pk}"')

    def test_past_meetings_are_paginated(self) -> None:
        w = self.world
        for n in range(50):
            # Several an afternoon: the page holds 50 and this year may be young.
            when = slot(6 + n // 4, hour=8 + 2 * (n % 4))
            record(w.users["secretary"], w.branch, "group", title=f"小组会{n}", **when)
        first = self.client_for("member").get(MINE)
        self.assertContains(first, "page=2")
        second = self.client_for("member").get(f"{MINE}?page=2")
        self.assertEqual(second.status_code, 200)
        self.assertContains(second, "data-meeting=")

    def test_detail_shows_what_when_where_and_no_one_elses_data(self) -> None:
        page = self.client_for("member").get(detail(self.held))
        self.assertContains(page, "五月主题党日")
        self.assertContains(page, "党员活动室")
        self.assertContains(page, 'data-my-status="present"')
        self.assertNotContains(page, "张三发言")  # the minutes stay with the branch committee
        self.assertNotContains(page, "王芳 <")  # nobody else's attendance
        self.assertNotContains(page, "/events/")  # no organiser's page
        upcoming = self.client_for("member").get(detail(self.upcoming))
        self.assertContains(upcoming, f"/events/{self.upcoming.event_id}/leave/new/")
        self.assertContains(upcoming, "/events/scan/")

    def test_leave_asked_shows_and_hides_the_leave_button(self) -> None:
        LeaveRequest.objects.create(
            event=self.upcoming.event, member=self.world.member, reason="出差"
        )
        page = self.client_for("member").get(detail(self.upcoming))
        self.assertContains(page, 'data-my-status="leave-pending"')
        self.assertNotContains(page, "/leave/new/")

    def test_menu_and_workbench_lead_here(self) -> None:
        home = self.client_for("member").get("/")
        self.assertContains(home, f'href="{MINE}"')
        self.assertContains(home, f'href="{detail(self.upcoming)}"')
        self.assertNotContains(self.client_for("org_admin").get("/"), f'href="{MINE}"')


class MeetingNoticeTests(PersonaTestCase):
    """Scheduling tells the members expected; moving tells them again; never the scheduler."""

    def schedule(self, **overrides: Any) -> Meeting:
        starts, ends = soon()
        fields: dict[str, Any] = {
            "title": "下月主题党日",
            "starts_at": starts,
            "ends_at": ends,
            "place": "三楼会议室",
            "scheduled": True,
        }
        fields.update(overrides)
        return record(self.world.users["secretary"], self.world.branch, "theme_day", **fields)

    def test_scheduling_notifies_each_expected_member_but_not_the_scheduler(self) -> None:
        meeting = self.schedule()
        notes = Notification.objects.filter(url=detail(meeting))
        self.assertEqual([n.recipient for n in notes], [self.world.users["member"]])
        note = notes.get()
        when = timezone.localtime(meeting.event.starts_at).strftime("%Y-%m-%d %H:%M")
        self.assertIn(when, note.title)
        self.assertIn(when, note.body)
        self.assertIn("三楼会议室", note.body)
        self.assertIn("第一党支部", note.body)
        # The link opens for the member.
        self.assertEqual(self.client_for("member").get(note.url).status_code, 200)

    def test_recording_a_held_meeting_tells_nobody(self) -> None:
        record(self.world.users["secretary"], self.world.branch, "theme_day")
        self.assertFalse(Notification.objects.exists())

    def test_moving_notifies_again_and_other_edits_do_not(self) -> None:
        meeting = self.schedule()
        secretary = self.world.users["secretary"]
        meeting_update(actor=secretary, meeting=meeting, host="李书记", minutes="议程")
        self.assertEqual(Notification.objects.count(), 1)
        later = meeting.event.starts_at + dt.timedelta(days=1)
        meeting_update(
            actor=secretary,
            meeting=meeting,
            starts_at=later,
            ends_at=later + dt.timedelta(hours=2),
        )
        meeting_update(actor=secretary, meeting=meeting, place="党员之家")
        notes = list(Notification.objects.filter(url=detail(meeting)).order_by("id"))
        self.assertEqual(len(notes), 3)
        self.assertTrue(all(n.recipient == self.world.users["member"] for n in notes))
        self.assertIn(timezone.localtime(later).strftime("%Y-%m-%d %H:%M"), notes[1].body)
        self.assertIn("党员之家", notes[2].body)

    def test_the_org_admin_scheduling_notifies_the_secretary_too(self) -> None:
        starts, ends = soon()
        record(
            self.world.users["org_admin"],
            self.world.branch,
            "theme_day",
            starts_at=starts,
            ends_at=ends,
            scheduled=True,
        )
        recipients = set(Notification.objects.values_list("recipient__username", flat=True))
        self.assertEqual(recipients, {"member", "secretary"})

    def test_query_count_does_not_grow_with_the_branch(self) -> None:
        def queries_for(n: int, tag: str) -> int:
            branch = self.world.branch
            for i in range(n):
                member = make_member(branch, f"党员{tag}{i}")
                make_user(f"u{tag}{i}", member=member)
            with CaptureQueriesContext(connection) as ctx:
                self.schedule(title=f"会议{tag}")
            return len(ctx.captured_queries)

        queries_for(0, "warm")  # the first write loads what later ones find cached
        small = queries_for(2, "a")
        large = queries_for(40, "b")
        self.assertEqual(small, large)
        self.assertEqual(Notification.objects.filter(title__contains="会议b").count(), 2 + 40 + 1)

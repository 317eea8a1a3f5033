"""Bulk "mark selected present" on the attendance page, its service and API route, and the words
of the page's closing card: a meeting is ended (结束活动), only a class is closed (结班).

The event is a meeting (a 主题党日) of 第一党支部, held two days ago: its secretary and the org
admin manage it; 李明 (member) is expected, so sees it and gets 403 on writes; the viewer reads
it (403 on writes); the other branch's secretary does not see it (404).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.urls import reverse

from peixun.core.models import AuditEvent
from peixun.events.models import Attendance, Event
from peixun.events.services import attendance_mark, attendance_mark_bulk
from peixun.members.models import Member
from peixun.orglife.models import Meeting
from peixun.orglife.tests.test_meetings_fixtures import record
from peixun.testing import PersonaTestCase, make_member

from .fixtures import class_session

S = Attendance.Status
API = "/api/v1/events/"
PAGE = {
    "anonymous": 302,
    "member": 403,
    "secretary": 302,  # done: back to the attendance page
    "other_secretary": 404,
    "org_admin": 302,
    "viewer": 403,
}
ROUTE = {**PAGE, "anonymous": 401, "secretary": 200, "org_admin": 200}


def body(data: dict[str, Any]) -> dict[str, Any]:
    return {"data": json.dumps(data), "content_type": "application/json"}


class BulkMarkTestCase(PersonaTestCase):
    meeting: ClassVar[Meeting]
    event: ClassVar[Event]
    chen: ClassVar[Member]
    zhou: ClassVar[Member]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.chen = make_member(w.branch, "陈静")
        cls.zhou = make_member(w.branch, "周敏")
        cls.meeting = record(w.users["secretary"], w.branch, "theme_day", title="五月主题党日")
        cls.event = cls.meeting.event

    def page_url(self, name: str = "attendance") -> str:
        return reverse(f"events:{name}", args=[self.event.pk])

    def statuses(self) -> dict[int, str]:
        return dict(Attendance.objects.filter(event=self.event).values_list("member_id", "status"))


class BulkMarkServiceTests(BulkMarkTestCase):
    def test_marks_the_chosen_present_keeping_notes_and_audits_each_change(self) -> None:
        secretary = self.world.users["secretary"]
        attendance_mark(
            actor=secretary, event=self.event, member=self.chen, status=S.LATE, note="堵车"
        )
        attendance_mark(actor=secretary, event=self.event, member=self.zhou, status=S.PRESENT)
        audits = AuditEvent.objects.filter(verb="attendance.mark").count()
        created, updated, same = attendance_mark_bulk(
            actor=secretary,
            event=self.event,
            member_ids=[self.world.member.pk, str(self.chen.pk), self.zhou.pk, self.chen.pk],
            status=S.PRESENT,
        )
        self.assertEqual((created, updated, same), (1, 1, 1))
        self.assertEqual(
            self.statuses(),
            {self.world.member.pk: S.PRESENT, self.chen.pk: S.PRESENT, self.zhou.pk: S.PRESENT},
        )
        chen = Attendance.objects.get(event=self.event, member=self.chen)
        self.assertEqual((chen.note, chen.method), ("堵车", Attendance.Method.MANUAL))
        self.assertEqual(chen.marked_by, secretary)
        # One audit entry per changed row, none for the unchanged one.
        self.assertEqual(AuditEvent.objects.filter(verb="attendance.mark").count(), audits + 2)

    def test_a_member_not_expected_refuses_the_whole_request(self) -> None:
        stranger = self.world.far_member  # another committee's branch
        with self.assertRaises(ValidationError) as caught:
            attendance_mark_bulk(
                actor=self.world.users["secretary"],
                event=self.event,
                member_ids=[self.world.member.pk, stranger.pk],
                status=S.PRESENT,
            )
        self.assertIn(str(stranger.pk), str(caught.exception.message_dict["member"]))
        self.assertFalse(Attendance.objects.filter(event=self.event).exists())

    def test_bad_input_is_refused_and_stores_nothing(self) -> None:
        secretary = self.world.users["secretary"]
        cases: list[tuple[list[Any], str, str]] = [
            ([], S.PRESENT, "member"),
            (["abc"], S.PRESENT, "member"),
            ([self.chen.pk], "asleep", "status"),
            ([999999], S.PRESENT, "member"),
        ]
        for ids, status, field in cases:
            with self.subTest(ids=ids, status=status):
                with self.assertRaises(ValidationError) as caught:
                    attendance_mark_bulk(
                        actor=secretary, event=self.event, member_ids=ids, status=status
                    )
                self.assertIn(field, caught.exception.message_dict)
        self.assertFalse(Attendance.objects.filter(event=self.event).exists())

    def test_a_closed_event_is_refused(self) -> None:
        Event.objects.filter(pk=self.event.pk).update(state=Event.State.CLOSED)
        with self.assertRaises(ValidationError):
            attendance_mark_bulk(
                actor=self.world.users["secretary"],
                event=self.event,
                member_ids=[self.chen.pk],
                status=S.PRESENT,
            )
        self.assertFalse(Attendance.objects.filter(event=self.event).exists())


class BulkMarkPageTests(BulkMarkTestCase):
    def test_personas(self) -> None:
        self.expect_personas(
            self.page_url("attendance_selected"),
            PAGE,
            method="post",
            data={"member": [self.chen.pk]},
        )
        self.assertEqual(self.statuses(), {self.chen.pk: S.PRESENT})

    def test_page_offers_checkboxes_and_marks_the_ticked_present(self) -> None:
        client = self.client_for("secretary")
        page = client.get(self.page_url())
        self.assertContains(page, 'id="bulk-mark"')
        self.assertContains(page, "data-bulk-all")
        self.assertContains(page, f'name="member" value="{self.chen.pk}" form="bulk-mark"')
        self.assertContains(page, "将所选人员记为出席")
        done = client.post(
            self.page_url("attendance_selected"),
            {"member": [self.chen.pk, self.zhou.pk], "q": "陈", "status_filter": "present"},
        )
        self.assertRedirects(
            done, f"{self.page_url()}?q=%E9%99%88&status=present", fetch_redirect_response=False
        )
        self.assertEqual(self.statuses(), {self.chen.pk: S.PRESENT, self.zhou.pk: S.PRESENT})
        self.assertContains(client.get(self.page_url()), "2 人更新")

    def test_nothing_ticked_or_a_stranger_says_why_and_stores_nothing(self) -> None:
        client = self.client_for("secretary")
        empty = client.post(self.page_url("attendance_selected"), {}, follow=True)
        self.assertContains(empty, "请至少选择一名")
        stranger = client.post(
            self.page_url("attendance_selected"),
            {"member": [self.chen.pk, self.world.far_member.pk]},
            follow=True,
        )
        self.assertContains(stranger, "不在本次活动应到名单中")
        self.assertFalse(Attendance.objects.filter(event=self.event).exists())

    def test_closed_event_shows_no_checkboxes(self) -> None:
        Event.objects.filter(pk=self.event.pk).update(state=Event.State.CLOSED)
        page = self.client_for("secretary").get(self.page_url())
        self.assertNotContains(page, 'id="bulk-mark"')
        self.assertNotContains(page, 'form="bulk-mark"')


class BulkMarkApiTests(BulkMarkTestCase):
    def test_personas(self) -> None:
        self.expect_personas(
            f"{API}{self.event.pk}/attendance/selected",
            ROUTE,
            method="post",
            **body({"members": [self.chen.pk]}),
        )
        self.assertEqual(self.statuses(), {self.chen.pk: S.PRESENT})

    def test_outcome_and_bad_input(self) -> None:
        client = self.client_for("org_admin")
        url = f"{API}{self.event.pk}/attendance/selected"
        done = client.post(url, **body({"members": [self.chen.pk, self.zhou.pk], "status": "late"}))
        self.assertEqual(done.json(), {"created": 2, "updated": 0, "unchanged": 0})
        again = client.post(url, **body({"members": [self.chen.pk], "status": "late"}))
        self.assertEqual(again.json(), {"created": 0, "updated": 0, "unchanged": 1})
        before = self.statuses()
        bad: tuple[dict[str, Any], ...] = (
            {"members": []},
            {"members": [self.chen.pk, self.world.far_member.pk]},
            {"members": [self.chen.pk], "status": "asleep"},
            {"members": "many"},
        )
        for data in bad:
            with self.subTest(data=data):
                self.assertEqual(client.post(url, **body(data)).status_code, 422)
        self.assertEqual(self.statuses(), before)


class ClosingWordsTests(BulkMarkTestCase):
    """A meeting is ended, never 结班; a class session still points to its class's 结班."""

    def test_meeting_attendance_page_never_says_class_closing(self) -> None:
        client = self.client_for("secretary")
        page = client.get(self.page_url())
        self.assertContains(page, "结束活动并记入学时")
        self.assertNotContains(page, "结班")
        self.assertNotContains(page, "前往培训班")
        done = client.post(self.page_url("close"), follow=True)
        self.assertContains(done, "活动已结束，出勤学时已记入学时台账")
        self.assertContains(done, "结束")
        self.assertNotContains(done, "结班")
        detail = client.get(f"/orglife/{self.meeting.pk}/")
        self.assertNotContains(detail, "结班")

    def test_class_session_keeps_the_class_words(self) -> None:
        fx = class_session(self.world)
        page = self.client_for("org_admin").get(reverse("events:attendance", args=[fx.event.pk]))
        self.assertContains(page, "结班")
        self.assertContains(page, "前往培训班结班")
        self.assertNotContains(page, "结束活动并记入学时")

"""我的培训: a member's upcoming sessions (with the leave link), classes, completed classes with
hours and certificates, make-ups owed, and open classes that fit them; the page and GET /mine."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

from django.urls import reverse
from django.utils import timezone

from peixun.events.models import Attendance, LeaveRequest
from peixun.events.tests.fixtures import add_session, enrol, make_class
from peixun.members.models import Member
from peixun.testing import PersonaTestCase
from peixun.training.models import Session, TrainingClass
from peixun.training.selectors import classes_open_for_member
from peixun.training.services.closing import class_close
from peixun.training.services.makeup import makeup_assign

from .test_closing_fixtures import DAY, Closable, closable_class, complete, mark_all

MINE = "/training/mine/"


class MineTests(PersonaTestCase):
    done: ClassVar[Closable]
    current: ClassVar[TrainingClass]
    upcoming: ClassVar[Session]
    open_class: ClassVar[TrainingClass]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        admin = w.users["org_admin"]
        cls.done = closable_class(w)
        mark_all(cls.done)
        complete(cls.done, admin)
        class_close(actor=admin, training_class=cls.done.training_class)
        today = timezone.localdate()
        cls.current = make_class(
            w.root,
            title="第二期专题班",
            audience_org=w.unit,
            starts_on=today - dt.timedelta(days=2),
            ends_on=today + dt.timedelta(days=3),
        )
        missed = add_session(cls.current, starts_in=-2 * DAY, title="开班第一讲")
        cls.upcoming = add_session(cls.current, starts_in=DAY, title="开班第二讲")
        enrol(cls.current, w.member)
        Attendance.objects.create(
            event=missed.event, member=w.member, status="absent", method="manual"
        )
        cls.open_class = make_class(
            w.root,
            title="第三期党性教育班",
            audience_org=w.unit,
            starts_on=today + dt.timedelta(days=20),
            ends_on=today + dt.timedelta(days=22),
            audience_statuses=[Member.Status.FULL],
        )
        # Not for 李明: another subtree, and another status.
        make_class(
            w.root,
            title="外单位班",
            audience_org=w.far_unit,
            starts_on=today + dt.timedelta(days=20),
            ends_on=today + dt.timedelta(days=22),
        )
        make_class(
            w.root,
            title="发展对象班",
            audience_org=w.unit,
            starts_on=today + dt.timedelta(days=20),
            ends_on=today + dt.timedelta(days=22),
            audience_statuses=[Member.Status.CANDIDATE],
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
            "/api/v1/training/mine",
            {
                "anonymous": 401,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 404,
                "viewer": 404,
            },
        )

    def test_page_shows_everything_of_the_member(self) -> None:
        page = self.client_for("member").get(MINE).content.decode()
        # Upcoming session with the leave link.
        self.assertIn("开班第二讲", page)
        self.assertIn(reverse("events:leave_new", args=[self.upcoming.event_id]), page)
        # The class now, with its dispatch notice.
        self.assertIn("第二期专题班", page)
        self.assertIn(reverse("training:notice", args=[self.current.pk]), page)
        # Make-up owed for the missed session.
        self.assertIn("待补训", page)
        self.assertIn("开班第一讲", page)
        # Completed class with the hours and the certificate.
        self.assertIn("党员集中轮训班", page)
        self.assertIn("已记12学时", page)
        self.assertIn(
            reverse(
                "training:certificate", args=[self.done.training_class.pk, self.world.member.pk]
            ),
            page,
        )
        # Open classes that fit: only the one for full members of the unit.
        self.assertIn("第三期党性教育班", page)
        self.assertNotIn("外单位班", page)
        self.assertNotIn("发展对象班", page)

    def test_leave_asked_replaces_the_link(self) -> None:
        LeaveRequest.objects.create(
            event=self.upcoming.event, member=self.world.member, reason="出差"
        )
        page = self.client_for("member").get(MINE).content.decode()
        self.assertIn("请假：待审核", page)
        self.assertNotIn(reverse("events:leave_new", args=[self.upcoming.event_id]), page)

    def test_assigned_makeup_session_is_upcoming(self) -> None:
        missed = Session.objects.get(event__title="开班第一讲")
        makeup_class = make_class(self.world.root, title="补训班", audience_org=self.world.unit)
        target = add_session(makeup_class, starts_in=2 * DAY, title="补训专场")
        makeup_assign(
            actor=self.user("org_admin"),
            member=self.world.member,
            missed_event=missed.event,
            assigned_event=target.event,
        )
        data = self.client_for("member").get("/api/v1/training/mine").json()
        (makeup,) = data["makeups"]
        self.assertEqual((makeup["state"], makeup["assigned_title"]), ("assigned", "补训专场"))
        self.assertEqual(
            [(u["title"], u["makeup"]) for u in data["upcoming"]],
            [("开班第二讲", False), ("补训专场", True)],
        )
        page = self.client_for("member").get(MINE).content.decode()
        self.assertIn("补训专场", page)
        self.assertIn(reverse("events:leave_new", args=[target.event_id]), page)

    def test_empty_states(self) -> None:
        page = self.client_for("other_secretary").get(MINE).content.decode()
        for text in (
            "暂无即将开始的课次",
            "您目前没有参加培训班",
            "暂无已结业的培训班",
        ):
            self.assertIn(text, page)

    def test_api_shape(self) -> None:
        data = self.client_for("member").get("/api/v1/training/mine").json()
        self.assertEqual(data["member"]["name"], "李明")
        self.assertEqual([u["title"] for u in data["upcoming"]], ["开班第二讲"])
        self.assertIsNone(data["upcoming"][0]["leave_state"])
        self.assertEqual([c["title"] for c in data["classes"]], ["第二期专题班"])
        (completed,) = data["completed"]
        self.assertEqual(completed["hours_credited"], "12.00")
        self.assertTrue(
            completed["certificate_url"].endswith(f"/certificate/{self.world.member.pk}/")
        )
        self.assertEqual([m["missed_title"] for m in data["makeups"]], ["开班第一讲"])
        self.assertEqual([c["title"] for c in data["open_classes"]], ["第三期党性教育班"])

    def test_open_classes_leave_out_those_already_joined_and_past(self) -> None:
        today = timezone.localdate()
        titles = [c.title for c in classes_open_for_member(self.world.member.pk, today)]
        self.assertEqual(titles, ["第三期党性教育班"])
        enrol(self.open_class, self.world.member)
        self.assertEqual(classes_open_for_member(self.world.member.pk, today), [])
        self.assertEqual(classes_open_for_member(999999, today), [])

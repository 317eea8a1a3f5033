"""Online classes: their rules, the progress figures per branch (worked out by hand from the
story in `classes_fixtures`), who has not started, and reminders."""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from peixun.core.models import AuditEvent, Notification
from peixun.members.models import Member
from peixun.testing import PersonaTestCase

from ..models import Course, OnlineClass
from ..selectors.classes import branch_progress, classes_for_member, not_started_members
from ..services.classes import (
    online_class_cancel,
    online_class_create,
    online_class_publish,
    online_class_remind,
    online_class_set_courses,
    online_class_update,
)
from .classes_fixtures import ClassStory, class_story, complete, make_course


class ProgressTests(PersonaTestCase):
    story: ClassVar[ClassStory]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.story = class_story(cls.world)

    def figures(self, persona: str) -> dict[str, tuple[int, int, int, int]]:
        rows, total = branch_progress(self.user(persona), self.story.online_class)
        out = {r.org.name: (r.audience, r.not_started, r.in_progress, r.completed) for r in rows}
        out["合计"] = (total.audience, total.not_started, total.in_progress, total.completed)
        return out

    def test_the_org_admin_sees_every_branch_of_the_audience(self) -> None:
        # 第一党支部: 李明 completed, 王芳 in progress, 周涛 not started (吴敏 exempt and 陈新
        # an activist are outside); 第二党支部: 赵强 not started; 孙丽's unit is not the audience.
        self.assertEqual(
            self.figures("org_admin"),
            {"第一党支部": (3, 1, 1, 1), "第二党支部": (1, 1, 0, 0), "合计": (4, 2, 1, 1)},
        )

    def test_a_secretary_sees_the_branch_only(self) -> None:
        self.assertEqual(
            self.figures("secretary"), {"第一党支部": (3, 1, 1, 1), "合计": (3, 1, 1, 1)}
        )
        self.assertEqual(
            self.figures("other_secretary"), {"第二党支部": (1, 1, 0, 0), "合计": (1, 1, 0, 0)}
        )

    def test_electives_count_towards_the_minimum_only(self) -> None:
        # 王芳 completes A and B: required done, but no elective yet, so still in progress.
        world = self.world
        complete(world.secretary_member, self.story.courses["A"])
        complete(world.secretary_member, self.story.courses["B"])
        self.assertEqual(self.figures("secretary")["第一党支部"], (3, 1, 1, 1))
        complete(world.secretary_member, self.story.courses["D"])
        self.assertEqual(self.figures("secretary")["第一党支部"], (3, 1, 0, 2))

    def test_not_started_lists_by_branch_and_searches_by_name(self) -> None:
        names = [
            m.name for m in not_started_members(self.user("org_admin"), self.story.online_class)
        ]
        self.assertEqual(names, ["周涛", "赵强"])
        found = not_started_members(self.user("org_admin"), self.story.online_class, q="赵")
        self.assertEqual([m.name for m in found], ["赵强"])
        mine = not_started_members(self.user("secretary"), self.story.online_class)
        self.assertEqual([m.name for m in mine], ["周涛"])

    def test_a_class_without_courses_has_everyone_not_started(self) -> None:
        oc = online_class_create(
            actor=self.user("org_admin"),
            org=self.world.unit,
            data={"title": "空班", "starts_on": timezone.localdate(),
                  "ends_on": timezone.localdate()},
        )  # fmt: skip
        _rows, total = branch_progress(self.user("org_admin"), oc)
        # Every member of the unit but the exempt one: statuses unrestricted, so 陈新 counts.
        self.assertEqual((total.audience, total.not_started, total.completed), (5, 5, 0))

    def test_the_member_sees_the_classes_they_are_in(self) -> None:
        self.assertEqual(
            [c.pk for c in classes_for_member(self.world.member)], [self.story.online_class.pk]
        )
        self.assertEqual(classes_for_member(self.world.far_member), [])
        activist = Member.objects.get(name="陈新")
        self.assertEqual(classes_for_member(activist), [])
        later = timezone.localdate() + dt.timedelta(days=60)
        self.assertEqual(classes_for_member(self.world.member, on=later), [])


class RemindTests(PersonaTestCase):
    story: ClassVar[ClassStory]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.story = class_story(cls.world)

    def told(self, user_id: int) -> int:
        return Notification.objects.filter(recipient_id=user_id, title__contains="提醒").count()

    def test_each_member_is_told_once_a_day_and_it_is_audited(self) -> None:
        oc = self.story.online_class
        # The secretary's branch: 周涛 has not started (李明 and 王芳 have).
        self.assertEqual(online_class_remind(actor=self.user("secretary"), online_class=oc), 1)
        self.assertEqual(self.told(self.story.zhou_user.pk), 1)
        self.assertEqual(self.told(self.user("member").pk), 0)
        self.assertEqual(online_class_remind(actor=self.user("secretary"), online_class=oc), 0)
        # The org admin: 周涛 already had today's; 赵强 (the other branch's secretary) now.
        self.assertEqual(online_class_remind(actor=self.user("org_admin"), online_class=oc), 1)
        self.assertEqual(self.told(self.story.zhou_user.pk), 1)
        self.assertEqual(self.told(self.user("other_secretary").pk), 1)
        # (Publishing the class told them too, under its own key: test_polish.)
        note = Notification.objects.get(
            recipient=self.user("other_secretary"), dedupe_key__startswith="learning-class-remind"
        )
        self.assertIn(oc.title, note.title)
        self.assertEqual(note.event_date, oc.ends_on)
        events = AuditEvent.objects.filter(verb="learning.online_class.remind").order_by("id")
        self.assertEqual(
            [e.after for e in events],
            [{"waiting": 1, "told": 1}, {"waiting": 1, "told": 0}, {"waiting": 2, "told": 1}],
        )

    def test_readers_may_not_remind_and_a_closed_class_is_refused(self) -> None:
        oc = self.story.online_class
        with self.assertRaises(PermissionDenied):
            online_class_remind(actor=self.user("viewer"), online_class=oc)
        OnlineClass.objects.filter(pk=oc.pk).update(
            ends_on=timezone.localdate() - dt.timedelta(days=1)
        )
        oc.refresh_from_db()
        with self.assertRaises(ValidationError):
            online_class_remind(actor=self.user("org_admin"), online_class=oc)
        self.assertFalse(Notification.objects.filter(title__contains="提醒").exists())


class RulesTests(PersonaTestCase):
    def data(self, **over: Any) -> dict[str, Any]:
        today = timezone.localdate()
        return {"title": "网络专题班", "year": today.year, "starts_on": today,
                "ends_on": today + dt.timedelta(days=30)} | over  # fmt: skip

    def test_bad_input_is_refused_by_field_and_nothing_is_stored(self) -> None:
        admin = self.user("org_admin")
        today = timezone.localdate()
        cases: dict[str, dict[str, Any]] = {
            "title": {"title": "  "},
            "ends_on": {"ends_on": today - dt.timedelta(days=1)},
            "starts_on": {"starts_on": "2025-01-01"},
            "year": {"year": today.year + 5},
            "audience_org": {"audience_org": self.world.far_branch},
            "audience_statuses": {"audience_statuses": ["king"]},
            "elective_minimum": {"elective_minimum": -1},
        }
        for field, bad in cases.items():
            with self.subTest(field), self.assertRaises(ValidationError) as caught:
                online_class_create(actor=admin, org=self.world.unit, data=self.data(**bad))
            self.assertIn(field, caught.exception.message_dict)
        self.assertFalse(OnlineClass.objects.exists())

    def test_only_managers_of_the_organiser_create_and_change(self) -> None:
        with self.assertRaises(PermissionDenied):
            online_class_create(actor=self.user("viewer"), org=self.world.unit, data=self.data())
        with self.assertRaises(PermissionDenied):
            online_class_create(actor=self.user("secretary"), org=self.world.unit, data=self.data())
        oc = online_class_create(
            actor=self.user("secretary"), org=self.world.branch, data=self.data()
        )
        self.assertEqual(oc.audience_org, self.world.branch)
        with self.assertRaises(PermissionDenied):
            online_class_update(
                actor=self.user("other_secretary"), online_class=oc, data={"title": "x"}
            )
        online_class_update(actor=self.user("secretary"), online_class=oc, data={"title": "新题目"})
        oc.refresh_from_db()
        self.assertEqual(oc.title, "新题目")
        event = AuditEvent.objects.filter(verb="learning.online_class.update").get()
        self.assertEqual((event.before["title"], event.after["title"]), ("网络专题班", "新题目"))

    def test_courses_must_be_open_to_the_whole_audience(self) -> None:
        admin = self.user("org_admin")
        oc = online_class_create(actor=admin, org=self.world.unit, data=self.data())
        above = make_course(self.world.root, "上级课程")
        below = make_course(self.world.branch, "支部课程")
        draft = make_course(self.world.unit, "草稿课程", published=False)
        for bad in (below, draft):
            with self.subTest(bad.title), self.assertRaises(ValidationError) as caught:
                online_class_set_courses(actor=admin, online_class=oc, required=[bad])
            self.assertIn(bad.title, caught.exception.messages[0])
        online_class_set_courses(actor=admin, online_class=oc, required=[above], electives=[above])
        self.assertEqual(list(oc.assignments.values_list("required", flat=True)), [True])

    def test_publishing_needs_courses_and_enough_electives(self) -> None:
        admin = self.user("org_admin")
        oc = online_class_create(
            actor=admin, org=self.world.unit, data=self.data(elective_minimum=2)
        )
        with self.assertRaises(ValidationError) as caught:
            online_class_publish(actor=admin, online_class=oc)
        self.assertIn("courses", caught.exception.message_dict)
        course = make_course(self.world.root, "课程")
        online_class_set_courses(actor=admin, online_class=oc, required=[], electives=[course])
        with self.assertRaises(ValidationError) as caught:
            online_class_publish(actor=admin, online_class=oc)
        self.assertIn("elective_minimum", caught.exception.message_dict)
        online_class_update(actor=admin, online_class=oc, data={"elective_minimum": 1})
        oc = online_class_publish(actor=admin, online_class=oc)
        self.assertEqual(oc.state, OnlineClass.State.PUBLISHED)
        # A course retired after publishing is refused when the courses are set again.
        Course.objects.filter(pk=course.pk).update(state=Course.State.RETIRED)
        with self.assertRaises(ValidationError):
            online_class_set_courses(actor=admin, online_class=oc, required=[course])
        online_class_cancel(actor=admin, online_class=oc)
        with self.assertRaises(ValidationError):
            online_class_update(actor=admin, online_class=oc, data={"title": "x"})

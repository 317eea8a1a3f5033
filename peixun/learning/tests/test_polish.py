"""Issue 16's leftovers: publishing a class tells its audience; a course an open class requires
cannot be retired; unapplied uploads expire; an earlier review's picks are followed on
re-import; completions that credited nothing are shown to staff."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.test import override_settings
from django.utils import timezone

from peixun.core.models import AuditEvent, Notification
from peixun.learning.models import (
    Completion,
    Course,
    ExternalRecord,
    ExternalSource,
    ImportBatch,
    ImportLine,
    OnlineClass,
)
from peixun.learning.selectors.catalogue import uncredited_completions
from peixun.learning.services.classes import (
    online_class_cancel,
    online_class_publish,
    online_class_set_courses,
)
from peixun.learning.services.courses import course_retire
from peixun.learning.services.imports import (
    import_apply_request,
    import_line_pick,
    import_upload,
)
from peixun.learning.services.imports.batches import imports_expire
from peixun.members.models import Member, Membership
from peixun.orgs.models import Organization
from peixun.testing import PersonaTestCase, make_member, make_org, make_user

from .classes_fixtures import class_story, make_course
from .import_fixtures import export_xlsx, make_source, upload

DAY = "2025-03-01"


class PublishNotifiesTest(PersonaTestCase):
    def test_publishing_tells_the_audience_once_and_is_audited(self) -> None:
        w = self.world
        story = class_story(w, publish=False)
        exempt = Member.objects.get(name="吴敏")
        exempt_user = make_user("wumin", member=exempt)
        far_user = make_user("far", member=w.far_member)
        online_class_publish(actor=self.user("org_admin"), online_class=story.online_class)
        told = set(
            Notification.objects.filter(
                dedupe_key=f"learning-class-published:{story.online_class.pk}"
            ).values_list("recipient_id", flat=True)
        )
        expected = {
            self.user("member").pk,
            self.user("secretary").pk,
            self.user("other_secretary").pk,
            story.zhou_user.pk,
        }
        self.assertEqual(told, expected)
        self.assertNotIn(exempt_user.pk, told)  # exempt (Art. 23): not asked to study
        self.assertNotIn(far_user.pk, told)  # outside the audience org
        note = Notification.objects.get(recipient=story.zhou_user)
        self.assertIn(story.online_class.title, note.title)
        self.assertEqual(note.url, "/learning/mine/")
        self.assertEqual(note.event_date, story.online_class.starts_on)
        event = AuditEvent.objects.get(verb="learning.online_class.publish")
        self.assertEqual((event.after or {}).get("told"), 4)
        # Publishing again is refused, and nobody is told twice.
        with self.assertRaises(ValidationError):
            online_class_publish(actor=self.user("org_admin"), online_class=story.online_class)
        self.assertEqual(Notification.objects.filter(recipient=story.zhou_user).count(), 1)

    def test_the_publisher_is_not_told(self) -> None:
        story = class_story(self.world, publish=False)
        online_class_publish(actor=self.user("secretary"), online_class=_branch_class(self, story))
        self.assertFalse(Notification.objects.filter(recipient=self.user("secretary")).exists())
        self.assertTrue(Notification.objects.filter(recipient=self.user("member")).exists())


def _branch_class(test: PersonaTestCase, story: Any) -> OnlineClass:
    """A class the branch's secretary organises for the branch, with course A."""
    from peixun.learning.services.classes import online_class_create

    today = timezone.localdate()
    secretary = test.user("secretary")
    online_class = online_class_create(
        actor=secretary,
        org=test.world.branch,
        data={"title": "支部网络专题班", "starts_on": today, "ends_on": today},
    )
    online_class_set_courses(
        actor=secretary, online_class=online_class, required=[story.courses["A"]]
    )
    return online_class


class RetireRefusedTest(PersonaTestCase):
    def test_a_course_an_open_class_requires_cannot_be_retired(self) -> None:
        story = class_story(self.world)
        course = story.courses["A"]
        with self.assertRaises(ValidationError) as caught:
            course_retire(actor=self.user("org_admin"), course=course)
        message = " ".join(caught.exception.messages)
        self.assertIn(story.online_class.title, message)
        self.assertIn(self.world.unit.name, message)
        course.refresh_from_db()
        self.assertEqual(course.state, Course.State.PUBLISHED)
        self.assertFalse(AuditEvent.objects.filter(verb="learning.course.retire").exists())

    def test_an_elective_a_draft_an_ended_or_cancelled_class_does_not_hold_a_course(self) -> None:
        story = class_story(self.world)
        # An elective: the class's members may finish with the other one.
        retired = course_retire(actor=self.user("org_admin"), course=story.courses["D"])
        self.assertEqual(retired.state, Course.State.RETIRED)
        # The class has ended.
        yesterday = timezone.localdate() - dt.timedelta(days=1)
        OnlineClass.objects.filter(pk=story.online_class.pk).update(ends_on=yesterday)
        self.assertEqual(
            course_retire(actor=self.user("org_admin"), course=story.courses["A"]).state,
            Course.State.RETIRED,
        )

    def test_a_cancelled_class_or_a_draft_does_not_hold_a_course(self) -> None:
        story = class_story(self.world)
        online_class_cancel(actor=self.user("org_admin"), online_class=story.online_class)
        self.assertEqual(
            course_retire(actor=self.user("org_admin"), course=story.courses["B"]).state,
            Course.State.RETIRED,
        )
        draft = class_story_draft(self)
        self.assertEqual(
            course_retire(actor=self.user("org_admin"), course=draft).state,
            Course.State.RETIRED,
        )

    def test_the_staff_page_shows_the_refusal(self) -> None:
        story = class_story(self.world)
        course = story.courses["A"]
        response = self.client_for("org_admin").post(
            f"/learning/catalogue/{course.pk}/retire/", follow=True
        )
        self.assertContains(response, story.online_class.title)
        course.refresh_from_db()
        self.assertEqual(course.state, Course.State.PUBLISHED)


def class_story_draft(test: PersonaTestCase) -> Course:
    """A course required only by a draft class."""
    from peixun.learning.services.classes import online_class_create

    course = make_course(test.world.root, "草稿班的课")
    today = timezone.localdate()
    online_class = online_class_create(
        actor=test.user("org_admin"),
        org=test.world.unit,
        data={"title": "草稿班", "starts_on": today, "ends_on": today},
    )
    online_class_set_courses(
        actor=test.user("org_admin"), online_class=online_class, required=[course]
    )
    return course


class ImportsExpireTest(PersonaTestCase):
    source: ClassVar[ExternalSource]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.source = make_source(cls.world.root)

    def upload(self) -> ImportBatch:
        # Nobody in the roster: the line waits for review, so the batch stays checked.
        data = export_xlsx([["无此人", "", "", "", DAY, 1, 1, ""]])
        batch = import_upload(
            actor=self.user("org_admin"), source=self.source, period="2025", upload=upload(data)
        )
        batch.refresh_from_db()
        return batch

    def age(self, batch: ImportBatch, days: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(
            created_at=timezone.now() - dt.timedelta(days=days)
        )

    @override_settings(LEARNING_IMPORT_KEEP_DAYS=7)
    def test_an_unapplied_upload_is_deleted_after_the_keep_period(self) -> None:
        old, recent = self.upload(), self.upload()
        self.assertEqual(old.status, ImportBatch.Status.CHECKED)
        name, kept = str(old.file.name), str(recent.file.name)
        self.assertTrue(default_storage.exists(name))
        self.age(old, 8)
        self.age(recent, 6)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(imports_expire(), 1)
        old.refresh_from_db()
        recent.refresh_from_db()
        self.assertEqual(old.status, ImportBatch.Status.EXPIRED)
        self.assertFalse(old.file)
        self.assertFalse(default_storage.exists(name))
        self.assertIn("7", old.error)
        self.assertEqual(recent.status, ImportBatch.Status.CHECKED)
        self.assertTrue(default_storage.exists(kept))
        event = AuditEvent.objects.get(verb="learning.import_expire")
        self.assertEqual(event.after, {"status": "expired", "file_deleted": True})
        # Run again: nothing more to do; an expired batch cannot be applied.
        self.assertEqual(imports_expire(), 0)
        with self.assertRaises(ValidationError):
            import_apply_request(actor=self.user("org_admin"), batch=old)
        default_storage.delete(kept)

    def test_applied_and_failed_batches_are_left_alone(self) -> None:
        applied = ImportBatch.objects.create(
            source=self.source, period="2025", filename="a.xlsx",
            status=ImportBatch.Status.APPLIED,
        )  # fmt: skip
        applying = ImportBatch.objects.create(
            source=self.source, period="2025", filename="b.xlsx",
            status=ImportBatch.Status.APPLYING,
        )  # fmt: skip
        for batch in (applied, applying):
            self.age(batch, 30)
        self.assertEqual(imports_expire(), 0)
        self.assertEqual(
            set(ImportBatch.objects.values_list("status", flat=True)),
            {ImportBatch.Status.APPLIED, ImportBatch.Status.APPLYING},
        )

    def test_the_job_is_registered(self) -> None:
        from peixun.core.jobs import registered_jobs

        self.assertIn("learning.imports_expire", [job.name for job in registered_jobs()])


class RememberedPicksTest(PersonaTestCase):
    source: ClassVar[ExternalSource]
    wang_one: ClassVar[Member]
    wang_two: ClassVar[Member]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.source = make_source(w.root)
        cls.wang_one = make_member(w.branch, "王伟", mobile="13800000011")
        cls.wang_two = make_member(w.other_branch, "王伟", mobile="13800000012")

    ROWS: ClassVar[list[list[Any]]] = [
        ["王伟", "", "", "测试局", DAY, 3, 8, ""],
        ["无此人", "", "", "某单位", DAY, 1, 1, ""],
    ]

    def check(self, rows: list[list[Any]], source: ExternalSource | None = None) -> ImportBatch:
        batch = import_upload(
            actor=self.user("org_admin"),
            source=source or self.source,
            period="2025",
            upload=upload(export_xlsx(rows)),
        )
        batch.refresh_from_db()
        return batch

    def test_the_same_file_again_asks_nothing_and_changes_nothing(self) -> None:
        first = self.check(self.ROWS)
        self.assertEqual(first.review, 2)
        admin = self.user("org_admin")
        import_line_pick(actor=admin, line=first.lines.get(name="王伟"), member=self.wang_two)
        import_line_pick(actor=admin, line=first.lines.get(name="无此人"), member=None)
        import_apply_request(actor=admin, batch=first)
        self.assertEqual(ExternalRecord.objects.get().member, self.wang_two)

        again = self.check(self.ROWS)
        self.assertEqual((again.review, again.matched, again.unchanged), (0, 1, 1))
        wang = again.lines.get(name="王伟")
        self.assertEqual(
            (wang.member, wang.match, wang.state),
            (self.wang_two, ImportLine.Match.REMEMBERED, ImportLine.State.MATCHED),
        )
        nobody = again.lines.get(name="无此人")
        self.assertEqual(
            (nobody.state, nobody.match), (ImportLine.State.SKIPPED, ImportLine.Match.REMEMBERED)
        )
        import_apply_request(actor=admin, batch=again)
        again.refresh_from_db()
        self.assertEqual(again.status, ImportBatch.Status.APPLIED)
        self.assertEqual(ExternalRecord.objects.get().hours, Decimal(3))

        # A remembered line may still be changed by a reviewer of the next batch, and the
        # third import follows the latest decision.
        third = self.check(self.ROWS)
        import_line_pick(actor=admin, line=third.lines.get(name="王伟"), member=self.wang_one)
        fourth = self.check(self.ROWS)
        self.assertEqual(fourth.lines.get(name="王伟").member, self.wang_one)

    def test_a_pick_is_not_followed_for_another_unit_source_or_a_member_gone(self) -> None:
        admin = self.user("org_admin")
        first = self.check(self.ROWS[:1])
        import_line_pick(actor=admin, line=first.lines.get(), member=self.wang_two)
        # Another unit in the file: another row identity, asked again.
        other_unit = self.check([["王伟", "", "", "另一单位", DAY, 3, 8, ""]])
        self.assertEqual(other_unit.lines.get().state, ImportLine.State.REVIEW)
        # Another source of the same org: its own reviews only.
        other_source = self.check(self.ROWS[:1], source=make_source(self.world.root, "干部网院"))
        self.assertEqual(other_source.lines.get().state, ImportLine.State.REVIEW)
        # The member picked has left the source's tree: asked again.
        elsewhere = make_org(None, "Z01", "别处工委", Organization.Kind.WORKING_COMMITTEE)
        Member.objects.filter(pk=self.wang_two.pk).update(org=elsewhere)
        gone = self.check(self.ROWS[:1])
        line = gone.lines.get()
        self.assertEqual((line.state, line.member), (ImportLine.State.REVIEW, None))


class UncreditedCompletionsTest(PersonaTestCase):
    def uncredited(self) -> Completion:
        w = self.world
        # 新人 registered in the branch only from today: a completion last month credits nothing.
        newcomer = make_member(w.branch, "新来的")
        Membership.objects.filter(member=newcomer).update(since=timezone.localdate())
        course = make_course(w.root, "党章学习")
        return Completion.objects.create(
            member=newcomer,
            course=course,
            org=w.branch,
            completed_at=timezone.now() - dt.timedelta(days=30),
            hours=Decimal("0.5"),
        )

    def test_the_selector_lists_them_with_the_reason_in_scope(self) -> None:
        completion = self.uncredited()
        rows = uncredited_completions(self.user("secretary"))
        self.assertEqual([r.completion for r in rows], [completion])
        day = timezone.localdate(completion.completed_at).isoformat()
        self.assertIn(day, rows[0].reason)
        self.assertEqual(uncredited_completions(self.user("other_secretary")), [])
        self.assertEqual(len(uncredited_completions(self.user("viewer"))), 1)

    def test_a_registered_member_without_credit_gets_the_other_reason(self) -> None:
        w = self.world
        course = make_course(w.root, "党史")
        Completion.objects.create(
            member=w.member, course=course, org=w.branch, completed_at=timezone.now(),
            hours=Decimal("1"),
        )  # fmt: skip
        (row,) = uncredited_completions(self.user("org_admin"))
        self.assertNotIn("登记", row.reason)

    def test_the_strikes_page_shows_them_to_staff_who_read_the_branch(self) -> None:
        self.uncredited()
        page = self.client_for("secretary").get("/learning/strikes/")
        self.assertContains(page, "新来的")
        self.assertContains(page, "未入账的完成记录")
        self.assertContains(page, "党章学习")
        for persona in ("org_admin", "viewer"):
            self.assertContains(self.client_for(persona).get("/learning/strikes/"), "新来的")
        other = self.client_for("other_secretary").get("/learning/strikes/")
        self.assertEqual(other.status_code, 200)
        self.assertNotContains(other, "新来的")
        self.assertNotContains(other, "未入账的完成记录")
        self.assertEqual(self.client_for("member").get("/learning/strikes/").status_code, 404)

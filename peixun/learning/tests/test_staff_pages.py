"""The staff pages of online learning, persona by persona: who gets each page, what they see,
bad input, and the progress 台账 read back with openpyxl."""

from __future__ import annotations

import datetime as dt
import io
from typing import ClassVar

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from peixun.core.models import AuditEvent
from peixun.testing import PersonaTestCase, download_names, ledger_rows

from ..models import Course, CourseItem, OnlineClass, Strike
from ..services.classes import online_class_create
from .classes_fixtures import ClassStory, class_story, make_course


class ClassPagesTests(PersonaTestCase):
    story: ClassVar[ClassStory]
    branch_class: ClassVar[OnlineClass]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.story = class_story(cls.world)
        # A class of the first branch alone: the second branch's secretary never sees it.
        today = timezone.localdate()
        cls.branch_class = online_class_create(
            actor=cls.world.users["secretary"],
            org=cls.world.branch,
            data={"title": "第一支部网络学习", "starts_on": today, "ends_on": today},
        )

    def url(self, suffix: str = "", oc: OnlineClass | None = None) -> str:
        return f"/learning/classes/{(oc or self.story.online_class).pk}/{suffix}"

    def test_who_reads_the_pages(self) -> None:
        readers = {"anonymous": 302, "member": 404, "secretary": 200, "other_secretary": 200,
                   "org_admin": 200, "viewer": 200}  # fmt: skip
        for url in ("/learning/classes/", self.url(), self.url() + "?tab=absent",
                    self.url() + "?tab=courses", self.url("progress.xlsx")):  # fmt: skip
            with self.subTest(url):
                self.expect_personas(url, readers)
        self.expect_personas(self.url(oc=self.branch_class), readers | {"other_secretary": 404})

    def test_who_writes(self) -> None:
        # The unit's class: only the org admin above manages it; readers get 403, a plain
        # member 404, and another branch's class is out of sight (404).
        editors = {"anonymous": 302, "member": 404, "secretary": 403, "other_secretary": 403,
                   "org_admin": 200, "viewer": 403}  # fmt: skip
        self.expect_personas(self.url("edit/"), editors)
        self.expect_personas(self.url("courses/"), editors)
        self.expect_personas("/learning/classes/new/", editors | {
            "secretary": 200, "other_secretary": 200})  # fmt: skip
        self.expect_personas(self.url("edit/", self.branch_class), editors | {
            "secretary": 200, "other_secretary": 404})  # fmt: skip
        self.expect_personas(self.url("cancel/", self.branch_class), {
            "anonymous": 302, "member": 404, "secretary": 302, "other_secretary": 404,
            "org_admin": 302, "viewer": 403}, method="post")  # fmt: skip

    def test_remind_personas(self) -> None:
        self.expect_personas(self.url("remind/"), {
            "anonymous": 302, "member": 404, "secretary": 302, "other_secretary": 302,
            "org_admin": 302, "viewer": 403}, method="post")  # fmt: skip
        page = self.client_for("secretary").get(self.url() + "?tab=absent")
        self.assertContains(page, self.url("remind/"))
        self.assertContains(page, "周涛")
        self.assertNotContains(page, "赵强")
        viewer = self.client_for("viewer").get(self.url() + "?tab=absent")
        self.assertNotContains(viewer, self.url("remind/"))
        self.assertContains(viewer, "赵强")

    def test_the_branch_table_shows_the_figures(self) -> None:
        page = self.client_for("org_admin").get(self.url())
        self.assertContains(page, "第一党支部")
        self.assertContains(page, "第二党支部")
        self.assertEqual(page.context["total"].audience, 4)
        self.assertContains(page, "25.0%")  # 1 of 4 completed
        secretary = self.client_for("secretary").get(self.url())
        self.assertNotContains(secretary, "第二党支部")
        search = self.client_for("org_admin").get(self.url() + "?tab=absent&q=赵")
        self.assertEqual([m.name for m in search.context["absent"].object_list], ["赵强"])

    def test_the_list_searches_and_has_an_empty_state(self) -> None:
        page = self.client_for("org_admin").get("/learning/classes/?q=三中全会")
        self.assertEqual(
            [c.pk for c in page.context["page"].object_list], [self.story.online_class.pk]
        )
        none = self.client_for("org_admin").get("/learning/classes/?q=没有这个班")
        self.assertContains(none, "没有与搜索条件相符的网络专题班")

    def test_create_edit_and_bad_input(self) -> None:
        client = self.client_for("org_admin")
        today = timezone.localdate()
        bad = client.post("/learning/classes/new/", {
            "org": self.world.unit.pk, "title": "新班", "year": today.year,
            "starts_on": today.isoformat(), "ends_on": (today - dt.timedelta(days=1)).isoformat(),
            "elective_minimum": 0})  # fmt: skip
        self.assertEqual(bad.status_code, 400)
        self.assertIn("ends_on", bad.context["form"].errors)
        outside = client.post("/learning/classes/new/", {
            "org": self.world.branch.pk, "title": "新班", "year": today.year,
            "starts_on": today.isoformat(), "ends_on": today.isoformat(),
            "elective_minimum": 0, "audience_org": self.world.unit.pk})  # fmt: skip
        self.assertEqual(outside.status_code, 400)
        self.assertIn("audience_org", outside.context["form"].errors)
        good = client.post("/learning/classes/new/", {
            "org": self.world.unit.pk, "title": "新班", "year": today.year,
            "starts_on": today.isoformat(), "ends_on": today.isoformat(),
            "elective_minimum": 0, "audience_statuses": ["full"]})  # fmt: skip
        created = OnlineClass.objects.get(title="新班")
        self.assertRedirects(good, f"/learning/classes/{created.pk}/courses/")
        self.assertEqual(created.audience_statuses, ["full"])
        courses = client.post(f"/learning/classes/{created.pk}/courses/", {
            "required": [self.story.courses["A"].pk], "electives": [self.story.courses["B"].pk]})  # fmt: skip
        self.assertEqual(courses.status_code, 302)
        self.assertEqual(
            list(created.assignments.values_list("course__title", "required")),
            [("课程A", True), ("课程B", False)],
        )
        published = client.post(f"/learning/classes/{created.pk}/publish/", follow=True)
        self.assertContains(published, "已发布")
        created.refresh_from_db()
        self.assertEqual(created.state, OnlineClass.State.PUBLISHED)

    def test_the_progress_ledger(self) -> None:
        response = self.client_for("org_admin").get(self.url("progress.xlsx"))
        self.assertEqual(response.status_code, 200)
        # A Chinese name, and an ASCII one for clients that read only `filename`.
        plain, chinese = download_names(response)
        self.assertEqual(plain, f"online-class-{self.story.online_class.pk}-progress.xlsx")
        self.assertTrue(chinese.endswith("-学习进度台账.xlsx"), chinese)
        book = load_workbook(io.BytesIO(response.content))
        branches, people = book.worksheets
        self.assertIn("各支部学习进度", branches["A1"].value)
        rows = ledger_rows(branches)
        self.assertEqual(rows[0], ("上级组织", "党组织", "参学人数", "未开始人数", "学习中人数",
                                   "已完成人数", "完成率"))  # fmt: skip
        self.assertEqual(rows[1][1:6], ("第一党支部", 3, 1, 1, 1))
        self.assertEqual(rows[2][1:6], ("第二党支部", 1, 1, 0, 0))
        self.assertEqual(rows[3][0], "合计")
        self.assertEqual(rows[3][2:6], (4, 2, 1, 1))
        self.assertAlmostEqual(rows[3][6], 0.25)
        self.assertEqual(int(branches.page_setup.paperSize), 9)  # A4
        self.assertTrue(branches.print_title_rows)
        waiting = ledger_rows(people)
        self.assertEqual([r[2] for r in waiting[1:]], ["周涛", "赵强"])
        event = AuditEvent.objects.get(verb="learning.online_class.progress_export")
        self.assertEqual(event.after, {"branches": 2, "audience": 4, "not_started": 2})
        # The secretary's ledger holds the branch only.
        mine = self.client_for("secretary").get(self.url("progress.xlsx"))
        names = [
            r[2] for r in ledger_rows(load_workbook(io.BytesIO(mine.content)).worksheets[1])[1:]
        ]
        self.assertEqual(names, ["周涛"])


class CataloguePagesTests(PersonaTestCase):
    root_course: ClassVar[Course]
    branch_course: ClassVar[Course]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.root_course = make_course(cls.world.root, "习近平新时代中国特色社会主义思想概论")
        cls.branch_course = make_course(cls.world.branch, "第一支部微党课", published=False)
        item = cls.root_course.items.get()
        Strike.objects.create(
            member=cls.world.member, item=item, org=cls.world.branch, at=timezone.now(),
            reason=Strike.Reason.SPEED, detail={"claimed": 20, "wall": 10},
        )  # fmt: skip

    def test_who_reads(self) -> None:
        readers = {"anonymous": 302, "member": 404, "secretary": 200, "other_secretary": 200,
                   "org_admin": 200, "viewer": 200}  # fmt: skip
        self.expect_personas("/learning/catalogue/", readers)
        self.expect_personas("/learning/strikes/", readers)
        self.expect_personas(f"/learning/catalogue/{self.root_course.pk}/", readers)
        self.expect_personas(
            f"/learning/catalogue/{self.branch_course.pk}/", readers | {"other_secretary": 404}
        )

    def test_who_writes(self) -> None:
        self.expect_personas(f"/learning/catalogue/{self.branch_course.pk}/edit/", {
            "anonymous": 302, "member": 404, "secretary": 200, "other_secretary": 404,
            "org_admin": 200, "viewer": 403})  # fmt: skip
        self.expect_personas(f"/learning/catalogue/{self.root_course.pk}/items/new/", {
            "anonymous": 302, "member": 404, "secretary": 403, "other_secretary": 403,
            "org_admin": 200, "viewer": 403})  # fmt: skip
        self.expect_personas("/learning/catalogue/new/", {
            "anonymous": 302, "member": 404, "secretary": 200, "other_secretary": 200,
            "org_admin": 200, "viewer": 403})  # fmt: skip

    def test_the_catalogue_is_shared_down_the_tree(self) -> None:
        other = self.client_for("other_secretary").get("/learning/catalogue/")
        self.assertContains(other, self.root_course.title)
        self.assertNotContains(other, self.branch_course.title)
        admin = self.client_for("org_admin").get("/learning/catalogue/?q=微党课")
        self.assertEqual([c.pk for c in admin.context["page"].object_list], [self.branch_course.pk])
        empty = self.client_for("org_admin").get("/learning/catalogue/?q=没有")
        self.assertContains(empty, "没有与搜索条件相符的课程")

    def test_the_strikes_log_is_scoped(self) -> None:
        mine = self.client_for("secretary").get("/learning/strikes/")
        self.assertContains(mine, "李明")
        self.assertContains(mine, "倍速播放")
        other = self.client_for("other_secretary").get("/learning/strikes/")
        self.assertNotContains(other, "李明")
        self.assertContains(other, "尚无被拒绝的进度报告")

    def test_a_course_with_items_through_the_pages(self) -> None:
        client = self.client_for("secretary")
        response = client.post("/learning/catalogue/new/", {
            "org": self.world.branch.pk, "title": "支部学习课", "topic": "party_history",
            "move_on": "watched", "watch_percent": 90})  # fmt: skip
        course = Course.objects.get(title="支部学习课")
        self.assertRedirects(response, f"/learning/catalogue/{course.pk}/")
        fake = SimpleUploadedFile("lecture.mp4", b"MZ\x90\x00 not a video", "video/mp4")
        refused = client.post(f"/learning/catalogue/{course.pk}/items/new/", {
            "kind": "video", "title": "第一讲", "file": fake, "duration_seconds": 60})  # fmt: skip
        self.assertEqual(refused.status_code, 400)
        self.assertIn("file", refused.context["form"].errors)
        self.assertFalse(CourseItem.objects.filter(course=course).exists())
        pdf = SimpleUploadedFile("讲义.pdf", b"%PDF-1.4\n%...\n", "application/pdf")
        added = client.post(f"/learning/catalogue/{course.pk}/items/new/", {
            "kind": "document", "title": "讲义", "file": pdf})  # fmt: skip
        self.assertEqual(added.status_code, 302)
        published = client.post(f"/learning/catalogue/{course.pk}/publish/", follow=True)
        self.assertContains(published, "已发布")
        self.assertEqual(Course.objects.get(pk=course.pk).state, Course.State.PUBLISHED)

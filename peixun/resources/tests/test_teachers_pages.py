"""The 师资库's pages for every persona: the pool with its search and 台账, a teacher's page with
the teaching history and the evaluation results, adding, changing, leaving, rejoining, a login,
"My teaching" for the teacher's own login, and the session form's teacher picker."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any, ClassVar

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from peixun.core.models import AuditEvent
from peixun.events.models import Attendance
from peixun.resources import registry
from peixun.resources.models import Teacher
from peixun.resources.registry import TeacherRating
from peixun.testing import PersonaTestCase, download_names, ledger_rows, make_user
from peixun.training.models import Session, TrainingClass

from .teacher_fixtures import add_teacher, build, make_class, teach

LIST = {
    "anonymous": 302,
    "member": 404,
    "secretary": 200,
    "other_secretary": 200,
    "org_admin": 200,
    "viewer": 200,
}
BRANCH_READ = {**LIST, "other_secretary": 404}
BRANCH_WRITE = {**BRANCH_READ, "viewer": 403}
COUNTY_READ = LIST
COUNTY_WRITE = {**LIST, "secretary": 403, "other_secretary": 403, "viewer": 403}


class ratings_from:  # noqa: N801 - used as a context manager, like a function
    """A rating provider for the duration of a test (the surveys app registers the real one)."""

    def __init__(self, answer: dict[int, TeacherRating]) -> None:
        self.answer = answer

    def provider(self, ids: list[int]) -> dict[int, TeacherRating]:
        return {i: r for i, r in self.answer.items() if i in ids}

    def __enter__(self) -> None:
        registry._rating_providers.append(self.provider)

    def __exit__(self, *exc: Any) -> None:
        registry._rating_providers.remove(self.provider)


# Written against the English messages (the catalogue came with the merge).
@override_settings(LANGUAGE_CODE="en")
class TeacherPageTests(PersonaTestCase):
    branch_teacher: ClassVar[Teacher]
    county_teacher: ClassVar[Teacher]
    session: ClassVar[Session]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        made = build(cls.world)
        cls.branch_teacher = made["branch_teacher"]
        cls.county_teacher = made["county_teacher"]
        start = timezone.localdate() - dt.timedelta(days=3)
        tc = make_class(cls.world.users["org_admin"], cls.world.unit, "处级干部轮训", start)
        cls.session = teach(cls.world.users["org_admin"], tc, cls.county_teacher)
        Attendance.objects.create(
            event=cls.session.event, member=cls.world.member, status="present", method="manual"
        )

    def url(self, name: str, *args: Any) -> str:
        return reverse(f"resources:{name}", args=args)

    def names(self, persona: str, **query: str) -> list[str]:
        response = self.client_for(persona).get(self.url("teacher_list"), query)
        self.assertEqual(response.status_code, 200)
        return [t.name for t, _ in response.context["rows"]]

    def test_list_personas_and_filters(self) -> None:
        self.expect_personas(self.url("teacher_list"), LIST)
        self.assertEqual(self.names("secretary"), ["吴教授", "周老师"])
        self.assertEqual(self.names("other_secretary"), ["吴教授"])
        self.assertEqual(self.names("org_admin", q="党校", subject="exemplars"), ["周老师"])
        self.assertEqual(self.names("org_admin", title="senior"), ["吴教授"])
        self.assertEqual(self.names("org_admin", keeper=str(self.world.unit.pk)), ["吴教授"])
        # An unknown filter value is dropped, not an error.
        self.assertEqual(self.names("org_admin", subject="astrology"), ["吴教授", "周老师"])
        response = self.client_for("org_admin").get(self.url("teacher_list"), {"q": "无此人"})
        self.assertContains(response, "No teacher matches this search.")
        self.assertContains(
            self.client_for("org_admin").get(self.url("teacher_list")), "Add a teacher"
        )
        self.assertNotContains(
            self.client_for("viewer").get(self.url("teacher_list")), "Add a teacher"
        )

    def test_list_shows_left_teachers_only_when_asked(self) -> None:
        self.branch_teacher.active = False
        self.branch_teacher.left_on = timezone.localdate()
        self.branch_teacher.save()
        self.assertEqual(self.names("org_admin"), ["吴教授"])
        self.assertEqual(self.names("org_admin", active="no"), ["周老师"])
        self.assertEqual(self.names("org_admin", active="all"), ["吴教授", "周老师"])

    def test_list_counts_sessions_and_shows_ratings(self) -> None:
        rating = TeacherRating(responses=7, average=Decimal("4.57"), surveys=1)
        with ratings_from({self.county_teacher.pk: rating}):
            response = self.client_for("org_admin").get(self.url("teacher_list"))
        rows = dict((t.name, (t.session_count, r)) for t, r in response.context["rows"])
        self.assertEqual(rows["吴教授"], (1, rating))
        self.assertEqual(rows["周老师"], (0, None))
        self.assertContains(response, "4.57")

    def test_export_is_the_lists_ledger_and_audited(self) -> None:
        url = self.url("teacher_export")
        self.expect_personas(url, LIST)
        response = self.client_for("secretary").get(url, {"subject": "economy"})
        self.assertEqual(response.status_code, 200)
        names = download_names(response)
        self.assertEqual(
            names,
            (
                f"teachers-{timezone.localdate():%Y%m%d}.xlsx",
                f"师资库-第一党支部-{timezone.localdate():%Y%m%d}.xlsx",
            ),
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        rows = ledger_rows(sheet)
        self.assertEqual(rows[0][0], "姓名")
        self.assertEqual([r[0] for r in rows[1:]], ["吴教授"])
        self.assertEqual(rows[1][8], 1)  # sessions taught
        event = AuditEvent.objects.filter(verb="resources.teacher.export").latest("id")
        self.assertEqual(event.after["rows"], 1)
        self.assertEqual(event.after["search"], {"subject": "economy", "active": True})

    def test_detail_personas_history_and_phone(self) -> None:
        self.expect_personas(self.url("teacher_detail", self.branch_teacher.pk), BRANCH_READ)
        self.expect_personas(self.url("teacher_detail", self.county_teacher.pk), COUNTY_READ)
        response = self.client_for("other_secretary").get(
            self.url("teacher_detail", self.county_teacher.pk)
        )
        self.assertContains(response, "处级干部轮训")
        self.assertEqual(response.context["summary"].hours, Decimal(3))
        self.assertNotContains(response, "13900001111")  # the phone is for the keeper's managers
        self.assertNotContains(response, "Evaluation results")  # no provider: nothing shown
        admin = self.client_for("org_admin").get(self.url("teacher_detail", self.county_teacher.pk))
        self.assertContains(admin, "13900001111")
        self.assertEqual(
            self.client_for("org_admin").get(self.url("teacher_detail", 999999)).status_code, 404
        )

    def test_detail_shows_the_result_only_above_the_threshold(self) -> None:
        url = self.url("teacher_detail", self.county_teacher.pk)
        below = TeacherRating(responses=4, average=None, surveys=1)
        with ratings_from({self.county_teacher.pk: below}):
            response = self.client_for("viewer").get(url)
        self.assertContains(
            response, "4 responses so far: results appear once enough responses exist"
        )
        above = TeacherRating(responses=5, average=Decimal("4.20"), surveys=1)
        with ratings_from({self.county_teacher.pk: above}):
            response = self.client_for("viewer").get(url)
        self.assertContains(response, "4.20")
        self.assertContains(response, "from 5 responses")

    def teacher_post(self, org: Any, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "org": str(org.pk),
            "name": "新老师",
            "unit": "县社科联",
            "title": "intermediate",
            "subjects": ["political_theory", "rule_of_law"],
        }
        data.update(overrides)
        return data

    def test_new_page_personas_bad_input_and_create(self) -> None:
        url = self.url("teacher_new")
        self.expect_personas(url, {**LIST, "viewer": 403})
        client = self.client_for("secretary")
        response = client.post(url, self.teacher_post(self.world.branch, subjects=[], name=""))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "invalid-feedback", status_code=400)
        # The other branch is not the secretary's to keep.
        response = client.post(url, self.teacher_post(self.world.other_branch))
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Teacher.objects.filter(name="新老师").exists())
        response = client.post(url, self.teacher_post(self.world.branch))
        teacher = Teacher.objects.get(name="新老师")
        self.assertRedirects(response, self.url("teacher_detail", teacher.pk))
        self.assertEqual(teacher.org, self.world.branch)
        self.assertEqual(
            sorted(teacher.subjects.values_list("subject", flat=True)),
            ["political_theory", "rule_of_law"],
        )
        # The org picker answers from the same page.
        self.assertIn("第一党支部", " ".join(self.picked("secretary", url, "org")))

    def test_edit_page_personas_and_save(self) -> None:
        self.expect_personas(self.url("teacher_edit", self.branch_teacher.pk), BRANCH_WRITE)
        self.expect_personas(self.url("teacher_edit", self.county_teacher.pk), COUNTY_WRITE)
        url = self.url("teacher_edit", self.branch_teacher.pk)
        response = self.client_for("secretary").post(
            url, self.teacher_post(self.world.branch, name="周老师", subjects=["culture"])
        )
        self.assertRedirects(response, self.url("teacher_detail", self.branch_teacher.pk))
        self.assertEqual(
            list(self.branch_teacher.subjects.values_list("subject", flat=True)), ["culture"]
        )
        self.assertEqual(
            self.client_for("viewer").post(url, self.teacher_post(self.world.branch)).status_code,
            403,
        )

    def test_leave_and_rejoin(self) -> None:
        url = self.url("teacher_leave", self.branch_teacher.pk)
        self.expect_personas(
            url, {**BRANCH_WRITE, "anonymous": 302, "secretary": 302, "org_admin": 302},
            method="post", data={"left_reason": ""},
        )  # fmt: skip
        self.assertTrue(Teacher.objects.get(pk=self.branch_teacher.pk).active)
        response = self.client_for("secretary").post(url, {"left_reason": "退休"}, follow=True)
        self.assertContains(response, "left the pool")
        self.assertFalse(Teacher.objects.get(pk=self.branch_teacher.pk).active)
        self.client_for("secretary").post(self.url("teacher_rejoin", self.branch_teacher.pk))
        self.assertTrue(Teacher.objects.get(pk=self.branch_teacher.pk).active)

    def test_login_then_my_teaching_for_a_user_with_no_grant(self) -> None:
        url = self.url("teacher_login", self.county_teacher.pk)
        self.assertEqual(self.client_for("secretary").post(url).status_code, 403)
        response = self.client_for("org_admin").post(url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response["Cache-Control"].count("no-cache")
            + response["Cache-Control"].count("no-store"),
            2,
        )
        teacher = Teacher.objects.select_related("user").get(pk=self.county_teacher.pk)
        assert teacher.user is not None
        self.assertContains(response, teacher.user.mobile)
        client = self.client_for("anonymous")
        client.force_login(teacher.user)
        home = client.get(reverse("core:home"))
        self.assertContains(home, self.url("my_teaching"))
        mine = client.get(self.url("my_teaching"))
        self.assertEqual(mine.status_code, 200)
        self.assertContains(mine, "处级干部轮训")
        self.assertContains(mine, "李明")  # the roster
        # The teacher's own page works without any grant; the pool and others' pages do not.
        self.assertEqual(client.get(self.url("teacher_detail", teacher.pk)).status_code, 200)
        self.assertEqual(
            client.get(self.url("teacher_detail", self.branch_teacher.pk)).status_code, 404
        )
        self.assertEqual(client.get(self.url("teacher_list")).status_code, 404)

    def test_my_teaching_personas(self) -> None:
        self.expect_personas(
            self.url("my_teaching"),
            {"anonymous": 302, "member": 404, "secretary": 404, "other_secretary": 404,
             "org_admin": 404, "viewer": 404},
        )  # fmt: skip
        member_teacher = add_teacher(
            self.user("secretary"), self.world.branch, "", member=self.world.member
        )
        Teacher.objects.filter(pk=member_teacher.pk).update(user=self.user("member"))
        response = self.client_for("member").get(self.url("my_teaching"))
        self.assertContains(response, "No class has named you as its teacher yet.")
        self.assertContains(response, 'href="/resources/teaching/"')  # the Mine menu

    def test_nav_flag_costs_nothing_when_unread_and_one_query_when_read(self) -> None:
        from django.test import RequestFactory

        from peixun.resources.context_processors import teaching

        request = RequestFactory().get("/")
        request.user = make_user("nobody")
        with self.assertNumQueries(0):
            flag = teaching(request)["nav_is_teacher"]
        with self.assertNumQueries(1):
            self.assertFalse(flag())
            self.assertFalse(flag())


class SessionPickerPageTests(PersonaTestCase):
    """The training session form names a teacher of the pool open to the class's organiser."""

    branch_teacher: ClassVar[Teacher]
    county_teacher: ClassVar[Teacher]
    other_teacher: ClassVar[Teacher]
    tc: ClassVar[TrainingClass]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        made = build(cls.world)
        cls.branch_teacher = made["branch_teacher"]
        cls.county_teacher = made["county_teacher"]
        cls.other_teacher = add_teacher(
            cls.world.users["other_secretary"], cls.world.other_branch, "郑老师"
        )
        cls.tc = make_class(
            cls.world.users["secretary"], cls.world.branch, "支部轮训",
            timezone.localdate() + dt.timedelta(days=10),
        )  # fmt: skip

    def test_picker_offers_the_pool_open_to_the_organiser(self) -> None:
        url = reverse("training:session_new", args=[self.tc.pk])
        offered = self.picked("secretary", url, "new-pool_teacher")
        self.assertEqual([o.split(" · ")[0] for o in offered], ["吴教授", "周老师"])
        self.assertEqual(
            [o.split(" · ")[0] for o in self.picked("secretary", url, "new-pool_teacher", "吴")],
            ["吴教授"],
        )
        detail = self.client_for("secretary").get(reverse("training:detail", args=[self.tc.pk]))
        self.assertContains(detail, f'data-picker-url="{url}"')

    def test_choosing_a_pool_teacher_links_and_names_the_session(self) -> None:
        url = reverse("training:session_new", args=[self.tc.pk])
        data = {
            "new-title": "党史专题",
            "new-day": self.tc.starts_on.isoformat(),
            "new-start": "09:00",
            "new-end": "12:00",
            "new-hours": "3",
            "new-type": "lecture",
            "new-topic": "party_history",
            "new-teacher": "",
            "new-pool_teacher": str(self.county_teacher.pk),
        }
        response = self.client_for("secretary").post(
            url, {**data, "new-pool_teacher": str(self.other_teacher.pk)}
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Session.objects.filter(training_class=self.tc).exists())
        response = self.client_for("secretary").post(url, data)
        self.assertRedirects(response, reverse("training:detail", args=[self.tc.pk]))
        session = Session.objects.get(training_class=self.tc)
        self.assertEqual(
            (session.pool_teacher_id, session.teacher), (self.county_teacher.pk, "吴教授")
        )
        detail = self.client_for("secretary").get(reverse("training:detail", args=[self.tc.pk]))
        self.assertContains(
            detail, reverse("resources:teacher_detail", args=[self.county_teacher.pk])
        )
        # The edit page shows the chosen teacher and answers its own picker.
        edit = reverse("training:session_edit", args=[self.tc.pk, session.pk])
        page = self.client_for("secretary").get(edit)
        self.assertContains(page, f'<option value="{self.county_teacher.pk}" selected>吴教授')
        self.assertEqual(len(self.picked("secretary", edit, "pool_teacher")), 2)

"""The class pages: list, calendar, new and edit, the curriculum tab, sessions, publish, cancel and
settings, for every persona; and a constant number of queries on the list page.

Fixtures: `root_class` is organised by the root with no places for anyone: the org admin and the
viewer see it, both secretaries and the member get 404. `branch_class` is organised by the first
branch: its secretary sees and manages it, the other branch's secretary gets 404, the viewer reads
it but gets 403 on every write.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from peixun.core.models import AuditEvent
from peixun.core.scoping import Actor
from peixun.events.models import Event
from peixun.testing import PersonaTestCase
from peixun.training.models import Session, TrainingClass, TrainingSettings
from peixun.training.services.classes import class_create, session_add

START = timezone.localdate() + dt.timedelta(days=20)
END = START + dt.timedelta(days=2)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def make_class(actor: Actor, org: Any, title: str, **overrides: Any) -> TrainingClass:
    fields: dict[str, Any] = {
        "title": title,
        "kind": "special",
        "topic": "innovation_theory",
        "starts_on": START,
        "ends_on": END,
        "capacity": 30,
        "venue": "党校",
    }
    fields.update(overrides)
    return class_create(actor=actor, org=org, **fields)


def add_session(actor: Actor, tc: TrainingClass, topic: str, hours: int, day: int = 0) -> Session:
    when = START + dt.timedelta(days=day)
    return session_add(
        actor=actor,
        training_class=tc,
        title=f"{topic}课",
        starts_at=at(when, 9),
        ends_at=at(when, 12),
        hours=Decimal(hours),
        topic=topic,
        type="lecture",
        teacher="讲师甲",
    )


ALL_200 = {
    "anonymous": 302,
    "member": 200,
    "secretary": 200,
    "other_secretary": 200,
    "org_admin": 200,
    "viewer": 200,
}
ROOT_READ = {
    "anonymous": 302,
    "member": 404,
    "secretary": 404,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}
ROOT_WRITE = {**ROOT_READ, "viewer": 403}
BRANCH_READ = {
    "anonymous": 302,
    "member": 404,
    "secretary": 200,
    "other_secretary": 404,
    "org_admin": 200,
    "viewer": 200,
}
BRANCH_WRITE = {**BRANCH_READ, "viewer": 403}


class ClassPageTests(PersonaTestCase):
    root_class: ClassVar[TrainingClass]
    branch_class: ClassVar[TrainingClass]
    branch_session: ClassVar[Session]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.root_class = make_class(w.users["org_admin"], w.root, "县直机关专题培训班")
        add_session(w.users["org_admin"], cls.root_class, "innovation_theory", 3)
        cls.branch_class = make_class(w.users["secretary"], w.branch, "第一支部轮训班")
        cls.branch_session = add_session(w.users["secretary"], cls.branch_class, "professional", 2)

    def url(self, name: str, *args: Any) -> str:
        return reverse(f"training:{name}", args=args)

    def titles(self, persona: str, query: str = "") -> set[str]:
        response = self.client_for(persona).get(self.url("list") + query)
        self.assertEqual(response.status_code, 200)
        return {c.title for c in response.context["page"].object_list}

    # -- list and calendar ----------------------------------------------------------------------

    def test_list_shows_each_persona_the_classes_in_scope(self) -> None:
        self.expect_personas(self.url("list"), ALL_200)
        both = {"县直机关专题培训班", "第一支部轮训班"}
        self.assertEqual(self.titles("org_admin"), both)
        self.assertEqual(self.titles("viewer"), both)
        self.assertEqual(self.titles("secretary"), {"第一支部轮训班"})
        self.assertEqual(self.titles("other_secretary"), set())
        self.assertEqual(self.titles("member"), set())

    def test_list_filters_and_texts(self) -> None:
        self.assertEqual(self.titles("org_admin", "?q=轮训"), {"第一支部轮训班"})
        self.assertEqual(
            self.titles("org_admin", f"?org={self.world.root.pk}"), {"县直机关专题培训班"}
        )
        self.assertEqual(self.titles("org_admin", "?state=published"), set())
        self.assertEqual(len(self.titles("org_admin", f"?year={START.year}")), 2)
        self.assertEqual(self.titles("org_admin", "?kind=rotation"), set())
        # An unknown choice (a kind, a year without classes) drops that filter rather than failing.
        self.assertEqual(len(self.titles("org_admin", "?kind=bogus")), 2)
        self.assertEqual(len(self.titles("org_admin", f"?year={START.year - 3}")), 2)
        page = self.client_for("org_admin").get(self.url("list")).content.decode()
        for text in ("培训班", "新建培训班", "专题培训", "主办单位", "草稿", "0 / 30"):
            self.assertIn(text, page)
        empty = self.client_for("org_admin").get(self.url("list") + "?q=无此班").content.decode()
        self.assertIn("没有符合筛选条件的培训班", empty)
        viewer = self.client_for("viewer").get(self.url("list")).content.decode()
        self.assertNotIn("新建培训班", viewer)
        member = self.client_for("member").get(self.url("list")).content.decode()
        self.assertIn("还没有培训班", member)

    def test_list_queries_stay_constant_as_classes_grow(self) -> None:
        client = self.client_for("org_admin")
        client.get(self.url("list"))
        with CaptureQueriesContext(connection) as small:
            client.get(self.url("list"))
        admin = self.user("org_admin")
        for i in range(12):
            tc = make_class(admin, self.world.unit, f"增加的培训班{i}", kind="rotation")
            add_session(admin, tc, "party_history", 2)
            add_session(admin, tc, "professional", 1, day=1)
        with CaptureQueriesContext(connection) as large:
            response = client.get(self.url("list"))
        self.assertEqual(len(response.context["page"].object_list), 14)
        self.assertEqual(len(large.captured_queries), len(small.captured_queries))
        self.assertIn("增加的培训班0", response.content.decode())

    def test_calendar_shows_sessions_of_visible_classes_in_the_month(self) -> None:
        url = self.url("calendar") + f"?month={START:%Y-%m}"
        self.expect_personas(url, ALL_200)
        admin = self.client_for("org_admin").get(url).content.decode()
        self.assertIn("innovation_theory课", admin)
        self.assertIn("professional课", admin)
        self.assertIn(f"培训日历 {START:%Y-%m}", admin)
        secretary = self.client_for("secretary").get(url).content.decode()
        self.assertNotIn("innovation_theory课", secretary)
        self.assertIn("professional课", secretary)
        other = self.client_for("other_secretary").get(url).content.decode()
        self.assertIn("本月没有课次", other)
        elsewhere = self.url("calendar") + f"?month={START.year - 1}-01"
        self.assertNotIn(
            "professional课", self.client_for("org_admin").get(elsewhere).content.decode()
        )
        # A malformed month shows this month rather than failing.
        self.assertEqual(
            self.client_for("org_admin").get(self.url("calendar") + "?month=x").status_code, 200
        )

    # -- new and edit ---------------------------------------------------------------------------

    def class_post(self, org: Any, **overrides: Any) -> dict[str, Any]:
        data: dict[str, Any] = {
            "org": org.pk,
            "title": "新建的培训班",
            "kind": "special",
            "topic": "party_history",
            "starts_on": START.isoformat(),
            "ends_on": END.isoformat(),
            "capacity": "25",
            "venue": "会议室",
            "audience_statuses": ["full"],
        }
        data.update(overrides)
        return data

    def test_new_page(self) -> None:
        self.expect_personas(
            self.url("new"),
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 404,
            },
        )
        response = self.client_for("secretary").post(
            self.url("new"), self.class_post(self.world.branch)
        )
        created = TrainingClass.objects.get(title="新建的培训班")
        self.assertRedirects(response, self.url("detail", created.pk))
        self.assertEqual((created.org, created.audience_statuses), (self.world.branch, ["full"]))

    def test_new_bad_input_and_out_of_scope_organiser(self) -> None:
        before = TrainingClass.objects.count()
        client = self.client_for("secretary")
        response = client.post(
            self.url("new"),
            self.class_post(
                self.world.branch, title="", ends_on=(START - dt.timedelta(days=1)).isoformat()
            ),
        )
        self.assertEqual(response.status_code, 200)
        page = response.content.decode()
        self.assertIn("结业日期不能早于开班日期", page)
        self.assertIn("is-invalid", page)
        # The root is not among the secretary's organisers: a form error, nothing stored.
        response = client.post(self.url("new"), self.class_post(self.world.root))
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.context["form"].errors["org"])
        response = client.post(
            self.url("new"),
            self.class_post(self.world.branch, audience_org=self.world.other_branch.pk),
        )
        self.assertTrue(response.context["form"].errors["audience_org"])
        self.assertEqual(TrainingClass.objects.count(), before)

    def test_edit_page(self) -> None:
        self.expect_personas(self.url("edit", self.root_class.pk), ROOT_WRITE)
        self.expect_personas(self.url("edit", self.branch_class.pk), BRANCH_WRITE)
        data = self.class_post(self.world.branch, title="改名后的轮训班", capacity="35")
        response = self.client_for("secretary").post(self.url("edit", self.branch_class.pk), data)
        self.assertRedirects(response, self.url("detail", self.branch_class.pk))
        self.branch_class.refresh_from_db()
        self.assertEqual(
            (self.branch_class.title, self.branch_class.capacity), ("改名后的轮训班", 35)
        )
        self.assertEqual(self.branch_class.org, self.world.branch)

    def test_edit_of_a_cancelled_class_goes_back_to_the_detail(self) -> None:
        TrainingClass.objects.filter(pk=self.branch_class.pk).update(state="cancelled")
        response = self.client_for("secretary").get(self.url("edit", self.branch_class.pk))
        self.assertRedirects(response, self.url("detail", self.branch_class.pk))

    # -- the curriculum tab ---------------------------------------------------------------------

    def test_detail_page(self) -> None:
        self.expect_personas(self.url("detail", self.root_class.pk), ROOT_READ)
        self.expect_personas(self.url("detail", self.branch_class.pk), BRANCH_READ)
        page = self.client_for("org_admin").get(self.url("detail", self.root_class.pk))
        text = page.content.decode()
        for expected in (
            "课程安排",
            "名额与学员",
            "考勤",
            "补训",
            "结班",
            "理论教育占比",
            "innovation_theory课",
            "讲师甲",
            "添加课次",
            "发布培训班",
            reverse("training:roster", args=[self.root_class.pk]),
        ):
            self.assertIn(expected, text)
        self.assertEqual(page.context["active_tab"], "detail")
        viewer = self.client_for("viewer").get(self.url("detail", self.root_class.pk))
        self.assertNotIn("添加课次", viewer.content.decode())
        self.assertNotIn("发布培训班", viewer.content.decode())

    def test_theory_indicator_below_the_minimum_asks_for_a_reason(self) -> None:
        page = self.client_for("secretary").get(self.url("detail", self.branch_class.pk))
        text = page.content.decode()
        # 0 of 2 hours on theory in a special class: below the 50% minimum.
        self.assertIn("低于最低要求：发布须说明理由", text)
        self.assertIn('name="override_reason"', text)
        ok = self.client_for("org_admin").get(self.url("detail", self.root_class.pk))
        self.assertNotIn('name="override_reason"', ok.content.decode())

    def session_post(self, **overrides: Any) -> dict[str, Any]:
        data = {
            "new-title": "党史专题",
            "new-day": START.isoformat(),
            "new-start": "14:00",
            "new-end": "17:00",
            "new-hours": "3",
            "new-type": "lecture",
            "new-topic": "party_history",
            "new-teacher": "党史办",
            "new-place": "",
        }
        data.update(overrides)
        return data

    def test_session_new_page_and_htmx_add_updates_the_share(self) -> None:
        self.expect_personas(self.url("session_new", self.root_class.pk), ROOT_WRITE)
        self.expect_personas(self.url("session_new", self.branch_class.pk), BRANCH_WRITE)
        client = self.client_for("secretary")
        response = client.post(
            self.url("session_new", self.branch_class.pk),
            self.session_post(),
            HTTP_HX_REQUEST="true",
        )
        self.assertEqual(response.status_code, 200)
        self.assertTemplateUsed(response, "training/_class_curriculum.html")
        text = response.content.decode()
        self.assertIn("党史专题", text)
        # 3 of 5 hours on theory now: 60%, above the minimum.
        self.assertIn("60%", text)
        self.assertNotIn('name="override_reason"', text)
        session = Session.objects.get(event__title="党史专题")
        self.assertEqual(session.event.place, "党校")
        self.assertEqual(session.event.starts_at, at(START, 14))

    def test_session_outside_the_dates_shows_the_error_and_stores_nothing(self) -> None:
        before = Event.objects.count()
        client = self.client_for("secretary")
        late = (END + dt.timedelta(days=1)).isoformat()
        response = client.post(
            self.url("session_new", self.branch_class.pk),
            self.session_post(**{"new-day": late}),
            HTTP_HX_REQUEST="true",
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("课次必须在培训班日期之内", response.content.decode())
        response = client.post(
            self.url("session_new", self.branch_class.pk),
            self.session_post(**{"new-day": late}),
        )
        self.assertTemplateUsed(response, "training/session_form.html")
        self.assertIn("课次必须在培训班日期之内", response.content.decode())
        response = client.post(
            self.url("session_new", self.branch_class.pk),
            self.session_post(**{"new-end": "13:00"}),
        )
        self.assertIn("课次结束时间必须晚于开始时间", response.content.decode())
        self.assertEqual(Event.objects.count(), before)

    def test_session_edit_page(self) -> None:
        sid = self.branch_session.pk
        self.expect_personas(self.url("session_edit", self.branch_class.pk, sid), BRANCH_WRITE)
        # A session of another class is not found under this one.
        root_sid = self.root_class.sessions.get().pk
        response = self.client_for("org_admin").get(
            self.url("session_edit", self.branch_class.pk, root_sid)
        )
        self.assertEqual(response.status_code, 404)
        data = {
            "title": "业务能力提升",
            "day": END.isoformat(),
            "start": "08:30",
            "end": "11:30",
            "hours": "2.5",
            "type": "case",
            "topic": "professional",
            "teacher": "王老师",
            "place": "三楼",
        }
        response = self.client_for("secretary").post(
            self.url("session_edit", self.branch_class.pk, sid), data
        )
        self.assertRedirects(response, self.url("detail", self.branch_class.pk))
        session = Session.objects.select_related("event").get(pk=sid)
        self.assertEqual(
            (session.event.title, session.event.hours, session.type, session.event.place),
            ("业务能力提升", Decimal("2.5"), "case", "三楼"),
        )

    def test_session_delete_page(self) -> None:
        sid = self.branch_session.pk
        self.expect_personas(self.url("session_delete", self.branch_class.pk, sid), BRANCH_WRITE)
        url = self.url("session_delete", self.branch_class.pk, sid)
        for persona, status in (
            ("anonymous", 302),
            ("member", 404),
            ("other_secretary", 404),
            ("viewer", 403),
        ):
            self.assertEqual(self.client_for(persona).post(url).status_code, status, persona)
        self.assertTrue(Session.objects.filter(pk=sid).exists())
        response = self.client_for("secretary").post(
            self.url("session_delete", self.branch_class.pk, sid), HTTP_HX_REQUEST="true"
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("尚未安排课次", response.content.decode())
        self.assertFalse(Session.objects.filter(pk=sid).exists())
        self.assertFalse(Event.objects.filter(pk=self.branch_session.event_id).exists())

    # -- publish and cancel ---------------------------------------------------------------------

    def test_publish_statuses_and_the_override_reason(self) -> None:
        url = self.url("publish", self.branch_class.pk)
        # Without a reason the special class below the minimum is not published: the page
        # comes back with the error for those who may publish.
        self.expect_personas(url, BRANCH_WRITE, method="post")
        self.assertEqual(self.client_for("secretary").get(url).status_code, 405)
        response = self.client_for("secretary").post(url)
        self.assertIn("如仍要发布，请说明理由", response.content.decode())
        self.branch_class.refresh_from_db()
        self.assertEqual(self.branch_class.state, "draft")
        response = self.client_for("secretary").post(url, {"override_reason": "以业务培训为主"})
        self.assertRedirects(response, self.url("detail", self.branch_class.pk))
        self.branch_class.refresh_from_db()
        self.assertEqual(
            (self.branch_class.state, self.branch_class.theory_override_reason),
            ("published", "以业务培训为主"),
        )
        self.assertTrue(
            AuditEvent.objects.filter(
                verb="training_class.publish", object_id=str(self.branch_class.pk)
            ).exists()
        )
        detail = self.client_for("viewer").get(self.url("detail", self.branch_class.pk))
        self.assertIn("以业务培训为主", detail.content.decode())
        self.assertIn("已发布", detail.content.decode())
        # Once published, the organiser reaches each session's sign-in code from the curriculum.
        event_id = self.branch_class.sessions.first().event_id  # type: ignore[union-attr]
        projector = reverse("events:projector", args=[event_id])
        self.assertNotIn(projector, detail.content.decode())
        organiser = self.client_for("secretary").get(self.url("detail", self.branch_class.pk))
        self.assertIn(projector, organiser.content.decode())
        self.assertIn("签到二维码", organiser.content.decode())

    def test_cancel_statuses_and_reason(self) -> None:
        url = self.url("cancel", self.branch_class.pk)
        # An empty reason: the page comes back with the error for those who may cancel.
        self.expect_personas(url, BRANCH_WRITE, method="post")
        response = self.client_for("secretary").post(url, {"reason": ""})
        self.assertIn("请说明取消培训班的原因", response.content.decode())
        response = self.client_for("secretary").post(url, {"reason": "场地调整"})
        self.assertRedirects(response, self.url("detail", self.branch_class.pk))
        self.branch_class.refresh_from_db()
        self.assertEqual(self.branch_class.state, "cancelled")
        detail = self.client_for("secretary").get(self.url("detail", self.branch_class.pk))
        self.assertNotIn("添加课次", detail.content.decode())

    # -- settings ---------------------------------------------------------------------------------

    def test_settings_page(self) -> None:
        self.expect_personas(
            self.url("settings"),
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 404,
            },
        )
        client = self.client_for("org_admin")
        page = client.get(self.url("settings")).content.decode()
        self.assertIn("理论教育最低占比", page)
        response = client.post(
            self.url("settings"),
            {
                "theory_share_percent": "33",
                "theory_topics": ["innovation_theory", "party_history"],
                "leave_limit_denominator": "7",
                "close_due_days": "10",
            },
        )
        self.assertEqual(response.status_code, 302)
        settings = TrainingSettings.objects.get(tenant=self.world.root)
        self.assertEqual(
            (settings.theory_share_min, settings.theory_topics, settings.close_due_days),
            (Decimal("0.33"), ["innovation_theory", "party_history"], 10),
        )
        response = client.post(
            self.url("settings"),
            {"theory_share_percent": "150", "leave_limit_denominator": "7", "close_due_days": "10"},
        )
        self.assertEqual(response.status_code, 200)
        self.assertIn("请至少选择一个计为理论教育的专题", response.content.decode())

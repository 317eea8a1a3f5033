"""The workbench (工作台): each app's to-dos counted by hand, scoped to the actor's charge; the
six personas on `/`; and a page whose query count does not grow with the tenant."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peixun.core.workbench import Figure, Todo, member_section, staff_section
from peixun.events.models import Event, LeaveRequest
from peixun.events.tests.fixtures import add_session, make_class
from peixun.exams.models import Exam
from peixun.exams.tests.fixtures import add_questions, fixed_paper, make_exam
from peixun.hours.models import CreditEntry, Kind
from peixun.hours.selectors import member_table
from peixun.hours.selectors.compliance import org_compliance
from peixun.hours.services import entry_record, requirements_seed_defaults
from peixun.members.models import Member
from peixun.orglife.logic import REQUIRED_KINDS
from peixun.orglife.models import Meeting
from peixun.orgs.models import Organization
from peixun.plans.models import TrainingPlan
from peixun.testing import PersonaTestCase, World, make_member, make_org
from peixun.training.models import Enrolment, TrainingClass


def todos(actor: Any) -> dict[str, Todo]:
    return {t.key: t for t in staff_section(actor).todos}


def figures(actor: Any) -> dict[str, Figure]:
    return {f.key: f for f in staff_section(actor).figures}


def submitted_plan(org: Organization, year: int) -> TrainingPlan:
    return TrainingPlan.objects.create(
        org=org, year=year, title=f"{org.name}计划", state=TrainingPlan.State.SUBMITTED, version=1
    )


def ended_class(org: Organization, nominated: list[Member]) -> TrainingClass:
    """A published class of `org` that ended yesterday (结班 due), with nominations waiting."""
    today = timezone.localdate()
    training_class = make_class(
        org,
        title=f"{org.name}培训班",
        starts_on=today - dt.timedelta(days=3),
        ends_on=today - dt.timedelta(days=1),
    )
    for member in nominated:
        Enrolment.objects.create(
            training_class=training_class,
            member=member,
            route=Enrolment.Route.NOMINATED,
            state=Enrolment.State.NOMINATED,
        )
    return training_class


def pending_entry(member: Member) -> CreditEntry:
    today = timezone.localdate()
    return CreditEntry.objects.create(
        member=member,
        org=member.org,
        on=today,
        year=today.year,
        hours=Decimal("2"),
        kind=Kind.SELF_STUDY,
        title="自学《党章》",
        source=CreditEntry.Source.SELF_STUDY,
        state=CreditEntry.State.PENDING,
    )


def held_today(org: Organization, kind: str) -> Meeting:
    """A meeting of `kind` held by `org` a minute ago: this period's meeting of that kind."""
    now = timezone.now()
    event = Event.objects.create(
        category=Event.Category.MEETING,
        org=org,
        title=f"{kind} 会议",
        starts_at=now - dt.timedelta(minutes=2),
        ends_at=now - dt.timedelta(minutes=1),
        hours=Decimal("1"),
    )
    return Meeting.objects.create(event=event, kind=kind, host="王芳")


def leave(event: Event, member: Member) -> LeaveRequest:
    return LeaveRequest.objects.create(event=event, member=member, reason="出差")


class WorkbenchProviders(PersonaTestCase):
    """One small tenant with something waiting in every app; the figures are counted by hand in
    each test from the rows made here."""

    year: ClassVar[int]
    branch_class: ClassVar[TrainingClass]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        today = timezone.localdate()
        cls.year = today.year
        requirements_seed_defaults(actor=w.platform_admin, tenant=w.root, from_year=2019)
        # Plans: the branch's (decided by the unit above: org admin) and the group's (decided
        # by the branch: its secretary).
        submitted_plan(w.branch, today.year)
        submitted_plan(w.group, today.year)
        TrainingPlan.objects.create(org=w.other_branch, year=today.year, title="草稿")  # draft
        # Training: the branch's class (2 nominations), the root's class (1 nomination).
        extra = make_member(w.branch, "陈静")
        cls.branch_class = ended_class(w.branch, [w.member, extra])
        ended_class(w.root, [w.far_member])
        # Leave: 李明 and the secretary herself (never her own to decide), 赵强 of branch two.
        session = add_session(cls.branch_class, starts_in=60 * 24)
        leave(session.event, w.member)
        leave(session.event, w.secretary_member)
        leave(session.event, w.other_member)
        # Self-study filings: one in each of the first two branches.
        pending_entry(w.member)
        pending_entry(w.other_member)
        # Exams: the root's test closed an hour ago; one still open.
        paper = fixed_paper(w, add_questions(w, per_kind=1))
        closed = make_exam(w, paper)
        Exam.objects.filter(pk=closed.pk).update(closes_at=timezone.now() - dt.timedelta(hours=1))
        make_exam(w, paper, title="仍在进行的测试")
        # Meetings: branch two held every required kind today, so nothing is due there.
        for kind in REQUIRED_KINDS:
            held_today(w.other_branch, kind)
        # 政治生日: 李明 and 孙丽 joined in this month; 陈静 a month later; a candidate this month
        # (not a Party member yet: not counted).
        this_month = dt.date(2001, today.month, 1)
        other_month = dt.date(2001, today.month % 12 + 1, 1)
        Member.objects.update(joined_on=other_month, confirmed_on=None)
        Member.objects.filter(pk__in=[w.member.pk, w.far_member.pk]).update(joined_on=this_month)
        make_member(
            w.far_branch,
            "周平",
            status=Member.Status.CANDIDATE,
            joined_on=this_month,
            confirmed_on=None,
        )
        # Coverage: 李明 has had a concentrated training this year; nobody else.
        entry_record(
            actor=w.users["org_admin"],
            members=[w.member],
            on=today,
            hours="8",
            kind=Kind.CONCENTRATED_TRAINING,
            title="集中轮训",
            concentrated=True,
        )

    def test_plans_awaiting_decision(self) -> None:
        self.assertEqual(todos(self.user("org_admin"))["plans.decide"].count, 2)
        self.assertEqual(todos(self.user("secretary"))["plans.decide"].count, 1)
        self.assertNotIn("plans.decide", todos(self.user("other_secretary")))
        self.assertNotIn("plans.decide", todos(self.user("viewer")))

    def test_nominations_and_classes_to_close(self) -> None:
        admin, secretary = todos(self.user("org_admin")), todos(self.user("secretary"))
        self.assertEqual(admin["training.nominations"].count, 3)
        self.assertEqual(secretary["training.nominations"].count, 2)
        # One class of the secretary's: the link goes straight to its roster and its closing.
        self.assertEqual(
            secretary["training.nominations"].url, f"/training/{self.branch_class.pk}/roster/"
        )
        self.assertEqual(admin["training.close"].count, 2)
        self.assertEqual(secretary["training.close"].count, 1)
        self.assertEqual(
            secretary["training.close"].url, f"/training/{self.branch_class.pk}/closing/"
        )
        other = todos(self.user("other_secretary"))
        self.assertNotIn("training.nominations", other)
        self.assertNotIn("training.close", other)

    def test_leave_requests(self) -> None:
        self.assertEqual(todos(self.user("org_admin"))["events.leave"].count, 3)
        # The branch organises the class: 李明's and 赵强's; her own is decided by someone else.
        self.assertEqual(todos(self.user("secretary"))["events.leave"].count, 2)
        # 赵强 is branch two's secretary himself: nobody decides their own request.
        self.assertNotIn("events.leave", todos(self.user("other_secretary")))

    def test_self_study_filings(self) -> None:
        self.assertEqual(todos(self.user("org_admin"))["hours.pending"].count, 2)
        self.assertEqual(todos(self.user("secretary"))["hours.pending"].count, 1)
        self.assertEqual(todos(self.user("other_secretary"))["hours.pending"].count, 1)
        self.assertNotIn("hours.pending", todos(self.user("viewer")))

    def test_exams_to_finalise(self) -> None:
        self.assertEqual(todos(self.user("org_admin"))["exams.finalise"].count, 1)
        self.assertNotIn("exams.finalise", todos(self.user("secretary")))

    def test_meetings_due(self) -> None:
        # Three branches under the root; branch two has held this period's meetings.
        admin = todos(self.user("org_admin"))["orglife.due"]
        self.assertEqual(admin.count, 2)
        self.assertEqual(admin.url, "/orglife/regularity/overview/")
        secretary = todos(self.user("secretary"))["orglife.due"]
        self.assertEqual(secretary.count, 1)
        self.assertEqual(secretary.url, f"/orglife/regularity/?org={self.world.branch.pk}")
        # Every required kind is due in the secretary's branch this period.
        self.assertEqual(len(secretary.details), len(REQUIRED_KINDS))
        self.assertNotIn("orglife.due", todos(self.user("other_secretary")))

    def test_party_birthdays(self) -> None:
        month = timezone.localdate().month
        admin = todos(self.user("org_admin"))["members.party_birthdays"]
        self.assertEqual(admin.count, 2)
        self.assertEqual(admin.url, f"/members/?joined_month={month}")
        years = timezone.localdate().year - 2001
        self.assertEqual(len(admin.details), 2)
        self.assertTrue(any("李明" in d and str(years) in d for d in admin.details))
        secretary = todos(self.user("secretary"))["members.party_birthdays"]
        self.assertEqual(secretary.count, 1)
        self.assertNotIn("members.party_birthdays", todos(self.user("other_secretary")))

    def test_party_birthday_list_filters_by_month(self) -> None:
        month = timezone.localdate().month
        response = self.client_for("org_admin").get(f"/members/?joined_month={month}")
        names = [m.name for m in response.context["page"].object_list]
        self.assertEqual(sorted(names), sorted(["李明", "孙丽", "周平"]))

    def test_members_behind_and_figures(self) -> None:
        w = self.world
        # Branch one holds 李明, 王芳 and 陈静; 李明 alone has been trained this year: 1 of 3.
        sec = figures(self.user("secretary"))
        self.assertEqual(sec["members.count"].value, "3")
        self.assertEqual(sec["hours.coverage"].value, "33%")
        admin = figures(self.user("org_admin"))
        self.assertEqual(admin["members.count"].value, "6")
        # The 滞后 count is the number of members whose worst status is behind.
        behind = len(
            member_table(actor=self.user("org_admin"), org=w.root, year=self.year, status="behind")
        )
        admin_todos = todos(self.user("org_admin"))
        if behind:
            self.assertEqual(admin_todos["hours.behind"].count, behind)
            self.assertIn("status=behind", admin_todos["hours.behind"].url)
        else:
            self.assertNotIn("hours.behind", admin_todos)
        # A viewer has nothing in their charge: the 滞后 count is a figure, not a to-do.
        self.assertIn("hours.behind", figures(self.user("viewer")))

    def test_behind_at_the_year_end_by_hand(self) -> None:
        # On 31 December nobody but 李明 has any hours: each of the branch's three members is
        # behind on some rule (李明's 8 hours are short of 32).
        report = org_compliance(
            actor=self.user("secretary"),
            org=self.world.branch,
            year=self.year,
            as_of=dt.date(self.year, 12, 31),
        )
        self.assertEqual(report.summary.behind, 3)
        self.assertEqual(report.summary.at_risk, 0)

    def test_member_cards(self) -> None:
        section = member_section(self.user("member"))
        keys = [c.key for c in section.cards]
        self.assertEqual(
            keys,
            ["hours.progress", "training.next", "orglife.next", "exams.open", "surveys.answer"],
        )
        self.assertEqual([b.key for b in section.buttons], ["events.scan", "hours.self_study"])
        progress = section.cards[0]
        concentrated = next(line for line in progress.lines if "集中" in line.text)
        self.assertEqual(concentrated.progress, 25)  # 8 of 32 hours
        self.assertIn("8 / 32", concentrated.note)
        self.assertIn("24", progress.footer)  # still owed: 24 more
        # The open test (李明 is a candidate of the root's exams) is offered.
        self.assertEqual([line.text for line in section.cards[3].lines], ["仍在进行的测试"])

    def test_secretary_sees_both_sections(self) -> None:
        response = self.client_for("secretary").get("/")
        self.assertContains(response, 'data-section="staff"')
        self.assertContains(response, 'data-section="member"')
        self.assertContains(response, 'data-key="events.leave"')

    def test_other_secretary_does_not_see_the_branch_to_dos(self) -> None:
        response = self.client_for("other_secretary").get("/")
        self.assertNotContains(response, 'data-key="training.close"')
        self.assertNotContains(response, 'data-key="plans.decide"')


class WorkbenchPersonas(PersonaTestCase):
    def test_home_for_every_persona(self) -> None:
        self.expect_personas(
            "/",
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_what_each_persona_sees(self) -> None:
        member = self.client_for("member").get("/")
        self.assertContains(member, 'data-section="member"')
        self.assertNotContains(member, 'data-section="staff"')
        self.assertContains(member, 'href="/events/scan/"')
        self.assertContains(member, 'href="/hours/self-study/new/"')
        admin = self.client_for("org_admin").get("/")
        self.assertContains(admin, 'data-section="staff"')
        self.assertNotContains(admin, 'data-section="member"')
        viewer = self.client_for("viewer").get("/")
        self.assertContains(viewer, 'data-key="members.count"')
        self.assertNotContains(viewer, "wb-todos")
        # The org tree and 我的 stay in the navigation.
        self.assertContains(admin, 'href="/orgs/"')
        self.assertContains(member, 'href="/members/mine/"')

    def test_a_user_without_role_sees_no_role(self) -> None:
        from peixun.testing import make_user  # noqa: PLC0415 - only this test needs it

        user = make_user("nobody")
        client = self.client_class()
        client.force_login(user)
        self.assertTemplateUsed(client.get("/"), "core/no_role.html")

    def test_scan_page(self) -> None:
        self.expect_personas(
            "/events/scan/",
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 200,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )


def grow(world: World, prefix: str, branches: int, members_each: int) -> None:
    """More of everything: `branches` new branches under the unit, each with members, a pending
    filing, a leave request, a submitted plan, a class to close with a nomination and meetings."""
    today = timezone.localdate()
    for n in range(branches):
        branch = make_org(
            world.unit, f"{prefix}{n:04d}", f"{prefix}党支部{n}", Organization.Kind.BRANCH
        )
        members = [make_member(branch, f"{prefix}成员{n}-{i}") for i in range(members_each)]
        Member.objects.filter(pk__in=[m.pk for m in members]).update(
            joined_on=dt.date(2001, today.month, 1)
        )
        pending_entry(members[0])
        submitted_plan(branch, today.year)
        training_class = ended_class(branch, members[:2])
        session = add_session(training_class, starts_in=60 * 24)
        leave(session.event, members[0])
        held_today(branch, REQUIRED_KINDS[0])
        entry_record(
            actor=world.users["org_admin"],
            members=members[:2],
            on=today,
            hours="4",
            kind=Kind.CONCENTRATED_TRAINING,
            title="集中轮训",
            concentrated=True,
        )


class WorkbenchQueryCount(PersonaTestCase):
    """The page makes as many queries for a tenant several times larger."""

    def count_queries(self, persona: str) -> int:
        client = self.client_for(persona)
        client.get("/")  # warm the session and the caches of the first request
        with CaptureQueriesContext(connection) as captured:
            response = client.get("/")
        self.assertEqual(response.status_code, 200)
        return len(captured.captured_queries)

    def test_constant_as_the_tenant_grows(self) -> None:
        requirements_seed_defaults(
            actor=self.world.platform_admin, tenant=self.world.root, from_year=2019
        )
        grow(self.world, "S", branches=2, members_each=2)
        small = {p: self.count_queries(p) for p in ("org_admin", "secretary", "member", "viewer")}
        grow(self.world, "L", branches=12, members_each=6)
        large = {p: self.count_queries(p) for p in small}
        self.assertEqual(small, large)
        # The figure for the note: org admin's workbench in queries.
        print(f"workbench queries: {small}")  # noqa: T201

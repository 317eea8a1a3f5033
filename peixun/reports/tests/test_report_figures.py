"""The figure catalogue against figures counted by hand: a small world over 2023–2024 with a
joiner, a leaver, a candidate, a closed branch, meetings, classes, online hours and a test, and
another subtree and another tenant that must not count."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from peixun.events.models import Attendance
from peixun.events.tests.fixtures import add_session, make_class
from peixun.exams.models import Attempt, Candidate, Exam
from peixun.exams.tests.fixtures import add_questions, fixed_paper
from peixun.hours.models import CreditEntry, Kind, Requirement
from peixun.hours.services.rollups import rollup_rebuild
from peixun.members.models import Member, Membership
from peixun.orglife.logic import REQUIRED_KINDS
from peixun.orglife.models import MeetingKind
from peixun.orglife.tests.test_regularity import meeting
from peixun.orgs.models import Organization
from peixun.spending.models import Expense, Fund
from peixun.testing import OtherTenant, PersonaTestCase, make_member, make_org
from peixun.training.models import ClassKind, Enrolment, TrainingClass

from ..selectors.drafts import report_sentences
from ..selectors.figures import (
    CATALOGUE,
    ReportPeriod,
    clean_period,
    format_value,
    report_figures,
    report_org,
)

S = Attendance.Status


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def credit(
    member: Member, org: Organization, day: dt.date, hours: str, **fields: Any
) -> CreditEntry:
    return CreditEntry.objects.create(
        member=member,
        org=org,
        on=day,
        year=day.year,
        hours=Decimal(hours),
        kind=fields.pop("kind", Kind.OTHER),
        title="网络学习",
        **fields,
    )


def held_class(
    org: Organization, kind: str, first: dt.date, last: dt.date, **fields: Any
) -> TrainingClass:
    state = fields.pop("state", TrainingClass.State.CLOSED)
    return make_class(org, kind=kind, starts_on=first, ends_on=last, state=state, **fields)


def enrol(tc: TrainingClass, member: Member, state: str = Enrolment.State.ACCEPTED) -> Enrolment:
    return Enrolment.objects.create(
        training_class=tc, member=member, route=Enrolment.Route.NAMED, state=state
    )


class FigureTests(PersonaTestCase):
    joiner: ClassVar[Member]
    leaver: ClassVar[Member]
    other: ClassVar[OtherTenant]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        # People: a member who joined the Party in May 2024, one who left in June 2023, a
        # candidate (never counted); members of the far unit and of another tenant.
        cls.joiner = make_member(
            w.branch,
            "新党员",
            status=Member.Status.PROBATIONARY,
            joined_on=dt.date(2024, 5, 1),
            confirmed_on=None,
        )
        cls.leaver = make_member(w.other_branch, "调出者")
        Membership.objects.filter(member=cls.leaver).update(until=dt.date(2023, 6, 30))
        make_member(
            w.branch, "发展对象", status=Member.Status.CANDIDATE, joined_on=None, confirmed_on=None
        )
        closed = make_org(w.unit, "T010103", "已撤销支部", Organization.Kind.BRANCH)
        Organization.objects.filter(pk=closed.pk).update(closed_on=dt.date(2022, 5, 1))
        cls.other = OtherTenant()

        # Meetings: 中心组学习 in both years (and one in 2022, one in the far unit: not ours).
        for day in (dt.date(2023, 3, 1), dt.date(2024, 3, 1)):
            meeting(w.unit, MeetingKind.CENTRAL_GROUP, day)
        meeting(w.unit, MeetingKind.CENTRAL_GROUP, dt.date(2022, 12, 31))
        meeting(w.far_unit, MeetingKind.CENTRAL_GROUP, dt.date(2024, 3, 1))
        lecture = meeting(w.branch, MeetingKind.EXPERT_LECTURE, dt.date(2024, 4, 1))
        for member, status in (
            (w.member, S.PRESENT),
            (w.secretary_member, S.LATE),
            (w.other_member, S.ABSENT),
        ):
            Attendance.objects.create(event=lecture.event, member=member, status=status)
        report = meeting(w.other_branch, MeetingKind.REPORT_MEETING, dt.date(2023, 9, 1))
        Attendance.objects.create(event=report.event, member=w.other_member, status=S.LEAVE)
        # 第一党支部 holds every required meeting in 2024 (regular); nobody else does.
        for month in range(1, 13):
            for kind in REQUIRED_KINDS:
                meeting(w.branch, kind, dt.date(2024, month, 10))

        # Classes: a party-spirit class with 2 of 3 trainees coming (low participation), a
        # special-topic class with its one trainee, and classes that do not count.
        a = held_class(w.unit, ClassKind.PARTY_SPIRIT, dt.date(2023, 5, 10), dt.date(2023, 5, 12))
        session = add_session(a)
        for member in (w.member, w.secretary_member, w.other_member):
            enrol(a, member)
        Attendance.objects.create(event=session.event, member=w.member, status=S.PRESENT)
        Attendance.objects.create(event=session.event, member=w.secretary_member, status=S.LATE)
        Attendance.objects.create(event=session.event, member=w.other_member, status=S.ABSENT)
        b = held_class(w.branch, ClassKind.SPECIAL, dt.date(2024, 6, 1), dt.date(2024, 6, 2))
        session_b = add_session(b)
        enrol(b, w.member)
        enrol(b, w.secretary_member, Enrolment.State.RETURNED)
        Attendance.objects.create(event=session_b.event, member=w.member, status=S.PRESENT)
        held_class(
            w.unit,
            ClassKind.SPECIAL,
            dt.date(2024, 7, 1),
            dt.date(2024, 7, 2),
            state=TrainingClass.State.PUBLISHED,
        )
        held_class(w.far_unit, ClassKind.SPECIAL, dt.date(2024, 7, 1), dt.date(2024, 7, 2))

        # Online hours on the ledger (the branch of the day counts, not today's).
        credit(w.member, w.branch, dt.date(2023, 3, 1), "2.5", online=True)
        wrong = credit(w.member, w.branch, dt.date(2024, 1, 5), "0.5", online=True)
        credit(w.member, w.branch, dt.date(2024, 1, 10), "-0.5", online=True, reverses=wrong)
        credit(w.member, w.branch, dt.date(2024, 11, 1), "1", online=True)
        credit(w.member, w.branch, dt.date(2024, 2, 1), "3")  # not online
        credit(
            w.member,
            w.branch,
            dt.date(2024, 2, 1),
            "4",
            online=True,
            state=CreditEntry.State.PENDING,
        )
        credit(w.far_member, w.far_branch, dt.date(2024, 2, 1), "5", online=True)
        rollup_rebuild()  # the yearly rollups the ledger's writers keep in step

        # Spending: 党费 and 培训经费 in the unit, one voided, one in 2022, one in the far unit.
        def spend(org: Organization, day: dt.date, amount: str, fund: str, **more: Any) -> None:
            if fund == Fund.PARTY_DUES:
                more.update(decision_body="支委会", decision_on=day)
            Expense.objects.create(
                org=org, spent_on=day, amount=Decimal(amount), fund=fund, purpose="购书", **more
            )

        spend(w.unit, dt.date(2023, 4, 1), "1200.50", Fund.PARTY_DUES)
        spend(w.branch, dt.date(2024, 4, 1), "800", Fund.TRAINING_FUNDS)
        spend(
            w.branch,
            dt.date(2024, 5, 1),
            "999",
            Fund.TRAINING_FUNDS,
            voided_at=at(dt.date(2024, 5, 2)),
            void_reason="录错",
        )
        spend(w.unit, dt.date(2022, 4, 1), "50", Fund.OTHER)
        spend(w.far_unit, dt.date(2024, 4, 1), "70", Fund.OTHER)

        # A knowledge test of April 2024: 3 candidates below the unit (one in the far unit).
        paper = fixed_paper(w, add_questions(w, per_kind=1))
        exam = Exam.objects.create(
            org=w.root,
            title="应知应会测试",
            kind="quarterly",
            paper=paper,
            opens_at=at(dt.date(2024, 4, 1)),
            closes_at=at(dt.date(2024, 4, 8)),
            state=Exam.State.FINALISED,
        )
        for member, org in (
            (w.member, w.branch),
            (w.secretary_member, w.branch),
            (w.other_member, w.other_branch),
            (w.far_member, w.far_branch),
        ):
            Candidate.objects.create(exam=exam, member=member, org=org)
        for member, passed in ((w.member, True), (w.secretary_member, False)):
            Attempt.objects.create(
                exam=exam,
                member=member,
                org=w.branch,
                started_at=at(dt.date(2024, 4, 2)),
                deadline_at=at(dt.date(2024, 4, 2), 11),
                submitted_at=at(dt.date(2024, 4, 2), 11),
                items=[],
                max_score=Decimal(100),
                passed=passed,
            )

    def figures(
        self, org: Organization, first: int, last: int, as_of: dt.date | None = None
    ) -> dict[str, Any]:
        got = report_figures(
            actor=self.user("org_admin"), org=org, period=ReportPeriod(first, last, as_of)
        )
        return got

    def test_every_catalogue_figure_has_a_value_label_definition_and_link(self) -> None:
        got = self.figures(self.world.unit, 2023, 2024)
        self.assertEqual(list(got), [f.key for f in CATALOGUE])
        for figure in got.values():
            self.assertTrue(figure.label and figure.definition and figure.url.startswith("/"))

    def test_people_and_branches(self) -> None:
        got = self.figures(self.world.unit, 2023, 2024)
        # By hand: on 31 Dec 2024 李明, 王芳, 赵强 and the joiner (4); over the two years also
        # the leaver (5); 2023 had the three and the leaver, 2024 the three and the joiner.
        self.assertEqual(got["members_end"].value, 4)
        self.assertEqual(got["members_period"].value, 5)
        self.assertEqual(got["members_period"].by_year, {2023: 4, 2024: 4})
        # Two open branches; the one closed in 2022 is not counted.
        self.assertEqual(got["branches"].value, 2)
        # Before the joiner joined: 3 on 31 March 2024.
        early = self.figures(self.world.unit, 2024, 2024, dt.date(2024, 3, 31))
        self.assertEqual(early["members_end"].value, 3)

    def test_meetings_and_activities(self) -> None:
        got = self.figures(self.world.unit, 2023, 2024)
        self.assertEqual(got["central_group_sessions"].value, 2)
        self.assertEqual(got["expert_lecture_sessions"].value, 1)
        self.assertEqual(got["expert_lecture_person_times"].value, 2)  # present + late
        self.assertEqual(got["report_meeting_sessions"].value, 1)
        self.assertEqual(got["report_meeting_person_times"].value, 0)  # on leave
        self.assertEqual(got["reading_class_sessions"].value, 0)
        # As of 31 March 2024: the April lecture is not yet counted.
        early = self.figures(self.world.unit, 2024, 2024, dt.date(2024, 3, 31))
        self.assertEqual(early["expert_lecture_sessions"].value, 0)
        self.assertEqual(early["central_group_sessions"].value, 1)
        # The root counts the far unit's 中心组学习 too.
        self.assertEqual(
            self.figures(self.world.root, 2023, 2024)["central_group_sessions"].value, 3
        )

    def test_classes(self) -> None:
        got = self.figures(self.world.unit, 2023, 2024)
        self.assertEqual(got["classes"].value, 2)
        self.assertEqual(got["classes"].parts, [("专题培训", 1), ("党性教育", 1)])
        self.assertEqual(got["class_person_times"].value, 4)  # 3 + 1; the returned one not
        # By kind: the party-spirit class's 3 trainees, the special-topic class's 1.
        self.assertEqual(got["class_person_times"].parts, [("专题培训", 1), ("党性教育", 3)])
        self.assertEqual(got["class_person_times"].parts_text, "专题培训1人次、党性教育3人次")
        sentences = report_sentences(got, org_name="某局", period=ReportPeriod(2023, 2024))
        self.assertIn(
            "举办培训班2期（专题培训1期、党性教育1期），培训4人次（专题培训1人次、党性教育3人次）。",
            [s.text for s in sentences["practice"]],
        )
        self.assertEqual(got["low_participation_classes"].value, 1)  # 2 of 3 came < 80%
        self.assertEqual(self.figures(self.world.branch, 2023, 2024)["classes"].value, 1)

    def test_online_hours(self) -> None:
        got = self.figures(self.world.unit, 2023, 2024)
        # 2.5 (2023) + 0.5 − 0.5 + 1 (2024); not the offline 3, the pending 4 or the far 5.
        self.assertEqual(got["online_hours"].value, Decimal("3.5"))
        self.assertEqual(got["online_hours"].by_year, {2023: Decimal("2.5"), 2024: Decimal("1")})
        early = self.figures(self.world.unit, 2024, 2024, dt.date(2024, 10, 31))
        self.assertEqual(early["online_hours"].value, Decimal("0"))

    def test_exams(self) -> None:
        got = self.figures(self.world.unit, 2023, 2024)
        self.assertEqual(got["exam_candidates"].value, 3)
        self.assertEqual(got["exam_participation"].value, Decimal("0.6667"))  # 2 of 3
        self.assertEqual(got["exam_pass_rate"].value, Decimal("0.5000"))  # 1 of 2
        self.assertEqual(format_value(got["exam_participation"].value, "percent"), "66.7%")
        early = self.figures(self.world.unit, 2024, 2024, dt.date(2024, 3, 31))
        self.assertEqual(early["exam_candidates"].value, 0)
        self.assertIsNone(early["exam_participation"].value)

    def test_irregular_branches(self) -> None:
        got = self.figures(self.world.unit, 2023, 2024)
        # 2023: both branches missed meetings; 2024: only 第二党支部.
        self.assertEqual(got["irregular_branches"].by_year, {2023: 2, 2024: 1})
        self.assertEqual(got["irregular_branches"].value, 2)
        self.assertEqual(self.figures(self.world.unit, 2024, 2024)["irregular_branches"].value, 1)

    def test_hours_and_coverage(self) -> None:
        got = self.figures(self.world.unit, 2023, 2024)
        # Hours: 李明's 2.5 + 0.5 − 0.5 + 1 + 3 = 6.5 (not the pending 4, not the far unit's).
        # Member-years: 2023 three whole years and the leaver's 180 days (to 29 June) of 365;
        # 2024 three whole years and the joiner's 245 days (from 1 May) of 366:
        # 6 + 180/365 + 245/366 = 7.1626, so 6.5 / 7.1626 = 0.9075 a member a year.
        self.assertEqual(format_value(got["average_hours"].value, "hours"), "0.9")
        self.assertAlmostEqual(
            float(got["average_hours"].value), 6.5 / (6 + 180 / 365 + 245 / 366), 2
        )
        # Coverage: only 李明 of the 5 members of the period has hours.
        self.assertEqual(got["coverage"].value, Decimal("0.2"))
        # 2023: 2.5 hours over 3 + 180/365 member-years; 1 of 4 trained.
        self.assertAlmostEqual(float(got["average_hours"].by_year[2023]), 2.5 / (3 + 180 / 365), 2)
        self.assertEqual(got["coverage"].by_year[2023], Decimal("0.25"))
        # This world seeds no study-hour rule (the tenant was written straight to the tables),
        # so nobody can be behind; the compliance tests of the hours app judge the rules.
        self.assertEqual(got["members_behind"].value, 0)

    def test_members_behind_by_rule(self) -> None:
        w = self.world
        # Two rules no one can meet: every Party member of the unit's 2024 roster is behind on
        # the first (李明, 王芳, 赵强 and the joiner: 4); only the county-level cadre 王芳 is
        # behind on the cadre rule too, and counts once in the total.
        Requirement.objects.create(
            org=w.unit,
            name="党员每年学习不少于1000学时",
            metric="total_hours",
            threshold=Decimal(1000),
            valid_from_year=2024,
        )
        Requirement.objects.create(
            org=w.unit,
            name="县处级干部每年学习不少于2000学时",
            metric="total_hours",
            threshold=Decimal(2000),
            cadre_ranks=[Member.CadreRank.COUNTY_PLUS],
            valid_from_year=2024,
        )
        Member.objects.filter(pk=w.secretary_member.pk).update(
            cadre_rank=Member.CadreRank.COUNTY_PLUS
        )
        got = self.figures(self.world.unit, 2024, 2024)["members_behind"]
        self.assertEqual(got.value, 4)
        self.assertEqual(
            got.parts, [("党员每年学习不少于1000学时", 4), ("县处级干部每年学习不少于2000学时", 1)]
        )
        sentences = report_sentences(
            {"members_behind": got}, org_name="某局", period=ReportPeriod(2024, 2024)
        )
        self.assertEqual(
            sentences["problems"][0].text,
            "2024年有4名党员未达到至少一项学时要求（按规则分：“党员每年学习不少于1000学时”4名、"
            "“县处级干部每年学习不少于2000学时”1名）。",
        )

        # A frozen total whose rules now count nobody: the total alone, no empty "(by rule: )".
        frozen = dataclasses.replace(got, parts=[])
        sentences = report_sentences(
            {"members_behind": frozen}, org_name="某局", period=ReportPeriod(2024, 2024)
        )
        self.assertEqual(
            [s.text for s in sentences["problems"]], ["2024年有4名党员未达到至少一项学时要求。"]
        )

    def test_dates_in_the_prose_read_in_chinese(self) -> None:
        period = ReportPeriod(2024, 2024, dt.date(2024, 6, 30))
        self.assertEqual(period.label, "2024年（截至2024年6月30日）")
        got = self.figures(self.world.unit, 2024, 2024, dt.date(2024, 6, 30))
        sentences = report_sentences(got, org_name="某局", period=period)
        first = sentences["basics"][0].text
        self.assertTrue(first.startswith("截至2024年6月30日，某局"), first)
        self.assertNotIn("2024-06-30", "".join(s.text for v in sentences.values() for s in v))

    def test_spending(self) -> None:
        got = self.figures(self.world.unit, 2023, 2024)
        # 1200.50 (党费, 2023) + 800 (培训经费, 2024); not the voided 999, 2022's 50, the far 70.
        self.assertEqual(got["spending_total"].value, Decimal("2000.50"))
        self.assertEqual(got["spending_party_dues"].value, Decimal("1200.50"))
        self.assertEqual(
            got["spending_total"].parts,
            [("党费", Decimal("1200.50")), ("培训经费", Decimal("800")), ("其他经费", Decimal(0))],
        )
        self.assertEqual(format_value(got["spending_total"].value, "yuan"), "2,000.50")
        self.assertEqual(
            self.figures(self.world.unit, 2024, 2024)["spending_total"].value, Decimal("800")
        )

    def test_scope(self) -> None:
        w = self.world
        with self.assertRaises(Http404):
            report_org(self.user("org_admin"), self.other.root.pk)
        with self.assertRaises(Http404):
            report_org(self.user("secretary"), w.unit.pk)
        with self.assertRaises(Http404):
            report_org(self.user("member"), w.branch.pk)
        self.assertEqual(report_org(self.user("secretary"), w.branch.pk), w.branch)
        self.assertEqual(report_org(self.user("viewer"), w.unit.pk), w.unit)

    def test_period_validation(self) -> None:
        self.assertEqual(clean_period(2019, 2023).years, [2019, 2020, 2021, 2022, 2023])
        self.assertEqual(clean_period("2024", "", None).last_year, 2024)
        for args, field in (
            ((2024, 2023), "last_year"),
            ((1999, 2003), "first_year"),
            ((2010, 2020), "last_year"),
            (("x", 2020), "first_year"),
            ((2023, 2024, "2022-12-31"), "as_of"),
            ((2023, 2024, "31/12/2024"), "as_of"),
        ):
            with self.assertRaises(ValidationError) as caught:
                clean_period(*args)
            self.assertIn(field, caught.exception.message_dict, args)
        period = clean_period(2023, 2024, "2024-03-31")
        self.assertEqual(period.end, dt.date(2024, 3, 31))
        self.assertEqual(period.years, [2023, 2024])
        self.assertEqual(clean_period(2023, 2024, "2025-06-30").end, dt.date(2024, 12, 31))

    def test_constant_queries(self) -> None:
        org = self.world.unit
        actor = self.user("org_admin")
        with self.assertNumQueries(NUM_QUERIES := self._count(org, actor)):
            report_figures(actor=actor, org=org, period=ReportPeriod(2023, 2024))
        make_member(self.world.branch, "再一位")
        with self.assertNumQueries(NUM_QUERIES):
            report_figures(actor=actor, org=org, period=ReportPeriod(2023, 2024))

    def _count(self, org: Organization, actor: Any) -> int:
        with CaptureQueriesContext(connection) as ctx:
            report_figures(actor=actor, org=org, period=ReportPeriod(2023, 2024))
        return len(ctx.captured_queries)

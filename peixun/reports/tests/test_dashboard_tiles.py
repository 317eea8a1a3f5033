"""Every dashboard tile computed by hand on a small world, and checked against the page it
drills down to (the compliance page's figures, the exam results page's counting).

The world (peixun.testing.World): root → 局党委 (第一支部 with a group, 第二支部) and 委党委
(第三支部). In YEAR, judged at the year's end:
- hours: 李明 and 王芳 (第一支部) 60 concentrated hours each (every rule met); 赵强 (第二支部),
  孙丽 (第三支部) and 钱进 (probationary, 第三支部, a township cadre) nothing: behind; 周敏
  (第一支部) exempt.
- meetings by 1 February: 第一支部 held 支委会, 党小组会 and 主题党日 in January (regular);
  第二支部 only a 支委会; 第三支部 nothing.
- classes: the root's closed 专题培训 class (李明, 王芳, 赵强 accepted), 局党委's closed 轮训 class
  (李明), a cancelled class and a class of the year before (neither counts).
- an exam of the root: candidates 李明, 王芳, 赵强, 孙丽; 李明 passes at the second attempt,
  王芳 fails, 赵强 passes; 孙丽 does not take it.
- plans: 局党委's plan with two items, one marked done, one overdue with nothing delivered.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from peixun.events.models import Event
from peixun.exams.models import Attempt, Exam
from peixun.exams.selectors import branch_results
from peixun.exams.tests.fixtures import add_questions, fixed_paper, make_exam
from peixun.hours.selectors import member_table, org_compliance
from peixun.hours.services import entry_record, requirements_seed_defaults
from peixun.members.models import Member
from peixun.orglife.logic import REQUIRED_KINDS
from peixun.orglife.models import Meeting
from peixun.orglife.selectors import branch_calendars, branches_below
from peixun.plans.models import PlanItem, TrainingPlan
from peixun.reports.selectors.dashboard import (
    Tile,
    category_tile,
    compliance_tile,
    concentrated_tile,
    dashboard,
    exams_tile,
    frame_for,
    hours_tile,
    plans_tile,
    regularity_tile,
    spending_tile,
    training_tile,
)
from peixun.reports.selectors.dashboard.activity import branch_regularity
from peixun.reports.selectors.dashboard.money import spending_by_child
from peixun.reports.selectors.dashboard.people import compliance_of, engine_batch
from peixun.spending.models import Expense, Fund
from peixun.spending.selectors import spending_totals
from peixun.testing import PersonaTestCase, make_member
from peixun.training.models import ClassKind, Enrolment, TrainingClass

YEAR = 2025
YEAR_END = dt.date(YEAR, 12, 31)


def meeting(org: Any, kind: str, day: dt.date) -> Meeting:
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(14)))
    event = Event.objects.create(
        category=Event.Category.MEETING, org=org, title=kind, starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2), hours=Decimal(1),
    )  # fmt: skip
    return Meeting.objects.create(event=event, kind=kind, host="王芳")


def closed_class(org: Any, kind: str, starts_on: dt.date, *members: Member, **kw: Any) -> Any:
    training_class = TrainingClass.objects.create(
        org=org, title=f"{kind} {starts_on}", kind=kind, starts_on=starts_on,
        ends_on=starts_on + dt.timedelta(days=2), topic="innovation_theory", audience_org=org,
        capacity=50, state=kw.pop("state", TrainingClass.State.CLOSED),
    )  # fmt: skip
    for member in members:
        Enrolment.objects.create(
            training_class=training_class, member=member, route=Enrolment.Route.NAMED,
            state=Enrolment.State.ACCEPTED,
        )  # fmt: skip
    return training_class


def values(tile: Tile) -> dict[str, Any]:
    return {f.key: f.value for f in tile.figures}


def child_values(tile: Tile) -> dict[str, dict[str, Any]]:
    return {row.org_name: {f.key: f.value for f in row.figures} for row in tile.children}


class DashboardTileTests(PersonaTestCase):
    exam: ClassVar[Exam]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        admin = w.users["org_admin"]
        requirements_seed_defaults(actor=w.platform_admin, tenant=w.root, from_year=2019)
        entry_record(
            actor=admin, members=[w.member, w.secretary_member], on=dt.date(YEAR, 3, 12),
            hours="60", kind="concentrated_training", title="专题培训班",
            topic="innovation_theory", concentrated=True,
        )  # fmt: skip
        # An exam (published before 钱进 and 周敏 join, so they are no candidates): 李明 passes
        # at the second go, 王芳 fails, 赵强 passes, 孙丽 never takes it.
        paper = fixed_paper(w, add_questions(w, per_kind=1))
        opens = dt.datetime(YEAR, 6, 1, 9, tzinfo=timezone.get_current_timezone())
        cls.exam = make_exam(w, paper)  # published now, then moved to June of YEAR
        Exam.objects.filter(pk=cls.exam.pk).update(
            opens_at=opens, closes_at=opens + dt.timedelta(days=7)
        )
        for member, number, score in (
            (w.member, 1, "40"),
            (w.member, 2, "80"),
            (w.secretary_member, 1, "50"),
            (w.other_member, 1, "60"),
        ):
            Attempt.objects.create(
                exam=cls.exam, member=member, org=member.org, number=number, started_at=opens,
                deadline_at=opens + dt.timedelta(minutes=30), submitted_at=opens, items=[],
                max_score=Decimal(100), score=Decimal(score), percent=Decimal(score),
                passed=Decimal(score) >= 60,
            )  # fmt: skip
        make_member(
            w.far_branch, "钱进", status=Member.Status.PROBATIONARY, cadre_rank="township",
            mobile="13800000031",
        )  # fmt: skip
        make_member(w.branch, "周敏", exempt_reason="elderly", mobile="13800000021")
        # Meetings of January.
        for kind in ("committee", "group", "theme_day"):
            meeting(w.branch, kind, dt.date(YEAR, 1, 15))
        meeting(w.other_branch, "committee", dt.date(YEAR, 1, 16))
        # Classes.
        closed_class(
            w.root, ClassKind.SPECIAL, dt.date(YEAR, 4, 1), w.member, w.secretary_member,
            w.other_member,
        )  # fmt: skip
        closed_class(w.unit, ClassKind.ROTATION, dt.date(YEAR, 9, 1), w.member)
        closed_class(
            w.unit, ClassKind.ROTATION, dt.date(YEAR, 10, 1), w.member,
            state=TrainingClass.State.CANCELLED,
        )  # fmt: skip
        closed_class(w.unit, ClassKind.SPECIAL, dt.date(YEAR - 1, 5, 1), w.member)
        # Spending: 第一支部 党费 800 (March) and 培训经费 200 (November), 第三支部 other 50,
        # a voided 9999 and an expense of the year before.
        for org, on, amount, fund, extra in (
            (w.branch, dt.date(YEAR, 3, 1), "800", Fund.PARTY_DUES, {}),
            (w.branch, dt.date(YEAR, 11, 1), "200", Fund.TRAINING_FUNDS, {}),
            (w.far_branch, dt.date(YEAR, 5, 1), "50", Fund.OTHER, {}),
            (
                w.branch,
                dt.date(YEAR, 5, 1),
                "9999",
                Fund.OTHER,
                {"voided_at": timezone.now(), "void_reason": "重复"},
            ),
            (w.branch, dt.date(YEAR - 1, 5, 1), "7", Fund.OTHER, {}),
        ):
            if fund == Fund.PARTY_DUES:
                extra.update(decision_body="支委会", decision_on=on)
            Expense.objects.create(
                org=org, spent_on=on, amount=Decimal(amount), fund=fund, purpose="教材", **extra
            )
        # A plan of 局党委: one item done, one overdue.
        plan = TrainingPlan.objects.create(
            org=w.unit, year=YEAR, title="年度培训计划", state=TrainingPlan.State.APPROVED
        )
        PlanItem.objects.create(
            plan=plan, content="专题培训", responsible_org=w.unit, deadline=dt.date(YEAR, 6, 30),
            planned_classes=2, done_at=timezone.now(),
        )  # fmt: skip
        PlanItem.objects.create(
            plan=plan, content="轮训", responsible_org=w.unit, deadline=dt.date(YEAR, 9, 30),
            planned_classes=4,
        )  # fmt: skip

    def frame(self, persona: str = "org_admin", org: Any = None, as_of: dt.date = YEAR_END) -> Any:
        return frame_for(self.user(persona), org or self.world.root, YEAR, as_of)

    # -- people -------------------------------------------------------------------------------

    def test_compliance_tile_by_hand(self) -> None:
        tile = compliance_tile(self.frame())
        # 赵强, 孙丽 and 钱进 have nothing: behind at the year's end; 周敏 is exempt.
        self.assertEqual(values(tile)["behind"], 3)
        self.assertEqual(values(tile)["at_risk"], 0)
        self.assertEqual(values(tile)["members"], 6)  # 周敏 (exempt) included
        children = child_values(tile)
        self.assertEqual(children["测试局机关党委"]["behind"], 1)
        self.assertEqual(children["测试委党委"]["behind"], 2)
        drill = tile.figure("behind").url
        self.assertTrue(
            drill.startswith(reverse("compliance:drilldown", args=[self.world.root.pk]))
        )
        self.assertIn("status=behind", drill)
        self.assertIn(f"year={YEAR}", drill)

    def test_compliance_tile_equals_the_compliance_page(self) -> None:
        for org in (self.world.root, self.world.unit, self.world.far_branch):
            summary = org_compliance(
                actor=self.user("org_admin"), org=org, year=YEAR, as_of=dt.date(YEAR, 6, 30)
            ).summary
            tile = compliance_tile(self.frame(org=org, as_of=dt.date(YEAR, 6, 30)))
            self.assertEqual(values(tile)["behind"], summary.behind)
            self.assertEqual(values(tile)["at_risk"], summary.at_risk)
            self.assertEqual(values(tile)["members"], summary.members)
            # The dashboard's shared batch summarises to the same figures, child by child.
            frame = self.frame(org=org, as_of=dt.date(YEAR, 6, 30))
            shared = compliance_of(frame, engine_batch(frame))
            direct = compliance_of(frame)
            self.assertEqual(
                (shared.summary.behind, shared.summary.at_risk, shared.summary.coverage),
                (direct.summary.behind, direct.summary.at_risk, direct.summary.coverage),
            )
            self.assertEqual(
                [(c.org_id, c.behind, c.at_risk, c.members) for c in shared.children],
                [(c.org_id, c.behind, c.at_risk, c.members) for c in direct.children],
            )

    def test_category_tile_by_hand(self) -> None:
        tile = category_tile(self.frame())
        v = values(tile)
        self.assertEqual(v["status:full:behind"], 2)  # 赵强, 孙丽
        self.assertEqual(v["status:probationary:behind"], 1)  # 钱进
        self.assertEqual(v["status:candidate:behind"], 0)
        self.assertEqual(v["cadre_rank:township:behind"], 1)
        self.assertEqual(v["cadre_rank:none:behind"], 2)
        self.assertEqual(v["employment:on_duty:behind"], 3)
        # Each grouping adds up to the members behind, as the engine counts them.
        results = member_table(actor=self.user("org_admin"), org=self.world.root, year=YEAR)
        behind = sum(1 for mc in results if mc.worst_status == "behind")
        for dimension in ("status", "cadre_rank", "employment"):
            total = sum(
                f.value or 0
                for f in tile.figures
                if f.key.startswith(dimension + ":") and f.key.endswith(":behind")
            )
            self.assertEqual(total, behind, dimension)
        url = tile.figure("status:probationary:behind").url
        self.assertIn("category=probationary", url)

    def test_concentrated_tile_by_hand(self) -> None:
        tile = concentrated_tile(self.frame())
        v = values(tile)
        # 5 not exempt, 2 of them (李明, 王芳) with a concentrated training.
        self.assertEqual(v["trained"], 2)
        self.assertEqual(v["not_trained"], 3)
        self.assertEqual(v["participation"], Decimal("40.0"))
        self.assertEqual(child_values(tile)["测试局机关党委"]["participation"], Decimal("66.7"))
        self.assertEqual(child_values(tile)["测试委党委"]["participation"], Decimal("0.0"))

    def test_hours_tile_by_hand(self) -> None:
        tile = hours_tile(self.frame())
        v = values(tile)
        # Six members all year (周敏 exempt but a member); 李明 and 王芳 60 hours each.
        self.assertEqual(v["members"], 6)
        self.assertEqual(v["coverage"], Decimal("33.3"))
        self.assertEqual(v["total_hours"], Decimal("120"))
        self.assertEqual(v["average_hours"], Decimal("20.00"))  # 120 / 6 member-years
        self.assertEqual(v["kind:concentrated_training"], Decimal("120"))
        # Children are listed to drill into; each child's own dashboard has its figures.
        self.assertEqual([r.org_name for r in tile.children], ["测试局机关党委", "测试委党委"])
        unit = values(hours_tile(self.frame(org=self.world.unit)))
        self.assertEqual(unit["average_hours"], Decimal("30.00"))  # 120 / 4 member-years
        self.assertEqual(unit["coverage"], Decimal("50.0"))
        far = values(hours_tile(self.frame(org=self.world.far_unit)))
        self.assertEqual((far["members"], far["coverage"]), (2, Decimal("0.0")))
        # As of February nothing has been recorded yet.
        early = values(hours_tile(self.frame(as_of=dt.date(YEAR, 2, 1))))
        self.assertEqual(early["total_hours"], Decimal("0"))

    def test_spending_tile_by_hand(self) -> None:
        tile = spending_tile(self.frame())
        v = values(tile)
        self.assertEqual(v["total"], Decimal("1050"))  # 800 + 200 + 50; the voided 9999 apart
        self.assertEqual(v["count"], 3)
        self.assertEqual(v["fund:party_dues"], Decimal("800"))
        self.assertEqual(v["fund:training_funds"], Decimal("200"))
        self.assertEqual(v["fund:other"], Decimal("50"))
        children = child_values(tile)
        self.assertEqual(children["测试局机关党委"]["total"], Decimal("1000"))
        self.assertEqual(children["测试委党委"]["total"], Decimal("50"))
        # The grouped per-child sums equal spending_totals child by child.
        frame = self.frame()
        for child, totals in spending_by_child(frame).items():
            org = next(c for c in frame.children if c.pk == child)
            expected = spending_totals(
                actor=self.user("org_admin"), org=org, start=frame.start, end=frame.as_of
            )
            self.assertEqual(totals, expected)
        # As of the end of June the November expense is not counted.
        early = values(spending_tile(self.frame(as_of=dt.date(YEAR, 6, 30))))
        self.assertEqual(early["total"], Decimal("850"))

    # -- activities ---------------------------------------------------------------------------

    def test_regularity_tile_by_hand(self) -> None:
        tile = regularity_tile(self.frame(as_of=dt.date(YEAR, 2, 1)))
        v = values(tile)
        self.assertEqual(v["branches"], 3)
        self.assertEqual(v["regular"], 1)  # only 第一支部 held all three monthly kinds
        self.assertEqual(v["kind:committee"], Decimal("66.7"))
        self.assertEqual(v["kind:group"], Decimal("33.3"))
        self.assertEqual(v["kind:branch_assembly"], Decimal("100.0"))  # no quarter past yet
        children = child_values(tile)
        self.assertEqual(children["测试局机关党委"]["regular"], 1)
        self.assertEqual(children["测试局机关党委"]["branches"], 2)
        self.assertEqual(children["测试委党委"]["share"], Decimal("0.0"))

    def test_regularity_equals_the_orglife_calendars(self) -> None:
        for as_of in (dt.date(YEAR, 1, 31), dt.date(YEAR, 2, 1), dt.date(YEAR, 7, 1), YEAR_END):
            frame = self.frame(as_of=as_of)
            found = branch_regularity(frame)
            branches = list(branches_below(self.world.root))
            for calendar in branch_calendars(branches, YEAR, as_of):
                missed = {k for k in REQUIRED_KINDS if calendar.missed(k)}
                self.assertEqual(found[calendar.org.pk][1], missed, (as_of, calendar.org.name))

    def test_training_tile_by_hand(self) -> None:
        tile = training_tile(self.frame())
        v = values(tile)
        self.assertEqual(v["classes"], 2)  # the cancelled class and last year's do not count
        self.assertEqual(v["person_times"], 4)  # 3 in the root's class, 1 in the unit's
        self.assertEqual(v["kind:special"], 1)
        self.assertEqual(v["kind:rotation"], 1)
        children = child_values(tile)
        self.assertEqual(children["测试局机关党委"], {"classes": 1, "person_times": 4})
        self.assertEqual(children["测试委党委"], {"classes": 0, "person_times": 0})
        # As of the end of June, the September class has not started.
        early = values(training_tile(self.frame(as_of=dt.date(YEAR, 6, 30))))
        self.assertEqual((early["classes"], early["person_times"]), (1, 3))

    def test_exams_tile_by_hand(self) -> None:
        tile = exams_tile(self.frame())
        v = values(tile)
        self.assertEqual(v["exams"], 1)
        self.assertEqual(v["candidates"], 4)
        self.assertEqual(v["took"], 3)
        self.assertEqual(v["passed"], 2)  # 李明 by his best attempt, 赵强
        self.assertEqual(v["participation"], Decimal("75.0"))
        self.assertEqual(v["pass_rate"], Decimal("66.7"))
        children = child_values(tile)
        self.assertEqual(children["测试委党委"]["took"], 0)
        self.assertEqual(children["测试局机关党委"]["pass_rate"], Decimal("66.7"))
        # The exam results page counts the same.
        _rows, total = branch_results(self.user("org_admin"), self.exam)
        self.assertEqual((total.expected, total.took, total.passed), (4, 3, 2))
        self.assertEqual(tile.rows[0]["url"], reverse("exams:detail", args=[self.exam.pk]))
        # Before the exam opened, nothing.
        self.assertEqual(values(exams_tile(self.frame(as_of=dt.date(YEAR, 5, 1))))["exams"], 0)

    def test_plans_tile_by_hand(self) -> None:
        v = values(plans_tile(self.frame()))
        self.assertEqual((v["items"], v["done"], v["overdue"]), (2, 1, 1))
        self.assertEqual(v["progress"], Decimal("50.0"))  # (100 + 0) / 2
        early = values(plans_tile(self.frame(as_of=dt.date(YEAR, 7, 1))))
        self.assertEqual(early["overdue"], 0)  # the September deadline has not passed

    # -- scope --------------------------------------------------------------------------------

    def test_secretary_sees_the_branch_only(self) -> None:
        board = dashboard(
            actor=self.user("secretary"), org=self.world.branch, year=YEAR, as_of=YEAR_END
        )
        self.assertEqual(values(board.tile("compliance"))["behind"], 0)
        self.assertEqual(values(board.tile("training"))["person_times"], 3)  # 李明 ×2, 王芳
        with self.assertRaises(Http404):
            dashboard(actor=self.user("secretary"), org=self.world.unit, year=YEAR, as_of=YEAR_END)
        with self.assertRaises(Http404):
            dashboard(actor=self.user("member"), org=None, year=YEAR, as_of=YEAR_END)

    def test_no_ranking_of_people(self) -> None:
        """Children come in tree order, never sorted by a figure; no tile names a member."""
        board = dashboard(actor=self.user("org_admin"), org=None, year=YEAR, as_of=YEAR_END)
        names = set(Member.objects.values_list("name", flat=True))
        for tile in board.tiles:
            self.assertEqual(
                [r.org_id for r in tile.children],
                [c.pk for c in board.children if c.pk in {r.org_id for r in tile.children}],
            )
            text = repr(tile)
            self.assertFalse([n for n in names if n in text], tile.key)

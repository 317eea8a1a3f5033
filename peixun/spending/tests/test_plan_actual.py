"""Plan versus actual in money and the cost of a class, computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from peixun.orglife.models import MeetingKind
from peixun.orglife.tests.test_meetings_fixtures import record
from peixun.plans.models import PlanItem, TrainingPlan
from peixun.plans.tests.fixtures import branch_plan
from peixun.spending.models import Fund
from peixun.spending.selectors import class_cost, class_costs, item_spending, org_spending
from peixun.spending.services import expense_void
from peixun.testing import PersonaTestCase
from peixun.training.models import TrainingClass

from .fixtures import YEAR, costed_class, spend

D = Decimal


class PlanActualTest(PersonaTestCase):
    """第一党支部's plan has two items of 3000 yuan each. Against item 1: 500 directly, 1000 on
    a class that delivers it, 200 on a meeting that delivers it (and 999 voided): 1700 spent.
    Item 2: nothing. 第二党支部 spent 80 and 局党委 itself 400, with no plan; the far branch 5000
    (not under 局党委); 第一党支部 also spent 7 in the year before."""

    plan: ClassVar[TrainingPlan]
    item1: ClassVar[PlanItem]
    item2: ClassVar[PlanItem]
    training_class: ClassVar[TrainingClass]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        secretary, admin = w.users["secretary"], w.users["org_admin"]
        cls.plan, (cls.item1, cls.item2) = branch_plan(w, items=2)
        cls.training_class = costed_class(w, plan_item=cls.item1)
        meeting = record(secretary, w.branch, MeetingKind.LECTURE, plan_item=cls.item1)
        spend(secretary, w, amount="500", plan_item=cls.item1)
        spend(admin, w, amount="1000", training_class=cls.training_class)
        spend(secretary, w, amount="200", meeting=meeting)
        wrong = spend(secretary, w, amount="999", plan_item=cls.item1)
        expense_void(actor=secretary, expense=wrong, reason="录错")
        spend(admin, w, org=w.other_branch, amount="80", fund=Fund.OTHER)
        spend(admin, w, org=w.unit, amount="400")
        spend(admin, w, org=w.far_branch, amount="5000")
        spend(secretary, w, amount="7", spent_on=dt.date(YEAR - 1, 12, 31))

    def test_items(self) -> None:
        rows = item_spending(self.user("org_admin"), self.world.unit, YEAR)
        self.assertEqual(
            [(r.item, r.budget, r.spent, r.remaining, r.percent) for r in rows],
            [
                (self.item1, D(3000), D(1700), D(1300), 56),  # 1700 / 3000 = 56.7 %
                (self.item2, D(3000), D(0), D(3000), 0),
            ],
        )

    def test_items_seen_by_the_branch_secretary(self) -> None:
        # The class's 1000 was recorded by 局党委 for 第一党支部: it is the branch's expense, so
        # the branch secretary sees it too.
        rows = item_spending(self.user("secretary"), self.world.branch, YEAR)
        self.assertEqual(rows[0].spent, D(1700))
        self.assertEqual(item_spending(self.user("other_secretary"), self.world.branch, YEAR), [])

    def test_orgs(self) -> None:
        w = self.world
        result = org_spending(self.user("org_admin"), w.unit, YEAR)
        self.assertEqual(
            [(r.org, r.own, r.budget, r.spent) for r in result.rows],
            [
                (w.unit, True, D(0), D(400)),
                (w.branch, False, D(6000), D(1700)),
                (w.other_branch, False, D(0), D(80)),
            ],
        )
        self.assertEqual((result.budget, result.spent), (D(6000), D(2180)))
        self.assertEqual(result.percent, 36)  # 2180 / 6000 = 36.3 %

    def test_root_groups_by_unit(self) -> None:
        w = self.world
        result = org_spending(self.user("viewer"), w.root, YEAR)
        self.assertEqual(
            [(r.org, r.budget, r.spent) for r in result.rows],
            [(w.root, D(0), D(0)), (w.unit, D(6000), D(2180)), (w.far_unit, D(0), D(5000))],
        )

    def test_class_cost(self) -> None:
        cost = class_cost(self.user("org_admin"), self.training_class)
        # 1000 spent; 2 completed trainees (李明, 陈静; 周强 flagged); 6 + 4 + 2 = 12 学时.
        self.assertEqual((cost.spent, cost.trainees, cost.hours), (D(1000), 2, D(12)))
        self.assertEqual(cost.per_trainee, D("500.00"))
        self.assertEqual(cost.per_hour, D("83.33"))  # 1000 / 12 = 83.333…

    def test_class_costs_of_the_year(self) -> None:
        costs = class_costs(self.user("org_admin"), self.world.unit, YEAR)
        self.assertEqual([c.training_class for c in costs], [self.training_class])
        self.assertEqual(class_costs(self.user("org_admin"), self.world.unit, YEAR - 1), [])

    def test_open_class_has_no_completed_trainees(self) -> None:
        self.training_class.state = "published"
        cost = class_cost(self.user("org_admin"), self.training_class)
        self.assertEqual((cost.trainees, cost.per_trainee), (0, None))

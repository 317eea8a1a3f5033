"""The superior's filing overview from the data: each child's state, version and filing time with
counts; a constant number of queries as children and plans grow; visibility by scope."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext

from peixun.testing import PersonaTestCase, make_org

from ..selectors import filing_overview, plans_visible
from ..services import item_add, plan_create, plan_return, plan_submit
from .fixtures import YEAR, branch_plan, item_fields


class FilingOverviewTests(PersonaTestCase):
    def test_states_versions_and_counts(self) -> None:
        w = self.world
        admin = w.users["org_admin"]
        plan, _ = branch_plan(w)
        plan_submit(actor=w.users["secretary"], plan=plan)
        plan_return(actor=admin, plan=plan, reason="补充")
        plan_submit(actor=w.users["secretary"], plan=plan)
        draft = plan_create(actor=admin, org=w.other_branch, year=YEAR, title="第二支部计划")
        closed = make_org(w.unit, "T010109", "已撤销支部", "branch")
        closed.closed_on = dt.date(YEAR, 1, 1)
        closed.save()
        make_org(w.unit, "T010108", "新建支部", "branch")
        overview = filing_overview(w.unit, YEAR)
        rows = [(r.org.name, r.state, r.plan.version if r.plan else None) for r in overview.rows]
        self.assertIn(("第一党支部", "submitted", 2), rows)
        self.assertIn(("第二党支部", "draft", 0), rows)
        self.assertIn(("新建支部", "none", None), rows)
        self.assertNotIn("已撤销支部", [name for name, _s, _v in rows])
        first = next(r for r in overview.rows if r.plan == plan)
        plan.refresh_from_db()
        self.assertEqual(first.plan.submitted_at if first.plan else None, plan.submitted_at)
        self.assertEqual(overview.counts["submitted"], 1)
        self.assertEqual(overview.counts["draft"], 1)
        self.assertEqual(overview.counts["approved"], 0)
        self.assertEqual(sum(overview.counts.values()), len(overview.rows))
        self.assertEqual(draft.state, "draft")
        # Another year: nobody has filed.
        self.assertEqual(filing_overview(w.unit, YEAR + 1).counts["none"], len(overview.rows))

    def test_queries_do_not_grow_with_children(self) -> None:
        w = self.world
        admin = w.users["org_admin"]

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                filing_overview(w.root, YEAR)
            return len(captured)

        few = queries()
        for n in range(4):
            org = make_org(w.root, f"T01{n + 3:02d}", f"新单位{n}", "committee")
            plan = plan_create(actor=admin, org=org, year=YEAR, title=f"计划{n}")
            item_add(actor=admin, plan=plan, **item_fields(w, responsible_org=org))
        self.assertEqual(queries(), few)

    def test_plans_visible_follow_scope(self) -> None:
        w = self.world
        plan, _ = branch_plan(w)
        far = plan_create(actor=w.users["org_admin"], org=w.far_unit, year=YEAR, title="他单位")
        self.assertEqual(list(plans_visible(w.users["secretary"])), [plan])
        self.assertEqual(list(plans_visible(w.users["other_secretary"])), [])
        self.assertEqual(set(plans_visible(w.users["viewer"])), {plan, far})
        self.assertEqual(list(plans_visible(w.users["member"])), [])

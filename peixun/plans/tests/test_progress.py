"""Plan versus actual comes from the records: closed classes and closed meetings linked to an
item; open ones do not count; an item past its deadline and short of its plan is overdue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from peixun.events.models import Event
from peixun.events.tests.fixtures import add_session, enrol, make_class
from peixun.orglife.models import Meeting, MeetingKind
from peixun.testing import PersonaTestCase
from peixun.training.models import TrainingClass

from ..selectors import item_progress, progress_totals
from ..services import item_add
from .fixtures import YEAR, branch_plan, item_fields


class ProgressTests(PersonaTestCase):
    def test_only_closed_linked_records_count(self) -> None:
        w = self.world
        plan, (item,) = branch_plan(w)
        done = make_class(
            w.branch, title="已结班", plan_item=item, state=TrainingClass.State.CLOSED
        )
        add_session(done, hours="3")
        add_session(done, hours="2")
        enrol(done, w.member, w.secretary_member)
        running = make_class(w.branch, title="未结班", plan_item=item)
        add_session(running, hours="8")
        for state in (Event.State.CLOSED, Event.State.OPEN):
            now = timezone.now()
            event = Event.objects.create(
                category=Event.Category.MEETING, org=w.branch, title="主题党日", starts_at=now,
                ends_at=now + dt.timedelta(hours=1), hours=Decimal("1.5"), state=state,
            )  # fmt: skip
            Meeting.objects.create(
                event=event, kind=MeetingKind.THEME_DAY, host="王芳", plan_item=item
            )
        (row,) = item_progress(plan, today=dt.date(YEAR, 1, 1))
        self.assertEqual(
            (row.classes, row.meetings, row.hours, row.people), (1, 1, Decimal("6.5"), 2)
        )
        # classes 1/1, meetings 1/2, hours 6.5/8, people 2/2 → mean of the four shares
        self.assertEqual(row.percent, int((1 + 0.5 + 6.5 / 8 + 1) / 4 * 100))
        self.assertFalse(row.overdue)
        (late,) = item_progress(plan, today=dt.date(YEAR, 7, 1))
        self.assertTrue(late.overdue)
        totals = progress_totals([late])
        self.assertEqual(
            (totals["classes"], totals["planned_hours"], totals["overdue"]), (1, Decimal(8), 1)
        )

    def test_queries_do_not_grow_with_items(self) -> None:
        plan, _ = branch_plan(self.world, items=2)
        with self.assertNumQueries(5):
            item_progress(plan)
        for _i in range(5):
            item_add(actor=self.world.users["secretary"], plan=plan, **item_fields(self.world))
        with self.assertNumQueries(5):
            item_progress(plan)

"""Regularity: period states at every boundary (pure), a branch's calendar and the upper
org's overview from meeting rows (constant queries), pages and API for every persona."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import ClassVar

from django.test import SimpleTestCase
from django.utils import timezone

from peixun.events.models import Event
from peixun.orgs.models import Organization
from peixun.testing import PersonaTestCase

from ..logic import State, calendar_for, is_regular
from ..models import Frequency, Meeting, MeetingKind, Observer
from ..selectors import branch_calendars, regularity_overview


def states(periods: list) -> list[str]:  # type: ignore[type-arg]
    return [p.state for p in periods]


class PeriodTests(SimpleTestCase):
    def test_monthly_states_around_today(self) -> None:
        today = dt.date(2026, 5, 15)
        held = [dt.date(2026, 1, 31), dt.date(2026, 3, 1), dt.date(2026, 5, 20)]
        got = states(calendar_for(Frequency.MONTHLY, 2026, held, today))
        # Jan held (last day), Feb missed, Mar held (first day), Apr missed, May due (the
        # 20th is in the future, so it does not count yet), Jun–Dec upcoming.
        self.assertEqual(got[:5], [State.HELD, State.MISSED, State.HELD, State.MISSED, State.DUE])
        self.assertEqual(set(got[5:]), {State.UPCOMING})
        self.assertFalse(is_regular(calendar_for(Frequency.MONTHLY, 2026, held, today)))

    def test_quarter_and_year_boundaries(self) -> None:
        held = [dt.date(2026, 3, 31), dt.date(2026, 4, 1)]
        q = calendar_for(Frequency.QUARTERLY, 2026, held, dt.date(2026, 7, 1))
        self.assertEqual(states(q), [State.HELD, State.HELD, State.DUE, State.UPCOMING])
        self.assertTrue(is_regular(q))
        self.assertEqual((q[3].first, q[3].last), (dt.date(2026, 10, 1), dt.date(2026, 12, 31)))
        year = calendar_for(Frequency.YEARLY, 2026, [], dt.date(2026, 12, 31))
        self.assertEqual(states(year), [State.DUE])
        past = calendar_for(Frequency.YEARLY, 2025, [], dt.date(2026, 1, 1))
        self.assertEqual(states(past), [State.MISSED])
        self.assertEqual(calendar_for(Frequency.NONE, 2026, held, dt.date(2026, 7, 1)), [])

    def test_december_ends_on_the_31st(self) -> None:
        months = calendar_for(Frequency.MONTHLY, 2026, [dt.date(2026, 12, 31)], dt.date(2027, 1, 2))
        self.assertEqual(months[11].last, dt.date(2026, 12, 31))
        self.assertEqual(months[11].state, State.HELD)
        self.assertEqual(months[1].last, dt.date(2026, 2, 28))


def meeting(org: Organization, kind: str, day: dt.date) -> Meeting:
    starts = timezone.make_aware(dt.datetime.combine(day, dt.time(14)))
    event = Event.objects.create(
        category=Event.Category.MEETING, org=org, title=kind, starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2), hours=Decimal(1),
    )  # fmt: skip
    return Meeting.objects.create(event=event, kind=kind, host="王芳")


class RegularityQueryTests(PersonaTestCase):
    year: ClassVar[int]
    today: ClassVar[dt.date]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.year = timezone.localdate().year
        cls.today = dt.date(cls.year, 3, 20)
        for month in (1, 2, 3):
            meeting(w.branch, MeetingKind.THEME_DAY, dt.date(cls.year, month, 5))
        meeting(w.other_branch, MeetingKind.THEME_DAY, dt.date(cls.year, 1, 5))
        central = meeting(w.unit, MeetingKind.CENTRAL_GROUP, dt.date(cls.year, 2, 10))
        Observer.objects.create(meeting=central, name="督导组", org=w.root)
        meeting(w.far_unit, MeetingKind.CENTRAL_GROUP, dt.date(cls.year, 2, 11))

    def test_overview_shares_and_irregular_branches(self) -> None:
        w = self.world
        result = regularity_overview(w.root, self.year, today=self.today)
        theme = next(s for s in result.shares if s.kind == MeetingKind.THEME_DAY)
        self.assertEqual((theme.regular, theme.total), (1, 3))  # 第一党支部 only
        behind = {org.name: [p.label for p in missed] for org, missed in theme.irregular}
        self.assertEqual(set(behind), {"第二党支部", "第三党支部"})
        self.assertEqual(len(behind["第二党支部"]), 1)  # February
        self.assertEqual(len(behind["第三党支部"]), 2)  # January and February
        self.assertEqual((result.central_meetings, result.observed), (2, 1))
        self.assertEqual((result.committees, result.committees_observed), (2, 1))

    def test_queries_do_not_grow_with_branches(self) -> None:
        w = self.world
        with self.assertNumQueries(1):
            branch_calendars([w.branch], self.year, today=self.today)
        with self.assertNumQueries(1):
            branch_calendars([w.branch, w.other_branch, w.far_branch], self.year, today=self.today)

    def test_pages_and_api_personas(self) -> None:
        w = self.world
        calendar = f"/orglife/regularity/?org={w.branch.pk}&year={self.year}"
        self.expect_personas(
            calendar,
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        page = self.client_for("secretary").get(f"/orglife/regularity/?year={self.year}")
        self.assertContains(page, "第一党支部")
        self.expect_personas(
            f"/orglife/regularity/overview/?org={w.root.pk}&year={self.year}",
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        api = f"/api/v1/orglife/regularity/{w.branch.pk}?year={self.year}"
        self.expect_personas(
            api,
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        data = self.client_for("secretary").get(api).json()
        self.assertEqual(len(data["kinds"][MeetingKind.THEME_DAY]), 12)
        self.expect_personas(
            f"/api/v1/orglife/regularity/{w.root.pk}/overview?year={self.year}",
            {
                "anonymous": 401,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )

"""The dashboard's figure: the year's evaluations run and their average satisfaction over the
results shown, computed by hand here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.test import TestCase
from django.utils import timezone

from peixun.reports.selectors.dashboard import dashboard
from peixun.surveys.models import SurveySettings
from peixun.surveys.selectors.evaluations import year_evaluation_summary
from peixun.surveys.services.forms import form_create
from peixun.surveys.services.responses import response_submit
from peixun.surveys.services.surveys import survey_create, survey_invite, survey_open
from peixun.testing import World, make_member, make_user

SPEC = [
    {"kind": "rating", "text": "内容", "scale_max": 5},
    {"kind": "rating", "text": "满意度（十分制）", "scale_max": 10},
]


class YearSummaryTest(TestCase):
    w: ClassVar[Any]
    admin: ClassVar[Any]
    form: ClassVar[Any]
    q5: ClassVar[Any]
    q10: ClassVar[Any]
    users: ClassVar[Any]
    year: ClassVar[Any]

    @classmethod
    def setUpTestData(cls) -> None:
        cls.w = World()
        cls.admin = cls.w.users["org_admin"]
        SurveySettings.objects.create(tenant=cls.w.root, min_responses=2)
        cls.form = form_create(
            actor=cls.admin, org=cls.w.root, purpose="evaluation", title="表", spec=SPEC
        )
        cls.q5, cls.q10 = list(cls.form.questions.order_by("position"))
        cls.users = [
            make_user(f"t{i}", member=make_member(cls.w.branch, f"学员{i}", mobile=f"137{i:08d}"))
            for i in range(3)
        ]
        cls.year = timezone.localdate().year

    def _run(self, org, answers: list[tuple[int, int]], year: int | None = None) -> None:  # type: ignore[no-untyped-def]
        survey = survey_create(
            actor=self.admin, form=self.form, org=org, title="评估", year=year or self.year
        )
        survey_invite(actor=self.admin, survey=survey, members=[u.member for u in self.users])
        survey_open(actor=self.admin, survey=survey)
        for user, (five, ten) in zip(self.users, answers, strict=False):
            response_submit(actor=user, survey=survey, answers={self.q5.pk: five, self.q10.pk: ten})

    def test_the_average_counts_each_shown_evaluation_once(self) -> None:
        # A: ratings 5 and 10, 4 and 8 -> on a 5-point scale 5, 5, 4, 4 -> 4.50.
        self._run(self.w.root, [(5, 10), (4, 8)])
        # B (of the unit): 3 and 6, 2 and 4, 1 and 2 -> 3, 3, 2, 2, 1, 1 -> 2.00.
        self._run(self.w.unit, [(3, 6), (2, 4), (1, 2)])
        # C: one response, below the threshold of two: run, but not in the average.
        self._run(self.w.unit, [(1, 1)])
        # D: last year: not counted.
        self._run(self.w.root, [(5, 10), (5, 10)], year=self.year - 1)
        summary = year_evaluation_summary(actor=self.admin, year=self.year)
        self.assertEqual((summary.run, summary.shown), (3, 2))
        self.assertEqual(summary.average, Decimal("3.25"))  # (4.50 + 2.00) / 2
        unit = year_evaluation_summary(actor=self.admin, year=self.year, org=self.w.unit)
        self.assertEqual((unit.run, unit.shown, unit.average), (2, 1, Decimal("2.00")))
        # A branch's secretary reads none of them (run by the root and the unit).
        none = year_evaluation_summary(actor=self.w.users["secretary"], year=self.year)
        self.assertEqual((none.run, none.average), (0, None))
        # The dashboard shows the same figures.
        board = dashboard(
            actor=self.admin, org=self.w.root, year=self.year, as_of=dt.date(self.year, 12, 31)
        )
        tile = next(t for t in board.tiles if t.key == "evaluations")
        self.assertEqual(tile.figure("run").value, 3)
        self.assertEqual(tile.figure("satisfaction").value, Decimal("3.25"))

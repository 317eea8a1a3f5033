"""The demo's needs survey: closed with enough answers, its top topic cited by the county plan."""

from __future__ import annotations

from typing import ClassVar
from unittest import mock

from django.test import TestCase

from peixun.demo.management.commands.load_demo import DEMO_CODE
from peixun.demo.needs import fill_needs
from peixun.demo.tests.test_load_demo import load_small
from peixun.orgs.models import Organization
from peixun.surveys.models import PlanCitation, Survey
from peixun.surveys.selectors.needs import needs_topic_demand


class DemoNeedsTests(TestCase):
    root: ClassVar[Organization]
    counts: ClassVar[dict[str, int]]

    @classmethod
    def setUpTestData(cls) -> None:
        # The demo fills this area itself; load it without, and fill it here to count what it made.
        with mock.patch(
            "peixun.demo.management.commands.load_demo.load_demo_shared", return_value=[]
        ):
            load_small()
        cls.root = Organization.objects.get(code=DEMO_CODE)
        cls.counts = fill_needs(cls.root)

    def test_a_closed_survey_with_shown_results_and_a_citation(self) -> None:
        survey = Survey.objects.get(org=self.root, purpose="needs")
        self.assertEqual(survey.state, "closed")
        demand = needs_topic_demand(survey)
        self.assertTrue(demand.shown)
        self.assertEqual(demand.responses, self.counts["answered"])
        citation = PlanCitation.objects.get()
        self.assertEqual(citation.topic, demand.rows[0].topic)
        self.assertEqual(citation.plan_item.plan.org, self.root)

    def test_a_second_run_writes_nothing(self) -> None:
        self.assertEqual(fill_needs(self.root), {})

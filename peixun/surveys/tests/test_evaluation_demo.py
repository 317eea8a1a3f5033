"""The demo's evaluations (peixun.demo.evaluations): written once through the services, one
shown (at least five responses, the teacher's rating visible), one below the threshold."""

from __future__ import annotations

import shutil
import tempfile
from typing import Any, ClassVar
from unittest import mock

from django.test import TestCase, override_settings

from peixun.demo.evaluations import fill_evaluations
from peixun.demo.management.commands.load_demo import DEMO_CODE
from peixun.demo.tests.test_demo_training import load_small
from peixun.orgs.models import Organization
from peixun.resources.registry import teacher_ratings
from peixun.surveys.models import Response, Survey
from peixun.surveys.selectors.results import survey_results

MEDIA = tempfile.mkdtemp(prefix="peixun-test-demo-evaluations-")


@override_settings(MEDIA_ROOT=MEDIA)
class DemoEvaluationsTest(TestCase):
    root: ClassVar[Any]
    counts: ClassVar[Any]

    @classmethod
    def setUpTestData(cls) -> None:
        # The demo fills this area itself; load it without, and fill it here to count what it made.
        with mock.patch(
            "peixun.demo.management.commands.load_demo.load_demo_shared", return_value=[]
        ):
            load_small()
        cls.root = Organization.objects.get(code=DEMO_CODE)
        cls.counts = fill_evaluations(cls.root)

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def test_one_shown_and_one_below_the_threshold(self) -> None:
        self.assertEqual(self.counts["evaluations"], 2)
        session_survey = Survey.objects.get(session__isnull=False)
        whole = Survey.objects.get(training_class__isnull=False)
        shown = survey_results(actor=None, survey=session_survey)  # type: ignore[arg-type]
        self.assertTrue(shown.shown)
        self.assertGreaterEqual(shown.responses, 5)
        self.assertFalse(survey_results(actor=None, survey=whole).shown)  # type: ignore[arg-type]
        self.assertEqual(Response.objects.filter(survey=whole).count(), 3)
        self.assertEqual(whole.state, Survey.State.OPEN)
        rating = teacher_ratings([self.counts["teacher"]])[self.counts["teacher"]]
        self.assertIsNotNone(rating.average)
        # Idempotent.
        self.assertEqual(fill_evaluations(self.root), {})

"""The demo's online learning: courses, this year's 网络专题班 and progress in every state."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth import get_user_model
from django.test import TestCase

from peixun.demo.learning import load_demo_learning
from peixun.demo.management.commands.load_demo import DEMO_CODE
from peixun.demo.tests.test_load_demo import load_small
from peixun.hours.models import CreditEntry
from peixun.learning.models import Completion, Course, OnlineClass
from peixun.learning.selectors.classes import branch_progress
from peixun.orgs.models import Organization


class DemoLearningTests(TestCase):
    root: ClassVar[Organization]

    @classmethod
    def setUpTestData(cls) -> None:
        load_small()
        cls.root = Organization.objects.get(code=DEMO_CODE)

    def test_a_published_class_with_progress_in_every_state(self) -> None:
        self.assertEqual(Course.objects.filter(org=self.root, state="published").count(), 3)
        online_class = OnlineClass.objects.get(state=OnlineClass.State.PUBLISHED)
        admin = get_user_model().objects.get(username="org_admin")
        rows, total = branch_progress(admin, online_class)
        self.assertGreater(len(rows), 5)
        self.assertGreater(total.not_started, 0)
        self.assertGreater(total.in_progress, 0)
        self.assertGreater(total.completed, 0)
        self.assertEqual(total.audience, total.not_started + total.in_progress + total.completed)
        # Every completion credited the ledger once, as online hours naming the course.
        completions = Completion.objects.count()
        credited = CreditEntry.objects.filter(source=CreditEntry.Source.COURSE).count()
        self.assertEqual(credited, completions)
        # The demo member has something left to start.
        member = get_user_model().objects.get(username="member")
        self.assertFalse(Completion.objects.filter(member=member.member).exists())

    def test_a_second_run_writes_nothing(self) -> None:
        self.assertEqual(load_demo_learning(self.root), {})

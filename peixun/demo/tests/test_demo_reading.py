"""The demo's 必读书目: a county list, credits by quiz and by 心得, and a queue to decide."""

from __future__ import annotations

from typing import ClassVar

from django.contrib.auth import get_user_model
from django.test import TestCase

from peixun.demo.management.commands.load_demo import DEMO_CODE
from peixun.demo.reading import fill_reading
from peixun.demo.tests.test_load_demo import load_small
from peixun.learning.models import ReadingCredit, ReadingList, Reflection
from peixun.learning.selectors.reading import list_progress, reflections_pending
from peixun.orgs.models import Organization


class DemoReadingTests(TestCase):
    root: ClassVar[Organization]
    summary: ClassVar[dict[str, int]]

    @classmethod
    def setUpTestData(cls) -> None:
        load_small()
        cls.root = Organization.objects.get(code=DEMO_CODE)
        cls.summary = fill_reading(cls.root)

    def test_a_county_list_with_credits_both_ways(self) -> None:
        reading_list = ReadingList.objects.get(org=self.root)
        self.assertEqual(reading_list.books.count(), 5)
        self.assertTrue(ReadingCredit.objects.filter(how="quiz").exists())
        self.assertTrue(ReadingCredit.objects.filter(how="reflection").exists())
        self.assertTrue(Reflection.objects.filter(state="returned").exists())
        admin = get_user_model().objects.get(username="org_admin")
        books, rows, total = list_progress(admin, reading_list)
        self.assertEqual(len(books), 4)
        self.assertGreater(total.readers, total.none)
        # The demo secretary has 心得 of their branch to decide; the demo member has read nothing.
        secretary = get_user_model().objects.get(username="secretary")
        self.assertGreater(reflections_pending(secretary).count(), 0)
        member = get_user_model().objects.get(username="member")
        self.assertFalse(ReadingCredit.objects.filter(member=member.member).exists())

    def test_a_second_run_writes_nothing(self) -> None:
        self.assertEqual(fill_reading(self.root), {})

"""The demo's study groups, pairs and note checks (`fill_habits`, wired in by the lead): written
once through the services, groups from several branches whose closed meetings credited their
members, pairs with visits, a note-check round with photos, and nothing twice."""

from __future__ import annotations

import io
import shutil
import tempfile
from typing import ClassVar

from django.core.management import call_command
from django.test import TestCase, override_settings

from peixun.demo.habits import fill_habits
from peixun.demo.management.commands.load_demo import DEMO_CODE
from peixun.hours.models import CreditEntry
from peixun.orglife.models import HomeVisit, Meeting, NoteCheck, Pair, StudyGroup
from peixun.orgs.models import Organization

MEDIA = tempfile.mkdtemp(prefix="peixun-test-demo-habits-")


@override_settings(MEDIA_ROOT=MEDIA)
class DemoHabitsTests(TestCase):
    counts: ClassVar[dict[str, int]]
    root: ClassVar[Organization]

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("load_demo", members=200, branches=15, stdout=io.StringIO())
        cls.root = Organization.objects.get(code=DEMO_CODE)
        # The lead may already have wired fill_habits into load_demo: then it is idempotent.
        cls.counts = fill_habits(cls.root) or {"study_groups": StudyGroup.objects.count()}

    @classmethod
    def tearDownClass(cls) -> None:
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def test_groups_pairs_and_checks(self) -> None:
        self.assertGreaterEqual(StudyGroup.objects.count(), 1)
        for group in StudyGroup.objects.all():
            branches = set(group.memberships.values_list("member__org", flat=True))
            self.assertGreater(len(branches), 1)
        closed = Meeting.objects.filter(study_group__isnull=False, event__state="closed")
        refs = [f"event:{m.event_id}" for m in closed]
        if refs:
            self.assertTrue(CreditEntry.objects.filter(reference__in=refs).exists())
        self.assertTrue(Pair.objects.exists())
        self.assertTrue(HomeVisit.objects.filter(pair__isnull=False).exists())
        checked = NoteCheck.objects.exclude(result="")
        self.assertTrue(checked.exists())
        self.assertTrue(all(c.photo for c in checked))
        self.assertEqual(fill_habits(self.root), {})

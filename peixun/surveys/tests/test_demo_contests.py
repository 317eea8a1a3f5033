"""The demo's competition and 述学: written through the services on a small demo tenant, the
recognition list published, and filling again adds nothing."""

from __future__ import annotations

import io
from unittest import mock

from django.core.management import call_command
from django.test import TestCase

from peixun.accounts.models import User
from peixun.demo.contests import fill_contests
from peixun.demo.management.commands.load_demo import DEMO_CODE
from peixun.orgs.models import Organization
from peixun.surveys.models import Contest, Entry, StudyReport
from peixun.surveys.selectors.contests import contest_results, recognition_list


class DemoContestTests(TestCase):
    def test_fill_contests(self) -> None:
        # The demo fills this area itself; load it without, and fill it here to count what it made.
        with mock.patch(
            "peixun.demo.management.commands.load_demo.load_demo_shared", return_value=[]
        ):
            call_command("load_demo", members=300, branches=15, stdout=io.StringIO())
        root = Organization.objects.get(code=DEMO_CODE)
        counts = fill_contests(root)
        self.assertEqual(counts["entries"], 4)
        self.assertEqual(counts["score sheets"], 12)  # 3 judges × 4 entries, none their own
        published = Contest.objects.get(state="published")
        member = User.objects.get(username="member")
        listed = recognition_list(actor=member, contest=published)
        self.assertEqual([e.award for e in listed], ["first", "second", "third", "excellence"])
        self.assertEqual(Entry.objects.get(contest=published, member=member.member).award, "first")
        results = contest_results(actor=User.objects.get(username="org_admin"), contest=published)
        self.assertTrue(all(row.average is not None for row in results.rows))
        self.assertEqual(
            sorted(StudyReport.objects.values_list("state", flat=True)),
            ["returned", "reviewed", "submitted"],
        )
        self.assertEqual(fill_contests(root), {})

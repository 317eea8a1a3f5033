"""The ledger page honours its year filter, back to the tenant's earliest data; the record page
offers the years back to that data too."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from peixun.hours.models import CreditEntry
from peixun.hours.services import entry_record
from peixun.members.models import Membership
from peixun.testing import PersonaTestCase

TODAY = timezone.localdate()


class LedgerYearFilterTests(PersonaTestCase):
    def record(self, on: dt.date, title: str) -> CreditEntry:
        return entry_record(
            actor=self.user("secretary"),
            members=[self.world.member],
            on=on,
            hours="2",
            kind="theme_day",
            title=title,
        )[0]

    def test_an_entry_of_another_year_does_not_show(self) -> None:
        self.record(TODAY, "今年的学习")
        self.record(dt.date(TODAY.year - 1, 6, 1), "去年的学习")
        old = self.record(dt.date(2016, 3, 1), "多年前的学习")
        client = self.client_for("secretary")
        for year, title in ((TODAY.year, "今年的学习"), (TODAY.year - 1, "去年的学习")):
            page = client.get(f"/hours/entries/?year={year}")
            self.assertEqual([e.title for e in page.context["page"].object_list], [title])
            self.assertEqual(page.context["form"]["year"].value(), str(year))
        # Older than the recent years: still a filter, and offered in the chooser.
        page = client.get("/hours/entries/?year=2016")
        self.assertEqual([e.pk for e in page.context["page"].object_list], [old.pk])
        self.assertContains(page, '<option value="2016" selected>')
        # A year with nothing in it lists nothing (never everything).
        empty = client.get("/hours/entries/?year=2012")
        self.assertEqual(empty.context["page"].paginator.count, 0)
        self.assertEqual(client.get("/hours/entries/").context["page"].paginator.count, 3)


class RecordYearChoiceTests(PersonaTestCase):
    def years_offered(self) -> list[int]:
        response = self.client_for("secretary").get(f"/hours/record/?org={self.world.branch.pk}")
        return [int(value) for value, _label in response.context["form"].fields["year"].choices]

    def test_years_go_back_to_the_tenants_earliest_membership(self) -> None:
        Membership.objects.filter(org__path__startswith=self.world.root.path).update(
            since=dt.date(2018, 5, 1)
        )
        years = self.years_offered()
        self.assertEqual(years, list(range(TODAY.year, 2017, -1)))

    def test_years_go_back_to_the_earliest_entry(self) -> None:
        memberships = Membership.objects.filter(org__path__startswith=self.world.root.path)
        memberships.update(since=dt.date(TODAY.year, 1, 1))
        self.assertEqual(self.years_offered(), [TODAY.year])
        memberships.update(since=dt.date(2010, 1, 1))
        entry_record(
            actor=self.user("secretary"),
            members=[self.world.member],
            on=dt.date(TODAY.year - 3, 2, 1),
            year=TODAY.year - 3,
            hours="1",
            kind="theme_day",
            title="补录",
        )
        memberships.update(since=dt.date(TODAY.year, 1, 1))
        self.assertEqual(self.years_offered(), list(range(TODAY.year, TODAY.year - 4, -1)))

    def test_an_old_year_can_be_recorded(self) -> None:
        Membership.objects.filter(org__path__startswith=self.world.root.path).update(
            since=dt.date(2015, 1, 1)
        )
        response = self.client_for("secretary").post(
            f"/hours/record/?org={self.world.branch.pk}",
            {
                "title": "补录：2016 年集中培训",
                "on": "2016-04-02",
                "year": 2016,
                "hours": "3",
                "kind": "theme_day",
                "topic": "other",
                "members": [self.world.member.pk],
            },
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(CreditEntry.objects.filter(year=2016, member=self.world.member).exists())

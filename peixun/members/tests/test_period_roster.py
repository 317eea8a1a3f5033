"""The roster of a period (docs/figures.md, "member of the period"): who counts for a past year is
read from the membership history and the 入党 date, never from today's roster."""

from __future__ import annotations

import datetime as dt

from peixun.members.models import Member, Membership
from peixun.members.selectors import period_member_count, period_party_days
from peixun.testing import PersonaTestCase, make_member

Y2021 = (dt.date(2021, 1, 1), dt.date(2021, 12, 31))


class PeriodRosterTests(PersonaTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.unit = self.world.unit
        self.branch = self.world.branch
        self.other = self.world.other_branch
        self.admin = self.user("org_admin")
        self.base_count = period_member_count(
            actor=self.admin, org=self.unit, start=Y2021[0], end=Y2021[1]
        )
        self.base_ids = set(
            period_party_days(actor=self.admin, org=self.unit, start=Y2021[0], end=Y2021[1])
        )

    def counted(self) -> dict[int, int]:
        days = period_party_days(actor=self.admin, org=self.unit, start=Y2021[0], end=Y2021[1])
        return {k: v for k, v in days.items() if k not in self.base_ids}

    def test_the_roster_of_2021_by_hand(self) -> None:
        whole = make_member(self.branch, "全年", joined_on=dt.date(2015, 7, 1))
        # Joined the Party on 1 July 2021: 184 days of 2021 (1 July – 31 December).
        midyear = make_member(
            self.branch,
            "年中入党",
            joined_on=dt.date(2021, 7, 1),
            status="probationary",
            confirmed_on=None,
        )
        later = make_member(
            self.branch, "后来入党", joined_on=dt.date(2023, 7, 1), confirmed_on=None
        )
        make_member(
            self.branch,
            "发展对象",
            joined_on=None,
            confirmed_on=None,
            status=Member.Status.CANDIDATE,
        )
        make_member(
            self.branch,
            "积极分子",
            joined_on=None,
            confirmed_on=None,
            status=Member.Status.ACTIVIST,
        )
        # Left on 1 April 2021 (until is exclusive): 1 January – 31 March, 90 days.
        left = make_member(self.branch, "转出", joined_on=dt.date(2012, 1, 1))
        Membership.objects.filter(member=left).update(
            until=dt.date(2021, 4, 1), departure="transfer_out"
        )
        gone_before = make_member(self.branch, "早已转出", joined_on=dt.date(2012, 1, 1))
        Membership.objects.filter(member=gone_before).update(
            until=dt.date(2020, 12, 31), departure="death"
        )
        # Moved between the two branches of the unit on 1 March: one member, 365 days.
        mover = make_member(self.branch, "调动", joined_on=dt.date(2012, 1, 1))
        Membership.objects.filter(member=mover).update(until=dt.date(2021, 3, 1))
        Membership.objects.create(member=mover, org=self.other, since=dt.date(2021, 3, 1))
        # Joined the org from outside on 1 December: 31 days.
        arrived = make_member(self.other, "转入", joined_on=dt.date(2000, 1, 1))
        Membership.objects.filter(member=arrived).update(since=dt.date(2021, 12, 1))

        self.assertEqual(
            self.counted(),
            {whole.pk: 365, midyear.pk: 184, left.pk: 90, mover.pk: 365, arrived.pk: 31},
        )
        self.assertNotIn(later.pk, self.counted())
        self.assertEqual(
            period_member_count(actor=self.admin, org=self.unit, start=Y2021[0], end=Y2021[1]),
            self.base_count + 5,
        )
        # The branch alone: the mover belonged to it in January and February (59 days).
        branch_days = period_party_days(
            actor=self.admin, org=self.branch, start=Y2021[0], end=Y2021[1]
        )
        self.assertEqual(branch_days[mover.pk], 59)
        self.assertNotIn(arrived.pk, branch_days)

    def test_another_branchs_secretary_sees_only_their_branch(self) -> None:
        here = make_member(self.branch, "全年", joined_on=dt.date(2015, 7, 1))
        there = make_member(self.other, "第二支部", joined_on=dt.date(2015, 7, 1))
        seen = period_party_days(
            actor=self.user("other_secretary"), org=self.unit, start=Y2021[0], end=Y2021[1]
        )
        self.assertNotIn(here.pk, seen)
        self.assertEqual(seen[there.pk], 365)

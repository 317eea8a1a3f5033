"""The hours figures of a period (docs/figures.md), each computed here by hand.

The world's 测试局机关党委 (U) has two branches: 第一党支部 (A) and 第二党支部 (B). In 2021:
- 李明 and 王芳 (A) and 赵强 (B): members all year, no hours;
- 全年 (A): member all year; 10 concentrated (10 March), 6 online (20 November), and 3 on
  1 June that were reversed (net 0);
- 年中入党 (A): in the branch since 2020 as an activist, joined the Party on 1 July 2021
  (184 days): 4 on 1 May (before joining: not counted), 8 on 1 September;
- 转出 (A): left on 1 April (90 days): 5 on 1 February, 3 on 1 June (after leaving: not counted);
- 调动: in A until 1 March (59 days), then in B (306 days): 2 on 15 January (A), 7 on 1 May (B);
- 转入 (B): arrived from outside on 1 December (31 days): 12 on 1 June (elsewhere: not
  counted), 1 on 5 December;
- 发展对象 (A): 6 concentrated on 1 April: never counted as a Party member;
- 后来入党 (A): joined the Party in 2023: 2 on 1 August 2021 not counted;
- 赵强 has a pending line of 2 (not confirmed: not counted).
In 2020: 全年 has 4 on 5 May. Another tenant has hours in 2021 too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar

from django.http import Http404

from peixun.hours.models import CreditEntry
from peixun.hours.selectors import PeriodHours, period_hours, yearly_hours
from peixun.hours.services import entry_record, entry_reverse
from peixun.members.models import Member, Membership
from peixun.testing import OtherTenant, PersonaTestCase, make_member

D = dt.date
Y2021 = (D(2021, 1, 1), D(2021, 12, 31))


class PeriodHoursTests(PersonaTestCase):
    other_tenant: ClassVar[OtherTenant]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        cls.other_tenant = OtherTenant()
        a, b = w.branch, w.other_branch

        def record(member: Member, on: dt.date, hours: str, kind: str, **more: Any) -> Any:
            (entry,) = entry_record(
                actor=w.platform_admin,
                members=[member],
                on=on,
                hours=hours,
                kind=kind,
                title="活动",
                **more,
            )
            return entry

        whole = make_member(a, "全年", joined_on=D(2015, 7, 1))
        record(whole, D(2021, 3, 10), "10", "concentrated_training", concentrated=True)
        record(whole, D(2021, 11, 20), "6", "online_training", online=True)
        wrong = record(whole, D(2021, 6, 1), "3", "other")
        entry_reverse(actor=w.platform_admin, entry=wrong, reason="重复登记")
        record(whole, D(2020, 5, 5), "4", "three_meetings")

        midyear = make_member(
            a, "年中入党", joined_on=D(2021, 7, 1), status="probationary", confirmed_on=None
        )
        Membership.objects.filter(member=midyear).update(since=D(2020, 1, 1))
        record(midyear, D(2021, 5, 1), "4", "three_meetings")
        record(midyear, D(2021, 9, 1), "8", "three_meetings")

        left = make_member(a, "转出", joined_on=D(2012, 1, 1))
        record(left, D(2021, 2, 1), "5", "party_lecture")
        record(left, D(2021, 6, 1), "3", "party_lecture")
        Membership.objects.filter(member=left).update(until=D(2021, 4, 1), departure="transfer_out")

        mover = make_member(a, "调动", joined_on=D(2012, 1, 1))
        record(mover, D(2021, 1, 15), "2", "theme_day")
        record(mover, D(2021, 5, 1), "7", "central_group")
        Membership.objects.filter(member=mover).update(until=D(2021, 3, 1))
        Membership.objects.create(member=mover, org=b, since=D(2021, 3, 1))
        Member.objects.filter(pk=mover.pk).update(org=b)

        arrived = make_member(b, "转入", joined_on=D(2000, 1, 1))
        record(arrived, D(2021, 6, 1), "12", "concentrated_training", concentrated=True)
        record(arrived, D(2021, 12, 5), "1", "self_study")
        Membership.objects.filter(member=arrived).update(since=D(2021, 12, 1))

        candidate = make_member(
            a, "发展对象", joined_on=None, confirmed_on=None, status=Member.Status.CANDIDATE
        )
        record(candidate, D(2021, 4, 1), "6", "concentrated_training", concentrated=True)
        later = make_member(a, "后来入党", joined_on=D(2023, 7, 1), confirmed_on=None)
        Membership.objects.filter(member=later).update(since=D(2019, 1, 1))
        record(later, D(2021, 8, 1), "2", "self_study")

        CreditEntry.objects.create(
            member=w.other_member,
            org=b,
            on=D(2021, 6, 1),
            year=2021,
            hours=Decimal(2),
            kind="self_study",
            title="待审",
            state=CreditEntry.State.PENDING,
        )
        record(cls.other_tenant.member, D(2021, 3, 1), "20", "concentrated_training")

    def figures(self, org: Any, persona: str = "org_admin", **kw: Any) -> PeriodHours:
        kw.setdefault("start", Y2021[0])
        kw.setdefault("end", Y2021[1])
        return period_hours(actor=self.user(persona), org=org, **kw)

    def test_the_unit_in_2021_by_hand(self) -> None:
        f = self.figures(self.world.unit)
        # 李明, 王芳, 赵强, 全年, 年中入党, 转出, 调动, 转入.
        self.assertEqual(f.members, 8)
        # Days: 365 × 3 + 365 + 184 + 90 + (59 + 306) + 31 = 2130; 2130 / 365 = 5.8356.
        self.assertEqual(f.member_years, Decimal("5.8356"))
        # Hours: 全年 10 + 6 (+3 −3), 年中入党 8, 转出 5, 调动 2 + 7, 转入 1 = 39.
        self.assertEqual(f.total_hours, Decimal("39.00"))
        self.assertEqual(f.members_trained, 5)
        self.assertEqual(f.coverage, Decimal("0.6250"))
        # 39 × 365 / 2130 = 6.683…
        self.assertEqual(f.average_hours, Decimal("6.68"))
        self.assertEqual(
            f.hours_by_kind,
            {
                "central_group": Decimal("7.00"),
                "concentrated_training": Decimal("10.00"),
                "online_training": Decimal("6.00"),
                "party_lecture": Decimal("5.00"),
                "self_study": Decimal("1.00"),
                "theme_day": Decimal("2.00"),
                "three_meetings": Decimal("8.00"),
            },
        )
        self.assertEqual(sum(f.hours_by_kind.values()), f.total_hours)
        self.assertEqual(f.as_of, Y2021[1])

    def test_as_of_31_october_by_hand(self) -> None:
        f = self.figures(self.world.unit, as_of=D(2021, 10, 31))
        # 转入 arrived on 1 December: not yet a member; 全年's online line of 20 November not yet.
        self.assertEqual(f.members, 7)
        # 2130 − 31 = 2099 days; 2099 / 365 = 5.7507.
        self.assertEqual(f.member_years, Decimal("5.7507"))
        self.assertEqual(f.total_hours, Decimal("32.00"))
        self.assertEqual(f.members_trained, 4)
        self.assertEqual(f.coverage, Decimal("0.5714"))
        # 32 × 365 / 2099 = 5.564…
        self.assertEqual(f.average_hours, Decimal("5.56"))
        self.assertNotIn("online_training", f.hours_by_kind)

    def test_each_branch_counts_its_own_time(self) -> None:
        a = self.figures(self.world.branch)
        # 李明, 王芳, 全年, 年中入党, 转出, 调动 (January and February only).
        self.assertEqual(a.members, 6)
        # 730 + 365 + 184 + 90 + 59 = 1428 days; / 365 = 3.9123.
        self.assertEqual(a.member_years, Decimal("3.9123"))
        self.assertEqual(a.total_hours, Decimal("31.00"))  # 16 + 8 + 5 + 2
        self.assertEqual(a.members_trained, 4)
        self.assertEqual(a.coverage, Decimal("0.6667"))
        self.assertEqual(a.average_hours, Decimal("7.92"))  # 31 × 365 / 1428 = 7.923…
        b = self.figures(self.world.other_branch)
        # 赵强 (365), 调动 (306), 转入 (31): 702 days.
        self.assertEqual(b.members, 3)
        self.assertEqual(b.member_years, Decimal("1.9233"))
        self.assertEqual(b.total_hours, Decimal("8.00"))  # 7 + 1
        self.assertEqual(b.members_trained, 2)
        self.assertEqual(b.average_hours, Decimal("4.16"))  # 8 × 365 / 702 = 4.159…
        self.assertEqual(b.hours_by_kind, {"central_group": Decimal(7), "self_study": Decimal(1)})

    def test_a_period_not_starting_on_1_january(self) -> None:
        f = self.figures(self.world.unit, start=D(2021, 2, 1))
        self.assertEqual(f.members, 8)
        # 1 Feb – 31 Dec is 334 days: 334 × 4 + 184 + 59 + 334 + 31 = 1944; / 365 = 5.3260.
        self.assertEqual(f.member_years, Decimal("5.3260"))
        # 调动's 2 hours of 15 January fall before the period.
        self.assertEqual(f.total_hours, Decimal("37.00"))
        self.assertEqual(f.average_hours, Decimal("6.95"))  # 37 × 365 / 1944 = 6.947…
        self.assertNotIn("theme_day", f.hours_by_kind)

    def test_a_range_of_years_and_each_year(self) -> None:
        f = self.figures(self.world.unit, start=D(2020, 1, 1))
        self.assertEqual(f.members, 8)
        # 2020: 李明, 王芳, 赵强, 全年, 转出, 调动 all year: 6 × 366 / 366 = 6; plus 2021's 5.8356.
        self.assertEqual(f.member_years, Decimal("11.8356"))
        self.assertEqual(f.total_hours, Decimal("43.00"))
        # 43 / (6 + 2130/365) = 43 × 365 / 4320 = 3.633…
        self.assertEqual(f.average_hours, Decimal("3.63"))
        self.assertEqual(f.members_trained, 5)
        y2020, y2021 = yearly_hours(
            actor=self.user("org_admin"), org=self.world.unit, first_year=2020, last_year=2021
        )
        self.assertEqual((y2020.start, y2020.end), (D(2020, 1, 1), D(2020, 12, 31)))
        self.assertEqual(y2020.members, 6)
        self.assertEqual(y2020.member_years, Decimal("6.0000"))
        self.assertEqual(y2020.total_hours, Decimal("4.00"))
        self.assertEqual(y2020.members_trained, 1)
        self.assertEqual(y2020.coverage, Decimal("0.1667"))
        self.assertEqual(y2020.average_hours, Decimal("0.67"))
        self.assertEqual(y2021, self.figures(self.world.unit))

    def test_a_year_without_members(self) -> None:
        f = self.figures(self.world.unit, start=D(1990, 1, 1), end=D(1990, 12, 31))
        self.assertEqual((f.members, f.members_trained), (0, 0))
        self.assertEqual(f.member_years, Decimal("0.0000"))
        self.assertIsNone(f.coverage)
        self.assertIsNone(f.average_hours)
        self.assertEqual(f.hours_by_kind, {})

    def test_scope(self) -> None:
        # The second branch's secretary reads their branch's figures, never the unit's.
        mine = self.figures(self.world.other_branch, persona="other_secretary")
        self.assertEqual(mine, self.figures(self.world.other_branch))
        self.assertEqual(self.figures(self.world.unit, persona="viewer").members, 8)
        for persona, org in (
            ("other_secretary", self.world.unit),
            ("secretary", self.world.other_branch),
            ("member", self.world.branch),
        ):
            with self.subTest(persona=persona), self.assertRaises(Http404):
                self.figures(org, persona=persona)
        with self.assertRaises(Http404):
            period_hours(
                actor=self.other_tenant.users["org_admin"],
                org=self.world.unit,
                start=Y2021[0],
                end=Y2021[1],
            )

    def test_queries_do_not_grow_with_members(self) -> None:
        actor = self.user("org_admin")
        self.figures(self.world.unit)  # reads the actor's grants once
        with self.assertNumQueries(5) as first:  # the stretches, then 4 sums
            self.figures(self.world.unit, as_of=D(2021, 10, 31))
        for n in range(5):
            make_member(self.world.branch, f"新{n}", joined_on=D(2015, 1, 1))
        with self.assertNumQueries(len(first.captured_queries)):
            period_hours(
                actor=actor,
                org=self.world.unit,
                start=Y2021[0],
                end=Y2021[1],
                as_of=D(2021, 10, 31),
            )

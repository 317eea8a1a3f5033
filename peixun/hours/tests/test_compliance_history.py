"""Compliance of a past year by the roster of that year (docs/figures.md), computed by hand.

The world's 测试局机关党委 (U) has 第一党支部 (A) and 第二党支部 (B); the national rules hold
(党员每年集中学习培训不少于32学时, pro-rated by days; 发展对象集中培训不少于24学时). In 2021:
- 李明, 王芳 (A), 赵强 (B): members all year, no hours;
- 全年 (A): 32 concentrated on 10 March: met;
- 转出 (A): left on 1 April (90 days: owes 32 × 90/365 = 7.89); 6 on 1 February, and 10 on
  1 June after leaving that are not counted here: behind (6 < 7.89);
- 调动: A until 1 March (59 days), then B (306 days): 5 on 15 January (A), 20 on 1 May (B);
- 年中入党 (A since 2020 as an activist, 入党 on 1 July: 184 days, owes 16.13): 4 on 1 May
  (before joining: not counted), 12 on 1 September;
- 后来入党 (A): 入党 in 2023: not on 2021's roster;
- 发展对象 (A): 24 concentrated on 1 April: judged by the 发展对象 rule only, never a member;
- 次年入党 (A since 2019): became a 发展对象 on 1 May 2021, 入党 on 1 July 2022: in 2021 a
  发展对象, judged by that rule from 1 May: 10 on 1 March do not count, 16 on 1 October do
  (16 of 24, no deadline: on track); not a member of 2021;
- 后来入党 became a 发展对象 only in 2022: in 2021 an applicant, judged by nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar
from unittest import mock

from peixun.hours.models import Requirement
from peixun.hours.selectors import (
    DrillFilters,
    compliance_drilldown,
    member_compliance,
    member_table,
    org_compliance,
)
from peixun.hours.services import entry_record, requirements_seed_defaults
from peixun.members.models import Member, Membership
from peixun.testing import PersonaTestCase, make_member

D = dt.date
YEAR = 2021
YEAR_END = D(YEAR, 12, 31)
RULE_32 = "党员每年集中学习培训不少于32学时"
RULE_24 = "发展对象集中培训不少于24学时"


class ComplianceByHistoryTests(PersonaTestCase):
    people: ClassVar[dict[str, Member]]
    rule32: ClassVar[Requirement]
    rule24: ClassVar[Requirement]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        requirements_seed_defaults(actor=w.platform_admin, tenant=w.root)
        cls.rule32 = Requirement.objects.get(org=w.root, name=RULE_32)
        cls.rule24 = Requirement.objects.get(org=w.root, name=RULE_24)
        a, b = w.branch, w.other_branch

        def record(member: Member, on: dt.date, hours: str) -> None:
            entry_record(
                actor=w.platform_admin,
                members=[member],
                on=on,
                hours=hours,
                kind="concentrated_training",
                title="集中培训",
                concentrated=True,
            )

        p = cls.people = {}
        p["全年"] = make_member(a, "全年", joined_on=D(2015, 7, 1))
        record(p["全年"], D(YEAR, 3, 10), "32")
        p["转出"] = make_member(a, "转出", joined_on=D(2012, 1, 1))
        record(p["转出"], D(YEAR, 2, 1), "6")
        record(p["转出"], D(YEAR, 6, 1), "10")
        Membership.objects.filter(member=p["转出"]).update(
            until=D(YEAR, 4, 1), departure="transfer_out"
        )
        p["调动"] = make_member(a, "调动", joined_on=D(2012, 1, 1))
        record(p["调动"], D(YEAR, 1, 15), "5")
        record(p["调动"], D(YEAR, 5, 1), "20")
        Membership.objects.filter(member=p["调动"]).update(until=D(YEAR, 3, 1))
        Membership.objects.create(member=p["调动"], org=b, since=D(YEAR, 3, 1))
        Member.objects.filter(pk=p["调动"].pk).update(org=b)
        p["年中入党"] = make_member(
            a, "年中入党", joined_on=D(YEAR, 7, 1), status="probationary", confirmed_on=None
        )
        Membership.objects.filter(member=p["年中入党"]).update(since=D(2020, 1, 1))
        record(p["年中入党"], D(YEAR, 5, 1), "4")
        record(p["年中入党"], D(YEAR, 9, 1), "12")
        p["后来入党"] = make_member(
            a,
            "后来入党",
            joined_on=D(2023, 7, 1),
            confirmed_on=None,
            candidate_since=D(2022, 6, 1),
        )
        Membership.objects.filter(member=p["后来入党"]).update(since=D(2019, 1, 1))
        p["次年入党"] = make_member(
            a,
            "次年入党",
            joined_on=D(2022, 7, 1),
            confirmed_on=None,
            candidate_since=D(YEAR, 5, 1),
        )
        Membership.objects.filter(member=p["次年入党"]).update(since=D(2019, 1, 1))
        record(p["次年入党"], D(YEAR, 3, 1), "10")
        record(p["次年入党"], D(YEAR, 10, 1), "16")
        p["发展对象"] = make_member(
            a, "发展对象", joined_on=None, confirmed_on=None, status=Member.Status.CANDIDATE
        )
        record(p["发展对象"], D(YEAR, 4, 1), "24")

    def admin(self) -> Any:
        return self.user("org_admin")

    def results(self, org: Any, as_of: dt.date = YEAR_END) -> dict[str, dict[int, Any]]:
        rows = member_table(actor=self.admin(), org=org, year=YEAR, as_of=as_of)
        return {mc.name: {r.requirement_id: r for r in mc.results} for mc in rows}

    def test_the_unit_in_2021(self) -> None:
        oc = org_compliance(actor=self.admin(), org=self.world.unit, year=YEAR)
        s = oc.summary
        # 李明, 王芳, 赵强, 全年, 转出, 调动, 年中入党: not 后来入党, not the 发展对象.
        self.assertEqual(s.members, 7)
        self.assertEqual(s.per_rule[self.rule32.pk]["met"], 1)  # 全年
        self.assertEqual(s.per_rule[self.rule32.pk]["behind"], 6)
        self.assertEqual(s.per_rule[self.rule24.pk]["met"], 1)  # the 发展对象, not a member
        self.assertEqual(s.per_rule[self.rule24.pk]["on_track"], 1)  # 次年入党
        # 4 of the 7 had a concentrated training in the year (全年, 转出, 调动, 年中入党).
        self.assertEqual(s.coverage, Decimal(4) / 7)
        # Hours here: 32 + 6 + 25 + 12 = 75 over 4 × 365 + 90 + 365 + 184 = 2099 member-days:
        # 75 × 365 / 2099 = 13.04 per member-year.
        self.assertEqual(s.average_hours, Decimal("13.04"))
        children = {c.org_id: c for c in oc.children}
        # Each person once, under the org they were in last: 调动 under B.
        self.assertEqual(children[self.world.branch.pk].members, 5)
        self.assertEqual(children[self.world.other_branch.pk].members, 2)

    def test_each_persons_result(self) -> None:
        got = self.results(self.world.unit)
        self.assertNotIn("后来入党", got)
        leaver = got["转出"][self.rule32.pk]
        self.assertEqual((leaver.required, leaver.achieved), (Decimal("7.89"), Decimal("6.00")))
        self.assertEqual(leaver.status, "behind")
        mover = got["调动"][self.rule32.pk]
        self.assertEqual((mover.required, mover.achieved), (Decimal(32), Decimal("25.00")))
        joiner = got["年中入党"][self.rule32.pk]
        # 32 × 184 / 365 = 16.13; the 4 hours of May, before 入党, do not count.
        self.assertEqual((joiner.required, joiner.achieved), (Decimal("16.13"), Decimal("12.00")))
        # The 发展对象 is judged by the 发展对象 rule only.
        self.assertEqual(set(got["发展对象"]), {self.rule24.pk})
        self.assertEqual(got["发展对象"][self.rule24.pk].status, "met")
        # 次年入党 was a 发展对象 in 2021, from 1 May: the 10 hours of March do not count.
        self.assertEqual(set(got["次年入党"]), {self.rule24.pk})
        became = got["次年入党"][self.rule24.pk]
        self.assertEqual((became.achieved, became.status), (Decimal(16), "on_track"))

    def test_a_branch_counts_its_own_time(self) -> None:
        a = self.results(self.world.branch)
        # 调动 was in A for 59 days: owes 32 × 59/365 = 5.17, earned 5 there.
        mover = a["调动"][self.rule32.pk]
        self.assertEqual((mover.required, mover.achieved), (Decimal("5.17"), Decimal("5.00")))
        b = self.results(self.world.other_branch)
        mover = b["调动"][self.rule32.pk]
        # 306 days in B: 32 × 306/365 = 26.83, earned 20 there.
        self.assertEqual((mover.required, mover.achieved), (Decimal("26.83"), Decimal("20.00")))
        self.assertNotIn("转出", b)

    def test_as_of_31_october(self) -> None:
        got = self.results(self.world.unit, as_of=D(YEAR, 10, 31))
        joiner = got["年中入党"][self.rule32.pk]
        # Due by 31 October: 16.13 × 123/184 = 10.78; 12 ≥ 10.78.
        self.assertEqual(joiner.due_by_now, Decimal("10.78"))
        self.assertEqual(joiner.status, "on_track")
        # 32 × 304/365 = 26.65 due; 25 ≥ 0.8 × 26.65: at risk.
        self.assertEqual(got["调动"][self.rule32.pk].status, "at_risk")
        # The leaver's time is over: behind, not "at risk".
        self.assertEqual(got["转出"][self.rule32.pk].status, "behind")

    def test_as_of_before_joining(self) -> None:
        got = self.results(self.world.unit, as_of=D(YEAR, 6, 30))
        self.assertNotIn("年中入党", got)

    def test_the_drilldown_lists_the_figure(self) -> None:
        data = compliance_drilldown(
            actor=self.admin(),
            org=self.world.unit,
            year=YEAR,
            filters=DrillFilters(status="behind", rule_id=self.rule32.pk),
        )
        names = sorted(r.member.name for r in data.rows)
        self.assertEqual(names, sorted(["李明", "王芳", "赵强", "转出", "调动", "年中入党"]))
        by_branch = compliance_drilldown(
            actor=self.admin(),
            org=self.world.unit,
            year=YEAR,
            filters=DrillFilters(status="behind", rule_id=self.rule32.pk, branch="第二"),
        )
        self.assertEqual(sorted(r.member.name for r in by_branch.rows), ["调动", "赵强"])
        candidates = compliance_drilldown(
            actor=self.admin(),
            org=self.world.unit,
            year=YEAR,
            filters=DrillFilters(category="probationary"),
        )
        self.assertEqual([r.member.name for r in candidates.rows], ["年中入党"])

    def test_a_members_own_figures_count_the_whole_tenant(self) -> None:
        mc = member_compliance(actor=self.admin(), member=self.people["调动"], year=YEAR)
        result = next(r for r in mc.results if r.requirement_id == self.rule32.pk)
        self.assertEqual((result.required, result.achieved), (Decimal(32), Decimal("25.00")))
        later = member_compliance(actor=self.admin(), member=self.people["后来入党"], year=YEAR)
        self.assertEqual(later.results, [])

    def test_the_same_when_read_by_path(self) -> None:
        small = self.results(self.world.unit)
        october = self.results(self.world.unit, as_of=D(YEAR, 10, 31))
        loading = "peixun.hours.selectors.compliance.loading"
        with mock.patch(f"{loading}.BY_ID_LIMIT", 0):
            self.assertEqual(self.results(self.world.unit), small)
            self.assertEqual(self.results(self.world.unit, as_of=D(YEAR, 10, 31)), october)
            # The part-year members found by a subquery (NOT EXISTS a whole-year stretch) too.
            with mock.patch(f"{loading}.PARTIAL_LIMIT", 0):
                self.assertEqual(self.results(self.world.unit), small)
                self.assertEqual(self.results(self.world.unit, as_of=D(YEAR, 10, 31)), october)

    def test_another_branchs_secretary_sees_their_time_only(self) -> None:
        got = member_table(
            actor=self.user("other_secretary"), org=self.world.other_branch, year=YEAR
        )
        self.assertEqual(sorted(mc.name for mc in got), ["调动", "赵强"])

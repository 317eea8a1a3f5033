import datetime as dt
from decimal import Decimal
from typing import Any, ClassVar
from unittest import mock

from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from peixun.core.scoping import Actor
from peixun.hours.models import Requirement
from peixun.hours.selectors import (
    member_compliance,
    member_table,
    org_compliance,
    rules_for_member,
)
from peixun.hours.services import entry_record, entry_reverse, requirements_seed_defaults
from peixun.orgs.models import Position
from peixun.testing import PersonaTestCase, make_member

YEAR = 2025
YEAR_END = dt.date(YEAR, 12, 31)
MID_YEAR = dt.date(YEAR, 7, 1)


def record(actor: Actor, members: list, hours: str, **kw: Any) -> list:  # type: ignore[type-arg]
    args: dict[str, Any] = {
        "on": dt.date(YEAR, 3, 12),
        "kind": "concentrated_training",
        "title": "专题培训",
        "topic": "innovation_theory",
        "concentrated": True,
    }
    args.update(kw)
    return entry_record(actor=actor, members=members, hours=hours, **args)


class ComplianceSelectorTests(PersonaTestCase):
    rules: ClassVar[dict[str, Requirement]]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        requirements_seed_defaults(actor=w.platform_admin, tenant=w.root, from_year=2019)
        cls.rules = {r.name: r for r in Requirement.objects.all()}

    def rule(self, prefix: str) -> Requirement:
        return next(r for name, r in self.rules.items() if name.startswith(prefix))

    def result(self, mc: Any, rule: Requirement) -> Any:
        return next(r for r in mc.results if r.requirement_id == rule.pk)

    def test_member_concentrated_32_met_and_behind(self) -> None:
        w = self.world
        record(self.user("secretary"), [w.member], "32")
        mc = member_compliance(
            actor=self.user("member"), member=w.member, year=YEAR, as_of=YEAR_END
        )
        res = self.result(mc, self.rule("党员每年集中学习培训"))
        self.assertEqual((res.required, res.achieved, res.gap, res.status), (32, 32, 0, "met"))
        # The secretary member holds no hours: behind at the year end.
        mc2 = member_compliance(
            actor=self.user("secretary"), member=w.secretary_member, year=YEAR, as_of=YEAR_END
        )
        res2 = self.result(mc2, self.rule("党员每年集中学习培训"))
        self.assertEqual((res2.gap, res2.status), (Decimal(32), "behind"))

    def test_branch_leaders_rules_apply_only_to_position_holders(self) -> None:
        w = self.world
        names_sec = {r.name for r in rules_for_member(w.secretary_member, YEAR)}
        names_mem = {r.name for r in rules_for_member(w.member, YEAR)}
        self.assertIn("基层党组织书记和班子成员每年培训不少于56学时", names_sec)
        self.assertNotIn("基层党组织书记和班子成员每年培训不少于56学时", names_mem)

    def test_reversal_restores_the_earlier_state(self) -> None:
        w = self.world
        before = member_compliance(actor=self.user("org_admin"), member=w.member, year=YEAR)
        (entry,) = record(self.user("secretary"), [w.member], "8")
        entry_reverse(actor=self.user("secretary"), entry=entry, reason="记错了")
        after = member_compliance(actor=self.user("org_admin"), member=w.member, year=YEAR)
        self.assertEqual(before.results, after.results)
        self.assertEqual(before.totals.total, after.totals.total)

    def test_scope(self) -> None:
        w = self.world
        with self.assertRaises(Http404):
            member_compliance(actor=self.user("member"), member=w.other_member, year=YEAR)
        with self.assertRaises(Http404):
            member_compliance(actor=self.user("other_secretary"), member=w.member, year=YEAR)
        with self.assertRaises(Http404):
            org_compliance(actor=self.user("member"), org=w.branch, year=YEAR)
        with self.assertRaises(Http404):
            org_compliance(actor=self.user("secretary"), org=w.unit, year=YEAR)

    def test_org_summary_counts_coverage_and_children(self) -> None:
        w = self.world
        make_member(w.branch, "周敏", exempt_reason="elderly", mobile="13800000011")
        record(self.user("secretary"), [w.member], "32")
        record(self.user("org_admin"), [w.far_member], "4", kind="theme_day", concentrated=False)
        oc = org_compliance(actor=self.user("org_admin"), org=w.root, year=YEAR, as_of=YEAR_END)
        s = oc.summary
        self.assertEqual((s.members, s.exempt), (5, 1))
        # 1 of 4 non-exempt members had a concentrated training.
        self.assertEqual(s.coverage, Decimal("0.25"))
        self.assertEqual(s.average_hours, Decimal("9.00"))
        rule = self.rule("党员每年集中学习培训")
        self.assertEqual(s.per_rule[rule.pk]["met"], 1)
        self.assertEqual(s.per_rule[rule.pk]["behind"], 3)
        self.assertEqual(s.per_rule[rule.pk]["exempt"], 1)
        children = {c.org_id: c for c in oc.children}
        self.assertEqual(set(children), {w.unit.pk, w.far_unit.pk})
        self.assertEqual(children[w.unit.pk].members, 4)
        self.assertEqual(children[w.far_unit.pk].coverage, Decimal(0))

    def test_member_table_filters(self) -> None:
        w = self.world
        make_member(w.branch, "周敏", exempt_reason="ill", mobile="13800000012")
        record(self.user("secretary"), [w.member], "32")
        rows = member_table(actor=self.user("secretary"), org=w.branch, year=YEAR, as_of=YEAR_END)
        self.assertEqual(len(rows), 3)
        exempt = member_table(
            actor=self.user("secretary"), org=w.branch, year=YEAR, as_of=YEAR_END, status="exempt"
        )
        self.assertEqual([r.name for r in exempt], ["周敏"])
        self.assertTrue(all(r.status == "exempt" for r in exempt[0].results))
        behind = member_table(
            actor=self.user("secretary"), org=w.branch, year=YEAR, as_of=YEAR_END, status="behind"
        )
        self.assertEqual([r.name for r in behind], ["王芳"])

    def test_local_rule_of_a_subtree_and_year_range(self) -> None:
        w = self.world
        Requirement.objects.create(
            org=w.unit,
            name="本局党员每年学习不少于50学时",
            metric="total_hours",
            threshold=Decimal(50),
            valid_from_year=YEAR + 1,
        )
        names = {r.name for r in rules_for_member(w.member, YEAR)}
        self.assertNotIn("本局党员每年学习不少于50学时", names)
        self.assertIn(
            "本局党员每年学习不少于50学时", {r.name for r in rules_for_member(w.member, YEAR + 1)}
        )
        self.assertNotIn(
            "本局党员每年学习不少于50学时",
            {r.name for r in rules_for_member(w.far_member, YEAR + 1)},
        )

    def test_mid_year_joiner_is_pro_rated(self) -> None:
        w = self.world
        joiner = make_member(w.branch, "钱进", joined_on=MID_YEAR, mobile="13800000013")
        mc = member_compliance(
            actor=self.user("secretary"), member=joiner, year=YEAR, as_of=YEAR_END
        )
        res = self.result(mc, self.rule("党员每年集中学习培训"))
        # 184 of 365 days remain from 1 July.
        self.assertEqual(res.required, (Decimal(32) * 184 / 365).quantize(Decimal("0.01")))

    def test_five_year_cycle_sums_the_years(self) -> None:
        w = self.world
        w.member.cadre_rank = "county_plus"
        w.member.save(update_fields=["cadre_rank"])
        record(self.user("secretary"), [w.member], "300", on=dt.date(2024, 5, 1), year=2024)
        record(self.user("secretary"), [w.member], "250")
        mc = member_compliance(actor=self.user("org_admin"), member=w.member, year=YEAR)
        res = self.result(mc, self.rule("县处级以上干部每5年"))
        self.assertEqual((res.achieved, res.status), (Decimal(550), "met"))

    def test_query_count_is_constant(self) -> None:
        w = self.world
        actor = self.user("org_admin")
        Position.objects.create(
            member=w.member, org=w.branch, role="propaganda", since=dt.date(2020, 1, 1)
        )
        org_compliance(actor=actor, org=w.root, year=YEAR)
        with CaptureQueriesContext(connection) as small:
            org_compliance(actor=actor, org=w.root, year=YEAR)
        for i in range(20):
            m = make_member(w.far_branch, f"成员{i}", mobile=f"139000000{i:02d}")
            record(actor, [m], "2", concentrated=False, kind="theme_day")
        with CaptureQueriesContext(connection) as large:
            oc = org_compliance(actor=actor, org=w.root, year=YEAR)
        self.assertEqual(oc.summary.members, 24)
        self.assertEqual(len(small), len(large))
        with CaptureQueriesContext(connection) as table:
            member_table(actor=actor, org=w.root, year=YEAR)
        self.assertLessEqual(len(table), len(large))


class SummaryMatchesDetailTests(PersonaTestCase):
    """The summary's fast loop must count exactly what the per-member engine results say."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        requirements_seed_defaults(actor=w.platform_admin, tenant=w.root, from_year=2019)
        local: list[dict[str, Any]] = [
            {"metric": "total_hours", "threshold": 50, "online_cap": Decimal(6)},
            {"metric": "topic_share", "threshold": 30, "topic": "party_history"},
            {"metric": "topic_hours", "threshold": 6, "topic": "innovation_theory"},
            {"metric": "kind_count", "threshold": 3, "kind": "theme_day"},
            {"metric": "online_hours", "threshold": 4, "online_cap": Decimal(3)},
        ]
        for n, fields in enumerate(local):
            Requirement.objects.create(
                org=w.unit, name=f"本局规则{n}", valid_from_year=2019, **fields
            )
        admin = w.users["org_admin"]
        cadres = ["county_plus", "township", "staff", "none"]
        people = [w.member, w.secretary_member]
        for i in range(14):
            people.append(
                make_member(
                    [w.branch, w.other_branch, w.group, w.far_branch][i % 4],
                    f"成员{i}",
                    mobile=f"1370000{i:04d}",
                    cadre_rank=cadres[i % 4],
                    status=["full", "probationary", "candidate"][i % 3],
                    joined_on=dt.date(2010 + i, 1 + i % 12, 1) if i % 5 else MID_YEAR,
                    exempt_reason="ill" if i == 7 else "",
                )
            )
        kinds = ["concentrated_training", "online_training", "theme_day", "party_lecture"]
        topics = ["innovation_theory", "party_history", "other"]
        for i, m in enumerate(people):
            for j in range(i % 6):
                when = dt.date(YEAR - (j % 3 == 2), 7 + j, 3 + i)
                record(
                    admin,
                    [m],
                    str(Decimal(1 + (i * 7 + j * 3) % 17) / 2),
                    on=when,
                    kind=kinds[(i + j) % 4],
                    topic=topics[(i * j) % 3],
                    concentrated=(i + j) % 3 == 0,
                    online=(i + 2 * j) % 4 == 1,
                )

    def counts_from_detail(self, org: Any, as_of: dt.date) -> dict[int, dict[str, int]]:
        counts: dict[int, dict[str, int]] = {}
        for mc in member_table(actor=self.user("org_admin"), org=org, year=YEAR, as_of=as_of):
            for r in mc.results:
                per = counts.setdefault(r.requirement_id, {})
                per[r.status] = per.get(r.status, 0) + 1
        return counts

    def check(self) -> None:
        w = self.world
        for as_of in (dt.date(YEAR, 2, 1), dt.date(YEAR, 9, 15), YEAR_END):
            oc = org_compliance(actor=self.user("org_admin"), org=w.root, year=YEAR, as_of=as_of)
            expected = self.counts_from_detail(w.root, as_of)
            got = {
                rule: {s: n for s, n in per.items() if n}
                for rule, per in oc.summary.per_rule.items()
                if any(per.values())
            }
            self.assertEqual(got, expected, as_of)
            rows = member_table(actor=self.user("org_admin"), org=w.root, year=YEAR, as_of=as_of)
            # 发展对象 are judged (the rule counts above include them) but are not members: the
            # member count, coverage and average are of Party members only (docs/figures.md).
            members = [mc for mc in rows if mc.status in ("full", "probationary")]
            self.assertLess(len(members), len(rows))
            judged = [mc for mc in members if not mc.exempt]
            self.assertEqual(oc.summary.members, len(members))
            self.assertEqual(
                oc.summary.coverage,
                Decimal(sum(mc.totals.concentrated_count > 0 for mc in judged)) / len(judged),
            )
            # The average is per member-year: the mid-year joiners count for their days (once
            # they are on the roster: not yet as of 1 February).
            days = sum(mc.party_days for mc in judged)
            self.assertEqual(days < 365 * len(judged), as_of > MID_YEAR)
            self.assertEqual(
                oc.summary.average_hours,
                (sum((mc.totals.total for mc in judged), Decimal(0)) * 365 / days).quantize(
                    Decimal("0.01")
                ),
            )
            self.assertEqual(sum(c.members for c in oc.children), oc.summary.members)

    def test_summary_equals_detail(self) -> None:
        self.check()

    def test_summary_equals_detail_when_read_by_path(self) -> None:
        # Large subtrees read totals by org path instead of by member id: same numbers.
        with mock.patch("peixun.hours.selectors.compliance.loading.BY_ID_LIMIT", 0):
            self.check()

"""The compliance page's 滞后 / 有风险 figures open the list of exactly those members across the
whole subtree, filterable and exportable, each with the path of their branch.

The small world, judged as of 2025-07-01 (32 h of concentrated training due by the year end,
about 16 h by then, "at risk" from 80 % of that, about 12.8 h):
  第一党支部 (局机关党委): 李明 32 h → met; 王芳 14 h, the branch secretary → at risk under the
      32 h rule, behind under the leaders' 56 h rule → worst: behind; 周敏 exempt
  第二党支部 (局机关党委): 赵强 14 h → at risk
  第三党支部 (委党委): 孙丽 0 h → behind
  第一党支部 (委党委, the same name as the first): 钱多 4 h → behind
"""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any, ClassVar

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from peixun.core.models import AuditEvent
from peixun.hours.models import Requirement
from peixun.hours.services import entry_record, requirements_seed_defaults
from peixun.members.models import Member
from peixun.orgs.models import Organization
from peixun.testing import PersonaTestCase, download_names, ledger_rows, make_member, make_org

YEAR = 2025
AS_OF = "2025-07-01"
RULE_32 = "党员每年集中学习培训不少于32学时"
RULE_56 = "基层党组织书记和班子成员每年培训不少于56学时"


class DrilldownTestCase(PersonaTestCase):
    twin: ClassVar[Organization]
    qian: ClassVar[Member]
    rule_32: ClassVar[Requirement]
    rule_56: ClassVar[Requirement]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        requirements_seed_defaults(actor=w.platform_admin, tenant=w.root, from_year=2019)
        cls.twin = make_org(w.far_unit, "T010202", "第一党支部", Organization.Kind.BRANCH)
        cls.qian = make_member(cls.twin, "钱多", mobile="13800000031")
        make_member(w.branch, "周敏", exempt_reason="elderly", mobile="13800000032")
        cls.hours(w.member, "32")
        cls.hours(w.secretary_member, "14")
        cls.hours(w.other_member, "14")
        cls.hours(cls.qian, "4")
        cls.rule_32 = Requirement.objects.get(name=RULE_32)
        cls.rule_56 = Requirement.objects.get(
            name=RULE_56, valid_from_year__lte=YEAR, valid_to_year__gte=YEAR
        )

    @classmethod
    def hours(cls, member: Member, hours: str) -> None:
        entry_record(
            actor=cls.world.users["org_admin"],
            members=[member],
            on=dt.date(YEAR, 3, 12),
            hours=hours,
            kind="concentrated_training",
            title="专题培训班",
            concentrated=True,
        )

    def url(self, org: Organization | None = None, **params: Any) -> str:
        query = {"year": YEAR, "as_of": AS_OF, **params}
        return (
            reverse("compliance:drilldown", args=[(org or self.world.root).pk])
            + "?"
            + "&".join(f"{k}={v}" for k, v in query.items())
        )

    def names(
        self, persona: str = "org_admin", org: Organization | None = None, **params: Any
    ) -> list[str]:
        response = self.client_for(persona).get(self.url(org, **params))
        self.assertEqual(response.status_code, 200)
        return [row.member.name for row in response.context["data"].rows]


class DrilldownCountTests(DrilldownTestCase):
    def test_figures_and_lists_agree_with_the_hand_count(self) -> None:
        w = self.world
        page = self.client_for("org_admin").get(
            reverse("compliance:org", args=[w.root.pk]) + f"?year={YEAR}&as_of={AS_OF}"
        )
        summary = page.context["report"].summary
        self.assertEqual((summary.behind, summary.at_risk), (3, 1))
        self.assertEqual(summary.per_rule[self.rule_32.pk]["behind"], 2)
        self.assertEqual(summary.per_rule[self.rule_32.pk]["at_risk"], 2)
        self.assertEqual(summary.per_rule[self.rule_56.pk]["behind"], 1)
        # Ordered by org and name, never ranked.
        self.assertEqual(self.names(status="behind"), ["王芳", "孙丽", "钱多"])
        self.assertEqual(self.names(status="at_risk"), ["赵强"])
        self.assertEqual(self.names(), ["王芳", "赵强", "孙丽", "钱多"])
        self.assertEqual(self.names(status="behind", rule=self.rule_32.pk), ["孙丽", "钱多"])
        self.assertEqual(self.names(status="at_risk", rule=self.rule_32.pk), ["王芳", "赵强"])
        self.assertEqual(self.names(status="behind", rule=self.rule_56.pk), ["王芳"])

        # Every figure on the page links to a list of exactly that many members.
        links = re.findall(
            r'data-drill="(\w+)"(?: data-rule="(\d+)")? href="([^"]+)">(\d+)</a>',
            page.content.decode(),
        )
        self.assertEqual(len(links), 5)  # 2 member figures + 3 non-zero rule cells
        client = self.client_for("org_admin")
        for status, rule, href, shown in links:
            listed = client.get(href.replace("&amp;", "&"))
            self.assertEqual(listed.context["page"].paginator.count, int(shown), href)
            self.assertEqual(listed.context["filters"].status, status)
            if rule:
                self.assertEqual(listed.context["data"].rule.pk, int(rule))

    def test_a_branch_page_lists_only_its_subtree(self) -> None:
        response = self.client_for("secretary").get(self.url(self.world.branch))
        self.assertEqual([r.member.name for r in response.context["data"].rows], ["王芳"])

    def test_a_past_year_is_judged_at_its_end(self) -> None:
        response = self.client_for("org_admin").get(
            reverse("compliance:drilldown", args=[self.world.root.pk])
            + f"?year={YEAR}&status=at_risk"
        )
        # At the year end nobody is "at risk" any more: whoever has not met a rule is behind.
        self.assertEqual(response.context["page"].paginator.count, 0)
        self.assertNotContains(response, "members.xlsx")  # nothing to download


class DrilldownFilterTests(DrilldownTestCase):
    def test_branch_paths_tell_same_named_branches_apart(self) -> None:
        response = self.client_for("org_admin").get(self.url(status="behind"))
        paths = {r.member.name: r.branch_path for r in response.context["page"].object_list}
        self.assertEqual(paths["王芳"], ["测试局机关党委", "第一党支部"])
        self.assertEqual(paths["钱多"], ["测试委党委", "第一党支部"])
        self.assertContains(response, "测试委党委 › 第一党支部")

    def test_filters(self) -> None:
        self.assertEqual(self.names(branch="第一"), ["王芳", "钱多"])
        self.assertEqual(self.names(branch="T0102"), ["孙丽", "钱多"])  # a code's start
        self.assertEqual(self.names(branch="测试委党委"), ["孙丽", "钱多"])  # and what lies below
        self.assertEqual(self.names(branch="没有这个支部"), [])
        self.assertEqual(self.names(q="孙"), ["孙丽"])
        self.assertEqual(self.names(q="孙", status="at_risk"), [])
        self.assertEqual(self.names(category="probationary"), [])
        self.assertEqual(self.names(category="full", status="at_risk"), ["赵强"])
        # The secretary's branch search stays inside their branch.
        branch = self.world.branch
        self.assertEqual(self.names("secretary", branch, branch="第一"), ["王芳"])
        self.assertEqual(self.names("secretary", branch, branch="测试委党委"), [])
        self.assertEqual(self.names("viewer", branch="第一", status="behind"), ["王芳", "钱多"])

    def test_unknown_values_drop_that_filter(self) -> None:
        everyone = self.names()
        params: dict[str, Any]
        for params in (
            {"status": "exempt"},
            {"status": "x"},
            {"rule": "abc"},
            {"rule": "999999"},
            {"category": "x"},
        ):
            self.assertEqual(self.names("org_admin", None, **params), everyone, params)
        client = self.client_for("org_admin")
        base = reverse("compliance:drilldown", args=[self.world.root.pk])
        for query in ("year=abc", "year=1200", "as_of=bad", "page=999", "page=x"):
            self.assertEqual(client.get(f"{base}?{query}").status_code, 200, query)
        self.assertEqual(client.get("/compliance/orgs/99999/members/").status_code, 404)

    def test_pages_of_fifty(self) -> None:
        for i in range(52):
            make_member(self.world.far_branch, f"新人{i:02d}", mobile=f"1391000{i:04d}")
        response = self.client_for("org_admin").get(self.url(status="behind"))
        self.assertEqual(response.context["page"].paginator.count, 55)
        self.assertEqual(len(response.context["page"].object_list), 50)
        second = self.client_for("org_admin").get(self.url(status="behind", page=2))
        self.assertEqual(len(second.context["page"].object_list), 5)
        self.assertContains(second, "status=behind")  # the page links keep the filters


class DrilldownAccessTests(DrilldownTestCase):
    def test_page_personas(self) -> None:
        self.expect_personas(
            self.url(),
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        self.expect_personas(
            self.url(self.world.branch),
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def export_url(self, org: Organization | None = None, **params: Any) -> str:
        return self.url(org, **params).replace("/members/?", "/members.xlsx?")

    def test_export_personas(self) -> None:
        self.expect_personas(
            self.export_url(self.world.branch),
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        # One audit event per file handed out, none for the refusals.
        self.assertEqual(AuditEvent.objects.filter(verb="hours.drilldown_export").count(), 3)

    def test_export_is_the_filtered_list_with_branch_paths(self) -> None:
        make_member(self.world.far_branch, "=HYPERLINK(1)", mobile="13800000033")
        response = self.client_for("org_admin").get(
            self.export_url(status="behind", rule=self.rule_32.pk)
        )
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            download_names(response),
            ("behind-T01-2025.xlsx", f"学时滞后党员名单-{self.world.root.name}-2025年.xlsx"),
        )
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        self.assertTrue(sheet["A1"].value.startswith(self.world.root.name))
        self.assertIn("截至", sheet["A2"].value)
        self.assertEqual(str(sheet.page_setup.paperSize), "9")
        self.assertEqual(sheet.print_title_rows, "$3:$3")
        rows = ledger_rows(sheet)
        header = rows[0]
        self.assertEqual(len(header), 6)  # name, branch, and the one rule's four columns
        self.assertTrue(str(header[2]).startswith(RULE_32))
        body = {row[0]: row for row in rows[1:]}
        self.assertEqual(set(body), {"孙丽", "钱多", "=HYPERLINK(1)"})
        self.assertEqual(body["钱多"][1], "测试委党委 › 第一党支部")
        self.assertEqual(body["钱多"][2:5], (32, 4, 28))
        event = AuditEvent.objects.get(verb="hours.drilldown_export")
        assert event.after is not None
        self.assertEqual(event.after["rows"], 3)
        self.assertEqual(event.after["filters"]["status"], "behind")
        # The list without a rule: every rule that put someone on it has its columns.
        everyone = self.client_for("org_admin").get(self.export_url())
        sheet = load_workbook(io.BytesIO(everyone.content)).active
        assert sheet is not None
        header = ledger_rows(sheet)[0]
        self.assertEqual(len(header), 2 + 4 * 2)


class DrilldownQueryCountTests(DrilldownTestCase):
    def test_constant_as_members_grow(self) -> None:
        w = self.world
        client = self.client_for("org_admin")
        urls = [
            self.url(),
            self.url(status="behind", rule=self.rule_32.pk, branch="第", category="full"),
            self.url().replace("/members/?", "/members.xlsx?"),
        ]
        for url in urls:
            client.get(url)  # warm the session and caches
        small = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                client.get(url)
            small.append(len(queries))
        for i, org in enumerate([w.branch, w.other_branch, w.far_branch, self.twin] * 10):
            member = make_member(org, f"新成员{i:02d}", mobile=f"1392000{i:04d}")
            if i % 3:
                self.hours(member, "4")
        large = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            large.append(len(queries))
        self.assertEqual(large, small)
        self.assertGreater(response.status_code, 0)
        listed = client.get(self.url(status="behind"))
        self.assertEqual(listed.context["page"].paginator.count, 3 + 40)

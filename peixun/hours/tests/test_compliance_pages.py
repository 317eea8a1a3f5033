"""The compliance pages: member 培训档案, org compliance, the 台账 export.

Scope: anonymous → 302 to login; out of scope → 404. A plain member sees only their own archive
and no org page. Secretaries see their branch; org admins and viewers their subtree."""

import datetime as dt
import io
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from peixun.core.models import AuditEvent
from peixun.core.scoping import Actor
from peixun.hours.models import CreditEntry
from peixun.hours.services import (
    entry_record,
    entry_reject,
    entry_reverse,
    requirements_seed_defaults,
    self_study_file,
)
from peixun.testing import (
    PersonaTestCase,
    check_printable_ledger,
    download_names,
    ledger_rows,
    make_member,
)

YEAR = 2025


def record(actor: Actor, members: list[Any], hours: str = "4", **kw: Any) -> list[CreditEntry]:
    args: dict[str, Any] = {
        "on": dt.date(YEAR, 3, 12),
        "kind": "concentrated_training",
        "title": "专题培训班",
        "topic": "innovation_theory",
        "concentrated": True,
    }
    args.update(kw)
    return entry_record(actor=actor, members=members, hours=hours, **args)


class CompliancePageTests(PersonaTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        requirements_seed_defaults(actor=w.platform_admin, tenant=w.root, from_year=2019)
        sec = w.users["secretary"]
        record(sec, [w.member, w.secretary_member], "32")
        (wrong,) = record(sec, [w.member], "2", title="记错的活动", concentrated=False)
        entry_reverse(actor=sec, entry=wrong, reason="重复登记")
        filed = self_study_file(
            actor=w.users["member"], on=dt.date(YEAR, 5, 6), hours="3", title="读原著"
        )
        entry_reject(actor=sec, entry=filed, reason="缺少心得体会")
        self_study_file(
            actor=w.users["member"], on=dt.date(YEAR, 6, 6), hours="2", title="自学党史"
        )
        make_member(w.branch, "周敏", exempt_reason="elderly", mobile="13800000021")

    def member_url(self, pk: int | None = None) -> str:
        return reverse("compliance:member", args=[pk or self.world.member.pk]) + f"?year={YEAR}"

    def org_url(self, org: Any, **params: Any) -> str:
        query = "&".join(f"{k}={v}" for k, v in {"year": YEAR, **params}.items())
        return reverse("compliance:org", args=[org.pk]) + "?" + query

    # --- personas ---------------------------------------------------------------------------

    def test_member_archive_personas(self) -> None:
        self.expect_personas(
            self.member_url(),
            {
                "anonymous": 302,
                "member": 200,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        # Another member's archive: only staff in scope.
        self.expect_personas(
            self.member_url(self.world.other_member.pk),
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 200,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        self.assertEqual(
            self.client_for("org_admin").get("/compliance/members/99999/").status_code, 404
        )

    def test_org_page_personas(self) -> None:
        w = self.world
        self.expect_personas(
            self.org_url(w.branch),
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )
        self.expect_personas(
            self.org_url(w.root),
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 404,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_ledger_personas(self) -> None:
        url = reverse("compliance:ledger", args=[self.world.branch.pk]) + f"?year={YEAR}"
        self.expect_personas(
            url,
            {
                "anonymous": 302,
                "member": 404,
                "secretary": 200,
                "other_secretary": 404,
                "org_admin": 200,
                "viewer": 200,
            },
        )

    def test_index_personas(self) -> None:
        self.expect_personas(
            reverse("compliance:index"),
            {
                "anonymous": 302,
                "member": 302,
                "secretary": 302,
                "other_secretary": 302,
                "org_admin": 302,
                "viewer": 302,
            },
        )
        response = self.client_for("secretary").get(reverse("compliance:index"))
        self.assertEqual(
            response["Location"], reverse("compliance:org", args=[self.world.branch.pk])
        )
        response = self.client_for("member").get(reverse("compliance:index"))
        self.assertEqual(
            response["Location"], reverse("compliance:member", args=[self.world.member.pk])
        )

    # --- content ----------------------------------------------------------------------------

    def test_archive_shows_entries_states_and_rules(self) -> None:
        response = self.client_for("member").get(self.member_url())
        html = response.content.decode()
        self.assertContains(response, "专题培训班")
        self.assertContains(response, "记错的活动")
        self.assertContains(response, "重复登记")  # the reversal's reason
        self.assertContains(response, "缺少心得体会")  # the rejection's reason, shown to the member
        self.assertContains(response, "自学党史")
        self.assertContains(response, "党员每年集中学习培训不少于32学时")
        self.assertIn("@media print", html)
        results = {r.name: r for r, _label in response.context["results"]}
        self.assertEqual(results["党员每年集中学习培训不少于32学时"].status, "met")
        # The pending self-study does not count yet; the reversed entry nets to zero.
        self.assertEqual(response.context["report"].totals.total, 32)

    def test_mine_links_to_the_archive(self) -> None:
        response = self.client_for("member").get(reverse("members:mine"))
        self.assertContains(response, reverse("compliance:member", args=[self.world.member.pk]))

    def test_org_page_summary_children_and_table(self) -> None:
        w = self.world
        response = self.client_for("org_admin").get(self.org_url(w.unit, as_of=f"{YEAR}-12-31"))
        self.assertEqual(response.status_code, 200)
        summary = response.context["report"].summary
        self.assertEqual((summary.members, summary.exempt), (4, 1))
        self.assertContains(response, reverse("compliance:org", args=[w.branch.pk]))
        self.assertFalse(response.context["show_table"])
        branch = self.client_for("secretary").get(self.org_url(w.branch, as_of=f"{YEAR}-12-31"))
        names = [row.member.name for row in branch.context["member_rows"]]
        self.assertEqual(sorted(names), sorted(["李明", "王芳", "周敏"]))
        exempt = self.client_for("secretary").get(self.org_url(w.branch, status="exempt"))
        self.assertEqual([row.member.name for row in exempt.context["member_rows"]], ["周敏"])
        behind = self.client_for("secretary").get(
            self.org_url(w.branch, status="behind", as_of=f"{YEAR}-12-31")
        )
        # 王芳 holds a branch position and has no 56 hours: behind; 李明 has no position.
        self.assertEqual([row.member.name for row in behind.context["member_rows"]], ["王芳"])

    def test_bad_parameters_fall_back(self) -> None:
        w = self.world
        client = self.client_for("org_admin")
        for query in ("year=abc", "year=1200", "as_of=notadate", "as_of=1999-01-01", "status=x"):
            url = reverse("compliance:org", args=[w.branch.pk]) + "?" + query
            self.assertEqual(client.get(url).status_code, 200, query)
        self.assertEqual(client.get("/compliance/orgs/99999/").status_code, 404)

    def test_ledger_export_contents_and_audit(self) -> None:
        w = self.world
        make_member(w.branch, "=HYPERLINK(1)", mobile="13800000022")
        url = reverse("compliance:ledger", args=[w.branch.pk]) + f"?year={YEAR}"
        response = self.client_for("secretary").get(url)
        self.assertEqual(response.status_code, 200)
        sheet = load_workbook(io.BytesIO(response.content)).active
        assert sheet is not None
        # The title rows start right of the name columns when the table prints across pages.
        title, subtitle = ([c.value for c in sheet[n] if c.value][0] for n in (1, 2))
        self.assertEqual(title, f"{w.branch.name}{YEAR}年度学时台账")
        self.assertIn(f"期间：{YEAR}年1月1日至{YEAR}年12月31日", subtitle)
        self.assertEqual(str(sheet.page_setup.paperSize), "9")  # A4
        self.assertEqual(sheet.print_title_rows, "$3:$3")  # the header on every page
        # Too wide for one page: two across, each repeating the name and branch columns.
        check_printable_ledger(sheet, title=title, orientation="landscape", freeze="C4", across=2)
        self.assertEqual(sheet.print_title_cols, "$A:$B")
        self.assertEqual(
            download_names(response),
            (f"ledger-{w.branch.code}-{YEAR}.xlsx", f"学时台账-{w.branch.name}-{YEAR}年.xlsx"),
        )
        rows = ledger_rows(sheet)
        header, body, totals = rows[0], rows[1:-1], rows[-1]
        by_name = {row[0]: dict(zip(header, row, strict=True)) for row in body}
        self.assertIn("=HYPERLINK(1)", by_name)  # as typed: a text cell, no apostrophe
        li = by_name["李明"]
        rule = "党员每年集中学习培训不少于32学时"
        required = next(h for h in header if isinstance(h, str) and h.startswith(rule))
        self.assertEqual(required, f"{rule}：应达到（学时）")
        self.assertEqual(li[required], 32)
        self.assertEqual(header[3], "集中培训学时（按类型）")
        self.assertEqual(li[header[3]], 32)  # concentrated training, the first kind column
        self.assertEqual(li[header[2]], "测试局机关党委")  # the organization above the branch
        self.assertFalse(any(isinstance(h, str) and h.isascii() for h in header))
        # The totals row adds up each hour column of the members above it, by hand.
        self.assertEqual(totals[:2], ("合计", f"{len(body)}人"))
        total_column = header.index("学时合计（各类型）")
        self.assertEqual(totals[total_column], sum(row[total_column] or 0 for row in body))
        event = AuditEvent.objects.get(verb="hours.ledger_export")
        self.assertEqual(event.after, {"year": YEAR, "rows": len(body)})
        self.assertEqual(event.org_id, w.branch.pk)

    def test_query_counts_constant_as_members_grow(self) -> None:
        w = self.world
        client = self.client_for("secretary")
        ledger = reverse("compliance:ledger", args=[w.branch.pk]) + f"?year={YEAR}"
        page = self.org_url(w.branch)
        client.get(page)
        with CaptureQueriesContext(connection) as small_page:
            client.get(page)
        with CaptureQueriesContext(connection) as small_ledger:
            client.get(ledger)
        sec = self.user("secretary")
        for i in range(15):
            m = make_member(w.branch, f"新成员{i}", mobile=f"139100000{i:02d}")
            record(sec, [m], "8")
        with CaptureQueriesContext(connection) as large_page:
            client.get(page)
        with CaptureQueriesContext(connection) as large_ledger:
            client.get(ledger)
        self.assertEqual(len(small_page), len(large_page))
        self.assertEqual(len(small_ledger), len(large_ledger))

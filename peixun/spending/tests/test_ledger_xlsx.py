"""The 经费支出台账 .xlsx as a person opens and prints it: title, typed cells, struck voided rows,
the totals by fund worked out by hand, formula-like text kept as typed, and the download's
Chinese file name with its ASCII fallback."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any, ClassVar

from openpyxl import load_workbook

from peixun.core.models import AuditEvent
from peixun.spending.models import Expense, Fund
from peixun.spending.services import expense_attachment_add, expense_void
from peixun.testing import PersonaTestCase, check_printable_ledger, download_names, ledger_rows

from .fixtures import YEAR, pdf, spend

HEADERS = [
    "序号",
    "支出日期",
    "党组织",
    "经费来源",
    "用途",
    "金额（元）",
    "收款方",
    "列支对象",
    "审批决定",
    "备注",
]


class LedgerWorkbookTest(PersonaTestCase):
    expense: ClassVar[Expense]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        w = cls.world
        secretary = w.users["secretary"]
        cls.expense = spend(secretary, w, spent_on=dt.date(YEAR, 3, 12), purpose="购买学习教材")
        spend(
            secretary,
            w,
            spent_on=dt.date(YEAR, 3, 2),
            amount="800",
            fund=Fund.PARTY_DUES,
            purpose="走访慰问老党员",
            decision_body="支委会",
            decision_on=dt.date(YEAR, 3, 1),
        )
        spend(secretary, w, spent_on=dt.date(YEAR, 5, 6), amount="12345.6", fund=Fund.OTHER,
              purpose="=HYPERLINK(\"http://x\")", payee="+86 供应商")  # fmt: skip
        wrong = spend(
            secretary, w, spent_on=dt.date(YEAR, 4, 1), amount="9999", purpose="录错的一笔"
        )
        expense_void(actor=secretary, expense=wrong, reason="重复录入")
        spend(w.users["org_admin"], w, org=w.other_branch, amount="50", purpose="第二支部的茶水")
        spend(secretary, w, spent_on=dt.date(YEAR - 1, 12, 30), amount="70", purpose="去年的")

    def _sheet(self, query: str, persona: str = "viewer") -> tuple[Any, Any]:
        response = self.client_for(persona).get(f"/spending/ledger.xlsx?{query}")
        self.assertEqual(response.status_code, 200)
        return response, load_workbook(io.BytesIO(response.content)).active

    def test_printable_ledger_of_a_branch_and_year(self) -> None:
        branch = self.world.branch
        response, sheet = self._sheet(f"year={YEAR}&org={branch.pk}")
        headers = check_printable_ledger(
            sheet, title=f"第一党支部{YEAR}年度经费支出台账", orientation="landscape", freeze="C4"
        )
        self.assertEqual(headers, HEADERS)
        subtitle = sheet["A2"].value
        self.assertIn("单位：", subtitle)
        self.assertIn("第一党支部", subtitle)
        self.assertIn(f"期间：{YEAR}年1月1日至{YEAR}年12月31日", subtitle)
        self.assertIn("A1:J1", {str(r) for r in sheet.merged_cells.ranges})
        rows = ledger_rows(sheet)[1:]
        body = [row for row in rows if isinstance(row[0], int)]
        # The branch's four expenses of the year, newest first (the list's order), the voided
        # one included; 第二党支部's and last year's left out.
        self.assertEqual(
            [row[4] for row in body],
            ['=HYPERLINK("http://x")', "录错的一笔", "购买学习教材", "走访慰问老党员"],
        )
        self.assertEqual([row[0] for row in body], [1, 2, 3, 4])
        first = sheet.cell(row=4, column=2)
        self.assertTrue(first.is_date)
        self.assertEqual(first.number_format, "yyyy-mm-dd")
        self.assertEqual(first.value.date(), dt.date(YEAR, 5, 6))
        amount = sheet.cell(row=4, column=6)
        self.assertEqual((amount.data_type, amount.value), ("n", 12345.6))
        self.assertEqual(amount.number_format, "#,##0.00")
        # Formula-like text is a string cell shown as typed: no apostrophe, never evaluated.
        for column, typed in ((5, '=HYPERLINK("http://x")'), (7, "+86 供应商")):
            cell = sheet.cell(row=4, column=column)
            self.assertEqual((cell.data_type, cell.value), ("s", typed))
            self.assertTrue(cell.quotePrefix)
        voided = sheet.cell(row=5, column=5)
        self.assertEqual(voided.value, "录错的一笔")
        self.assertTrue(voided.font.strike)
        self.assertEqual(sheet.cell(row=5, column=10).value, "已作废：重复录入")
        self.assertFalse(sheet.cell(row=6, column=5).font.strike)
        # The totals, by hand: 1200.50 + 800 + 12345.60 (the voided 9999 not counted).
        totals = {row[0]: row[5] for row in rows if isinstance(row[0], str)}
        self.assertEqual(totals["合计（3笔）"], 14346.1)
        self.assertEqual(totals["其中：党费"], 800)
        self.assertEqual(totals["其中：培训经费"], 1200.5)
        self.assertEqual(totals["其中：其他经费"], 12345.6)
        self.assertIn("另有1笔已作废的支出（加删除线）不计入合计。", totals)
        total_row = 4 + len(body)
        self.assertTrue(sheet.cell(row=total_row, column=1).font.bold)
        self.assertIn(f"A{total_row}:E{total_row}", {str(r) for r in sheet.merged_cells.ranges})
        # Widths fitted: the date and the amounts are not cut, capped text wraps.
        widths = {c: sheet.column_dimensions[c].width for c in "ABCDEF"}
        self.assertGreaterEqual(widths["B"], 12)
        self.assertGreaterEqual(widths["F"], len("14,346.10") + 2)
        self.assertLessEqual(widths["E"], 30)
        plain, chinese = download_names(response)
        self.assertEqual(plain, f"spending-{branch.code}-{YEAR}.xlsx")
        self.assertEqual(chinese, f"经费支出台账-第一党支部-{YEAR}年.xlsx")
        event = AuditEvent.objects.get(verb="expense.export")
        self.assertEqual((event.after or {})["rows"], 4)

    def test_every_year_and_every_org_seen(self) -> None:
        response, sheet = self._sheet("year=", persona="secretary")
        rows = ledger_rows(sheet)[1:]
        self.assertEqual(len([r for r in rows if isinstance(r[0], int)]), 5)  # last year's too
        self.assertIn("期间：全部年度", sheet["A2"].value)
        self.assertIn("合计（4笔）", {r[0] for r in rows})
        plain, chinese = download_names(response)
        self.assertEqual(plain, f"spending-{self.world.branch.code}-all.xlsx")
        self.assertTrue(chinese.startswith("经费支出台账-") and chinese.endswith("-全部年度.xlsx"))

    def test_an_empty_ledger_still_has_its_headers_and_zero_totals(self) -> None:
        _response, sheet = self._sheet(f"year={YEAR - 5}&org={self.world.branch.pk}")
        rows = ledger_rows(sheet)
        self.assertEqual(list(rows[0]), HEADERS)
        self.assertEqual(rows[1][0], "合计（0笔）")
        self.assertEqual(rows[1][5], 0)
        self.assertNotIn("另有", str(rows))

    def test_bad_filters_are_ignored_not_a_crash(self) -> None:
        _response, sheet = self._sheet("year=abc&org=x&fund=gold")
        self.assertEqual(list(ledger_rows(sheet)[0]), HEADERS)

    def test_attachment_downloads_keep_the_uploaded_name(self) -> None:
        attachment = expense_attachment_add(
            actor=self.user("secretary"), expense=self.expense, file=pdf("二〇二六年三月发票.pdf")
        )
        for url in (
            f"/spending/{self.expense.pk}/attachments/{attachment.pk}/",
            f"/api/v1/spending/{self.expense.pk}/attachments/{attachment.pk}",
        ):
            with self.subTest(url):
                response = self.client_for("secretary").get(url)
                self.assertEqual(response.status_code, 200)
                plain, chinese = download_names(response)
                self.assertEqual(plain, f"expense-{self.expense.pk}-attachment-{attachment.pk}.pdf")
                self.assertEqual(chinese, "二〇二六年三月发票.pdf")
                self.assertEqual(response["Content-Type"], "application/pdf")

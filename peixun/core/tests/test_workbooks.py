"""The 台账 writer: title and subtitle rows, typed cells, fitted widths, print settings,
formula-like text kept as text (checked in LibreOffice too), totals, streaming."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.test import SimpleTestCase
from django.utils import translation
from openpyxl import Workbook, load_workbook

from peixun.core.workbooks import (
    MAX_WIDTH,
    SAMPLE_ROWS,
    Column,
    LedgerBook,
    date_span,
    ledger_title,
    notes_page,
    template_page,
    text_width,
    wrapped_lines,
    year_period,
)
from peixun.testing import ledger_header_row, ledger_rows

COLUMNS = [
    Column("姓名"),
    Column("入党日期", "date"),
    Column("提交时间", "datetime"),
    Column("学时合计", "hours"),
    Column("次数", "integer"),
    Column("合格率", "percent"),
    Column("备注"),
]


def _book(rows: Sequence[Sequence[object]], totals: Sequence[object] | None = None) -> bytes:
    with translation.override("zh-hans"):
        book = LedgerBook()
        sheet = book.sheet(
            "学时台账",
            title=ledger_title("城关镇党委", "2026年度学时台账"),
            org="城关镇党委",
            period=year_period(2026),
            exported_on=dt.date(2026, 12, 6),
            columns=COLUMNS,
            freeze_columns=1,
        )
        for row in rows:
            sheet.append(row)
        if totals is not None:
            sheet.totals(totals)
        return book.save()


ROW = [
    "欧阳建国",
    dt.date(2001, 7, 1),
    dt.datetime(2026, 3, 5, 9, 30, tzinfo=dt.UTC),
    Decimal("12.25"),
    3,
    0.875,
    '=HYPERLINK("http://evil","x")',
]


class TitleAndHeaderTests(SimpleTestCase):
    def test_title_names_org_and_period_above_the_header(self) -> None:
        sheet = load_workbook(io.BytesIO(_book([ROW]))).active
        assert sheet is not None
        self.assertEqual(sheet["A1"].value, "城关镇党委2026年度学时台账")
        self.assertTrue(sheet["A1"].font.bold)
        self.assertGreater(sheet["A1"].font.size, 11)
        subtitle = sheet["A2"].value
        self.assertIn("单位：城关镇党委", subtitle)
        self.assertIn("期间：2026年1月1日至2026年12月31日", subtitle)
        self.assertIn("导出日期：2026年12月6日", subtitle)
        merged = {str(r) for r in sheet.merged_cells.ranges}
        self.assertEqual(merged, {"A1:G1", "A2:G2"})
        self.assertEqual(ledger_header_row(sheet), 3)
        self.assertEqual([c.value for c in sheet[3]], [c.header for c in COLUMNS])
        self.assertTrue(all(c.font.bold for c in sheet[3]))

    def test_metadata_names_the_sheet_and_org(self) -> None:
        book = load_workbook(io.BytesIO(_book([ROW])))
        self.assertEqual(book.properties.title, "城关镇党委2026年度学时台账")
        self.assertEqual(book.properties.creator, "城关镇党委")
        self.assertEqual(book.properties.language, "zh-CN")

    def test_header_frozen_and_repeated_on_every_printed_page(self) -> None:
        sheet = load_workbook(io.BytesIO(_book([ROW]))).active
        assert sheet is not None
        self.assertEqual(sheet.print_title_rows, "$3:$3")
        self.assertEqual(sheet.freeze_panes, "B4")  # the name column and the header stay

    def test_a4_fitted_to_width_with_page_numbers(self) -> None:
        sheet = load_workbook(io.BytesIO(_book([ROW]))).active
        assert sheet is not None
        self.assertEqual(str(sheet.page_setup.paperSize), "9")  # A4
        self.assertEqual(sheet.page_setup.orientation, "portrait")  # 7 columns fit
        self.assertTrue(sheet.sheet_properties.pageSetUpPr.fitToPage)
        self.assertEqual(sheet.page_setup.fitToWidth, 1)
        self.assertEqual(sheet.page_setup.fitToHeight, 0)  # as many pages down as it takes
        self.assertEqual(sheet.oddFooter.right.text, "第 &P 页，共 &N 页")
        self.assertEqual(sheet.oddFooter.left.text, "城关镇党委2026年度学时台账")  # every page

    def test_a_wide_table_turns_landscape(self) -> None:
        with translation.override("zh-hans"):
            book = LedgerBook()
            columns = [Column("姓名")] + [
                Column(f"第{n}项规则应完成学时", "hours") for n in range(12)
            ]
            sheet = book.sheet("x", title="t", columns=columns)
            sheet.append(["张三", *[Decimal(1)] * 12])
            data = book.save()
        loaded = load_workbook(io.BytesIO(data)).active
        assert loaded is not None
        self.assertEqual(loaded.page_setup.orientation, "landscape")

    def test_a_very_wide_table_spreads_across_pages_repeating_the_names(self) -> None:
        with translation.override("zh-hans"):
            book = LedgerBook()
            columns = [Column("姓名"), Column("所在支部")]
            columns += [Column(f"第{n}项规则：应达到（学时）", "hours") for n in range(40)]
            sheet = book.sheet("x", title="t", columns=columns, freeze_columns=2)
            sheet.append(["张三", "第一党支部", *[Decimal(1)] * 40])
            data = book.save()
        loaded = load_workbook(io.BytesIO(data)).active
        assert loaded is not None
        total = sum(loaded.column_dimensions[c].width for c in loaded.column_dimensions)
        self.assertGreater(total, 240)
        self.assertEqual(loaded.page_setup.fitToWidth, math.ceil(total / 240))
        self.assertEqual(loaded.print_title_cols, "$A:$B")  # names on every page across
        # The title stands right of the repeated name columns, over the first page.
        self.assertIsNone(loaded["A1"].value)
        self.assertEqual(loaded["C1"].value, "t")
        merged = next(str(r) for r in loaded.merged_cells.ranges if str(r).startswith("C1:"))
        self.assertNotEqual(merged, "C1:AP1")
        self.assertEqual(loaded.print_title_rows, "$3:$3")


class CellTests(SimpleTestCase):
    def test_dates_and_numbers_are_typed_cells(self) -> None:
        sheet = load_workbook(io.BytesIO(_book([ROW]))).active
        assert sheet is not None
        name, joined, submitted, hours, count, rate, _note = sheet[4]
        self.assertEqual(name.data_type, "s")
        self.assertTrue(joined.is_date)
        self.assertEqual(joined.value, dt.datetime(2001, 7, 1))  # noqa: DTZ001 — cells hold naive times
        self.assertEqual(joined.number_format, "yyyy-mm-dd")
        self.assertTrue(submitted.is_date)
        # Aware times are written in local time (Asia/Shanghai), as pages show them.
        self.assertEqual(submitted.value, dt.datetime(2026, 3, 5, 17, 30))  # noqa: DTZ001
        self.assertEqual(submitted.number_format, "yyyy-mm-dd hh:mm")
        self.assertEqual((hours.data_type, hours.value), ("n", 12.25))
        self.assertEqual((count.data_type, count.value, count.number_format), ("n", 3, "0"))
        self.assertEqual((rate.value, rate.number_format), (0.875, "0.0%"))

    def test_a_word_in_a_figures_column_stays_text(self) -> None:
        sheet = load_workbook(io.BytesIO(_book([["张三", "", "", "免学", "", "", ""]]))).active
        assert sheet is not None
        self.assertEqual((sheet["D4"].value, sheet["D4"].data_type), ("免学", "s"))
        self.assertIsNone(sheet["B4"].value)

    def test_formula_like_text_is_a_string_cell_without_apostrophe(self) -> None:
        texts = ["=1+1", "+1+2", "-3", "@SUM(1,2)"]
        data = _book([["张三", None, None, None, None, None, text] for text in texts])
        sheet = load_workbook(io.BytesIO(data)).active
        assert sheet is not None
        for row, text in enumerate(texts, start=4):
            cell = sheet.cell(row=row, column=7)
            self.assertEqual(cell.value, text)  # no "'" added to the value
            self.assertEqual(cell.data_type, "s")
            self.assertTrue(cell.quotePrefix)  # stays text when someone edits it
            self.assertEqual(cell.number_format, "@")
        xml = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
        self.assertNotIn("<f>", xml)  # nothing is stored as a formula
        self.assertIn('t="inlineStr"', xml)

    def test_totals_row_is_bold_and_labelled(self) -> None:
        sheet = load_workbook(io.BytesIO(_book([ROW, ROW], [None, None, None, 24.5, 6]))).active
        assert sheet is not None
        rows = ledger_rows(sheet)
        self.assertEqual(len(rows), 4)  # header, two rows, totals
        self.assertEqual(rows[-1][:5], ("合计", None, None, 24.5, 6))
        self.assertTrue(sheet.cell(row=sheet.max_row, column=1).font.bold)

    def test_control_characters_are_dropped(self) -> None:
        sheet = load_workbook(io.BytesIO(_book([["张\x07三"]]))).active
        assert sheet is not None
        self.assertEqual(sheet["A4"].value, "张三")


class WidthTests(SimpleTestCase):
    def test_cjk_characters_count_double(self) -> None:
        self.assertEqual(text_width("abc"), 3)
        self.assertEqual(text_width("党支部"), 6)
        self.assertEqual(text_width("ＡＢ"), 4)  # full-width letters too
        self.assertEqual(text_width("一行\n第二行字"), 8)

    def test_widths_fit_content_and_are_capped(self) -> None:
        long_note = "很长的备注" * 20
        sheet = load_workbook(
            io.BytesIO(
                _book([["欧阳建国同志名字很长", dt.date(2001, 7, 1), None, 1, 1, 1, long_note]])
            )
        ).active
        assert sheet is not None
        width = {c: sheet.column_dimensions[c].width for c in "ABCDEFG"}
        self.assertEqual(width["A"], text_width("欧阳建国同志名字很长") + 2)  # 22
        self.assertGreaterEqual(width["B"], 12)  # yyyy-mm-dd never shows as ####
        self.assertEqual(width["G"], MAX_WIDTH)  # capped: the note wraps
        self.assertTrue(sheet["G4"].alignment.wrap_text)
        # The row is as high as the wrapped note's lines: 200 columns of text in 38.
        self.assertEqual(sheet.row_dimensions[4].height, 15 * 6 + 3)
        self.assertEqual(wrapped_lines("很长的备注" * 20, MAX_WIDTH - 2), 6)


class StreamingTests(SimpleTestCase):
    def test_rows_past_the_measured_sample_are_written_in_order(self) -> None:
        count = SAMPLE_ROWS + 5
        rows = [[f"成员{n}", None, None, n] for n in range(count)]
        data = _book(rows, [None, None, None, sum(range(count))])
        sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
        values = list(sheet.iter_rows(min_row=4, values_only=True))
        self.assertEqual(len(values), count + 1)
        self.assertEqual(values[-2][:4], (f"成员{count - 1}", None, None, count - 1))
        self.assertEqual(values[-1][3], sum(range(count)))

    def test_too_many_values_for_the_columns_is_refused(self) -> None:
        book = LedgerBook()
        sheet = book.sheet("x", title="t", columns=[Column("a")])
        with pytest.raises(ValueError, match="2 values for 1 columns"):
            sheet.append([1, 2])

    def test_sheet_names_are_cut_and_unique(self) -> None:
        book = LedgerBook()
        for _n in range(2):
            book.sheet("第一次学习/会议[一]" + "长" * 40, title="t", columns=[Column("a")])
        names = load_workbook(io.BytesIO(book.save())).sheetnames
        self.assertEqual(len(names), 2)
        self.assertTrue(all(len(n) <= 31 and "/" not in n and "[" not in n for n in names))
        self.assertNotEqual(names[0], names[1])


class PeriodTests(SimpleTestCase):
    def test_periods_read_in_chinese(self) -> None:
        with translation.override("zh-hans"):
            self.assertEqual(year_period(2026), "2026年1月1日至2026年12月31日")
            self.assertEqual(date_span(dt.date(2026, 5, 1), dt.date(2026, 5, 1)), "2026年5月1日")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
class LibreOfficeTests(SimpleTestCase):
    def test_libreoffice_shows_formula_like_text_as_typed_and_does_not_evaluate_it(self) -> None:
        texts = ["=1+1", "+1+2", "-3", "@SUM(1,2)", '=HYPERLINK("http://evil","x")']
        data = _book([["张三", None, None, None, None, None, text] for text in texts])
        with tempfile.TemporaryDirectory() as folder:
            source = Path(folder) / "ledger.xlsx"
            source.write_bytes(data)
            subprocess.run(  # noqa: S603 — LibreOffice on our own file
                [
                    "soffice",
                    f"-env:UserInstallation=file://{folder}/profile",
                    "--headless",
                    "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76",  # comma, quote, UTF-8
                    "--outdir",
                    folder,
                    str(source),
                ],
                check=True,
                capture_output=True,
                timeout=120,
            )
            shown = list(csv.reader((Path(folder) / "ledger.csv").open(encoding="utf-8")))
        self.assertEqual([row[6] for row in shown[3:]], texts)  # not 2, 3, -3 or a link
        self.assertEqual(shown[3][0], "张三")


class NoteTests(SimpleTestCase):
    def test_a_note_below_the_table_spans_it(self) -> None:
        book = LedgerBook()
        sheet = book.sheet("x", title="t", columns=[Column("a"), Column("b")])
        sheet.append(["1", "2"])
        sheet.note("实到：____")
        loaded = load_workbook(io.BytesIO(book.save())).active
        assert loaded is not None
        self.assertEqual(loaded["A5"].value, "实到：____")
        self.assertIn("A5:B5", {str(r) for r in loaded.merged_cells.ranges})


class MoneyStruckAndSubtotalTests(SimpleTestCase):
    """What the spending ledger asks of the writer: yuan cells, struck (voided) rows and
    several labelled totals rows whose label spans the narrow first columns."""

    def _sheet(self, rows: int = 2) -> Any:
        with translation.override("zh-hans"):
            book = LedgerBook()
            sheet = book.sheet(
                "经费支出台账",
                title="第一党支部2026年度经费支出台账",
                columns=[Column("序号", "integer"), Column("用途"), Column("金额（元）", "money")],
            )
            for number in range(1, rows + 1):
                sheet.append([number, f"第{number}笔", Decimal("1234567.5")], struck=number == 2)
            sheet.totals(["合计（1笔）", None, Decimal("1234567.50")], span=2)
            sheet.totals(["其中：党费", None, 0], span=2)
            return load_workbook(io.BytesIO(book.save())).active

    def test_money_is_a_number_shown_in_yuan_and_its_column_fits_it(self) -> None:
        sheet = self._sheet()
        cell = sheet["C4"]
        self.assertEqual(
            (cell.data_type, cell.value, cell.number_format), ("n", 1234567.5, "#,##0.00")
        )
        self.assertGreaterEqual(sheet.column_dimensions["C"].width, len("1,234,567.50") + 2)

    def test_a_struck_row_is_struck_through_in_grey_and_others_are_not(self) -> None:
        sheet = self._sheet()
        self.assertFalse(sheet["B4"].font.strike)
        self.assertTrue(all(cell.font.strike for cell in sheet[5]))
        self.assertEqual(sheet["B5"].font.color.rgb, "00808080")

    def test_struck_rows_past_the_measured_sample_are_struck_too(self) -> None:
        sheet = self._sheet(rows=SAMPLE_ROWS + 3)
        self.assertTrue(sheet.cell(row=5, column=2).font.strike)
        self.assertFalse(sheet.cell(row=SAMPLE_ROWS + 6, column=2).font.strike)

    def test_subtotal_rows_are_bold_with_their_label_merged_across(self) -> None:
        sheet = self._sheet()
        merged = {str(r) for r in sheet.merged_cells.ranges}
        self.assertTrue({"A6:B6", "A7:B7"} <= merged)
        self.assertEqual([sheet["A6"].value, sheet["C6"].value], ["合计（1笔）", 1234567.5])
        self.assertEqual([sheet["A7"].value, sheet["C7"].value], ["其中：党费", 0])
        self.assertTrue(sheet["A7"].font.bold and sheet["C7"].font.bold)
        # The label has the merged width: its row is not made tall for a 6-wide 序号 column.
        self.assertIsNone(sheet.row_dimensions[6].height)


class TemplatePageTests(SimpleTestCase):
    """Import templates keep their headers in row 1 and print like the 台账."""

    def test_headers_fitted_boxed_frozen_repeated_on_a4(self) -> None:
        book = Workbook()
        sheet = book.active
        assert sheet is not None
        headers = ["姓名", "成为发展对象日期", "题干"] + [f"选项{c}" for c in "ABCDEFGH"]
        sheet.append(headers)
        with translation.override("zh-hans"):
            template_page(sheet, headers, widths=[12, 0, 48], freeze_columns=1, title="模板")
            notes = book.create_sheet("说明")
            notes.column_dimensions["A"].width = 100
            notes_page(notes)
        loaded = load_workbook(io.BytesIO(_saved(book)))
        first = loaded.worksheets[0]
        self.assertEqual([c.value for c in first[1]], headers)
        widths = [first.column_dimensions[c].width for c in "ABCD"]
        self.assertEqual(widths, [12, 18, 48, 7])  # the given floor, the header, uncapped 48
        self.assertTrue(first["B1"].font.bold and first["B1"].alignment.wrap_text)
        self.assertEqual(first["B1"].border.left.style, "thin")
        self.assertEqual((first.freeze_panes, first.print_title_rows), ("B2", "$1:$1"))
        setup = first.page_setup
        self.assertEqual((str(setup.paperSize), setup.orientation), ("9", "landscape"))
        self.assertEqual((int(setup.fitToWidth), int(setup.fitToHeight)), (1, 0))
        self.assertIn("&P", first.oddFooter.right.text)
        self.assertEqual(first.oddFooter.left.text, "模板")
        second = loaded.worksheets[1].page_setup
        self.assertEqual((str(second.paperSize), second.orientation), ("9", "portrait"))


def _saved(book: Workbook) -> bytes:
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()

"""The spending ledger (经费支出台账) as .xlsx: a title row naming the org and the period, one
row per expense (voided ones struck through and marked, never summed), the totals by fund
below, dates as dates and amounts as numbers, widths fitted to the text, A4 landscape with the
header row repeated on every printed page."""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
from collections.abc import Iterable
from decimal import Decimal

from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from peixun.core.text import neutralise_formula

from ..models import Expense, Fund

DATE_FORMAT = "yyyy-mm-dd"
MONEY_FORMAT = "#,##0.00"
HEADER_ROW = 3
# The widest each column may grow (characters); longer text wraps within it.
CAPS = [6, 12, 18, 9, 30, 13, 16, 24, 26, 18]
WRAPPED = (2, 4, 6, 7, 8, 9)  # organization, purpose, payee, spent on, decision, remarks
LINE_HEIGHT = 15  # points a line of 11-point text takes


def _width(value: object) -> int:
    """Display width of a cell's text: CJK characters count two."""
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, Decimal):
        return len(f"{value:,.2f}")
    text = str(value or "")
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def against_text(expense: Expense) -> str:
    if expense.training_class_id:
        return _("Class: %(title)s") % {"title": expense.training_class.title}  # type: ignore[union-attr]
    if expense.meeting_id:
        return _("Meeting: %(title)s") % {"title": expense.meeting.event.title}  # type: ignore[union-attr]
    if expense.plan_item_id:
        return _("Plan item: %(content)s") % {"content": expense.plan_item.content}  # type: ignore[union-attr]
    return ""


def decision_text(expense: Expense) -> str:
    if not expense.decision_body:
        return ""
    parts = [expense.decision_body]
    if expense.decision_on:
        parts.append(expense.decision_on.isoformat())
    if expense.decision_ref:
        parts.append(expense.decision_ref)
    return " ".join(parts)


def ledger_workbook(
    *,
    org_label: str,
    period_label: str,
    expenses: Iterable[Expense],
    by_fund: dict[str, Decimal],
    total: Decimal,
) -> bytes:
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    with translation.override("zh-hans"):
        columns = [
            _("No."),
            _("date spent"),
            _("organization"),
            _("fund"),
            _("purpose"),
            _("amount (yuan)"),
            _("payee"),
            _("spent on"),
            _("approving decision"),
            _("remarks"),
        ]
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = _("Spending ledger")
        last = get_column_letter(len(columns))
        sheet.append([neutralise_formula(_("%(org)s spending ledger") % {"org": org_label})])
        sheet.merge_cells(f"A1:{last}1")
        sheet["A1"].font = Font(bold=True, size=16)
        sheet["A1"].alignment = Alignment(horizontal="center")
        sheet.append([neutralise_formula(period_label)])
        sheet.merge_cells(f"A2:{last}2")
        sheet["A2"].alignment = Alignment(horizontal="center")
        sheet.append(columns)
        for cell in sheet[HEADER_ROW]:
            cell.font = Font(bold=True)
            cell.border = box
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        widths = [_width(c) + 2 for c in columns]
        funds = dict(Fund.choices)
        rows: list[list[object]] = []
        for number, expense in enumerate(expenses, start=1):
            remark = ""
            if expense.voided_at:
                remark = _("Voided: %(reason)s") % {"reason": expense.void_reason}
            row: list[object] = [
                number,
                expense.spent_on,
                neutralise_formula(expense.org.name),
                str(funds.get(expense.fund, expense.fund)),
                neutralise_formula(expense.purpose),
                expense.amount,
                neutralise_formula(expense.payee),
                neutralise_formula(against_text(expense)),
                neutralise_formula(decision_text(expense)),
                neutralise_formula(remark),
            ]
            sheet.append(row)
            rows.append(row)
            for index, cell in enumerate(sheet[sheet.max_row]):
                cell.border = box
                cell.alignment = Alignment(vertical="top", wrap_text=index in WRAPPED)
                if expense.voided_at and index != 9:
                    cell.font = Font(strike=True, color="808080")
            sheet.cell(sheet.max_row, 2).number_format = DATE_FORMAT
            sheet.cell(sheet.max_row, 6).number_format = MONEY_FORMAT
            for index, value in enumerate(row):
                widths[index] = max(widths[index], _width(value) + 2)
        sheet.append([])
        summary = [(str(label), by_fund.get(value, Decimal(0))) for value, label in Fund.choices]
        summary.append((_("Total"), total))
        for label, amount in summary:
            sheet.append(["", "", "", "", label, amount])
            sheet.cell(sheet.max_row, 5).font = Font(bold=True)
            sheet.cell(sheet.max_row, 5).alignment = Alignment(horizontal="right")
            sheet.cell(sheet.max_row, 6).number_format = MONEY_FORMAT
            sheet.cell(sheet.max_row, 6).font = Font(bold=True)
        fitted = [min(width, cap) for width, cap in zip(widths, CAPS, strict=True)]
        for index, width in enumerate(fitted, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        # Spreadsheets do not grow a row for wrapped text on opening: give each row the lines
        # its longest wrapped cell needs.
        for offset, row in enumerate(rows, start=HEADER_ROW + 1):
            lines = max(-(-_width(row[i]) // max(1, fitted[i] - 1)) for i in WRAPPED)
            sheet.row_dimensions[offset].height = LINE_HEIGHT * max(1, lines)
        sheet.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
        sheet.freeze_panes = f"A{HEADER_ROW + 1}"
        sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
        sheet.page_setup.orientation = "landscape"
        sheet.page_setup.fitToWidth = 1
        sheet.page_setup.fitToHeight = 0
        sheet.sheet_properties.pageSetUpPr.fitToPage = True
        sheet.print_options.horizontalCentered = True
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()

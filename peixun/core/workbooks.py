"""The spreadsheet writer every .xlsx 台账 shares (`spreadsheets` is the reading side).

A `LedgerBook` holds one or more `LedgerSheet`s; a sheet is a printable 台账:

- a title row (merged, bold, larger) naming the org and what the sheet lists, and a subtitle row
  with 单位, 期间 and 导出日期 (plus any lines the caller adds, e.g. a session's time and place);
- the header row, bold, wrapped, frozen and repeated at the top of every printed page;
- columns fitted to their content (CJK characters count double, capped), each of a `kind` that
  decides its cell type and number format: dates and numbers are real typed cells;
- text cells stored as text (format "@"); text a spreadsheet would read as a formula (=, +, -, @
  at the start) is a string cell with `quotePrefix`, so it shows exactly as typed, is never
  evaluated, and stays text when someone edits it; no apostrophe is added to the value;
- an optional totals row (bold, 合计);
- A4, portrait or landscape by the table's width, fitted to the page width, margins for binding,
  gridlines and "第 N 页，共 M 页" in the footer.

Sheets are written in openpyxl's write-only mode: rows stream to a temporary file as they are
appended, so a 100,000-row export stays within memory. Widths have to be known before the first
row is written, so a sheet holds back its first `SAMPLE_ROWS` rows, measures them with the
headers, then writes them and streams the rest.

    book = LedgerBook()
    sheet = book.sheet(
        _("Study-hour ledger"),
        title=ledger_title(org.name, _("2026 study-hour ledger")),
        org=org.name,
        period=year_period(2026),
        columns=[Column(_("name")), Column(_("total study hours"), "hours")],
        freeze_columns=1,
    )
    for row in rows:
        sheet.append([row.name, row.total])
    sheet.totals([None, total])
    return book.save()
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from copy import copy
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.worksheet.worksheet import Worksheet

from .docxstyle import chinese_date

Kind = Literal["text", "date", "datetime", "integer", "number", "hours", "percent", "money"]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

NUMBER_FORMATS: dict[str, str] = {
    "text": "@",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
    "integer": "0",
    "number": "General",
    "hours": "General",  # multiples of 0.25: 12, 12.5, 12.25, never "12."
    "percent": "0.0%",
    "money": "#,##0.00",  # yuan: two decimals, thousands separated
}
# Display widths of the typed kinds, in characters.
_KIND_WIDTH = {"date": 11, "datetime": 17, "percent": 6}  # digits print wider in CJK fonts

PAPER_A4 = "9"  # ECMA-376 paper size 9
SAMPLE_ROWS = 1000  # rows measured for the column widths before streaming the rest
MIN_WIDTH = 6
MAX_WIDTH = 40  # wider text wraps
# A longer header wraps instead of widening its column: figures columns are kept narrow (five
# CJK characters a line), so a wide 台账 still prints legibly when fitted to the page width.
HEADER_FIT = {"text": 16, "figures": 10}
PORTRAIT_WIDTH = 100  # the sum of column widths that still fits A4 portrait at 100 %
LINE_HEIGHT = 15  # points a line of 11-point text takes
MAX_ACROSS = 240  # the widest table one landscape A4 page takes (at ~60 %, still legible)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_ILLEGAL = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")

_THIN = Side(style="thin", color="808080")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_FONT = "宋体"


def text_width(text: str) -> int:
    """Columns a text takes: wide (CJK, full-width) characters count two; its longest line."""
    return max(
        (
            sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
            for line in text.split("\n")
        ),
        default=0,
    )


def wrapped_lines(text: str, width: int) -> int:
    """Lines `text` takes in a column `width` characters wide, wrapped."""
    return sum(max(1, math.ceil(text_width(line) / max(width, 1))) for line in text.split("\n"))


def looks_like_formula(value: object) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


@dataclass(frozen=True)
class Column:
    """One column: its header (translated already), the `kind` of its cells, a minimum `width`
    in characters and the `max_width` past which its text wraps."""

    header: str
    kind: Kind = "text"
    width: int = 0
    max_width: int = MAX_WIDTH


def ledger_title(org: str, what: str) -> str:
    """The title row: the org, then what the sheet lists (its period within `what`)."""
    return f"{org}{what}" if org else what


def year_period(year: int) -> str:
    return date_span(dt.date(year, 1, 1), dt.date(year, 12, 31))


def date_span(start: dt.date, end: dt.date) -> str:
    if start == end:
        return chinese_date(start)
    return _("%(start)s to %(end)s") % {"start": chinese_date(start), "end": chinese_date(end)}


def as_of_period(day: dt.date) -> str:
    return _("as of %(date)s") % {"date": chinese_date(day)}


def _plain(value: Any) -> Any:
    """A value as a cell takes it: Decimals as int or float, aware datetimes in local time."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        return _ILLEGAL.sub("", value)
    return value


def _shown_width(value: Any, kind: str) -> int:
    if value is None or value == "":
        return 0
    if isinstance(value, dt.datetime) or (isinstance(value, dt.date) and kind != "text"):
        return _KIND_WIDTH["datetime" if isinstance(value, dt.datetime) else "date"]
    if kind == "percent" and isinstance(value, int | float):
        return len(f"{value:.1%}")
    if kind == "money" and isinstance(value, int | float):
        return len(f"{value:,.2f}")
    return text_width(str(value))


class LedgerSheet:
    """One 台账 sheet; made by `LedgerBook.sheet`. `append` rows, then optionally `totals`."""

    def __init__(
        self,
        book: LedgerBook,
        *,
        name: str,
        title: str,
        columns: Sequence[Column],
        org: str = "",
        period: str = "",
        exported_on: dt.date | None = None,
        lines: Sequence[str] = (),
        freeze_columns: int = 0,
        row_height: float | None = None,
    ) -> None:
        if not columns:
            raise ValueError("a ledger sheet needs at least one column")
        self.book = book
        self.columns = list(columns)
        self.title = _ILLEGAL.sub("", title)
        self.org = org
        subtitle = []
        if org:
            subtitle.append(_("Unit: %(org)s") % {"org": org})
        if period:
            subtitle.append(_("Period: %(period)s") % {"period": period})
        subtitle.append(
            _("Exported on: %(date)s") % {"date": chinese_date(exported_on or timezone.localdate())}
        )
        self.lines = ["　　".join(subtitle), *lines]
        self.freeze_columns = freeze_columns
        self.row_height = row_height
        self.header_row = 2 + len(self.lines)  # title, the lines, then the header
        self.worksheet: WriteOnlyWorksheet = book.workbook.create_sheet(_sheet_name(name, book))
        # Rows are lists of finished cells: hand them to the writer as they are, instead of
        # openpyxl's per-value conversion (which tries each cell as a value first).
        self.worksheet._values_to_row = _cells_of_row
        self.rows = 0  # data rows appended
        self._pending: list[tuple[list[Any], str]] | None = []
        self._validations: list[tuple[int, list[str], int]] = []
        self._styles: dict[tuple[str, str], Any] = {}
        self._written = 0  # rows of the worksheet written so far
        self.widths: list[int] = []

    # -- the caller's side

    def append(self, values: Sequence[Any], *, struck: bool = False) -> None:
        """One data row, a value per column (None or "" for a blank cell); `struck` rows (a
        voided expense) print struck through in grey, still legible, so nobody sums them."""
        if len(values) > len(self.columns):
            raise ValueError(f"{len(values)} values for {len(self.columns)} columns")
        self.rows += 1
        row = [_plain(value) for value in values]
        role = "struck" if struck else "body"
        if self._pending is not None:
            self._pending.append((row, role))
            if len(self._pending) >= SAMPLE_ROWS:
                self._flush()
            return
        self._write(row, role)

    def extend(self, rows: Iterable[Sequence[Any]]) -> None:
        for values in rows:
            self.append(values)

    def totals(self, values: Sequence[Any], label: str | None = None, span: int = 1) -> None:
        """A totals row, bold: `values` per column; a blank first cell says 合计 (`label`).
        `span` merges the label's cell across the first columns (left blank in `values`), so a
        longer label (其中：党费) has room beside narrow columns such as 序号. Call it again for
        each further totals row (a subtotal per fund)."""
        self._flush()
        row = [_plain(value) for value in values]
        row += [None] * (len(self.columns) - len(row))
        if row[0] in (None, ""):
            row[0] = label or _("Total")
        number = self._next_row()
        self._write(row, "total", span)
        if span > 1:
            last = get_column_letter(min(span, len(self.columns)))
            self.worksheet.merged_cells.add(f"A{number}:{last}{number}")

    def note(self, text: str) -> None:
        """A line of text below the table (merged across it): a summary to fill in by hand."""
        self._flush()
        cell = WriteOnlyCell(self.worksheet)
        cell._value = _ILLEGAL.sub("", text)
        cell.data_type = "s"
        kind = "formula" if looks_like_formula(text) else "text"
        cell._style = copy(self._style(kind, "line"))
        row = self._next_row()
        self.worksheet.row_dimensions[row].height = 22
        self._written += 1
        self.worksheet.append([cell])
        if len(self.columns) > 1:
            self.worksheet.merged_cells.add(f"A{row}:{get_column_letter(len(self.columns))}{row}")

    def choice_list(self, column: int, choices: Sequence[str], extra_rows: int = 500) -> None:
        """A drop-down of `choices` in column `column` (0-based) of the data rows and
        `extra_rows` blank ones below them; a typed value outside the list is let through
        (the import judges, with better messages)."""
        self._validations.append((column, list(choices), extra_rows))

    def close(self) -> None:
        self._flush()
        first = self.header_row + 1
        for column, choices, extra in self._validations:
            check = DataValidation(
                type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True
            )
            check.showErrorMessage = False
            letter = get_column_letter(column + 1)
            check.add(f"{letter}{first}:{letter}{first + max(self.rows, 1) + extra - 1}")
            self.worksheet.data_validations.append(check)

    # -- writing

    def _flush(self) -> None:
        if self._pending is None:
            return
        pending, self._pending = self._pending, None
        self._fit(pending)
        self._setup_page()
        self._write_head()
        for row, role in pending:
            self._write(row, role)

    def _fit(self, sample: list[tuple[list[Any], str]]) -> None:
        self.widths = []
        for index, column in enumerate(self.columns):
            content = max(
                (
                    _shown_width(row[index], column.kind)
                    for row, _role in sample
                    if index < len(row)
                ),
                default=0,
            )
            fit = HEADER_FIT["text" if column.kind == "text" else "figures"]
            header = min(text_width(column.header), fit)
            width = max(content, header, column.width - 2, MIN_WIDTH - 2) + 2
            self.widths.append(min(width, max(column.max_width, column.width)))
        for index, (width, column) in enumerate(zip(self.widths, self.columns, strict=True), 1):
            dimension = self.worksheet.column_dimensions[get_column_letter(index)]
            dimension.width = width
            if column.kind == "text":
                # What someone types below the rows later stays text too (0123, =x, long IDs).
                dimension.number_format = "@"

    def _setup_page(self) -> None:
        sheet = self.worksheet
        total = sum(self.widths)
        setup = sheet.page_setup
        setup.paperSize = PAPER_A4
        setup.orientation = "portrait" if total <= PORTRAIT_WIDTH else "landscape"
        # Fitted to the page width; a table too wide to read at that scale (the hours ledger
        # with every rule's columns) spreads over a few pages across instead, each repeating
        # the frozen name columns, so every printed page says whose figures it holds.
        pages_wide = 1 if total <= MAX_ACROSS else math.ceil(total / MAX_ACROSS)
        setup.fitToWidth = pages_wide
        setup.fitToHeight = 0
        if pages_wide > 1 and self.freeze_columns:
            sheet.print_title_cols = f"A:{get_column_letter(self.freeze_columns)}"
        sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        sheet.page_margins = PageMargins(
            left=0.6, right=0.5, top=0.6, bottom=0.7, header=0.3, footer=0.3
        )
        sheet.print_options.horizontalCentered = True
        sheet.print_title_rows = f"{self.header_row}:{self.header_row}"
        # Every printed page names what it is (left) and where it falls (right).
        sheet.oddFooter.left.text = _clip(self.title, 60).replace("&", "&&")
        sheet.oddFooter.left.size = 8
        sheet.oddFooter.right.text = _("Page &P of &N")
        sheet.oddFooter.right.size = 9
        letter = get_column_letter(self.freeze_columns + 1)
        sheet.freeze_panes = f"{letter}{self.header_row + 1}"

    def _style(self, kind: str, role: str) -> Any:
        """A prototype cell's style for (column kind, role), built once per sheet and copied."""
        key = (kind, role)
        if key not in self._styles:
            cell = WriteOnlyCell(self.worksheet)
            if role == "head":
                cell.font = Font(name=_FONT, bold=True, size=11)
                cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
                cell.border = _BOX
            elif role in ("title", "line"):
                cell.font = Font(
                    name=_FONT, bold=role == "title", size=16 if role == "title" else 10
                )
                cell.alignment = Alignment(
                    horizontal="center" if role == "title" else "left",
                    vertical="center",
                    wrap_text=True,
                )
                cell.number_format = "@"
            else:
                cell.font = Font(
                    name=_FONT,
                    bold=role == "total",
                    size=11,
                    strike=role == "struck",
                    color="808080" if role == "struck" else None,
                )
                cell.border = _BOX
                cell.number_format = NUMBER_FORMATS.get(kind, "@")
                cell.alignment = Alignment(vertical="center", wrap_text=kind in ("text", "formula"))
            if kind == "formula":
                # Shown and kept as text, never evaluated, also once edited; no apostrophe.
                cell.quotePrefix = True
            self._styles[key] = cell._style
        return self._styles[key]

    def _cell(self, value: Any, kind: str, role: str) -> Cell:
        cell = Cell(self.worksheet)
        if isinstance(value, str):
            if looks_like_formula(value):
                kind = "formula"
            elif kind != "text":
                kind = "text"  # a word in a figures column ("—", "免学"): text, not a number
            cell._value = value
            cell.data_type = "s"
        elif isinstance(value, bool):
            cell._value = value
            cell.data_type = "b"
        elif isinstance(value, dt.datetime):
            cell._value = value
            cell.data_type = "d"
            kind = "datetime"
        elif isinstance(value, dt.date):
            cell._value = value
            cell.data_type = "d"
            kind = "date"
        elif isinstance(value, int | float):
            cell._value = value
            cell.data_type = "n"
            if kind in ("text", "date", "datetime"):
                kind = "number"
        elif value is not None:
            cell._value = str(value)
            cell.data_type = "s"
            kind = "formula" if looks_like_formula(cell._value) else "text"
        # One style array shared by the cells of a (kind, role): nothing changes it once made.
        cell._style = self._style(kind, role)
        return cell

    def _write(self, row: list[Any], role: str, span: int = 1) -> None:
        cells = [
            self._cell(row[index] if index < len(row) else None, column.kind, role)
            for index, column in enumerate(self.columns)
        ]
        # Spreadsheets do not grow a row to its wrapped text on opening: give a row whose text
        # wraps the height of its lines (a capped column's long text, a stem, a note).
        lines = 1
        widths = [sum(self.widths[:span]), *self.widths[1:]]  # the first cell may be merged
        for value, width in zip(row, widths, strict=False):
            if isinstance(value, str) and (len(value) * 2 > width - 2 or "\n" in value):
                lines = max(lines, wrapped_lines(value, width - 2))
        height = max(self.row_height or 0, LINE_HEIGHT * lines + 3 if lines > 1 else 0)
        if height:
            self.worksheet.row_dimensions[self._next_row()].height = height
        self._written += 1
        self.worksheet.append(cells)

    def _next_row(self) -> int:
        return self._written + 1

    def _write_head(self) -> None:
        sheet = self.worksheet
        span = len(self.columns)
        total = sum(self.widths)
        first = 1
        if total > MAX_ACROSS:
            # Printed over several pages across: the title rows span (about) the first page's
            # columns, so they stand above the table on page 1 and are not cut in two; they
            # start right of the name columns, which every page repeats.
            pages = math.ceil(total / MAX_ACROSS)
            span, reach = 0, 0
            while span < len(self.widths) and reach + self.widths[span] <= total / pages:
                reach += self.widths[span]
                span += 1
            first = min(self.freeze_columns + 1, span)
            reach -= sum(self.widths[: first - 1])
            span, total = max(span, first), max(reach, 1)
        start, last = get_column_letter(first), get_column_letter(span)
        for number, (text, role, size) in enumerate(
            [(self.title, "title", 16), *((line, "line", 10) for line in self.lines)], start=1
        ):
            lines = max(1, math.ceil(text_width(text) * size / 11 / max(total, 1)))
            sheet.row_dimensions[number].height = (30 if role == "title" else 16) * lines
            cell = WriteOnlyCell(sheet)
            cell._value = text
            cell.data_type = "s"
            cell._style = copy(self._style("formula" if looks_like_formula(text) else "text", role))
            self._written += 1
            sheet.append([None] * (first - 1) + [cell])
            if span > first:
                sheet.merged_cells.add(f"{start}{number}:{last}{number}")
        lines = max(
            math.ceil(text_width(column.header) / max(width - 1, 1))
            for column, width in zip(self.columns, self.widths, strict=True)
        )
        sheet.row_dimensions[self.header_row].height = 15 * min(max(lines, 1), 6) + 6
        head = []
        for column in self.columns:
            cell = WriteOnlyCell(sheet)
            cell._value = _ILLEGAL.sub("", column.header)
            cell.data_type = "s"
            kind = "formula" if looks_like_formula(column.header) else "text"
            cell._style = copy(self._style(kind, "head"))
            head.append(cell)
        self._written += 1
        sheet.append(head)


def template_page(
    sheet: Worksheet,
    headers: Sequence[str],
    *,
    widths: Sequence[int] = (),
    freeze_columns: int = 0,
    title: str = "",
) -> None:
    """Print and screen settings for an import template, a normal-mode sheet whose headers stay
    in row 1 (where its import and its instructions look for them): bold, boxed, wrapped
    headers; each column as wide as its header (capped) or `widths[i]`, whichever is wider;
    row 1 frozen and repeated on every printed page; A4 in the orientation its width needs,
    fitted to the page width, "第 N 页，共 M 页" in the footer."""
    fitted = []
    for index, header in enumerate(headers):
        floor = widths[index] if index < len(widths) else 0
        fitted.append(max(min(max(text_width(header) + 2, MIN_WIDTH), MAX_WIDTH), floor))
    for index, (header, width) in enumerate(zip(headers, fitted, strict=True), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        cell = sheet.cell(row=1, column=index)
        cell.value = header
        cell.font = Font(name=_FONT, bold=True, size=11)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.border = _BOX
    sheet.row_dimensions[1].height = 24
    sheet.freeze_panes = f"{get_column_letter(freeze_columns + 1)}2"
    _print_setup(sheet, sum(fitted), title)
    sheet.print_title_rows = "1:1"


def notes_page(sheet: Worksheet, title: str = "") -> None:
    """Print settings for a sheet of instructions: A4 portrait, fitted to the page width."""
    width = sum((d.width or 0) for d in sheet.column_dimensions.values())
    _print_setup(sheet, min(width, PORTRAIT_WIDTH), title)


def _print_setup(sheet: Worksheet | WriteOnlyWorksheet, width: float, title: str) -> None:
    setup = sheet.page_setup
    setup.paperSize = PAPER_A4
    setup.orientation = "portrait" if width <= PORTRAIT_WIDTH else "landscape"
    setup.fitToWidth = 1
    setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    sheet.page_margins = PageMargins(
        left=0.6, right=0.5, top=0.6, bottom=0.7, header=0.3, footer=0.3
    )
    if title:
        sheet.oddFooter.left.text = _clip(title, 60).replace("&", "&&")
        sheet.oddFooter.left.size = 8
    sheet.oddFooter.right.text = _("Page &P of &N")
    sheet.oddFooter.right.size = 9


def _cells_of_row(cells: Sequence[Cell | None], row: int) -> Iterator[Cell]:
    """A row of finished cells, numbered, for openpyxl's write-only writer (its
    `WriteOnlyWorksheet._values_to_row`, openpyxl 3.1 as pinned in pyproject.toml)."""
    for column, cell in enumerate(cells, start=1):
        if cell is not None:
            cell.row, cell.column = row, column
            yield cell


def _clip(text: str, width: int) -> str:
    """`text` cut to `width` display columns, with an ellipsis when cut."""
    if text_width(text) <= width:
        return text
    out = ""
    for ch in text:
        if text_width(out + ch) > width - 2:
            return out + "…"
        out += ch
    return out


def _sheet_name(name: str, book: LedgerBook) -> str:
    base = re.sub(r"[\[\]:*?/\\]", " ", name).strip()[:31] or "Sheet"
    candidate, n = base, 2
    while candidate in book.sheet_names:
        suffix = f"~{n}"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    book.sheet_names.add(candidate)
    return candidate


class LedgerBook:
    """A workbook of 台账 sheets (and plain note sheets), written in write-only mode."""

    def __init__(self) -> None:
        self.workbook = Workbook(write_only=True)
        self.sheets: list[LedgerSheet] = []
        self.sheet_names: set[str] = set()

    def sheet(
        self,
        name: str,
        *,
        title: str,
        columns: Sequence[Column],
        org: str = "",
        period: str = "",
        exported_on: dt.date | None = None,
        lines: Sequence[str] = (),
        freeze_columns: int = 0,
        row_height: float | None = None,
    ) -> LedgerSheet:
        """A new 台账 sheet named `name` (cut to Excel's 31 characters, made unique)."""
        sheet = LedgerSheet(
            self,
            name=name,
            title=title,
            columns=columns,
            org=org,
            period=period,
            exported_on=exported_on,
            lines=lines,
            freeze_columns=freeze_columns,
            row_height=row_height,
        )
        self.sheets.append(sheet)
        return sheet

    def notes(self, name: str, lines: Iterable[Sequence[Any]], widths: Sequence[int]) -> None:
        """A plain sheet of help text (how to fill in a template): rows of text, wrapped."""
        sheet = self.workbook.create_sheet(_sheet_name(name, self))
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        _print_setup(sheet, min(sum(widths), PORTRAIT_WIDTH), name)
        style, quoted = WriteOnlyCell(sheet), WriteOnlyCell(sheet)
        for prototype in (style, quoted):
            prototype.alignment = Alignment(wrap_text=True, vertical="top")
            prototype.number_format = "@"
        quoted.quotePrefix = True
        for values in lines:
            cells = []
            for value in values:
                cell = WriteOnlyCell(sheet)
                cell._value = _ILLEGAL.sub("", str(value)) if value is not None else None
                cell.data_type = "s"
                cell._style = copy((quoted if looks_like_formula(value) else style)._style)
                cells.append(cell)
            sheet.append(cells)

    def save(self) -> bytes:
        for sheet in self.sheets:
            sheet.close()
        if self.sheets:
            first = self.sheets[0]
            properties = self.workbook.properties
            properties.title = first.title
            properties.creator = first.org or properties.creator
            properties.language = "zh-CN"
            properties.created = properties.modified = timezone.now().replace(tzinfo=None)
        buffer = io.BytesIO()
        self.workbook.save(buffer)
        return buffer.getvalue()

"""名册: the member roster as an Excel workbook, in and out.

- The columns: which member field each holds and what its header says. Headers are the model
  fields' verbose names as shown in Chinese, computed at call time (so they follow the zh_Hans
  catalogue once it is filled). An import also accepts the English msgid and a fixed table of the
  Chinese headers, so files work before and after the catalogue exists.
- Reading: uploaded bytes into rows, or a clear reason why they are not a roster workbook.
  python-calamine reads (it is several times faster than openpyxl's read-only mode on the same
  file; `bench/import_roster.py` prints both). Before handing bytes to it we check they are an
  .xlsx package at all, so a renamed CSV, an old .xls or a zip of something else gets a message
  naming what is wrong instead of a parser's exception.
- Writing: the blank template and the export workbook, with the same headers the import reads.

The import's checks and writes are `services.roster_import`; the audited export is
`services.roster_export`.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from peixun.core.spreadsheets import (
    RowError,
    SheetFileError,
    cell_text,
    normalise_header,
    read_first_sheet,
    undo_neutralise,
)
from peixun.core.workbooks import (
    Column,
    LedgerBook,
    as_of_period,
    ledger_title,
    notes_page,
    template_page,
)

from .logic import CHOICE_FIELDS, choice_help
from .models import ETHNICITIES, Member

# --- The columns

# Column order of the template and the export.
ROSTER_FIELDS: tuple[str, ...] = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "mobile",
    "education",
    "candidate_since",
    "joined_on",
    "confirmed_on",
    "status",
    "cadre_rank",
    "employment",
    "exempt_reason",
    "org",
)
REQUIRED_COLUMNS: tuple[str, ...] = ("name", "id_number", "status", "org")
DATE_COLUMNS: tuple[str, ...] = ("birth_date", "candidate_since", "joined_on", "confirmed_on")
# Columns Excel would mangle if typed as numbers (18-digit IDs lose digits as floats).
TEXT_COLUMNS: tuple[str, ...] = ("id_number", "mobile")

# The export's extra column after 所在党组织: where that org sits (its ancestors below the tenant
# root), so that same-named branches differ. An import reads it only to choose between
# organizations the actor manages that share a name; the template leaves it out.
ORG_ABOVE = "org_above"
EXPORT_FIELDS: tuple[str, ...] = (*ROSTER_FIELDS, ORG_ABOVE)

# The ID number is stored as ciphertext, hash and mask; its label lives on the masked field.
_MODEL_FIELD_OF: dict[str, str] = {"id_number": "id_number_masked"}

# The headers as people write them in Chinese, so an import works whatever the catalogue says.
CHINESE_HEADERS: dict[str, str] = {
    "姓名": "name",
    "性别": "gender",
    "民族": "ethnicity",
    "出生日期": "birth_date",
    "公民身份号码": "id_number",
    "手机号码": "mobile",
    "学历": "education",
    "成为发展对象日期": "candidate_since",
    "入党日期": "joined_on",
    "转正日期": "confirmed_on",
    "党员状态": "status",
    "干部职级": "cadre_rank",
    "在岗状态": "employment",
    "免学原因": "exempt_reason",
    "所在党组织": "org",
}
# The export's extra column, in Chinese whatever the catalogue says (not a template column).
ORG_ABOVE_HEADER = "上级党组织"


def _verbose_name(field: str) -> Any:
    model_field = Member._meta.get_field(_MODEL_FIELD_OF.get(field, field))
    assert isinstance(model_field, models.Field)
    return model_field.verbose_name


def _label(field: str) -> Any:
    return gettext_lazy("Organization above") if field == ORG_ABOVE else _verbose_name(field)


def header_for(field: str) -> str:
    """The column header of `field`: its verbose name in Chinese."""
    if field == ORG_ABOVE:
        return ORG_ABOVE_HEADER
    with translation.override("zh-hans"):
        return str(_label(field))


def roster_headers() -> list[str]:
    return [header_for(field) for field in ROSTER_FIELDS]


def header_lookup() -> dict[str, str]:
    """Normalised header → field, for the Chinese label, the English msgid and the fixed table."""
    lookup = {normalise_header(header): field for header, field in CHINESE_HEADERS.items()}
    lookup[normalise_header(ORG_ABOVE_HEADER)] = ORG_ABOVE
    for field in EXPORT_FIELDS:
        # "en" has no catalogue, so it yields the msgid itself.
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[normalise_header(str(_label(field)))] = field
    return lookup


def cell_value(field: str, value: object) -> object:
    """What `clean_member_fields` should receive for a cell of `field`.

    Date cells stay dates (Excel stores them as such); a date typed as the number 20200105 becomes
    text, since `parse_date` reads bare numbers as Excel serials. Everything else becomes text.
    """
    if field in DATE_COLUMNS:
        if isinstance(value, dt.date):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            if 19000101 <= value <= 99991231:
                return str(int(value))
            return value
    return undo_neutralise(cell_text(value))


# --- Reading

# A roster bigger than this is better split: the page lists every problem, and one file is
# imported in one transaction.
MAX_DATA_ROWS = 50_000
# Look this far down for the header row, past a title line such as "某某支部党员名册".
HEADER_SEARCH_ROWS = 10


@dataclass
class RosterSheet:
    header_row: int  # as Excel numbers rows, from 1
    headers: list[str]  # the header cells as written, "" for a blank one
    rows: list[tuple[int, list[Any]]]  # (Excel row number, cells) of the non-blank data rows


def _is_blank(cells: list[Any]) -> bool:
    return all(cell_text(cell) == "" for cell in cells)


def find_header_row(table: list[list[Any]]) -> int:
    """Index of the header row: the first with two known headers, else the first non-blank row."""
    known = header_lookup()
    first_filled: int | None = None
    for index, cells in enumerate(table[:HEADER_SEARCH_ROWS]):
        if _is_blank(cells):
            continue
        if first_filled is None:
            first_filled = index
        if sum(1 for cell in cells if normalise_header(cell) in known) >= 2:
            return index
    if first_filled is None:
        raise SheetFileError(_("The first sheet is empty; fill in the template and upload it."))
    return first_filled


def read_roster_sheet(data: bytes) -> RosterSheet:
    table = read_first_sheet(data)
    if _is_blank([cell for cells in table[:HEADER_SEARCH_ROWS] for cell in cells]):
        raise SheetFileError(_("The first sheet is empty; fill in the template and upload it."))
    header_index = find_header_row(table)
    headers = [cell_text(cell) for cell in table[header_index]]
    rows = [
        (index + 1, cells)
        for index, cells in enumerate(table[header_index + 1 :], start=header_index + 1)
        if not _is_blank(cells)
    ]
    if not rows:
        raise SheetFileError(
            _("The file has headers but no members below them; add one member per row.")
        )
    if len(rows) > MAX_DATA_ROWS:
        raise SheetFileError(
            _("The file has %(count)d rows; import at most %(limit)d at a time.")
            % {"count": len(rows), "limit": MAX_DATA_ROWS}
        )
    return RosterSheet(header_row=header_index + 1, headers=headers, rows=rows)


def map_headers(sheet: RosterSheet) -> tuple[dict[str, int], list[RowError]]:
    """field → column index, and every problem with the header row."""
    lookup = header_lookup()
    columns: dict[str, int] = {}
    errors: list[RowError] = []
    expected = "、".join(header_for(f) for f in ROSTER_FIELDS)
    for index, header in enumerate(sheet.headers):
        if not header:
            continue
        found = lookup.get(normalise_header(header))
        if found is None:
            errors.append(
                RowError(
                    sheet.header_row,
                    header,
                    header,
                    _("Unknown column; the columns are: %(columns)s.") % {"columns": expected},
                )
            )
        elif found in columns:
            errors.append(
                RowError(sheet.header_row, header, header, _("This column appears twice."))
            )
        else:
            columns[found] = index
    for required in REQUIRED_COLUMNS:
        if required not in columns:
            errors.append(
                RowError(
                    None,
                    header_for(required),
                    "",
                    _("The required column %(column)s is missing; use the template's headers.")
                    % {"column": header_for(required)},
                )
            )
    return columns, errors


# --- Writing

DATE_FORMAT = "yyyy-mm-dd"
_WIDTHS = {"name": 12, "id_number": 22, "mobile": 14, "org": 28, ORG_ABOVE: 36}


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _instructions(workbook: Workbook) -> None:
    """The second sheet: for every column, whether it is required and what it accepts."""
    sheet = workbook.create_sheet(_("How to fill in"))
    sheet.append([_("Column"), _("Required"), _("What to write")])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    date_help = _("A date: 2020-1-5, 2020/01/05, 2020.1.5, 2020年1月5日, or a date cell in Excel.")
    rules: dict[str, str] = {
        "name": _("The member's name, at most 40 characters."),
        "gender": _("One of: %(choices)s. Left blank, it is read from the ID number."),
        "ethnicity": _(
            "One of the 56 ethnic groups, e.g. %(example)s; the final 族 may be left out."
        )
        % {"example": "、".join(ETHNICITIES[:3])},
        "birth_date": date_help + " " + _("Left blank, it is read from the ID number."),
        "id_number": _(
            "The 18-character ID number (GB 11643); it identifies the member, so importing "
            "the same number again updates that member."
        ),
        "mobile": _("An 11-digit mainland mobile number."),
        "education": _("One of: %(choices)s."),
        "candidate_since": date_help
        + " "
        + _("The day the person became a candidate for admission, if they have."),
        "joined_on": date_help + " " + _("Required for full and probationary members."),
        "confirmed_on": date_help,
        "status": _("One of: %(choices)s."),
        "cadre_rank": _("One of: %(choices)s. Left blank, it means not a cadre."),
        "employment": _("One of: %(choices)s. Left blank, it means on duty."),
        "exempt_reason": _(
            "Leave blank unless exempt from study (Art. 23); then one of: %(choices)s."
        ),
        "org": _(
            "The code or the full name of a branch or Party group you manage. A different "
            "organization for a registered member transfers the member today."
        ),
    }
    for field, header in zip(ROSTER_FIELDS, roster_headers(), strict=True):
        text = rules[field]
        if field in CHOICE_FIELDS:
            text = text % {"choices": choice_help(field)}
        sheet.append([header, _("Yes") if field in REQUIRED_COLUMNS else "", text])
    sheet.append(
        [
            header_for(ORG_ABOVE),
            "",
            _(
                "Optional (the export writes it): the organizations above, e.g. 县统计局 › "
                "县统计局党总支. Read only to tell apart organizations you manage that share a name."
            ),
        ]
    )
    sheet.append([])
    sheet.append(
        [
            _(
                "Fill in the first sheet, one member per row, below the headers. Keep the headers "
                "as they are. Nothing is saved until every row is correct."
            )
        ]
    )
    sheet.append(
        [
            _(
                "Where a column lists choices, the spellings in brackets are accepted as well; "
                "spaces and full-width letters do not matter."
            )
        ]
    )
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 8
    sheet.column_dimensions["C"].width = 90
    wrapped = Alignment(vertical="top", wrap_text=True)
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrapped
    sheet.print_title_rows = "1:1"
    notes_page(sheet, _("How to fill in"))


def roster_template() -> bytes:
    """An empty roster: the headers, text-formatted ID and mobile columns, drop-downs for the
    choice columns, and a sheet of instructions. No sample row, so it imports as it is."""
    with translation.override("zh-hans"):
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = _("Roster")
        headers = roster_headers()
        sheet.append(headers)
        # Row 1 keeps the headers the import reads; A4, fitted to the page, repeated, frozen.
        template_page(
            sheet,
            headers,
            widths=[_WIDTHS.get(field, 12) for field in ROSTER_FIELDS],
            freeze_columns=1,
            title=_("Party member roster"),
        )
        for index, field in enumerate(ROSTER_FIELDS, start=1):
            letter = get_column_letter(index)
            cells = f"{letter}2:{letter}5001"
            # A column style, so what people type there later takes it: IDs stay text instead
            # of numbers Excel rounds, dates show as dates.
            if field in TEXT_COLUMNS:
                sheet.column_dimensions[letter].number_format = "@"
            if field in DATE_COLUMNS:
                sheet.column_dimensions[letter].number_format = DATE_FORMAT
            if field in CHOICE_FIELDS:
                labels = ",".join(
                    str(label) for value, label in CHOICE_FIELDS[field].choices if value
                )
                if len(labels) <= 250:  # Excel's limit for an inline list
                    check = DataValidation(type="list", formula1=f'"{labels}"', allow_blank=True)
                    check.showErrorMessage = False  # the import judges, with better messages
                    sheet.add_data_validation(check)
                    check.add(cells)
        _instructions(workbook)
        return _workbook_bytes(workbook)


def roster_workbook(
    members: Iterable[tuple[Member, str]],
    *,
    org_above: Mapping[int, str] | None = None,
    org_name: str = "",
) -> bytes:
    """The export workbook: one row per (member, the ID number to show) pair, in the order given,
    with the template's columns and then 上级党组织 (`org_above`: org id → `org_above_label`),
    as a `core.workbooks` 台账 titled with `org_name` (the org the roster is of); the import
    finds its header row below the title."""
    above = org_above or {}
    with translation.override("zh-hans"):
        book = LedgerBook()
        sheet = book.sheet(
            _("Roster"),
            title=ledger_title(org_name, _("Party member roster")),
            org=org_name,
            period=as_of_period(timezone.localdate()),
            columns=[
                Column(
                    header_for(field),
                    "date" if field in DATE_COLUMNS else "text",
                    width=_WIDTHS.get(field, 0),
                )
                for field in EXPORT_FIELDS
            ],
            freeze_columns=1,
        )
        labels = {
            field: {value: str(label) for value, label in choices.choices}
            for field, choices in CHOICE_FIELDS.items()
        }
        for member, id_number in members:
            values: dict[str, Any] = {
                name: getattr(member, name) for name in ROSTER_FIELDS if hasattr(Member, name)
            }
            values["id_number"] = id_number
            values["org"] = member.org.name
            values[ORG_ABOVE] = above.get(member.org_id, "")
            for field, by_value in labels.items():
                stored = values[field]
                values[field] = by_value.get(stored, stored) if stored else ""
            sheet.append([_export_cell(values[field]) for field in EXPORT_FIELDS])
        return book.save()


def _export_cell(value: Any) -> Any:
    if value is None or isinstance(value, dt.date):
        return value
    return str(value)

"""Turning uploaded bytes into rows, or a clear reason why they are not a roster workbook.

python-calamine reads (it is several times faster than openpyxl's read-only mode on the same
file; `bench/import_roster.py` prints both). Before handing bytes to it we check they are an
.xlsx package at all, so a renamed CSV, an old .xls or a zip of something else gets a message
naming what is wrong instead of a parser's exception.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from .columns import cell_text, header_lookup, normalise_header

# A roster bigger than this is better split: the page lists every problem, and one file is
# imported in one transaction.
MAX_DATA_ROWS = 50_000
# Look this far down for the header row, past a title line such as "某某支部党员名册".
HEADER_SEARCH_ROWS = 10
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls, and password-protected .xlsx


class RosterFileError(Exception):
    """The upload as a whole cannot be read as a roster; `message` says why, translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class RosterSheet:
    header_row: int  # as Excel numbers rows, from 1
    headers: list[str]  # the header cells as written, "" for a blank one
    rows: list[tuple[int, list[Any]]]  # (Excel row number, cells) of the non-blank data rows


def max_unpacked_bytes() -> int:
    # A zip bomb is refused before the parser inflates it; real rosters unpack to ~10× their size.
    return 25 * int(settings.ROSTER_MAX_UPLOAD_BYTES)


def check_xlsx_package(data: bytes) -> None:
    if not data:
        raise RosterFileError(_("The file is empty."))
    if data.startswith(_OLE_MAGIC):
        raise RosterFileError(
            _(
                "This is an old-style .xls workbook or a password-protected one; "
                "save it as an unprotected .xlsx workbook and upload it again."
            )
        )
    not_xlsx = _(
        "This file is not an Excel workbook (.xlsx). Download the template, fill it in "
        "and upload it; a CSV or other file renamed to .xlsx cannot be read."
    )
    if not data.startswith(_ZIP_MAGIC):
        raise RosterFileError(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            entries = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise RosterFileError(not_xlsx) from None
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names:
        raise RosterFileError(not_xlsx)
    if sum(entry.file_size for entry in entries) > max_unpacked_bytes():
        raise RosterFileError(_("The workbook is too large when unpacked; split it into parts."))


def read_first_sheet(data: bytes) -> list[list[Any]]:
    """Every row of the first sheet, row i of the list being Excel row i + 1."""
    check_xlsx_package(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        # skip_empty_area=False keeps leading blank rows, so list indexes match Excel's rows.
        return sheet.to_python(skip_empty_area=False)
    except Exception:  # calamine raises several unrelated types for damaged files
        raise RosterFileError(
            _("The workbook is damaged and cannot be read; open it in Excel and save it again.")
        ) from None


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
        raise RosterFileError(_("The first sheet is empty; fill in the template and upload it."))
    return first_filled


def read_roster_sheet(data: bytes) -> RosterSheet:
    table = read_first_sheet(data)
    if _is_blank([cell for cells in table[:HEADER_SEARCH_ROWS] for cell in cells]):
        raise RosterFileError(_("The first sheet is empty; fill in the template and upload it."))
    header_index = find_header_row(table)
    headers = [cell_text(cell) for cell in table[header_index]]
    rows = [
        (index + 1, cells)
        for index, cells in enumerate(table[header_index + 1 :], start=header_index + 1)
        if not _is_blank(cells)
    ]
    if not rows:
        raise RosterFileError(
            _("The file has headers but no members below them; add one member per row.")
        )
    if len(rows) > MAX_DATA_ROWS:
        raise RosterFileError(
            _("The file has %(count)d rows; import at most %(limit)d at a time.")
            % {"count": len(rows), "limit": MAX_DATA_ROWS}
        )
    return RosterSheet(header_row=header_index + 1, headers=headers, rows=rows)

"""The spreadsheet toolkit every import and export shares: reading an uploaded .xlsx safely
(refusing what is not a workbook, an old .xls, or a package that unpacks too large before a
parser sees it), cells as the text a person reads, headers as people type them, and the rows'
problems in one shape.

python-calamine reads (several times faster than openpyxl's read-only mode on the same file;
`bench/import_roster.py` prints both); openpyxl writes.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from .text import fold_width


def normalise_header(text: object) -> str:
    """Forgive what people do to headers: widths, inner spaces (姓  名), a required mark, case."""
    folded = re.sub(r"\s+", "", fold_width(str(text or "")))
    return folded.rstrip("*").lower()


def cell_text(value: object) -> str:
    """A cell as the text a person would read in it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


_FORMULA_START = ("=", "+", "-", "@")


def undo_neutralise(text: str) -> str:
    """Drop the apostrophe our export put before formula-like text, so an export re-imports as is."""
    if text.startswith("'") and text[1:2] in _FORMULA_START:
        return text[1:]
    return text


def looks_numeric(value: object) -> bool:
    """True for a number cell, the usual reason an 18-digit ID number has lost its last digits."""
    return isinstance(value, int | float) and not isinstance(value, bool)


_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # old .xls, and password-protected .xlsx


class SheetFileError(Exception):
    """The upload as a whole cannot be read as a workbook; `message` says why, translated."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def max_unpacked_bytes() -> int:
    # A zip bomb is refused before the parser inflates it; real rosters unpack to ~10× their size.
    return 25 * int(settings.ROSTER_MAX_UPLOAD_BYTES)


def check_xlsx_package(data: bytes) -> None:
    if not data:
        raise SheetFileError(_("The file is empty."))
    if data.startswith(_OLE_MAGIC):
        raise SheetFileError(
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
        raise SheetFileError(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            entries = package.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise SheetFileError(not_xlsx) from None
    names = {entry.filename for entry in entries}
    if "xl/workbook.xml" not in names:
        raise SheetFileError(not_xlsx)
    if sum(entry.file_size for entry in entries) > max_unpacked_bytes():
        raise SheetFileError(_("The workbook is too large when unpacked; split it into parts."))


def read_first_sheet(data: bytes) -> list[list[Any]]:
    """Every row of the first sheet, row i of the list being Excel row i + 1."""
    check_xlsx_package(data)
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = workbook.get_sheet_by_index(0)
        # skip_empty_area=False keeps leading blank rows, so list indexes match Excel's rows.
        return sheet.to_python(skip_empty_area=False)
    except Exception:  # calamine raises several unrelated types for damaged files
        raise SheetFileError(
            _("The workbook is damaged and cannot be read; open it in Excel and save it again.")
        ) from None


@dataclass
class RowError:
    row: int | None  # the row number Excel shows; None for a problem with the file as a whole
    column: str  # the column header, "" when the problem is not about one column
    value: str  # the offending value as read
    message: str

"""Attendance sheets in and out: the .xlsx template to fill in, and reading a filled-in sheet.

Columns (headers as people write them; widths, inner spaces and a trailing * are forgiven):
姓名 (required), 身份证号后4位 and/or 手机号 (one of them per row, to tell namesakes apart),
状态 (required: 出席, 迟到, 早退, 缺席, 请假), 备注 (optional). Other columns (序号, 所在党组织 …)
are ignored. Matching the rows to members and writing them is `services.importing`.

Reading reuses the roster import's helpers (package check, calamine, cell text, header
normalising, its RowError) so that both imports refuse bad files with the same words.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from peixun.core.downloads import file_name
from peixun.core.spreadsheets import (
    RowError,
    SheetFileError,
    cell_text,
    normalise_header,
    read_first_sheet,
    undo_neutralise,
)
from peixun.core.text import fold_width
from peixun.core.workbooks import Column, LedgerBook, ledger_title

from .models import Attendance, Event

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
HEADER_SEARCH_ROWS = 10

# field → the headers accepted for it (normalised when compared).
HEADERS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name"),
    "id_last4": (
        "身份证号后4位",
        "身份证号后四位",
        "身份证后4位",
        "身份证后四位",
        "公民身份号码后4位",
        "id_last4",
    ),
    "mobile": ("手机号", "手机号码", "手机", "mobile"),
    "status": ("状态", "考勤状态", "出勤状态", "考勤", "status"),
    "note": ("备注", "说明", "note"),
}
# The template's columns, in order.
TEMPLATE_HEADERS = ("姓名", "身份证号后4位", "手机号", "状态", "备注")

# The status words accepted; the first of each is what the template offers.
STATUS_WORDS: dict[str, tuple[str, ...]] = {
    Attendance.Status.PRESENT: ("出席", "到", "已到", "到会", "正常", "签到", "present"),
    Attendance.Status.LATE: ("迟到", "late"),
    Attendance.Status.LEFT_EARLY: ("早退", "left_early"),
    Attendance.Status.ABSENT: ("缺席", "缺勤", "未到", "absent"),
    Attendance.Status.LEAVE: ("请假", "leave"),
}
STATUS_OF: dict[str, str] = {
    word.lower(): status for status, words in STATUS_WORDS.items() for word in words
}
WORD_OF: dict[str, str] = {status: words[0] for status, words in STATUS_WORDS.items()}


@dataclass
class AttendanceImportResult:
    ok: bool
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def file_error(message: str) -> AttendanceImportResult:
    return AttendanceImportResult(ok=False, errors=[RowError(None, "", "", message)])


def _lookup() -> dict[str, str]:
    return {normalise_header(h): name for name, headers in HEADERS.items() for h in headers}


def read_bytes(file: bytes | IO[bytes] | Any) -> bytes:
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    if hasattr(file, "seek"):
        with contextlib.suppress(OSError, ValueError):
            file.seek(0)
    return bytes(file.read())


@dataclass
class Sheet:
    header_row: int
    columns: dict[str, int]  # field → column index
    headers: dict[str, str]  # field → the header as written
    rows: list[tuple[int, list[Any]]]


def read_sheet(data: bytes) -> Sheet | AttendanceImportResult:
    try:
        table = read_first_sheet(data)
    except SheetFileError as problem:
        return file_error(problem.message)
    lookup = _lookup()
    for index, cells in enumerate(table[:HEADER_SEARCH_ROWS]):
        found: dict[str, int] = {}
        written: dict[str, str] = {}
        for column, cell in enumerate(cells):
            name = lookup.get(normalise_header(cell_text(cell)))
            if name and name not in found:
                found[name] = column
                written[name] = cell_text(cell)
        if "name" in found and "status" in found:
            rows = [
                (number, cells)
                for number, cells in enumerate(table[index + 1 :], start=index + 2)
                if any(cell_text(c) for c in cells)
            ]
            return Sheet(index + 1, found, written, rows)
    return file_error(
        _(
            "The columns 姓名 and 状态 were not found in the first rows of the first sheet; "
            "download the template and fill it in."
        )
    )


def sheet_cell(cells: list[Any], sheet: Sheet, name: str) -> str:
    column = sheet.columns.get(name)
    if column is None or column >= len(cells):
        return ""
    return undo_neutralise(fold_width(cell_text(cells[column])).strip())


def _attendance_counts(statuses: list[str | None]) -> str:
    """应到 12 人；已登记：出席 9、请假 1；未登记 2 人: the counts of the sheet's rows."""
    recorded = [
        f"{word} {statuses.count(status)}"
        for status, word in WORD_OF.items()
        if statuses.count(status)
    ]
    return _("Expected: %(n)s; recorded: %(recorded)s; not yet recorded: %(open)s") % {
        "n": len(statuses),
        "recorded": "、".join(recorded) or "0",
        "open": statuses.count(None),
    }


def attendance_workbook(
    *,
    title: str,
    rows: list[tuple[str, str, str | None]],
    org_name: str = "",
    period: str = "",
) -> tuple[int, bytes]:
    """The sheet to fill in for the event `title` (held by `org_name` on `period`): one row per
    (name, last 4 characters of the ID number, current status or None), and a drop-down of the
    status words; a `core.workbooks` 台账, so it prints with its header on every page. The
    import finds the header below the title rows. Returns the number of rows and the bytes."""
    with translation.override("zh-hans"):
        book = LedgerBook()
        sheet = book.sheet(
            _("Attendance"),
            title=ledger_title(org_name, _("%(title)s attendance sheet") % {"title": title}),
            org=org_name,
            period=period,
            lines=[_attendance_counts([status for _name, _id, status in rows])],
            columns=[
                Column(header, width=width)
                for header, width in zip(TEMPLATE_HEADERS, (12, 16, 14, 10, 30), strict=True)
            ],
            freeze_columns=1,
        )
        count = 0
        for name, id_last4, status in rows:
            sheet.append([name, id_last4, None, WORD_OF.get(status, "") if status else None])
            count += 1
        sheet.choice_list(TEMPLATE_HEADERS.index("状态"), list(WORD_OF.values()))
        book.notes(
            _("How to fill in"),
            [
                [line]
                for line in (
                    _("One row per member. Keep the headers as they are."),
                    _("状态: one of %(words)s.") % {"words": "、".join(WORD_OF.values())},
                    _(
                        "身份证号后4位 or 手机号 tells namesakes apart: fill in one of them where "
                        "two members share a name. Extra columns are ignored."
                    ),
                    _(
                        "Nothing is saved until every row is correct; the upload is checked first "
                        "and lists every problem."
                    ),
                    title,
                )
            ],
            widths=[90],
        )
        return count, book.save()


def attendance_names(event: Event) -> tuple[str, str]:
    """(考勤表-<event>-20261015.xlsx, attendance-<pk>-20261015.xlsx): the Chinese name of the
    sheet's download and its ASCII fallback."""
    day = f"{timezone.localtime(event.starts_at):%Y%m%d}"
    return (
        file_name("考勤表", event.title, day, ext="xlsx"),
        f"attendance-{event.pk}-{day}.xlsx",
    )

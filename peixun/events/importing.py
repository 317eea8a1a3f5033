"""Attendance from an .xlsx sheet: checked first (dry run), then written all at once or not at all.

Columns (headers as people write them; widths, inner spaces and a trailing * are forgiven):
姓名 (required), 身份证号后4位 and/or 手机号 (one of them per row, to tell namesakes apart),
状态 (required: 出席, 迟到, 早退, 缺席, 请假), 备注 (optional). Other columns (序号, 所在党组织 …)
are ignored. A row names a member expected at the event or already holding a row there.

Reading reuses the roster import's helpers (package check, calamine, cell text, header
normalising, its RowError) so that both imports refuse bad files with the same words.
"""

from __future__ import annotations

import contextlib
import io
import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.datavalidation import DataValidation

from peixun.core.audit import audit_record
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor
from peixun.core.text import fold_width, neutralise_formula
from peixun.members.documents import (
    RosterFileError,
    RowError,
    cell_text,
    normalise_header,
    read_first_sheet,
    undo_neutralise,
)
from peixun.members.models import Member

from . import registry
from .marking import Mark, apply_marks
from .models import Attendance, Event
from .services import _locked

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


def _file_error(message: str) -> AttendanceImportResult:
    return AttendanceImportResult(ok=False, errors=[RowError(None, "", "", message)])


def _lookup() -> dict[str, str]:
    return {normalise_header(h): name for name, headers in HEADERS.items() for h in headers}


def _read_bytes(file: bytes | IO[bytes] | Any) -> bytes:
    if isinstance(file, bytes | bytearray):
        return bytes(file)
    if hasattr(file, "seek"):
        with contextlib.suppress(OSError, ValueError):
            file.seek(0)
    return bytes(file.read())


@dataclass
class _Sheet:
    header_row: int
    columns: dict[str, int]  # field → column index
    headers: dict[str, str]  # field → the header as written
    rows: list[tuple[int, list[Any]]]


def _sheet(data: bytes) -> _Sheet | AttendanceImportResult:
    try:
        table = read_first_sheet(data)
    except RosterFileError as problem:
        return _file_error(problem.message)
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
            return _Sheet(index + 1, found, written, rows)
    return _file_error(
        _(
            "The columns 姓名 and 状态 were not found in the first rows of the first sheet; "
            "download the template and fill it in."
        )
    )


def _candidates(event: Event) -> dict[str, list[Member]]:
    """Members a row may name: those expected and those holding a row, by name."""
    ids = set(registry.expected_member_ids(event)) | set(
        Attendance.objects.filter(event=event).values_list("member_id", flat=True)
    )
    by_name: dict[str, list[Member]] = {}
    for member in Member.objects.filter(pk__in=ids).only(
        "pk", "name", "id_number_masked", "mobile"
    ):
        by_name.setdefault(member.name, []).append(member)
    return by_name


def _cell(cells: list[Any], sheet: _Sheet, name: str) -> str:
    column = sheet.columns.get(name)
    if column is None or column >= len(cells):
        return ""
    return undo_neutralise(fold_width(cell_text(cells[column])).strip())


def _plan(event: Event, sheet: _Sheet) -> tuple[dict[int, Mark], list[RowError]]:
    """member id → mark, and every problem of every row."""
    by_name = _candidates(event)
    marks: dict[int, Mark] = {}
    row_of: dict[int, int] = {}
    errors: list[RowError] = []
    accepted = "、".join(WORD_OF.values())
    for number, cells in sheet.rows:
        name = re.sub(r"\s+", "", _cell(cells, sheet, "name"))
        last4 = _cell(cells, sheet, "id_last4").upper()
        mobile = re.sub(r"\D", "", _cell(cells, sheet, "mobile"))
        status_text = _cell(cells, sheet, "status")
        note = _cell(cells, sheet, "note")
        problem = _reporter(errors, sheet, number)

        status = STATUS_OF.get(status_text.lower())
        if not status_text:
            problem("status", "", _("Write the status: one of %(words)s.") % {"words": accepted})
        elif status is None:
            problem(
                "status",
                status_text,
                _("Unknown status; write one of %(words)s.") % {"words": accepted},
            )
        if len(note) > 200:
            problem("note", note[:60] + "…", _("At most 200 characters."))
        if not name:
            problem("name", "", _("Write the member's name."))
            continue
        found = by_name.get(name, [])
        if not found:
            problem("name", name, _("Nobody of this name is expected at this event."))
            continue
        if last4 and not re.fullmatch(r"[0-9]{3}[0-9X]", last4):
            problem(
                "id_last4",
                last4,
                _("Write the last 4 characters of the ID number, such as 1234 or 123X."),
            )
            continue
        if last4:
            found = [m for m in found if m.id_number_masked[-4:].upper() == last4]
        if mobile:
            found = [m for m in found if m.mobile == mobile]
        if not found:
            shown = " / ".join(v for v in (last4, mobile) if v)
            problem(
                "id_last4" if last4 else "mobile",
                shown,
                _("The name and these digits do not match a member expected at this event."),
            )
            continue
        if len(found) > 1:
            problem(
                "name",
                name,
                _(
                    "Several members expected here have this name; write the last 4 characters "
                    "of the ID number or the mobile number."
                ),
            )
            continue
        member = found[0]
        if member.pk in row_of:
            problem(
                "name",
                name,
                _("This member is already listed in row %(row)d.") % {"row": row_of[member.pk]},
            )
            continue
        row_of[member.pk] = number
        if status is not None and len(note) <= 200:
            marks[member.pk] = Mark(status, note)
    return marks, errors


def _reporter(errors: list[RowError], sheet: _Sheet, row: int) -> Any:
    def problem(column: str, value: str, message: str) -> None:
        errors.append(RowError(row, sheet.headers.get(column, ""), value, message))

    return problem


def _preview(event: Event, marks: dict[int, Mark]) -> tuple[int, int, int]:
    rows = {
        member_id: (status, note)
        for member_id, status, note in Attendance.objects.filter(
            event=event, member_id__in=list(marks)
        ).values_list("member_id", "status", "note")
    }
    created = sum(1 for pk in marks if pk not in rows)
    unchanged = sum(1 for pk, m in marks.items() if rows.get(pk) == (m.status, m.note))
    return created, len(marks) - created - unchanged, unchanged


def attendance_import(
    *, actor: Actor, event: Event, file: bytes | IO[bytes] | Any, dry_run: bool
) -> AttendanceImportResult:
    """Check an attendance sheet for `event` and, unless `dry_run` or any row has a problem,
    write it (method "import"). Raises PermissionDenied for an actor who may not manage the
    event; every problem with the file or its rows comes back in the result."""
    require_manage(actor, event.org)
    if event.state == Event.State.CLOSED:
        return _file_error(
            _("This event is closed and its hours credited; reopen it to change it.")
        )
    data = _read_bytes(file)
    if len(data) > MAX_BYTES:
        return _file_error(
            _("The file is larger than %(limit)d MB; split it into parts.")
            % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    sheet = _sheet(data)
    if isinstance(sheet, AttendanceImportResult):
        return sheet
    if "id_last4" not in sheet.columns and "mobile" not in sheet.columns:
        return _file_error(
            _("Add the column 身份证号后4位 or 手机号: a name alone cannot tell namesakes apart.")
        )
    if not sheet.rows:
        return _file_error(_("The file has headers but no rows below them."))
    if len(sheet.rows) > MAX_ROWS:
        return _file_error(
            _("The file has %(count)d rows; import at most %(limit)d at a time.")
            % {"count": len(sheet.rows), "limit": MAX_ROWS}
        )
    marks, errors = _plan(event, sheet)
    if errors:
        return AttendanceImportResult(ok=False, errors=errors, rows=len(sheet.rows))
    if dry_run:
        created, updated, unchanged = _preview(event, marks)
        return AttendanceImportResult(
            ok=True, rows=len(sheet.rows), created=created, updated=updated, unchanged=unchanged
        )
    with transaction.atomic():
        event = _locked(event)
        require_manage(actor, event.org)
        if event.state == Event.State.CLOSED:
            return _file_error(
                _("This event is closed and its hours credited; reopen it to change it.")
            )
        created, updated, unchanged = apply_marks(
            actor=actor,
            event=event,
            marks=marks,
            method=Attendance.Method.IMPORT,
            verb="attendance.import",
        )
    return AttendanceImportResult(
        ok=True, rows=len(sheet.rows), created=created, updated=updated, unchanged=unchanged
    )


def attendance_template(*, actor: Actor, event: Event) -> bytes:
    """The sheet to fill in: one row per member expected at the event (name and the last 4
    characters of the ID number, as pages show them), their current status, and a drop-down
    of the status words. Audited: it lists members."""
    require_manage(actor, event.org)
    if not getattr(actor, "pk", None):
        raise PermissionDenied
    ids = set(registry.expected_member_ids(event))
    current = dict(Attendance.objects.filter(event=event).values_list("member_id", "status"))
    ids |= set(current)
    members = Member.objects.filter(pk__in=ids).order_by("org__path", "name", "pk")
    with translation.override("zh-hans"):
        workbook = Workbook()
        sheet = workbook.active
        assert sheet is not None
        sheet.title = _("Attendance")
        sheet.append(list(TEMPLATE_HEADERS))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        count = 0
        for member in members.only("pk", "name", "id_number_masked"):
            status = current.get(member.pk)
            sheet.append(
                [
                    neutralise_formula(member.name),
                    member.id_number_masked[-4:],
                    "",
                    WORD_OF.get(status, "") if status else "",
                    "",
                ]
            )
            count += 1
        for letter, width in zip("ABCDE", (12, 16, 14, 10, 30), strict=True):
            sheet.column_dimensions[letter].width = width
        sheet.column_dimensions["B"].number_format = "@"
        sheet.column_dimensions["C"].number_format = "@"
        check = DataValidation(
            type="list", formula1='"' + ",".join(WORD_OF.values()) + '"', allow_blank=True
        )
        check.showErrorMessage = False  # the import judges, with better messages
        sheet.add_data_validation(check)
        check.add(f"D2:D{max(count, 1) + 500}")
        help_sheet = workbook.create_sheet(_("How to fill in"))
        for line in (
            _("One row per member. Keep the headers as they are."),
            _("状态: one of %(words)s.") % {"words": "、".join(WORD_OF.values())},
            _(
                "身份证号后4位 or 手机号 tells namesakes apart: fill in one of them where two "
                "members share a name. Extra columns are ignored."
            ),
            _(
                "Nothing is saved until every row is correct; the upload is checked first "
                "and lists every problem."
            ),
            str(event.title),
        ):
            help_sheet.append([line])
        help_sheet.column_dimensions["A"].width = 90
        buffer = io.BytesIO()
        workbook.save(buffer)
    audit_record(
        actor=actor,
        verb="attendance.template",
        obj=event,
        org=event.org,
        after={"members": count},
    )
    return buffer.getvalue()

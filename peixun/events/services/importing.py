"""Attendance from an .xlsx sheet: checked first (dry run), then written all at once or not at all.

The sheet is read by `documents` (its columns are described there); here each row is matched to
a member expected at the event or already holding a row there, and the marks are written. The
template to fill in is built by `documents.attendance_workbook` and handed out here, audited.
"""

from __future__ import annotations

import re
from typing import IO, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record
from peixun.core.docxstyle import chinese_date
from peixun.core.permissions import require_manage
from peixun.core.scoping import Actor
from peixun.core.spreadsheets import RowError
from peixun.members.models import Member

from .. import registry
from ..documents import (
    MAX_BYTES,
    MAX_ROWS,
    STATUS_OF,
    WORD_OF,
    AttendanceImportResult,
    Sheet,
    attendance_workbook,
    file_error,
    read_bytes,
    read_sheet,
    sheet_cell,
)
from ..models import Attendance, Event
from .events import _locked
from .marking import Mark, apply_marks


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


def _plan(event: Event, sheet: Sheet) -> tuple[dict[int, Mark], list[RowError]]:
    """member id → mark, and every problem of every row."""
    by_name = _candidates(event)
    marks: dict[int, Mark] = {}
    row_of: dict[int, int] = {}
    errors: list[RowError] = []
    accepted = "、".join(WORD_OF.values())
    for number, cells in sheet.rows:
        name = re.sub(r"\s+", "", sheet_cell(cells, sheet, "name"))
        last4 = sheet_cell(cells, sheet, "id_last4").upper()
        mobile = re.sub(r"\D", "", sheet_cell(cells, sheet, "mobile"))
        status_text = sheet_cell(cells, sheet, "status")
        note = sheet_cell(cells, sheet, "note")
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


def _reporter(errors: list[RowError], sheet: Sheet, row: int) -> Any:
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
        return file_error(_("This event is closed and its hours credited; reopen it to change it."))
    data = read_bytes(file)
    if len(data) > MAX_BYTES:
        return file_error(
            _("The file is larger than %(limit)d MB; split it into parts.")
            % {"limit": MAX_BYTES // (1024 * 1024)}
        )
    sheet = read_sheet(data)
    if isinstance(sheet, AttendanceImportResult):
        return sheet
    if "id_last4" not in sheet.columns and "mobile" not in sheet.columns:
        return file_error(
            _("Add the column 身份证号后4位 or 手机号: a name alone cannot tell namesakes apart.")
        )
    if not sheet.rows:
        return file_error(_("The file has headers but no rows below them."))
    if len(sheet.rows) > MAX_ROWS:
        return file_error(
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
            return file_error(
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
    members = list(
        Member.objects.filter(pk__in=ids)
        .order_by("org__path", "name", "pk")
        .only("pk", "name", "id_number_masked")
    )
    starts = timezone.localtime(event.starts_at)
    count, content = attendance_workbook(
        title=str(event.title),
        org_name=event.org.name,
        period=f"{chinese_date(starts.date())} {starts:%H:%M}",
        rows=[
            (member.name, member.id_number_masked[-4:], current.get(member.pk))
            for member in members
        ],
    )
    audit_record(
        actor=actor,
        verb="attendance.template",
        obj=event,
        org=event.org,
        # Who the sheet lists (a meeting's or class's attendance list, not a bulk roster).
        after={"members": count, "member_ids": [member.pk for member in members]},
    )
    return content

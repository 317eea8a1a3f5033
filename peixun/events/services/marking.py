"""Writing attendance marks in bulk: shared by manual marking and the import."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from peixun.core.audit import audit_record_many, build_event, snapshot
from peixun.core.scoping import Actor, actor_id

from .. import registry
from ..models import Attendance, Event

MARK_AUDIT = ["event_id", "member_id", "status", "method", "signed_in_at", "note"]
NOT_THERE = (Attendance.Status.ABSENT, Attendance.Status.LEAVE)


@dataclass(frozen=True)
class Mark:
    status: str
    # None keeps the note a row already has (a bulk "mark present" says nothing about notes).
    note: str | None = ""


def clean_status(status: Any) -> str:
    if status not in Attendance.Status.values:
        raise ValidationError({"status": _("Choose an attendance status.")})
    return str(status)


def clean_note(note: Any) -> str:
    note = (note or "").strip()
    if len(note) > 200:
        raise ValidationError({"note": _("At most 200 characters.")})
    return note


def apply_marks(
    *, actor: Actor, event: Event, marks: Mapping[int, Mark], method: str, verb: str
) -> tuple[int, int, int]:
    """Write `marks` (member id → mark) on a locked, open event the actor manages.

    Returns (created, updated, unchanged). Raises ValidationError naming any member who is
    neither expected at the event nor already holds a row. Callers hold the transaction.
    """
    rows = {
        row.member_id: row
        for row in Attendance.objects.select_for_update().filter(
            event=event, member_id__in=list(marks)
        )
    }
    newcomers = [pk for pk in marks if pk not in rows]
    if newcomers:
        expected = set(registry.expected_member_ids(event).filter(pk__in=newcomers))
        strangers = [pk for pk in newcomers if pk not in expected]
        if strangers:
            # Ids, not names: a member id that is not expected here may be anyone's.
            raise ValidationError(
                {
                    "member": _("Not expected at this event: member %(ids)s.")
                    % {"ids": ", ".join(map(str, strangers[:20]))}
                }
            )
    user_id = actor_id(actor)
    creates: list[Attendance] = []
    updates: list[Attendance] = []
    audits = []
    unchanged = 0
    for member_id, mark in marks.items():
        row = rows.get(member_id)
        if row is None:
            row = Attendance(
                event=event,
                member_id=member_id,
                status=mark.status,
                method=method,
                note=mark.note or "",
                marked_by_id=user_id,
            )
            creates.append(row)
            continue
        note = row.note if mark.note is None else mark.note
        if row.status == mark.status and row.note == note:
            unchanged += 1
            continue
        before = snapshot(row, MARK_AUDIT)
        row.status, row.note, row.method, row.marked_by_id = mark.status, note, method, user_id
        if mark.status in NOT_THERE:
            row.signed_in_at = row.signed_out_at = None
        row.updated_at = timezone.now()
        updates.append(row)
        audits.append(
            build_event(
                actor=actor,
                verb=verb,
                obj=row,
                org=event.org,
                before=before,
                after=snapshot(row, MARK_AUDIT),
            )
        )
    Attendance.objects.bulk_create(creates, batch_size=1000)
    fields = ["status", "note", "method", "marked_by", "signed_in_at", "signed_out_at"]
    Attendance.objects.bulk_update(updates, [*fields, "updated_at"], batch_size=1000)
    # Both databases return the new primary keys from a bulk insert.
    audits += [
        build_event(actor=actor, verb=verb, obj=row, org=event.org, after=snapshot(row, MARK_AUDIT))
        for row in creates
    ]
    audit_record_many(audits)
    if creates or updates:
        registry.attendance_changed(event)
    return len(creates), len(updates), unchanged
